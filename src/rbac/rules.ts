/**
 * Does one policy rule allow one request? These functions follow the
 * Kubernetes RBAC authorizer exactly (plugin/pkg/auth/authorizer/rbac and
 * pkg/apis/rbac/v1/evaluation_helpers.go); the comments record the cases
 * where intuition and the authorizer differ.
 */
import type { AuthorizationRequest, NonResourceRequest, PolicyRule, ResourceRequest } from './model.js';

/** `*` in a rule's verbs matches any verb; otherwise the verb must be listed exactly (case-sensitive). */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((ruleVerb) => ruleVerb === '*' || ruleVerb === verb);
}

/** `*` matches every group; `""` is the core group. An empty list matches nothing. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((ruleGroup) => ruleGroup === '*' || ruleGroup === group);
}

/**
 * Resources are matched as the combined `resource/subresource` string:
 * - `*` matches everything, subresources included;
 * - `pods` matches only the `pods` resource, never `pods/exec`;
 * - `pods/exec` matches only that subresource;
 * - a star, a slash and a subresource (`*` + `/scale`) matches that subresource of
 *   any resource, and nothing else (not `deployments`, not `deployments/status`).
 * There is no `pods/*`: a trailing `*` after a resource name is matched literally.
 */
export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource === '' ? resource : `${resource}/${subresource}`;
  for (const ruleResource of rule.resources) {
    if (ruleResource === '*' || ruleResource === combined) return true;
    if (subresource !== '' && ruleResource === `*/${subresource}`) return true;
  }
  return false;
}

/**
 * A rule without resourceNames matches any name. A rule with resourceNames
 * matches only a request whose name is listed. Requests without a name
 * (create on a collection, deletecollection, list and watch without a
 * `metadata.name` field selector) therefore never match such a rule.
 */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (rule.resourceNames.length === 0) return true;
  return rule.resourceNames.includes(name);
}

/**
 * `*` matches every path; a URL ending in `*` matches every path that starts
 * with what precedes the star (`/healthz*` matches `/healthz` and
 * `/healthz/etcd`; `/apis/*` matches `/apis/apps` but not `/apis`); anything
 * else must be equal. A star elsewhere is literal.
 */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const ruleURL of rule.nonResourceURLs) {
    if (ruleURL === '*' || ruleURL === path) return true;
    if (ruleURL.endsWith('*') && path.startsWith(trimTrailingStars(ruleURL))) return true;
  }
  return false;
}

/** Go's strings.TrimRight(url, "*"): every trailing star goes, not just one. */
function trimTrailingStars(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 42 /* * */) end--;
  return url.slice(0, end);
}

export function ruleAllowsResource(rule: PolicyRule, request: ResourceRequest): boolean {
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup) &&
    resourceMatches(rule, request.resource, request.subresource) &&
    resourceNameMatches(rule, request.name)
  );
}

export function ruleAllowsNonResource(rule: PolicyRule, request: NonResourceRequest): boolean {
  return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
}

export function ruleAllows(rule: PolicyRule, request: AuthorizationRequest): boolean {
  return request.kind === 'resource' ? ruleAllowsResource(rule, request) : ruleAllowsNonResource(rule, request);
}
