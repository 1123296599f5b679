/** Requests and limits share one shape: a container field that must be set. */
import type { Check } from '../types.js';
import { containerCheck, WORKLOAD_CONTAINERS, type CheckSpec } from '../common/define.js';
import { resourceOf, resourcePath } from '../common/fields.js';

export function resourceCheck(spec: CheckSpec, section: 'requests' | 'limits', name: string): Check {
  return containerCheck(
    spec,
    (container) => {
      if (resourceOf(container, section, name) !== undefined) return undefined;
      // A limit alone also sets the request to the same value.
      if (section === 'requests' && resourceOf(container, 'limits', name) !== undefined) return undefined;
      return { predicate: `must set resources.${section}.${name}`, path: resourcePath(container, section, name) };
    },
    WORKLOAD_CONTAINERS,
  );
}
