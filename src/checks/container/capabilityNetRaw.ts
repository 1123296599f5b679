/** NET_RAW is in the default set: raw sockets allow ARP and DNS spoofing against neighbours on the node. */
import { containerCheck, contextPath } from '../common/define.js';
import { capabilityName, drops, isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const capabilityNetRaw = containerCheck(
  {
    fixable: true,
    id: 'container-capability-net-raw',
    title: 'NET_RAW is not dropped',
    category: 'container',
    description:
      'The container keeps CAP_NET_RAW: it neither drops NET_RAW nor ALL, or it adds NET_RAW back. Raw sockets let a process forge packets, which enables ARP and DNS spoofing against other pods on the same node. Windows pods are exempt.',
    remediation: 'Drop ALL capabilities (or at least NET_RAW) in the container’s securityContext, and do not add NET_RAW.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold can intercept or redirect other pods’ traffic on the node.' },
    cis: ['5.2.8'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.adversaryInTheMiddle, MITRE.networkSniffing],
    equivalents: ['kube-linter:drop-net-raw-capability', 'kubescape:drop-capability-netraw'],
  },
  (container, pod) => {
    if (isWindows(pod)) return undefined;
    const added = container.effective.capabilitiesAdd.find((setting) => ['NET_RAW', 'ALL'].includes(capabilityName(setting.value)));
    if (added !== undefined) return { predicate: `must not add capability ${added.value}`, path: added.path, fix: [{ op: 'removeItem', path: added.path.slice(0, -1), value: added.value }] };
    if (drops(container, 'NET_RAW')) return undefined;
    const path = [...contextPath(container), 'capabilities', 'drop'];
    return { predicate: 'must drop NET_RAW (or ALL) in securityContext.capabilities.drop', path, fix: [{ op: 'append', path, value: 'NET_RAW' }] };
  },

);
