/**
 * Kubernetes authz library (1.27+): the `authorizer` variable of
 * ValidatingAdmissionPolicy. Offline, questions are answered by Rampart's
 * RBAC evaluator over the Roles and bindings in the input (system:masters is
 * allowed everything, as the API server allows it before RBAC).
 *
 *   authorizer.group('apps').resource('deployments').namespace('ns').name('x').check('delete').allowed()
 *   authorizer.serviceAccount('ns', 'sa').group('').resource('secrets').check('get').reason()
 *   authorizer.requestResource.check('update').allowed()
 *   authorizer.path('/healthz').check('get').allowed()
 */
import { celMethod, CelScalar } from '@bufbuild/cel';
import type { CelValue } from '@bufbuild/cel';
import { authorize } from '../../rbac/authorize.js';
import { describeBinding, describeRole, type AuthorizationRequest, type UserInfo } from '../../rbac/model.js';
import type { RbacPolicy } from '../../rbac/policy.js';
import type { CelLibrary } from '../library.js';
import { expect, noOverload, OpaqueValue } from './opaque.js';

const { DYN, STRING, BOOL } = CelScalar;

export class CelAuthorizer extends OpaqueValue {
  readonly celTypeName = 'kubernetes.authorization.Authorizer';
  constructor(
    readonly rbac: RbacPolicy,
    readonly user: UserInfo,
    readonly requestResource: ResourceCheck | undefined,
  ) {
    super();
  }
  celString(): string {
    return `authorizer(${this.user.name})`;
  }
  protected equalityKey(): string {
    return this.user.name;
  }
  // `authorizer.requestResource` is a field select on the variable.
  override get(key: unknown): CelValue | undefined {
    if (key === 'requestResource') return this.requestResource as unknown as CelValue | undefined;
    return super.get(key);
  }
  override has(key: unknown): boolean {
    return (key === 'requestResource' && this.requestResource !== undefined) || super.has(key);
  }
}

export class ResourceCheck extends OpaqueValue {
  readonly celTypeName = 'kubernetes.authorization.ResourceCheck';
  constructor(
    readonly authorizer: CelAuthorizer,
    readonly group: string,
    readonly resource: string,
    readonly subresource = '',
    readonly namespace = '',
    readonly name = '',
  ) {
    super();
  }
  with(changes: Partial<Pick<ResourceCheck, 'resource' | 'subresource' | 'namespace' | 'name'>>): ResourceCheck {
    return new ResourceCheck(this.authorizer, this.group, changes.resource ?? this.resource, changes.subresource ?? this.subresource, changes.namespace ?? this.namespace, changes.name ?? this.name);
  }
  celString(): string {
    return `${this.group}/${this.resource}/${this.subresource}/${this.namespace}/${this.name}`;
  }
  protected equalityKey(): string {
    return this.celString();
  }
}

class GroupCheck extends OpaqueValue {
  readonly celTypeName = 'kubernetes.authorization.GroupCheck';
  constructor(
    readonly authorizer: CelAuthorizer,
    readonly group: string,
  ) {
    super();
  }
  celString(): string {
    return this.group;
  }
  protected equalityKey(): string {
    return this.group;
  }
}

class PathCheck extends OpaqueValue {
  readonly celTypeName = 'kubernetes.authorization.PathCheck';
  constructor(
    readonly authorizer: CelAuthorizer,
    readonly path: string,
  ) {
    super();
  }
  celString(): string {
    return this.path;
  }
  protected equalityKey(): string {
    return this.path;
  }
}

class AuthzDecision extends OpaqueValue {
  readonly celTypeName = 'kubernetes.authorization.Decision';
  constructor(
    readonly allowed: boolean,
    readonly reason: string,
  ) {
    super();
  }
  celString(): string {
    return `${this.allowed ? 'allowed' : 'denied'}: ${this.reason}`;
  }
  protected equalityKey(): string {
    return this.celString();
  }
}

function decide(authorizer: CelAuthorizer, request: AuthorizationRequest): AuthzDecision {
  const decision = authorize(authorizer.rbac, authorizer.user, request);
  if (decision.systemMasters) return new AuthzDecision(true, 'allowed: the user is in system:masters');
  const grant = decision.grants[0];
  if (decision.allowed && grant !== undefined) return new AuthzDecision(true, `RBAC: allowed by ${describeBinding(grant.binding)} of ${describeRole(grant.role)} to ${authorizer.user.name}`);
  return new AuthzDecision(false, decision.unresolvedBindings.length > 0 ? 'no RBAC rule in the input allows it; some bindings name roles that are not in the input' : 'no RBAC rule in the input allows it');
}

/** Methods shared by several receiver kinds (`check`, `namespace`, …) dispatch on the receiver. */
export const authzLibrary: CelLibrary = {
  name: 'Kubernetes authz',
  introducedIn: 27,
  functions: [
    celMethod('group', DYN, [STRING], DYN, function (group) {
      return new GroupCheck(expect(this, CelAuthorizer, 'group', this, group), group);
    }),
    celMethod('path', DYN, [STRING], DYN, function (path) {
      return new PathCheck(expect(this, CelAuthorizer, 'path', this, path), path);
    }),
    celMethod('serviceAccount', DYN, [STRING, STRING], DYN, function (namespace, name) {
      const authorizer = expect(this, CelAuthorizer, 'serviceAccount', this, namespace, name);
      return new CelAuthorizer(authorizer.rbac, { name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] }, undefined);
    }),
    celMethod('resource', DYN, [STRING], DYN, function (resource) {
      const group = expect(this, GroupCheck, 'resource', this, resource);
      return new ResourceCheck(group.authorizer, group.group, resource);
    }),
    celMethod('subresource', DYN, [STRING], DYN, function (subresource) {
      return expect(this, ResourceCheck, 'subresource', this, subresource).with({ subresource });
    }),
    celMethod('namespace', DYN, [STRING], DYN, function (namespace) {
      return expect(this, ResourceCheck, 'namespace', this, namespace).with({ namespace });
    }),
    celMethod('name', DYN, [STRING], DYN, function (name) {
      return expect(this, ResourceCheck, 'name', this, name).with({ name });
    }),
    celMethod('check', DYN, [STRING], DYN, function (verb) {
      if (this instanceof ResourceCheck) {
        return decide(this.authorizer, { kind: 'resource', verb, apiGroup: this.group, resource: this.resource, subresource: this.subresource, name: this.name, namespace: this.namespace });
      }
      if (this instanceof PathCheck) return decide(this.authorizer, { kind: 'nonResource', verb, path: this.path });
      throw noOverload('check', this, verb);
    }),
    celMethod('allowed', DYN, [], BOOL, function () {
      return expect(this, AuthzDecision, 'allowed', this).allowed;
    }),
    celMethod('reason', DYN, [], STRING, function () {
      return expect(this, AuthzDecision, 'reason', this).reason;
    }),
    celMethod('errored', DYN, [], BOOL, function () {
      expect(this, AuthzDecision, 'errored', this);
      return false;
    }),
    celMethod('error', DYN, [], STRING, function () {
      expect(this, AuthzDecision, 'error', this);
      return '';
    }),
  ],
};
