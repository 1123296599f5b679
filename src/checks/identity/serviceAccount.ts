/** Which ServiceAccount a pod runs as: serviceAccountName, else the deprecated serviceAccount, else `default`. */
import type { PodView } from '../../model/podView.js';

export function serviceAccountName(pod: PodView): string {
  const name = pod.spec.serviceAccountName;
  if (typeof name === 'string' && name !== '') return name;
  const legacy = pod.spec.serviceAccount;
  if (typeof legacy === 'string' && legacy !== '') return legacy;
  return 'default';
}
