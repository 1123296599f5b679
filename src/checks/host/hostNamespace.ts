/** The three host namespaces share one shape: a pod-level boolean that must not be true. */
import type { Check } from '../types.js';
import { podCheck, type CheckSpec } from '../common/define.js';

export function hostNamespaceCheck(spec: CheckSpec, field: 'hostNetwork' | 'hostPID' | 'hostIPC'): Check {
  return podCheck(spec, (pod) => {
    const setting = pod[field];
    return setting?.value === true ? [{ message: `pod must not set spec.${field}=true`, path: setting.path }] : [];
  });
}
