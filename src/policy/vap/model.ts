/** ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding as Rampart reads them (admissionregistration.k8s.io/v1). */
import type { LabelSelector } from '../../rbac/model.js';
import type { KubeObject } from '../../model/types.js';
import type { CompileError, Program } from '../environment.js';

export type FailurePolicy = 'Fail' | 'Ignore';
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

/** One CEL field of a policy: the program, or why it does not compile. */
export interface PolicyExpression {
  /** Path of the field in the object, e.g. `spec.validations[0].expression`. */
  readonly field: string;
  readonly path: readonly (string | number)[];
  readonly source: string;
  readonly program: Program | undefined;
  readonly compileErrors: readonly CompileError[];
}

export interface RuleWithOperations {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
  readonly operations: readonly string[];
  readonly scope: '*' | 'Cluster' | 'Namespaced';
  readonly resourceNames: readonly string[];
}

export interface MatchResources {
  readonly namespaceSelector: LabelSelector | undefined;
  readonly objectSelector: LabelSelector | undefined;
  readonly resourceRules: readonly RuleWithOperations[];
  readonly excludeResourceRules: readonly RuleWithOperations[];
  readonly matchPolicy: 'Equivalent' | 'Exact';
}

export interface Validation {
  readonly expression: PolicyExpression;
  readonly message: string | undefined;
  readonly messageExpression: PolicyExpression | undefined;
  readonly reason: string;
}

export interface ValidatingAdmissionPolicy {
  readonly name: string;
  readonly object: KubeObject;
  readonly failurePolicy: FailurePolicy;
  readonly paramKind: { readonly apiVersion: string; readonly kind: string } | undefined;
  readonly matchConstraints: MatchResources | undefined;
  readonly matchConditions: readonly { readonly name: string; readonly expression: PolicyExpression }[];
  readonly variables: readonly { readonly name: string; readonly expression: PolicyExpression }[];
  readonly validations: readonly Validation[];
  readonly auditAnnotations: readonly { readonly key: string; readonly valueExpression: PolicyExpression }[];
}

export interface ParamRef {
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly selector: LabelSelector | undefined;
  readonly parameterNotFoundAction: 'Allow' | 'Deny';
}

export interface ValidatingAdmissionPolicyBinding {
  readonly name: string;
  readonly object: KubeObject;
  readonly policyName: string;
  readonly paramRef: ParamRef | undefined;
  readonly matchResources: MatchResources | undefined;
  readonly validationActions: readonly ValidationAction[];
}
