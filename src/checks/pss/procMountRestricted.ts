/** Restricted (v1.35+): keeps /proc masked even for user-namespaced pods, replacing the relaxed baseline procMount check. */
import { forbidUnmaskedProcMount } from './procMount.js';
import type { PssCheck } from './types.js';

export const procMountRestricted: PssCheck = {
  id: 'procMount_restricted',
  level: 'restricted',
  reason: 'procMount',
  title: 'Container unmasks /proc (restricted)',
  severity: 'high',
  severityReason: 'Same exposure as the baseline procMount check; the restricted level grants no user-namespace exception.',
  description:
    'A container sets securityContext.procMount to a value other than Default. Introduced with policy v1.35, when the baseline check started to allow unmasked /proc for pods with spec.hostUsers=false; at the restricted level the mask stays mandatory for every pod.',
  remediation: 'Remove securityContext.procMount or set it to Default.',
  versions: [{ minimumVersion: 'v1.35', check: forbidUnmaskedProcMount, overrides: ['procMount'] }],
};
