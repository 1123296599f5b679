/** Helpers shared by the RBAC tests: policies from YAML text, identities from short names, questions. */
import { loadText } from '../load/load.js';
import { authorize, whoCan, type Decision, type WhoCanResult } from './authorize.js';
import { impersonatedUser, serviceAccountUser, subjectMatchesUser } from './identity.js';
import type { AuthorizationRequest, UserInfo } from './model.js';
import { buildRbacPolicy, RbacPolicyBuilder, type RbacPolicy } from './policy.js';
import { buildRequest, type Question } from './request.js';
import type { KubeObject } from '../model/types.js';

export function objectsFromYaml(text: string, file = 'rbac.yaml'): KubeObject[] {
  const batch = loadText(text, file);
  if (batch.diagnostics.length > 0) throw new Error(`fixture does not load: ${batch.diagnostics.map((diagnostic) => diagnostic.message).join('; ')}`);
  return batch.objects;
}

export function policyFromYaml(text: string, file = 'rbac.yaml'): RbacPolicy {
  return buildRbacPolicy(objectsFromYaml(text, file));
}

/** A policy of `defaults` (marked as bootstrap objects) plus `objects`. */
export function policyWithDefaults(defaults: readonly KubeObject[], objects: readonly KubeObject[] = []): RbacPolicy {
  const builder = new RbacPolicyBuilder();
  for (const object of defaults) builder.add(object, { isDefault: true });
  for (const object of objects) builder.add(object);
  return builder.finish();
}

/**
 * `alice` → user alice (impersonated: + system:authenticated);
 * `alice@g1,g2` → with groups g1, g2; `sa:ns/name` → that service account;
 * `anonymous` → system:anonymous.
 */
export function identity(spec: string): UserInfo {
  if (spec.startsWith('sa:')) {
    const [namespace, name] = spec.slice(3).split('/');
    if (namespace === undefined || name === undefined) throw new Error(`bad identity ${spec}`);
    return serviceAccountUser(namespace, name);
  }
  if (spec === 'anonymous') return impersonatedUser('system:anonymous');
  const at = spec.indexOf('@');
  if (at === -1) return impersonatedUser(spec);
  return impersonatedUser(spec.slice(0, at), spec.slice(at + 1).split(','));
}

export function request(question: Question, policy?: RbacPolicy): AuthorizationRequest {
  const built = buildRequest(question, policy);
  if ('error' in built) throw new Error(built.error);
  return built.request;
}

export function ask(policy: RbacPolicy, who: string, question: Question): Decision {
  return authorize(policy, identity(who), request(question, policy));
}

/** Would who-can's answer let this user through? (Some listed subject names the user.) */
export function whoCanIncludes(result: WhoCanResult, user: UserInfo): boolean {
  return result.entries.some((entry) => subjectMatchesUser(entry.subject, user));
}

export function whoCanAsk(policy: RbacPolicy, question: Question): WhoCanResult {
  return whoCan(policy, request(question, policy));
}
