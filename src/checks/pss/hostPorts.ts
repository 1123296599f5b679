/** Baseline: host ports bind the node's network interfaces and bypass network policy. */
import { containerSubject, pluralize } from './messages.js';
import type { PssCheck } from './types.js';

export const hostPorts: PssCheck = {
  id: 'hostPorts',
  level: 'baseline',
  reason: 'hostPort',
  title: 'Container binds a host port',
  severity: 'medium',
  severityReason: 'A host port exposes the container on the node’s address, outside Services and often outside NetworkPolicy, but gives no access to the node itself.',
  description: 'A container sets ports[*].hostPort to a non-zero value. The port opens on every address of the node, limits scheduling and is frequently missed by network policies.',
  remediation: 'Remove hostPort (or set it to 0) and expose the port through a Service (ClusterIP, NodePort or LoadBalancer) or an Ingress.',
  versions: [
    {
      minimumVersion: 'v1.0',
      check: (pod) =>
        pod.containers.flatMap((container) => {
          const bound = container.hostPorts.filter((port) => port.value !== 0);
          const first = bound[0];
          if (first === undefined) return [];
          const ports = [...new Set(bound.map((port) => port.value))];
          return [{ subject: containerSubject(container.name), predicate: `must not set ${pluralize(ports.length, 'hostPort', 'hostPorts')} ${ports.join(', ')}`, path: first.path }];
        }),
    },
  ],
};
