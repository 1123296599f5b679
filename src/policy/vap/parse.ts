/**
 * KubeObject → ValidatingAdmissionPolicy / Binding. Every CEL field is
 * compiled here, once, against the chosen Kubernetes version; a field that
 * does not compile becomes a diagnostic naming the policy, the field and the
 * position inside the expression (and the file line of the field), and at
 * evaluation it follows the policy's failurePolicy, as in Kubernetes.
 */
import { locate, formatPath, isJsonObject, type Diagnostic, type KubeObject } from '../../model/types.js';
import { parseLabelSelector } from '../../rbac/labelSelector.js';
import type { LabelSelector } from '../../rbac/model.js';
import { compile, type KubernetesVersion } from '../environment.js';
import { resultTypeProblem, type CelTypeName } from '../typeCheck.js';
import type {
  FailurePolicy,
  MatchResources,
  ParamRef,
  PolicyExpression,
  RuleWithOperations,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidationAction,
} from './model.js';

export const VAP_GROUP = 'admissionregistration.k8s.io';

export function isPolicy(object: KubeObject): boolean {
  return object.kind === 'ValidatingAdmissionPolicy' && object.apiVersion.startsWith(`${VAP_GROUP}/`);
}

export function isBinding(object: KubeObject): boolean {
  return object.kind === 'ValidatingAdmissionPolicyBinding' && object.apiVersion.startsWith(`${VAP_GROUP}/`);
}

type Path = (string | number)[];

