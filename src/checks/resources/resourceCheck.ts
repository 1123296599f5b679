/** Requests and limits share one shape: a container field that must be set. */
import type { Check } from '../types.js';
import { containerCheck, WORKLOAD_CONTAINERS, type CheckSpec } from '../common/define.js';
import { resourceOf, resourcePath } from '../common/fields.js';

export function resourceCheck(spec: CheckSpec, section: 'requests' | 'limits', name: string): Check {
  return containerCheck(
    { ...spec, fixable: true },
    (container) => {
      if (resourceOf(container, section, name) !== undefined) return undefined;
      // A limit alone does not settle the request: a LimitRange's defaultRequest, applied at admission,
      // takes precedence over copying the limit. Only an explicit request states what the pod asks for.
      const path = resourcePath(container, section, name);
      return { predicate: `must set resources.${section}.${name}`, path, fix: [{ op: 'setDefault', path, setting: `${section}.${name}` }] };
    },
    WORKLOAD_CONTAINERS,
  );
}
