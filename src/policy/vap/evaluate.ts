/**
 * Offline ValidatingAdmissionPolicy admission, with the semantics of the
 * API server's validating admission policy plugin: binding and policy
 * matching, params, matchConditions, variables, validations, audit
 * annotations, failurePolicy and validationActions.
 */
import { equivalentGroups } from './equivalent.js';
import type { CelValue } from '@bufbuild/cel';
import { isJsonObject, objectRef, locate, type JsonObject, type KubeObject, type ObjectRef, type SourceLocation } from '../../model/types.js';
import { selectorMatches } from '../../rbac/labelSelector.js';
import type { LabelSelector } from '../../rbac/model.js';
import { CostBudget } from '../cost.js';
import { CelAuthorizer, ResourceCheck } from '../libraries/authz.js';
import type { RbacPolicy } from '../../rbac/policy.js';
import { inCelContext, type EvalResult } from '../environment.js';
import { celToJson, jsonToCel, markAsCelMap } from '../values.js';
import type { MatchResources, PolicyExpression, RuleWithOperations, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, ValidationAction } from './model.js';
import { splitApiVersion, type ResourceCatalogue, type ResourceInfo } from './resources.js';

export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

export const DEFAULT_USER: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export interface PolicySet {
  readonly policies: ReadonlyMap<string, ValidatingAdmissionPolicy>;
  readonly bindings: readonly ValidatingAdmissionPolicyBinding[];
  /** Every object that may serve as a param. */
  readonly paramCandidates: readonly KubeObject[];
  readonly namespaces: ReadonlyMap<string, KubeObject>;
  readonly catalogue: ResourceCatalogue;
  /** Answers the `authorizer` variable: the RBAC objects of the input. */
  readonly rbac: RbacPolicy;
}