class Reader {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    readonly object: KubeObject,
    private readonly what: string,
  ) {}

  problem(path: Path, message: string, severity: 'error' | 'warning' = 'error'): void {
    const location = locate(this.object, path);
    this.diagnostics.push({ severity, code: 'policy-invalid', message: `${this.what}: ${formatPath(path)}: ${message}`, file: location.file, documentIndex: location.documentIndex, line: location.line, column: location.column });
  }

  at(path: Path): unknown {
    let value: unknown = this.object.raw;
    for (const segment of path) {
      if (typeof segment === 'number') value = Array.isArray(value) ? value[segment] : undefined;
      else value = isJsonObject(value) ? value[segment] : undefined;
    }
    return value;
  }

  string(path: Path): string | undefined {
    const value = this.at(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.problem(path, `must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  strings(path: Path): string[] {
    const value = this.at(path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      this.problem(path, 'must be a list of strings');
      return [];
    }
    return value as string[];
  }

  list(path: Path): unknown[] {
    const value = this.at(path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.problem(path, 'must be a list');
      return [];
    }
    return value;
  }

  selector(path: Path): LabelSelector | undefined {
    const value = this.at(path);
    if (value === undefined || value === null) return undefined;
    const parsed = parseLabelSelector(value);
    if ('error' in parsed) {
      this.problem([...path, ...parsed.path], parsed.error);
      return undefined;
    }
    return parsed.selector;
  }

  rules(path: Path): RuleWithOperations[] {
    return this.list(path).map((_rule, index) => {
      const rulePath = [...path, index];
      const scope = this.string([...rulePath, 'scope']) ?? '*';
      if (scope !== '*' && scope !== 'Cluster' && scope !== 'Namespaced') this.problem([...rulePath, 'scope'], `must be *, Cluster or Namespaced, got ${JSON.stringify(scope)}`);
      return {
        apiGroups: this.strings([...rulePath, 'apiGroups']),
        apiVersions: this.strings([...rulePath, 'apiVersions']),
        resources: this.strings([...rulePath, 'resources']),
        operations: this.strings([...rulePath, 'operations']),
        scope: scope === 'Cluster' || scope === 'Namespaced' ? scope : '*',
        resourceNames: this.strings([...rulePath, 'resourceNames']),
      };
    });
  }

  matchResources(path: Path): MatchResources | undefined {
    const value = this.at(path);
    if (value === undefined || value === null) return undefined;
    const matchPolicy = this.string([...path, 'matchPolicy']) ?? 'Equivalent';
    return {
      namespaceSelector: this.selector([...path, 'namespaceSelector']),
      objectSelector: this.selector([...path, 'objectSelector']),
      resourceRules: this.rules([...path, 'resourceRules']),
      excludeResourceRules: this.rules([...path, 'excludeResourceRules']),
      matchPolicy: matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    };
  }
}

const POLICY_VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer'];

/** Result types the API server accepts per field (validation.go: ReturnTypes); undefined: any. */
function allowedTypes(path: Path): readonly CelTypeName[] | undefined {
  const key = path[path.length - 1];
  const list = path[1];
  if (key === 'messageExpression') return ['string'];
  if (key === 'valueExpression') return ['string', 'null_type'];
  if (key === 'expression' && (list === 'validations' || list === 'matchConditions')) return ['bool'];
  return undefined;
}

function compileField(reader: Reader, path: Path, version: KubernetesVersion, variableNames: readonly string[], variableTypes: ReadonlyMap<string, CelTypeName>): PolicyExpression | undefined {
  const source = reader.string(path);
  if (source === undefined) return undefined;
  let compiled = compile(source, version, { variables: POLICY_VARIABLES, variableNames, variableTypes });
  const allowed = allowedTypes(path);
  const typeProblem = compiled.ok && allowed !== undefined ? resultTypeProblem(compiled.program.outputType, allowed) : undefined;
  if (typeProblem !== undefined) compiled = { ok: false, errors: [{ message: typeProblem, position: { offset: 0, line: 1, column: 1 } }] };
  const field = formatPath(path);
  if (!compiled.ok) {
    for (const error of compiled.errors) {
      reader.problem(path, `expression does not compile on Kubernetes 1.${version.minor} (line ${error.position.line}, column ${error.position.column} of the expression): ${error.message}`);
    }
    return { field, path, source, program: undefined, compileErrors: compiled.errors };
  }
  return { field, path, source, program: compiled.program, compileErrors: [] };
}

export interface ParsedPolicy {
  readonly policy: ValidatingAdmissionPolicy;
  readonly diagnostics: readonly Diagnostic[];
}

export function parsePolicy(object: KubeObject, version: KubernetesVersion): ParsedPolicy {
  const reader = new Reader(object, `ValidatingAdmissionPolicy "${object.name}"`);
  const failure = reader.string(['spec', 'failurePolicy']) ?? 'Fail';
  if (failure !== 'Fail' && failure !== 'Ignore') reader.problem(['spec', 'failurePolicy'], `must be Fail or Ignore, got ${JSON.stringify(failure)}`);
  const failurePolicy: FailurePolicy = failure === 'Ignore' ? 'Ignore' : 'Fail';
  const paramApiVersion = reader.string(['spec', 'paramKind', 'apiVersion']);
  const paramKindName = reader.string(['spec', 'paramKind', 'kind']);
  const variableNames = reader.list(['spec', 'variables']).map((_item, index) => reader.string(['spec', 'variables', index, 'name']) ?? '');
  // Each variable's inferred type types `variables.<name>` in what follows, as the API server's composition does.
  const variableTypes = new Map<string, CelTypeName>();
  const compileAt = (path: Path): PolicyExpression | undefined => compileField(reader, path, version, variableNames, variableTypes);
  const variables = variableNames.flatMap((name, index) => {
    const expression = compileAt(['spec', 'variables', index, 'expression']);
    if (name === '') reader.problem(['spec', 'variables', index, 'name'], 'a variable needs a name');
    if (expression?.program !== undefined) variableTypes.set(name, expression.program.outputType);
    return expression === undefined ? [] : [{ name, expression }];
  });
  const matchConditions = reader.list(['spec', 'matchConditions']).flatMap((_item, index) => {
    const expression = compileAt(['spec', 'matchConditions', index, 'expression']);
    return expression === undefined ? [] : [{ name: reader.string(['spec', 'matchConditions', index, 'name']) ?? `#${index}`, expression }];
  });
  const validations = reader.list(['spec', 'validations']).flatMap((_item, index) => {
    const expression = compileAt(['spec', 'validations', index, 'expression']);
    if (expression === undefined) {
      reader.problem(['spec', 'validations', index], 'a validation needs an expression');
      return [];
    }
    const messageExpression = compileAt(['spec', 'validations', index, 'messageExpression']);
    return [{ expression, message: reader.string(['spec', 'validations', index, 'message']), messageExpression, reason: reader.string(['spec', 'validations', index, 'reason']) ?? 'Invalid' }];
  });
  const auditAnnotations = reader.list(['spec', 'auditAnnotations']).flatMap((_item, index) => {
    const valueExpression = compileAt(['spec', 'auditAnnotations', index, 'valueExpression']);
    const key = reader.string(['spec', 'auditAnnotations', index, 'key']);
    return valueExpression === undefined || key === undefined ? [] : [{ key, valueExpression }];
  });
  if (validations.length === 0 && auditAnnotations.length === 0) reader.problem(['spec'], 'a policy needs at least one of validations and auditAnnotations', 'warning');
  return {
    policy: {
      name: object.name,
      object,
      failurePolicy,
      paramKind: paramApiVersion !== undefined && paramKindName !== undefined ? { apiVersion: paramApiVersion, kind: paramKindName } : undefined,
      matchConstraints: reader.matchResources(['spec', 'matchConstraints']),
      matchConditions,
      variables,
      validations,
      auditAnnotations,
    },
    diagnostics: reader.diagnostics,
  };
}

