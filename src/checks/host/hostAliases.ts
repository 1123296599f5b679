/** hostAliases rewrite the pod’s /etc/hosts: a quiet way to redirect names. */
import { podCheck } from '../common/define.js';
import { list } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const hostAliases = podCheck(
  {
    id: 'pod-host-aliases',
    title: 'Pod overrides name resolution with hostAliases',
    category: 'host',
    description: 'spec.hostAliases adds entries to the pod’s /etc/hosts. They bypass cluster DNS and its monitoring, and a changed entry silently redirects the workload’s traffic for a name.',
    remediation: 'Remove hostAliases and publish the name in DNS (a Service, or an ExternalName Service).',
    severity: { gain: 'access', effort: 'chained', reason: 'Needs write access to the manifest to abuse, then redirects traffic for a name.' },
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.adversaryInTheMiddle],
    equivalents: ['kubesec:HostAliases'],
  },
  (pod) => (list(pod.spec.hostAliases).length > 0 ? [{ message: 'pod should not set spec.hostAliases', path: [...pod.specPath, 'hostAliases'] }] : []),
);
