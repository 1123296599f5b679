/** The three host namespaces share one shape: a pod-level boolean that must not be true. */
import type { Check } from '../types.js';
import { podCheck, type CheckSpec } from '../common/define.js';

export function hostNamespaceCheck(spec: CheckSpec, field: 'hostNetwork' | 'hostPID' | 'hostIPC'): Check {
  // hostNetwork is not fixed: a pod leaving the host network falls under NetworkPolicy (a new finding where none
  // selects it) and changes how it is reached; that is a redesign, not an edit.
  const fixable = field !== 'hostNetwork';
  return podCheck({ ...spec, fixable }, (pod) => {
    const setting = pod[field];
    // The default is false: the fix removes the field.
    if (setting?.value !== true) return [];
    return [{ message: `pod must not set spec.${field}=true`, path: setting.path, ...(fixable ? { fix: [{ op: 'delete' as const, path: setting.path }] } : {}) }];
  });
}