export interface ParsedBinding {
  readonly binding: ValidatingAdmissionPolicyBinding;
  readonly diagnostics: readonly Diagnostic[];
}

const ACTIONS: readonly ValidationAction[] = ['Deny', 'Warn', 'Audit'];

export function parseBinding(object: KubeObject): ParsedBinding {
  const reader = new Reader(object, `ValidatingAdmissionPolicyBinding "${object.name}"`);
  const policyName = reader.string(['spec', 'policyName']) ?? '';
  if (policyName === '') reader.problem(['spec', 'policyName'], 'is required');
  const actions = reader.strings(['spec', 'validationActions']).filter((action, index) => {
    if ((ACTIONS as readonly string[]).includes(action)) return true;
    reader.problem(['spec', 'validationActions', index], `must be one of ${ACTIONS.join(', ')}`);
    return false;
  }) as ValidationAction[];
  if (actions.includes('Deny') && actions.includes('Warn')) reader.problem(['spec', 'validationActions'], 'Deny and Warn together are not allowed (Kubernetes rejects such a binding)');
  if (actions.length === 0) reader.problem(['spec', 'validationActions'], 'is required: Kubernetes rejects a binding without validationActions; Rampart evaluates it as Deny', 'warning');
  let paramRef: ParamRef | undefined;
  if (reader.at(['spec', 'paramRef']) !== undefined && reader.at(['spec', 'paramRef']) !== null) {
    const action = reader.string(['spec', 'paramRef', 'parameterNotFoundAction']);
    if (action !== undefined && action !== 'Allow' && action !== 'Deny') reader.problem(['spec', 'paramRef', 'parameterNotFoundAction'], 'must be Allow or Deny');
    paramRef = {
      name: reader.string(['spec', 'paramRef', 'name']),
      namespace: reader.string(['spec', 'paramRef', 'namespace']),
      selector: reader.selector(['spec', 'paramRef', 'selector']),
      parameterNotFoundAction: action === 'Allow' ? 'Allow' : 'Deny',
    };
    if (paramRef.name !== undefined && paramRef.selector !== undefined) reader.problem(['spec', 'paramRef'], 'name and selector are mutually exclusive');
  }
  return {
    binding: {
      name: object.name,
      object,
      policyName,
      paramRef,
      matchResources: reader.matchResources(['spec', 'matchResources']),
      validationActions: actions.length === 0 ? ['Deny'] : actions,
    },
    diagnostics: reader.diagnostics,
  };
}
