/** The three host namespaces share one shape: a pod-level boolean that must not be true. */
import type { Check } from '../types.js';
import { podCheck, type CheckSpec } from '../common/define.js';

export function hostNamespaceCheck(spec: CheckSpec, field: 'hostNetwork' | 'hostPID' | 'hostIPC'): Check {
  return podCheck({ ...spec, fixable: true }, (pod) => {
    const setting = pod[field];
    // The default is false: the fix removes the field.
    return setting?.value === true ? [{ message: `pod must not set spec.${field}=true`, path: setting.path, fix: [{ op: 'delete', path: setting.path }] }] : [];
  });
}
