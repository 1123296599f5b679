/** CIS 2: etcd. */
import type { EffectiveNode } from '../effective.js';
import { fail, isSet, isTrue, judgeAll, judgeSetting, missingComponent, pass, show, warn } from './helpers.js';
import type { Control } from './types.js';

const ETCD_MANIFEST = 'Edit the etcd manifest (/etc/kubernetes/manifests/etcd.yaml)';
const notTrue = (value: string | undefined): boolean => !isTrue(value);

function bothSet(node: EffectiveNode, flags: string[]) {
  return judgeAll(flags.map((flag) => judgeSetting(node, 'etcd', flag, isSet, `--${flag} set`)));
}

export const ETCD_CONTROLS: readonly Control[] = [
  { id: '2.1', section: '2', title: 'etcd serves clients over TLS (--cert-file, --key-file)', automated: true, severity: 'high', remediation: `${ETCD_MANIFEST} and set \`--cert-file\` and \`--key-file\`.`, evaluate: (node) => bothSet(node, ['cert-file', 'key-file']) },
  { id: '2.2', section: '2', title: 'etcd requires client certificates (--client-cert-auth=true)', automated: true, severity: 'critical', remediation: `${ETCD_MANIFEST} and set \`--client-cert-auth=true\`.`, evaluate: (node) => judgeSetting(node, 'etcd', 'client-cert-auth', isTrue, '--client-cert-auth=true') },
  { id: '2.3', section: '2', title: 'etcd does not use self-signed client certificates (--auto-tls not true)', automated: true, severity: 'high', remediation: `${ETCD_MANIFEST} and remove \`--auto-tls\` or set it to false.`, evaluate: (node) => judgeSetting(node, 'etcd', 'auto-tls', notTrue, '--auto-tls unset or false') },
  { id: '2.4', section: '2', title: 'etcd peers talk over TLS (--peer-cert-file, --peer-key-file)', automated: true, severity: 'high', remediation: `${ETCD_MANIFEST} and set \`--peer-cert-file\` and \`--peer-key-file\`.`, evaluate: (node) => bothSet(node, ['peer-cert-file', 'peer-key-file']) },
  { id: '2.5', section: '2', title: 'etcd requires peer certificates (--peer-client-cert-auth=true)', automated: true, severity: 'high', remediation: `${ETCD_MANIFEST} and set \`--peer-client-cert-auth=true\`.`, evaluate: (node) => judgeSetting(node, 'etcd', 'peer-client-cert-auth', isTrue, '--peer-client-cert-auth=true') },
  { id: '2.6', section: '2', title: 'etcd does not use self-signed peer certificates (--peer-auto-tls not true)', automated: true, severity: 'high', remediation: `${ETCD_MANIFEST} and remove \`--peer-auto-tls\` or set it to false.`, evaluate: (node) => judgeSetting(node, 'etcd', 'peer-auto-tls', notTrue, '--peer-auto-tls unset or false') },
  {
    id: '2.7',
    section: '2',
    title: "etcd trusts its own CA, not the cluster's client CA",
    automated: false,
    automatedByRampart: true,
    severity: 'high',
    remediation: `Create a CA for etcd only, issue etcd's certificates from it, then ${ETCD_MANIFEST.charAt(0).toLowerCase()}${ETCD_MANIFEST.slice(1)} and point \`--trusted-ca-file\` to it.`,
    evaluate: (node) => {
      const etcd = node.component('etcd');
      if (etcd === undefined) return missingComponent(node, 'etcd');
      const trusted = etcd.setting('trusted-ca-file');
      if (!isSet(trusted.value)) return fail([`${show(etcd, trusted)}: etcd trusts no CA for clients`], trusted.file === undefined ? { file: etcd.facts.file } : trusted);
      const apiserver = node.component('kube-apiserver');
      if (apiserver === undefined) return warn([show(etcd, trusted), 'kube-apiserver is not on this node, so its client CA cannot be compared'], trusted);
      const clientCa = apiserver.setting('client-ca-file');
      if (clientCa.value === trusted.value) return fail([show(etcd, trusted), `${show(apiserver, clientCa)}: the same CA, so any cluster client certificate is accepted by etcd`], trusted);
      return pass([show(etcd, trusted), `differs from kube-apiserver ${show(apiserver, clientCa)}`], trusted);
    },
  },
];
