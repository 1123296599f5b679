/**
 * Equivalent resources for `matchPolicy: Equivalent`: the same resource
 * served under another version of its group, or under the group it moved
 * from or to (Deployments in `extensions/v1beta1` and `apps/v1`). The API
 * server converts the object to the version a rule names before admission;
 * offline, Rampart matches the rule and evaluates the object as written,
 * which is the same for the fields these resources kept across versions.
 *
 * The cross-group moves are facts of the Kubernetes API's history.
 */
import type { ResourceInfo } from './resources.js';

/** Groups that served the same resource (by resource name). */
const MOVED: Readonly<Record<string, readonly string[]>> = {
  deployments: ['apps', 'extensions'],
  daemonsets: ['apps', 'extensions'],
  replicasets: ['apps', 'extensions'],
  ingresses: ['networking.k8s.io', 'extensions'],
  networkpolicies: ['networking.k8s.io', 'extensions'],
  podsecuritypolicies: ['policy', 'extensions'],
  events: ['', 'events.k8s.io'],
};

/** A group/version a request for `resource` could be matched as, under Equivalent, besides its own. */
export interface EquivalentResource {
  readonly group: string;
  /** `*`: any version of that group serves the resource under the same name. */
  readonly version: string;
  readonly resource: string;
}

export function equivalentResources(resource: Pick<ResourceInfo, 'group' | 'version' | 'resource'>): EquivalentResource[] {
  const groups = MOVED[resource.resource]?.includes(resource.group) === true ? (MOVED[resource.resource] as readonly string[]) : [resource.group];
  return groups.map((group) => ({ group, version: '*', resource: resource.resource }));
}
