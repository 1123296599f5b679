/** A containerPort below 1024 usually means the process binds as root or with NET_BIND_SERVICE. */
import { containerCheck, MAIN_CONTAINERS } from '../common/define.js';
import { portsOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const privilegedPorts = containerCheck(
  {
    id: 'container-privileged-port',
    title: 'Container listens on a privileged port',
    category: 'container',
    description: 'The container declares a containerPort below 1024. Binding such a port needs root or CAP_NET_BIND_SERVICE in the container, which usually keeps the workload from running unprivileged.',
    remediation: 'Listen on a port of 1024 or above inside the container and map the public port in the Service (targetPort).',
    severity: { gain: 'weakening', effort: 'chained', reason: 'Only a hint that the process keeps privileges; no access by itself.' },
    nsa: [NSA.nonRoot],
    mitre: [MITRE.privilegeEscalationExploit],
    equivalents: ['kube-linter:privileged-ports'],
  },
  (container) =>
    portsOf(container)
      .filter((port) => port.containerPort > 0 && port.containerPort < 1024)
      .map((port) => ({ predicate: `must not listen on privileged port ${port.containerPort}`, path: [...port.path, 'containerPort'] })),
  MAIN_CONTAINERS,
);
