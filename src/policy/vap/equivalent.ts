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

/**
 * The groups whose rules a request for `resource` matches under Equivalent:
 * its own (at any version: every version of a group serves the resource under
 * the same name) and the groups it moved between.
 */
export function equivalentGroups(resource: Pick<ResourceInfo, 'group' | 'resource'>): readonly string[] {
  const moved = MOVED[resource.resource];
  return moved?.includes(resource.group) === true ? moved : [resource.group];
}
