/** A bare Pod is not recreated when its node fails, and it escapes the controllers’ rollout rules. */
import { objectCheck } from '../common/define.js';
import { list } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const nakedPod = objectCheck(
  {
    id: 'pod-without-controller',
    title: 'Pod without a controller',
    category: 'workload',
    description: 'A Pod is defined directly, without a Deployment, StatefulSet, DaemonSet or Job, and has no ownerReferences. Nothing recreates it when its node fails or it is evicted.',
    remediation: 'Wrap the pod template in a Deployment (or the controller that fits its lifecycle).',
    severity: { gain: 'hygiene', effort: 'none', reason: 'Availability only.' },
    nsa: [NSA.podSecurity],
    mitre: [MITRE.deployContainer],
    equivalents: ['kubescape:C-0073'],
  },
  ['Pod'],
  (object) => {
    const metadata = object.raw.metadata;
    const owners = typeof metadata === 'object' && metadata !== null ? list((metadata as Record<string, unknown>).ownerReferences) : [];
    return owners.length === 0 ? [{ message: `Pod ${object.name} is not managed by a controller`, path: ['kind'] }] : [];
  },
  { group: '' },
);
