/** A hostPort opens a port on the node’s address, bypassing Services and often NetworkPolicies. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const hostPort = containerCheck(
  {
    fixable: true,
    id: 'container-host-port',
    title: 'Container binds a host port',
    category: 'host',
    description: 'A container port sets hostPort (other than 0): the port opens on the node’s own address, reachable by anything that reaches the node, and limits scheduling to one such pod per node.',
    remediation: 'Remove hostPort and expose the workload through a Service (NodePort or LoadBalancer only if it must be reachable from outside).',
    severity: { gain: 'weakening', effort: 'none', reason: 'Widens exposure without any foothold, but grants no access beyond the service itself.' },
    cis: ['5.2.13'],
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.exploitPublicFacing],
    equivalents: ['kubescape:C-0044', 'trivy:KSV024', 'polaris:hostPortSet'],
  },
  (container) => container.hostPorts.filter((setting) => setting.value !== 0).map((setting) => ({ predicate: `must not set hostPort ${setting.value}`, path: setting.path, fix: [{ op: 'delete' as const, path: setting.path }] })),
);
