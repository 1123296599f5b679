/** `procMount: Unmasked` exposes the host-sensitive parts of /proc that the runtime normally masks. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const procMount = containerCheck(
  {
    fixable: true,
    id: 'container-proc-mount-unmasked',
    title: 'Unmasked /proc',
    category: 'container',
    description: 'The container sets securityContext.procMount to a value other than Default (Unmasked), so /proc paths such as /proc/sys, /proc/kcore and /proc/sysrq-trigger are neither masked nor read-only.',
    remediation: 'Remove procMount or set it to Default.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Writable /proc/sys and sysrq give a root foothold direct influence over the node’s kernel.' },
    cis: ['5.7.3'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost],
    equivalents: ['polaris:procMount', 'kube-linter:unsafe-proc-mount', 'trivy:KSV027'],
  },
  (container) => {
    const setting = container.effective.procMount;
    return setting !== undefined && setting.value !== 'Default' ? { predicate: `must not set securityContext.procMount=${JSON.stringify(setting.value)}`, path: setting.path, fix: [{ op: 'delete', path: setting.path }] } : undefined;
  },
);
