/** AppArmor explicitly off: the field or the beta annotation says unconfined. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const appArmorUnconfined = containerCheck(
  {
    fixable: true,
    id: 'container-apparmor-unconfined',
    title: 'AppArmor explicitly disabled',
    category: 'container',
    description: 'The container’s effective AppArmor profile (container field, its beta annotation, or the pod field) is Unconfined, removing the mandatory access control that blocks writes to /proc and /sys and mounts on AppArmor nodes.',
    remediation: 'Use appArmorProfile.type: RuntimeDefault (or a Localhost profile), or remove the unconfined setting.',
    severity: { gain: 'control', effort: 'chained', reason: 'A defence-in-depth layer against escapes; needs another weakness to matter.' },
    cis: ['5.7.3'],
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.impairDefenses],
    equivalents: ['kubesec:ApparmorUnconfined', 'kubesec:ApparmorAny', 'kubeaudit:AppArmorDisabled'],
  },
  (container) => {
    const profile = container.effective.appArmorProfileType;
    if (profile?.value !== 'Unconfined') return undefined;
    // Fixed where it is written: the beta annotation spells the runtime default `runtime/default`, the field `RuntimeDefault`.
    const value = profile.level === 'annotation' ? 'runtime/default' : 'RuntimeDefault';
    return { predicate: 'must not run with AppArmor profile Unconfined', path: profile.path, fix: [{ op: 'set', path: profile.path, value }] };
  },
);
