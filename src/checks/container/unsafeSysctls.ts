/** Sysctls outside the namespaced safe set can reach the node’s kernel or other pods. */
import { podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

/** The safe set of the newest Pod Security Standards (v1.37). */
export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

export const unsafeSysctls = podCheck(
  {
    fixable: true,
    id: 'pod-unsafe-sysctls',
    title: 'Unsafe sysctls',
    category: 'container',
    description: 'spec.securityContext.sysctls sets a kernel parameter outside the safe, namespaced set. Unsafe sysctls may affect every pod on the node or the node itself, and the kubelet must be configured to allow them.',
    remediation: 'Remove the sysctl, or run the workload on dedicated nodes whose kubelet explicitly allows it.',
    severity: { gain: 'control', effort: 'chained', reason: 'Kernel parameters change node-wide behaviour; turning that into control needs a further weakness.' },
    nsa: [NSA.podSecurity],
    mitre: [MITRE.impairDefenses],
    equivalents: ['kube-linter:unsafe-sysctls', 'kubescape:set-sysctls-params', 'trivy:KSV026'],
  },
  (pod) =>
    pod.sysctls
      .filter((setting) => !SAFE_SYSCTLS.has(setting.value))
      .map((setting) => ({ message: `pod must not set unsafe sysctl ${JSON.stringify(setting.value)}`, path: setting.path, fix: [{ op: 'removeItem' as const, path: setting.path.slice(0, -2), value: setting.value, key: 'name' }] })),
);
