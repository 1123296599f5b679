/**
 * Baseline: only namespaced sysctls that cannot affect other pods may be set.
 * The safe list grew at v1.27, v1.29, v1.32 and v1.37; each growth is a new
 * implementation with its own list.
 */
import { POD, pluralize } from './messages.js';
import type { PolicyVersion, PssCheck, PssCheckFunction, VersionedPssCheck } from './types.js';

/** Sysctls added to the safe list, by the policy version that added them. */
export const SAFE_SYSCTL_ADDITIONS: ReadonlyArray<readonly [PolicyVersion, readonly string[]]> = [
  ['v1.0', ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  ['v1.27', ['net.ipv4.ip_local_reserved_ports']],
  ['v1.29', ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  ['v1.32', ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  ['v1.37', ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

function allowingSysctls(allowed: ReadonlySet<string>): PssCheckFunction {
  return (pod) =>
    pod.sysctls.flatMap((sysctl) => (allowed.has(sysctl.value) ? [] : [{ subject: POD, predicate: `must not set sysctl ${JSON.stringify(sysctl.value)}`, path: sysctl.path }]));
}

/** One implementation per growth of the list, each allowing everything added up to its version. */
function sysctlVersions(): VersionedPssCheck[] {
  const allowed = new Set<string>();
  return SAFE_SYSCTL_ADDITIONS.map(([minimumVersion, additions]) => {
    for (const name of additions) allowed.add(name);
    return { minimumVersion, check: allowingSysctls(new Set(allowed)) };
  });
}

export const sysctls: PssCheck = {
  id: 'sysctls',
  level: 'baseline',
  reason: 'forbidden sysctls',
  title: 'Unsafe sysctl',
  severity: 'medium',
  severityReason: 'Sysctls outside the safe list are either not namespaced (they change the whole node) or not isolated between pods; impact ranges from denial of service to weakened kernel protections.',
  description:
    'The pod sets spec.securityContext.sysctls with a name outside the safe list of its policy version. v1.0: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start; v1.27 adds net.ipv4.ip_local_reserved_ports; v1.29 adds net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl and tcp_keepalive_probes; v1.32 adds net.ipv4.tcp_rmem and tcp_wmem; v1.37 adds net.ipv4.tcp_slow_start_after_idle and tcp_notsent_lowat.',
  remediation: 'Remove the unsafe sysctls from spec.securityContext.sysctls. Node-wide kernel tuning belongs in the node configuration, not in a pod.',
  versions: sysctlVersions(),
  detail: (offenses) => {
    const names = offenses.map((offense) => offense.predicate.replace(/^must not set sysctl /, ''));
    return `pod must not set ${pluralize(names.length, 'sysctl', 'sysctls')} ${names.join(', ')}`;
  },
};