export interface BindingOutcome {
  readonly policy: string;
  readonly binding: string;
  readonly decision: 'admit' | 'deny';
  readonly validationActions: readonly ValidationAction[];
  /** Params the policy ran with (`namespace/name`), empty without paramKind. */
  readonly params: readonly string[];
  readonly denials: readonly string[];
  readonly warnings: readonly string[];
  readonly auditAnnotations: Readonly<Record<string, string>>;
  /** What Rampart decided on the user's behalf: errors ignored by failurePolicy Ignore, missing params allowed, … */
  readonly notes: readonly string[];
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface RequestOutcome {
  readonly operation: Operation;
  readonly object: ObjectRef;
  readonly location: SourceLocation;
  readonly resource: ResourceInfo;
  readonly allowed: boolean;
  /** Only the bindings whose policy and binding match the request. */
  readonly bindings: readonly BindingOutcome[];
}

const AUDIT_FAILURE_KEY = 'validation.policy.admission.k8s.io/validation_failure';

function labelsOf(raw: JsonObject): Record<string, string> {
  const metadata = raw.metadata;
  const labels = isJsonObject(metadata) ? metadata.labels : undefined;
  const out: Record<string, string> = {};
  if (isJsonObject(labels)) for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * Whether a rule matches the request. Under `matchPolicy: Equivalent` the
 * rule may also name an equivalent group/version of the resource (another
 * version of its group, or the group it moved from or to).
 */
function matchesRule(rule: RuleWithOperations, request: RequestContext, policy: MatchResources['matchPolicy'] = 'Exact'): boolean {
  const { resource, name, operation, subResource } = request;
  const any = (list: readonly string[], value: string): boolean => list.includes('*') || list.includes(value);
  if (!any(rule.operations, operation)) return false;
  const exact = any(rule.apiGroups, resource.group) && any(rule.apiVersions, resource.version);
  const equivalent = !exact && policy === 'Equivalent' && rule.apiVersions.length > 0 && equivalentGroups(resource).some((group) => any(rule.apiGroups, group));
  if (!exact && !equivalent) return false;
  const wanted = subResource === '' ? resource.resource : `${resource.resource}/${subResource}`;
  const resourceMatches = (entry: string): boolean =>
    entry === '*/*' || entry === wanted || (subResource === '' ? entry === '*' : entry === `${resource.resource}/*` || entry === `*/${subResource}`);
  if (!rule.resources.some(resourceMatches)) return false;
  if (rule.scope === 'Cluster' && resource.namespaced) return false;
  if (rule.scope === 'Namespaced' && !resource.namespaced) return false;
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

interface RequestContext {
  /** The manifest or AdmissionReview the request comes from, for locations. */
  readonly source: KubeObject;
  readonly operation: Operation;
  readonly name: string;
  readonly subResource: string;
  /** `object`: null for DELETE. */
  readonly raw: JsonObject | null;
  /** `oldObject`: null for CREATE. */
  readonly oldRaw: JsonObject | null;
  readonly options: JsonObject | null;
  readonly dryRun: boolean;
  readonly resource: ResourceInfo;
  readonly namespace: string | undefined;
  readonly namespaceObject: KubeObject | undefined;
  readonly namespaceLabels: Record<string, string>;
  readonly user: UserInfo;
}

function selectorHolds(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  return selector === undefined || selectorMatches(selector, labels);
}

function matches(match: MatchResources, request: RequestContext, emptyRulesMatchAll: boolean): boolean {
  const included = match.resourceRules.length === 0 ? emptyRulesMatchAll : match.resourceRules.some((rule) => matchesRule(rule, request, match.matchPolicy));
  if (!included) return false;
  if (match.excludeResourceRules.some((rule) => matchesRule(rule, request, match.matchPolicy))) return false;
  const objects = [request.raw, request.oldRaw].filter((raw): raw is JsonObject => raw !== null);
  // The namespace selector applies to namespaced objects and to Namespaces themselves; other cluster-scoped objects always match it.
  const isNamespace = request.resource.group === '' && request.resource.kind === 'Namespace';
  if (isNamespace && !objects.some((raw) => selectorHolds(match.namespaceSelector, labelsOf(raw)))) return false;
  if (request.resource.namespaced && !selectorHolds(match.namespaceSelector, request.namespaceLabels)) return false;
  // The object selector matches when the new or the old object matches, as in Kubernetes.
  return match.objectSelector === undefined || objects.some((raw) => selectorHolds(match.objectSelector, labelsOf(raw)));
}

/** `variables` in CEL: each variable is evaluated on first use and cached, as composition does in Kubernetes. */
class LazyVariables {
  private readonly cache = new Map<string, CelValue>();
  private bindings: Record<string, unknown> = {};
  constructor(
    private readonly definitions: ValidatingAdmissionPolicy['variables'],
    private readonly budget: CostBudget,
  ) {}
  bind(bindings: Record<string, unknown>): void {
    this.bindings = bindings;
  }
  get size(): number {
    return this.definitions.length;
  }
  get(key: unknown): CelValue | undefined {
    if (typeof key !== 'string') return undefined;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const definition = this.definitions.find((variable) => variable.name === key);
    if (definition === undefined) return undefined;
    if (definition.expression.program === undefined) throw new Error(`variable '${key}' does not compile: ${definition.expression.compileErrors.map((error) => error.message).join('; ')}`);
    const result = definition.expression.program.evaluate(this.bindings, { budget: this.budget });
    if (!result.ok) throw new Error(`variable '${key}' failed: ${result.error}`);
    this.cache.set(key, result.value);
    return result.value;
  }
  has(key: unknown): boolean {
    return typeof key === 'string' && this.definitions.some((variable) => variable.name === key);
  }
  *entries(): IterableIterator<[string, CelValue]> {
    for (const variable of this.definitions) yield [variable.name, this.get(variable.name) as CelValue];
  }
  *keys(): IterableIterator<string> {
    for (const variable of this.definitions) yield variable.name;
  }
  *values(): IterableIterator<CelValue> {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(callback: (value: CelValue, key: string, map: LazyVariables) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
  [Symbol.iterator](): IterableIterator<[string, CelValue]> {
    return this.entries();
  }
}

markAsCelMap(LazyVariables);

function run(expression: PolicyExpression, bindings: Record<string, unknown>, budget: CostBudget): EvalResult | { ok: false; error: string; compile: true } {
  if (expression.program === undefined) {
    return { ok: false, error: `compilation failed: ${expression.compileErrors.map((error) => `${error.message} (line ${error.position.line}, column ${error.position.column})`).join('; ')}`, compile: true };
  }
  return expression.program.evaluate(bindings, { budget });
}

function requestVariable(request: RequestContext): JsonObject {
  const { resource } = request;
  const kind = { group: resource.group, version: resource.version, kind: resource.kind };
  const gvr = { group: resource.group, version: resource.version, resource: resource.resource };
  return {
    uid: 'rampart-offline-request',
    kind,
    resource: gvr,
    requestKind: kind,
    requestResource: gvr,
    subResource: request.subResource,
    requestSubResource: request.subResource,
    name: request.name,
    ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
    operation: request.operation,
    userInfo: { username: request.user.username, groups: [...request.user.groups] },
    dryRun: request.dryRun,
    ...(request.options !== null ? { options: request.options } : {}),
  };
}

function paramId(param: KubeObject): string {
  return param.namespace !== undefined ? `${param.namespace}/${param.name}` : param.name;
}

type ParamResolution = { kind: 'params'; params: (KubeObject | null)[] } | { kind: 'failure'; message: string } | { kind: 'notFound'; message: string };

function resolveParams(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding, set: PolicySet, request: RequestContext): ParamResolution {
  if (policy.paramKind === undefined) return { kind: 'params', params: [null] };
  const { apiVersion, kind } = policy.paramKind;
  const ofKind = set.paramCandidates.filter((object) => object.apiVersion === apiVersion && object.kind === kind);
  if (ofKind.length === 0 && !set.catalogue.knows(apiVersion, kind)) {
    return { kind: 'failure', message: `failed to configure policy: failed to find resource referenced by paramKind: '${apiVersion}, Kind=${kind}' (no CustomResourceDefinition or object of that kind in the input)` };
  }
  if (binding.paramRef === undefined) return { kind: 'failure', message: `failed to configure binding: the policy has paramKind ${apiVersion}, Kind=${kind} but the binding has no paramRef` };
  const ref = binding.paramRef;
  // Namespaced params are looked up in paramRef.namespace, else in the request's namespace; cluster-scoped params have no namespace.
  const namespaced = ofKind.some((object) => object.namespace !== undefined);
  const namespace = namespaced ? (ref.namespace ?? request.namespace) : undefined;
  if (namespaced && namespace === undefined) {
    return { kind: 'failure', message: 'failed to configure binding: paramRef.namespace must be set when the param kind is namespaced and the request is cluster-scoped' };
  }
  const inScope = ofKind.filter((object) => object.namespace === namespace);
  const found = ref.name !== undefined ? inScope.filter((object) => object.name === ref.name) : inScope.filter((object) => selectorHolds(ref.selector, labelsOf(object.raw)));
  if (found.length > 0) return { kind: 'params', params: found };
  const where = namespace !== undefined ? ` in namespace ${namespace}` : '';
  const what = ref.name !== undefined ? `${kind} ${ref.name}${where}` : `${kind} matching the selector${where}`;
  return { kind: 'notFound', message: `no params found for policy binding (${what})` };
}

class OutcomeBuilder {
  readonly denials: string[] = [];
  readonly warnings: string[] = [];
  readonly annotations: Record<string, string> = {};
  readonly auditFailures: { message: string; policy: string; binding: string; expressionIndex: number; validationActions: ValidationAction[] }[] = [];
  readonly notes: string[] = [];
  readonly params: string[] = [];
  constructor(
    private readonly policy: ValidatingAdmissionPolicy,
    private readonly binding: ValidatingAdmissionPolicyBinding,
  ) {}

  /** A failed validation goes where the binding's validationActions send it. */
  violation(message: string, expressionIndex: number): void {
    const { policy, binding } = this;
    for (const action of binding.validationActions) {
      if (action === 'Deny') this.denials.push(`ValidatingAdmissionPolicy '${policy.name}' with binding '${binding.name}' denied request: ${message}`);
      else if (action === 'Warn') this.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${binding.name}': ${message}`);
      else this.auditFailures.push({ message, policy: policy.name, binding: binding.name, expressionIndex, validationActions: [...binding.validationActions] });
    }
  }

  /** An error (compile, runtime, configuration) follows failurePolicy: Fail rejects the request, Ignore admits it and Rampart says so. */
  failure(message: string, expressionIndex = -1): void {
    if (this.policy.failurePolicy === 'Fail') this.violation(message, expressionIndex);
    else this.notes.push(`ignored by failurePolicy Ignore: ${message}`);
  }

  build(): BindingOutcome {
    const annotations = { ...this.annotations };
    if (this.auditFailures.length > 0) annotations[AUDIT_FAILURE_KEY] = JSON.stringify(this.auditFailures);
    return {
      policy: this.policy.name,
      binding: this.binding.name,
      decision: this.denials.length > 0 ? 'deny' : 'admit',
      validationActions: this.binding.validationActions,
      params: this.params,
      denials: this.denials,
      warnings: this.warnings,
      auditAnnotations: annotations,
      notes: this.notes,
    };
  }
}

/** False when a matchCondition excluded the request (the binding then does not apply). */
/** `authorizer` for the request's user, with `requestResource` naming the request's resource, namespace and name. */
function authorizerFor(request: RequestContext, rbac: RbacPolicy): CelAuthorizer {
  const user = { name: request.user.username, groups: request.user.groups };
  const plain = new CelAuthorizer(rbac, user, undefined);
  return new CelAuthorizer(rbac, user, new ResourceCheck(plain, request.resource.group, request.resource.resource, request.subResource, request.namespace ?? '', request.name));
}

function evaluateWithParam(policy: ValidatingAdmissionPolicy, request: RequestContext, param: KubeObject | null, out: OutcomeBuilder, rbac: RbacPolicy): boolean {
  const budget = new CostBudget();
  const variables = new LazyVariables(policy.variables, budget);
  const bindings: Record<string, unknown> = {
    object: request.raw === null ? null : jsonToCel(request.raw),
    oldObject: request.oldRaw === null ? null : jsonToCel(request.oldRaw),
    request: jsonToCel(requestVariable(request)),
    params: param === null ? null : jsonToCel(param.raw),
    namespaceObject: request.namespaceObject === undefined ? null : jsonToCel(request.namespaceObject.raw),
    variables,
    authorizer: authorizerFor(request, rbac),
  };
  variables.bind(bindings);

  // matchConditions: any false skips the policy; otherwise an error follows failurePolicy.
  const conditionErrors: string[] = [];
  for (const condition of policy.matchConditions) {
    const result = run(condition.expression, bindings, budget);
    if (result.ok && result.value === false) return false;
    if (!result.ok) conditionErrors.push(`matchCondition '${condition.name}' (${condition.expression.field}): ${result.error}`);
    else if (result.value !== true) conditionErrors.push(`matchCondition '${condition.name}' (${condition.expression.field}) must evaluate to bool, got ${JSON.stringify(celToJson(result.value))}`);
  }
  if (conditionErrors.length > 0) {
    for (const error of conditionErrors) out.failure(error);
    return true;
  }
  if (param !== null) out.params.push(paramId(param));

  for (const [index, validation] of policy.validations.entries()) {
    const result = run(validation.expression, bindings, budget);
    if (!result.ok) {
      out.failure(`expression '${validation.expression.source}' resulted in error: ${result.error} (${validation.expression.field})`, index);
      if ('costExceeded' in result && result.costExceeded) return true;
      continue;
    }
    if (result.value === true) continue;
    if (result.value !== false) {
      out.failure(`expression '${validation.expression.source}' must evaluate to bool, got ${JSON.stringify(celToJson(result.value))} (${validation.expression.field})`, index);
      continue;
    }
    out.violation(messageFor(validation, bindings, budget, out), index);
  }

  for (const annotation of policy.auditAnnotations) {
    const result = run(annotation.valueExpression, bindings, budget);
    if (!result.ok) {
      out.failure(`valueExpression '${annotation.valueExpression.source}' resulted in error: ${result.error} (${annotation.valueExpression.field})`);
      continue;
    }
    if (result.value === null) continue;
    if (typeof result.value !== 'string') {
      out.failure(`valueExpression '${annotation.valueExpression.source}' must evaluate to a string or null (${annotation.valueExpression.field})`);
      continue;
    }
    const key = `${policy.name}/${annotation.key}`;
    out.annotations[key] = out.annotations[key] === undefined ? result.value : `${out.annotations[key]}, ${result.value}`;
  }
  return true;
}

function messageFor(validation: ValidatingAdmissionPolicy['validations'][number], bindings: Record<string, unknown>, budget: CostBudget, out: OutcomeBuilder): string {
  const fallback = validation.message ?? `failed expression: ${validation.expression.source}`;
  if (validation.messageExpression === undefined) return fallback;
  const result = run(validation.messageExpression, bindings, budget);
  if (!result.ok) {
    out.notes.push(`messageExpression (${validation.messageExpression.field}) failed, the message is used instead: ${result.error}`);
    return fallback;
  }
  if (typeof result.value !== 'string' || !/\S/.test(result.value) || result.value.includes('\n')) {
    out.notes.push(`messageExpression (${validation.messageExpression.field}) must give a non-empty single-line string; the message is used instead`);
    return fallback;
  }
  return result.value;
}

/** The namespace a CREATE lands in: the object's, or `default` for namespaced kinds without one (as kubectl sends it). */
function requestContext(object: KubeObject, set: PolicySet, user: UserInfo): RequestContext {
  const resource = set.catalogue.describe(object);
  const namespace = resource.namespaced ? (object.namespace ?? 'default') : undefined;
  let raw = object.raw;
  if (namespace !== undefined && object.namespace === undefined) {
    // The API server sets metadata.namespace before admission.
    raw = { ...raw, metadata: { ...(isJsonObject(raw.metadata) ? raw.metadata : {}), namespace } };
  }
  const namespaceObject = namespace !== undefined ? set.namespaces.get(namespace) : undefined;
  const namespaceLabels = namespaceObject !== undefined ? labelsOf(namespaceObject.raw) : {};
  // Kubernetes labels every namespace with its name.
  if (namespace !== undefined) namespaceLabels['kubernetes.io/metadata.name'] = namespace;
  return {
    source: object,
    operation: 'CREATE',
    name: object.name,
    subResource: '',
    raw,
    oldRaw: null,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    dryRun: false,
    resource,
    namespace,
    namespaceObject,
    namespaceLabels,
    user,
  };
}

const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An AdmissionReview (admission.k8s.io/v1) from a file: the request it carries, as the API server would send it. Undefined with a reason when it cannot be used. */
function reviewContext(review: KubeObject, set: PolicySet, userOverride: UserInfo | undefined): RequestContext | string {
  const request = review.raw.request;
  if (!isJsonObject(request)) return 'an AdmissionReview needs a request';
  const operation = text(request.operation) as Operation;
  if (!OPERATIONS.includes(operation)) return `request.operation must be one of ${OPERATIONS.join(', ')}`;
  const raw = isJsonObject(request.object) ? request.object : null;
  const oldRaw = isJsonObject(request.oldObject) ? request.oldObject : null;
  const subject = raw ?? oldRaw;
  if (subject === null && operation !== 'CONNECT') return 'request.object or request.oldObject is required';
  const kind = isJsonObject(request.kind) ? request.kind : {};
  const gvr = isJsonObject(request.resource) ? request.resource : {};
  const described = subject !== null && typeof subject.apiVersion === 'string' && typeof subject.kind === 'string'
    ? set.catalogue.describe({ ...review, apiVersion: subject.apiVersion, kind: subject.kind, raw: subject, namespace: text(request.namespace) || undefined })
    : undefined;
  const namespace = text(request.namespace) || undefined;
  const resource: ResourceInfo = {
    group: text(gvr.group) || text(kind.group) || (described?.group ?? ''),
    version: text(gvr.version) || text(kind.version) || (described?.version ?? ''),
    kind: text(kind.kind) || (described?.kind ?? ''),
    resource: text(gvr.resource) || (described?.resource ?? ''),
    namespaced: namespace !== undefined,
    source: described?.source ?? 'guessed',
  };
  const userInfo = isJsonObject(request.userInfo) ? request.userInfo : {};
  const reviewUser: UserInfo = { username: text(userInfo.username), groups: Array.isArray(userInfo.groups) ? userInfo.groups.filter((group): group is string => typeof group === 'string') : [] };
  const namespaceObject = namespace !== undefined ? set.namespaces.get(namespace) : undefined;
  const namespaceLabels = namespaceObject !== undefined ? labelsOf(namespaceObject.raw) : {};
  if (namespace !== undefined) namespaceLabels['kubernetes.io/metadata.name'] = namespace;
  const metadata = subject !== null && isJsonObject(subject.metadata) ? subject.metadata : {};
  return {
    source: review,
    operation,
    name: text(request.name) || text(metadata.name),
    subResource: text(request.subResource),
    raw,
    oldRaw,
    options: isJsonObject(request.options) ? request.options : null,
    dryRun: request.dryRun === true,
    resource,
    namespace,
    namespaceObject,
    namespaceLabels,
    user: userOverride ?? reviewUser,
  };
}

export function isAdmissionReview(object: KubeObject): boolean {
  return object.kind === 'AdmissionReview' && object.apiVersion.startsWith('admission.k8s.io/');
}

export function evaluateCreate(object: KubeObject, set: PolicySet, user: UserInfo = DEFAULT_USER): RequestOutcome {
  return evaluateRequest(requestContext(object, set, user), set);
}

/**
 * The UPDATE from `old` to `current`, or the DELETE of `old` when there is no
 * current version, as the API server sends them: `oldObject` is the stored
 * object, `object` the new one (null for DELETE), with Update/DeleteOptions.
 */
export function evaluateChange(old: KubeObject, current: KubeObject | undefined, set: PolicySet, user: UserInfo = DEFAULT_USER): RequestOutcome {
  const before = requestContext(old, set, user);
  if (current === undefined) {
    return evaluateRequest({ ...before, operation: 'DELETE', raw: null, oldRaw: before.raw, options: { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' } }, set);
  }
  const after = requestContext(current, set, user);
  return evaluateRequest({ ...after, operation: 'UPDATE', oldRaw: before.raw, options: { apiVersion: 'meta.k8s.io/v1', kind: 'UpdateOptions' } }, set);
}

/** Evaluates the request an AdmissionReview carries; a review Rampart cannot use is returned as a message. */
export function evaluateReview(review: KubeObject, set: PolicySet, userOverride?: UserInfo): RequestOutcome | string {
  const request = reviewContext(review, set, userOverride);
  return typeof request === 'string' ? request : evaluateRequest(request, set);
}

function evaluateRequest(request: RequestContext, set: PolicySet): RequestOutcome {
  // One evaluation context for every expression of the request (environment.ts: inCelContext).
  return inCelContext(() => evaluateRequestInContext(request, set));
}

function evaluateRequestInContext(request: RequestContext, set: PolicySet): RequestOutcome {
  const outcomes: BindingOutcome[] = [];
  for (const binding of set.bindings) {
    const policy = set.policies.get(binding.policyName);
    if (policy === undefined || policy.matchConstraints === undefined) continue;
    if (!matches(policy.matchConstraints, request, false)) continue;
    if (binding.matchResources !== undefined && !matches(binding.matchResources, request, true)) continue;
    const out = new OutcomeBuilder(policy, binding);
    const params = resolveParams(policy, binding, set, request);
    if (params.kind === 'failure') out.failure(params.message);
    else if (params.kind === 'notFound') {
      if (binding.paramRef?.parameterNotFoundAction === 'Allow') out.notes.push(`${params.message}; parameterNotFoundAction Allow admits the request`);
      else out.violation(`${params.message}, and parameterNotFoundAction is Deny`, -1);
    } else {
      let applied = false;
      for (const param of params.params) applied = evaluateWithParam(policy, request, param, out, set.rbac) || applied;
      if (!applied) continue;
    }
    outcomes.push(out.build());
  }
  const subject = request.raw ?? request.oldRaw;
  const metadata = subject !== null && isJsonObject(subject.metadata) ? subject.metadata : {};
  const object: ObjectRef =
    request.source.kind === 'AdmissionReview'
      ? {
          apiVersion: subject !== null && typeof subject.apiVersion === 'string' ? subject.apiVersion : `${request.resource.group === '' ? '' : `${request.resource.group}/`}${request.resource.version}`,
          kind: subject !== null && typeof subject.kind === 'string' ? subject.kind : request.resource.kind,
          name: request.name,
          ...(request.namespace !== undefined ? { namespace: request.namespace } : typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
        }
      : objectRef(request.source);
  return {
    operation: request.operation,
    object,
    location: locate(request.source),
    resource: request.resource,
    allowed: outcomes.every((outcome) => outcome.decision === 'admit'),
    bindings: outcomes,
  };
}

export { splitApiVersion };
