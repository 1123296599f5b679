/**
 * A question as a user types it (`get deployments.apps/scale --name web -n
 * shop`) → the request attributes the API server would authorize. The
 * translation follows the API server's request-info rules, and every
 * adjustment is returned as a note so the answer can say what was asked.
 */
import { builtinResourceIn, findBuiltinResource } from './builtinResources.js';
import type { AuthorizationRequest } from './model.js';
import type { RbacPolicy } from './policy.js';

export interface Question {
  readonly verb: string;
  /** `RESOURCE[.GROUP][/SUBRESOURCE]`, or a non-resource URL starting with `/`. */
  readonly resource: string;
  readonly name?: string;
  readonly namespace?: string;
}

export type BuiltRequest = { readonly request: AuthorizationRequest; readonly notes: readonly string[] } | { readonly error: string };

interface Resolved {
  readonly resource: string;
  readonly group: string;
  /** undefined when the scope is unknown (a custom resource without its CRD in the input). */
  readonly namespaced: boolean | undefined;
}

function resolveResource(base: string, policy: RbacPolicy | undefined, notes: string[]): Resolved | { error: string } {
  if (base === '*') return { resource: '*', group: '', namespaced: undefined };
  const dot = base.indexOf('.');
  if (dot !== -1) {
    const typed = base.slice(0, dot);
    const group = base.slice(dot + 1);
    if (typed === '' || group === '') return { error: `cannot read ${JSON.stringify(base)} as RESOURCE.GROUP` };
    const exact = builtinResourceIn(group, typed);
    if (exact !== undefined) return { resource: typed, group, namespaced: exact.namespaced };
    const alias = findBuiltinResource(typed);
    if (alias !== undefined && alias.group === group) return { resource: alias.resource, group, namespaced: alias.namespaced };
    const custom = policy?.customResources.get(typed);
    if (custom !== undefined && custom.group === group) return { resource: typed, group, namespaced: custom.namespaced };
    return { resource: typed, group, namespaced: undefined };
  }
  const builtin = findBuiltinResource(base);
  if (builtin !== undefined) return { resource: builtin.resource, group: builtin.group, namespaced: builtin.namespaced };
  const custom = policy?.customResources.get(base);
  if (custom !== undefined) return { resource: custom.resource, group: custom.group, namespaced: custom.namespaced };
  notes.push(`${base} is not a built-in resource and no CustomResourceDefinition in the input defines it; assumed the core API group "" (write RESOURCE.GROUP to name a group)`);
  return { resource: base, group: '', namespaced: undefined };
}

export function buildRequest(question: Question, policy?: RbacPolicy): BuiltRequest {
  const notes: string[] = [];
  const verb = question.verb;
  if (verb === '') return { error: 'the verb is empty' };
  const argument = question.resource;
  if (argument === '') return { error: 'the resource is empty' };

  if (argument.startsWith('/')) {
    if (question.name !== undefined) notes.push('--name is ignored for a non-resource URL');
    if (question.namespace !== undefined) notes.push('-n is ignored for a non-resource URL: non-resource URLs are cluster-wide and only ClusterRoleBindings grant them');
    return { request: { kind: 'nonResource', verb, path: argument }, notes };
  }

  const parts = argument.split('/');
  if (parts.length > 2 || parts.some((part) => part === '')) return { error: `cannot read ${JSON.stringify(argument)} as RESOURCE[.GROUP][/SUBRESOURCE]` };
  const subresource = parts[1] ?? '';
  const resolved = resolveResource(parts[0]!, policy, notes);
  if ('error' in resolved) return resolved;

  let name = question.name ?? '';
  let nameInPath = name !== '';
  if (name !== '' && subresource === '' && (verb === 'create' || verb === 'deletecollection')) {
    notes.push(`--name is ignored: a ${verb} request carries no name, so rules with resourceNames never allow it`);
    name = '';
    nameInPath = false;
  } else if (name !== '' && (verb === 'list' || verb === 'watch')) {
    notes.push(`--name asks about a ${verb} with the field selector metadata.name=${name}, which is the only way a ${verb} request carries a name`);
    nameInPath = false;
  }

  let namespace = question.namespace ?? '';
  if (resolved.namespaced === false && resolved.group === '' && resolved.resource === 'namespaces') {
    // The API server reads /api/v1/namespaces/NAME[/SUBRESOURCE] as a request made in namespace NAME.
    const implied = nameInPath ? name : '';
    if (question.namespace !== undefined && question.namespace !== implied) {
      notes.push(`-n is ignored: ${implied === '' ? 'this request on namespaces is cluster-wide' : `a request for namespace ${implied} is made in that namespace`}`);
    }
    namespace = implied;
  } else if (resolved.namespaced === false) {
    if (question.namespace !== undefined) notes.push(`-n is ignored: ${resolved.resource} is cluster-scoped, so only ClusterRoleBindings can grant it`);
    namespace = '';
  }
  if (namespace === '' && resolved.namespaced !== false) notes.push('no namespace given: asked across all namespaces, which only ClusterRoleBindings can grant');

  return {
    request: { kind: 'resource', verb, apiGroup: resolved.group, resource: resolved.resource, subresource, name, namespace },
    notes,
  };
}
