/**
 * `rampart policy export --vap`: the Pod Security Standards as
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects
 * (admissionregistration.k8s.io/v1), one policy per level and policy
 * version, one validation per PSA check active at that version.
 *
 * Scope: Pods on CREATE and UPDATE, as Pod Security Admission enforces them.
 * PSA only warns and audits on workload objects; denying a Deployment would
 * be stricter than the PSA verdict these policies claim (see docs/cel.md).
 * With `workloads`, a second policy per target judges the pod templates of
 * workloads, bound by default with Warn and Audit as PSA's warn and audit modes.
 */
import { stringify } from 'yaml';
import { activeChecks, checkById, NEWEST_POLICY_MINOR, PSS_CHECKS } from '../../checks/pss/registry.js';
import type { PssLevel } from '../../checks/pss/types.js';
import { formatPolicyVersion, parsePolicyVersion, resolveMinor } from '../../checks/pss/versions.js';
import { compile, type KubernetesVersion } from '../environment.js';
import type { ValidationAction } from '../vap/model.js';
import { allCheckMetas } from '../../checks/index.js';
import { HARDENING_CEL, WORKLOAD_CONTAINERS_VARIABLE } from './checksCel.js';
import { foldLiterals, lit, POD_VARIABLES, PSS_CEL, type CheckCel } from './pssCel.js';

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy is GA (and served) from Kubernetes 1.30. */
export const OLDEST_EXPORT_KUBERNETES_MINOR = 30;

export interface PssTarget {
  readonly level: PssLevel;
  /** Resolved policy version (minor). */
  readonly minor: number;
  /** As asked, e.g. `latest`. */
  readonly requested: string;
}

export interface ExportOptions {
  readonly targets: readonly PssTarget[];
  /** PSA check IDs to keep (`privileged` or `PSS-privileged`); undefined: every active check. */
  readonly checks?: readonly string[];
  readonly validationActions?: readonly ValidationAction[];
  /** Also export a policy per target for the pod templates of workloads (PSA warns and audits on them). */
  readonly workloads?: boolean;
  /** validationActions of the workload bindings; default Warn and Audit, as PSA's warn and audit modes. */
  readonly workloadValidationActions?: readonly ValidationAction[];
  /** Label selector for the binding's namespaceSelector; undefined: every namespace. */
  readonly namespaceSelector?: LabelSelectorJson;
  /** The Kubernetes version the CEL must compile on. */
  readonly kubernetesVersion: KubernetesVersion;
}

export interface LabelSelectorJson {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export type ExportProblem = string;

export interface ExportResult {
  readonly objects: readonly Record<string, unknown>[];
  /** Compile errors and unknown check IDs; the CLI exits 2 on any. */
  readonly problems: readonly ExportProblem[];
}

/** `restricted@v1.30`, `baseline@latest`, `restricted` (= latest); undefined when unreadable. */
export function parsePssTarget(text: string): PssTarget | undefined {
  const [level, version = 'latest', extra] = text.split('@');
  if (extra !== undefined || (level !== 'baseline' && level !== 'restricted')) return undefined;
  const parsed = parsePolicyVersion(version);
  if (parsed === undefined) return undefined;
  return { level, minor: resolveMinor(parsed, NEWEST_POLICY_MINOR), requested: version };
}

/** `a=b,c!=d,e` (equality and existence only) → a label selector; undefined when unreadable. */
export function parseNamespaceSelector(text: string): LabelSelectorJson | undefined {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelectorJson['matchExpressions']> = [];
  for (const term of text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const match = /^(!?)([A-Za-z0-9._/-]+)(?:(!=|==|=)(.*))?$/.exec(term);
    if (match === null) return undefined;
    const [, not, key = '', operator, value = ''] = match;
    if (operator === undefined) matchExpressions.push({ key, operator: not === '!' ? 'DoesNotExist' : 'Exists' });
    else if (not === '!') return undefined;
    else if (operator === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [value] });
    else matchLabels[key] = value;
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

export function policyName(target: Pick<PssTarget, 'level' | 'minor'>, scope: ExportScope = 'pods'): string {
  return `rampart-pss-${target.level}-${formatPolicyVersion(target.minor)}${SCOPES[scope].suffix}`;
}

function normaliseCheckId(id: string): string {
  return id.startsWith('PSS-') ? id.slice(4) : id;
}

/** The CEL of one check at one version, or undefined when no translation exists (a bug the tests catch). */
export function checkCel(checkId: string, minimumVersion: `v1.${number}`): CheckCel | undefined {
  return PSS_CEL[checkId]?.[minimumVersion]?.();
}

/** What a policy matches: pods (PSA's enforce), or the pod templates of workloads (PSA's warn and audit). */
export type ExportScope = 'pods' | 'workloads';

/** `object.spec.template` and friends: where each workload kind keeps its pod template (PSA's list of workload resources). */
function templateOf(root: string): string {
  return `(${root}.kind == 'CronJob' ? ${root}.spec.jobTemplate.spec.template : (${root}.kind == 'PodTemplate' ? ${root}.template : ${root}.spec.template))`;
}

const WORKLOAD_RULES = [
  { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['podtemplates', 'replicationcontrollers'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['cronjobs', 'jobs'] },
];

const SCOPES: Record<ExportScope, { suffix: string; verb: string; rules: unknown[]; condition: { name: string; expression: string }; podSpec: string; podMetadata: string }> = {
  pods: {
    suffix: '',
    verb: 'violates',
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }],
    condition: { name: 'significant-pod-change', expression: '' },
    podSpec: 'object.spec',
    podMetadata: 'object.metadata',
  },
  workloads: {
    suffix: '-workloads',
    verb: 'would violate',
    rules: WORKLOAD_RULES,
    // As PSA: an UPDATE that leaves the pod template alone (scaling, labels) is not judged.
    condition: { name: 'pod-template-changed', expression: `request.operation != 'UPDATE' || oldObject == null || ${templateOf('object')} != ${templateOf('oldObject')}` },
    podSpec: `${templateOf('object')}.spec`,
    podMetadata: `has(${templateOf('object')}.metadata) ? ${templateOf('object')}.metadata : {}`,
  },
};

function policyFor(target: PssTarget, scope: ExportScope, keep: ReadonlySet<string> | undefined, problems: ExportProblem[]): Record<string, unknown> {
  const version = formatPolicyVersion(target.minor);
  const { verb } = SCOPES[scope];
  const validations: Record<string, unknown>[] = [];
  for (const { check, implementation } of activeChecks(target.level, target.minor)) {
    if (keep !== undefined && !keep.has(check.id)) continue;
    const cel = checkCel(check.id, implementation.minimumVersion);
    if (cel === undefined) {
      problems.push(`no CEL translation for PSS check ${check.id} ${implementation.minimumVersion}`);
      continue;
    }
    validations.push({
      expression: foldLiterals(cel.expression),
      message: `${verb} PodSecurity "${target.level}:${version}": ${check.reason} (${check.id})`,
      messageExpression: foldLiterals(`'${verb} PodSecurity "' + variables.podSecurity + '": ' + ${lit(`${check.reason} (${check.id}): `)} + ${cel.messageExpression}`),
      reason: 'Forbidden',
    });
  }
  return policyObject(
    policyName(target, scope),
    scope,
    { 'pod-security.rampart.dev/level': target.level, 'pod-security.rampart.dev/version': version },
    `--pss ${target.level}@${version}`,
    // The level and version as a variable keeps every other expression identical across versions.
    [{ name: 'podSecurity', expression: lit(`${target.level}:${version}`) }],
    [],
    validations,
  );
}

/** A policy of the given scope: matchConstraints, the UPDATE condition, the pod variables around the given ones, the validations. */
function policyObject(
  name: string,
  scope: ExportScope,
  labels: Record<string, string>,
  flags: string,
  leadingVariables: ReadonlyArray<{ name: string; expression: string }>,
  trailingVariables: ReadonlyArray<{ name: string; expression: string }>,
  validations: readonly Record<string, unknown>[],
): Record<string, unknown> {
  const { rules, condition, podSpec, podMetadata } = SCOPES[scope];
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'rampart', ...labels },
      annotations: { 'rampart.dev/generated-by': `rampart policy export --vap ${flags}${scope === 'workloads' ? ' --workloads' : ''}` },
    },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: rules },
      matchConditions: [{ name: condition.name, expression: scope === 'pods' ? SIGNIFICANT_CHANGE : condition.expression }],
      variables: [
        ...leadingVariables,
        { name: 'podSpec', expression: podSpec },
        { name: 'podMetadata', expression: podMetadata },
        ...POD_VARIABLES.map((variable) => ({ ...variable })),
        ...trailingVariables,
      ],
      validations,
    },
  };
}

/** Name of the policy holding the hardening checks. */
export const CHECKS_POLICY_NAME = 'rampart-checks';

function hardeningPolicyFor(ids: readonly string[], scope: ExportScope): Record<string, unknown> {
  const validations = ids.map((id) => {
    const cel = (HARDENING_CEL[id] as () => CheckCel)();
    const meta = allCheckMetas().find((candidate) => candidate.id === id);
    const title = meta?.title ?? id;
    return {
      expression: foldLiterals(cel.expression),
      message: `${id}: ${title}`,
      messageExpression: foldLiterals(`${lit(`${id}${scope === 'workloads' ? ' (pod template)' : ''}: `)} + ${cel.messageExpression}`),
      reason: 'Forbidden',
    };
  });
  return policyObject(`${CHECKS_POLICY_NAME}${SCOPES[scope].suffix}`, scope, {}, `--checks ${ids.join(',')}`, [], [WORKLOAD_CONTAINERS_VARIABLE], validations);
}

const SECURITY_ANNOTATION = "(k.startsWith('seccomp.security.alpha.kubernetes.io/') || k.startsWith('container.seccomp.security.alpha.kubernetes.io/') || k.startsWith('container.apparmor.security.beta.kubernetes.io/'))";
const NEW_ANNOTATIONS = '(has(object.metadata.annotations) ? object.metadata.annotations : {})';
const OLD_ANNOTATIONS = '(has(oldObject.metadata.annotations) ? oldObject.metadata.annotations : {})';

/**
 * Like PSA, an UPDATE is judged only when it may change the pod's security:
 * a changed spec or a changed seccomp/AppArmor annotation. Other metadata
 * updates of an existing pod (labels, finalizers) pass. PSA's test is
 * narrower (images, container lists, seccomp annotations); the other spec
 * fields a pod may change in place (tolerations, activeDeadlineSeconds)
 * re-judge it here, which is stricter.
 */
const SIGNIFICANT_CHANGE = [
  "request.operation != 'UPDATE'",
  'oldObject == null',
  'object.spec != oldObject.spec',
  `${NEW_ANNOTATIONS}.exists(k, ${SECURITY_ANNOTATION} && (!(k in ${OLD_ANNOTATIONS}) || ${OLD_ANNOTATIONS}[k] != ${NEW_ANNOTATIONS}[k]))`,
  `${OLD_ANNOTATIONS}.exists(k, ${SECURITY_ANNOTATION} && !(k in ${NEW_ANNOTATIONS}))`,
].join(' || ');

function bindingFor(name: string, scope: ExportScope, options: ExportOptions): Record<string, unknown> {
  const actions = scope === 'pods' ? (options.validationActions ?? ['Deny']) : (options.workloadValidationActions ?? ['Warn', 'Audit']);
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'rampart' } },
    spec: {
      policyName: name,
      validationActions: [...actions],
      ...(options.namespaceSelector !== undefined ? { matchResources: { namespaceSelector: options.namespaceSelector } } : {}),
    },
  };
}

/** Compiles every CEL field of a policy on the target Kubernetes version; returns the errors. */
export function compileProblems(policy: Record<string, unknown>, version: KubernetesVersion): string[] {
  const spec = policy.spec as {
    matchConditions: Array<{ expression: string }>;
    variables: Array<{ name: string; expression: string }>;
    validations: Array<{ expression: string; messageExpression: string }>;
  };
  const name = (policy.metadata as { name: string }).name;
  const variableNames = spec.variables.map((variable) => variable.name);
  const options = { variables: ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer', 'variables'], variableNames };
  const fields: Array<[string, string]> = [
    ...spec.matchConditions.map((condition, index): [string, string] => [`spec.matchConditions[${index}].expression`, condition.expression]),
    ...spec.variables.map((variable, index): [string, string] => [`spec.variables[${index}].expression`, variable.expression]),
    ...spec.validations.flatMap((validation, index): Array<[string, string]> => [
      [`spec.validations[${index}].expression`, validation.expression],
      [`spec.validations[${index}].messageExpression`, validation.messageExpression],
    ]),
  ];
  const problems: string[] = [];
  for (const [field, source] of fields) {
    const key = `${version.minor}\n${variableNames.join(',')}\n${source}`;
    let errors = compileCache.get(key);
    if (errors === undefined) {
      const compiled = compile(source, version, options);
      errors = compiled.ok ? '' : compiled.errors.map((error) => error.message).join('; ');
      compileCache.set(key, errors);
    }
    if (errors !== '') problems.push(`${name}: ${field} does not compile on Kubernetes 1.${version.minor}: ${errors}`);
  }
  return problems;
}

/** Compile results by version and source: most checks are the same CEL at every policy version. */
const compileCache = new Map<string, string>();

export function exportPssPolicies(options: ExportOptions): ExportResult {
  const problems: ExportProblem[] = [];
  if (options.kubernetesVersion.minor < OLDEST_EXPORT_KUBERNETES_MINOR) {
    problems.push(`ValidatingAdmissionPolicy admissionregistration.k8s.io/v1 needs Kubernetes 1.${OLDEST_EXPORT_KUBERNETES_MINOR} or newer, not 1.${options.kubernetesVersion.minor}`);
  }
  let keep: Set<string> | undefined;
  const hardening: string[] = [];
  if (options.checks !== undefined) {
    keep = new Set();
    for (const id of options.checks) {
      if (HARDENING_CEL[id] !== undefined) {
        if (!hardening.includes(id)) hardening.push(id);
      } else if (checkById(normaliseCheckId(id)) !== undefined) keep.add(normaliseCheckId(id));
      else problems.push(`unknown check ${JSON.stringify(id)} or one CEL cannot express; PSS checks: ${PSS_CHECKS.map((check) => check.id).join(', ')}; other checks: ${Object.keys(HARDENING_CEL).join(', ')}`);
    }
  }
  const scopes = options.workloads === true ? (['pods', 'workloads'] as const) : (['pods'] as const);
  const objects: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  // With --checks naming only non-PSS checks, no PSS policy is written.
  for (const target of keep === undefined || keep.size > 0 ? options.targets : []) {
    const name = policyName(target);
    if (seen.has(name)) continue;
    seen.add(name);
    for (const scope of scopes) {
      const policy = policyFor(target, scope, keep, problems);
      problems.push(...compileProblems(policy, options.kubernetesVersion));
      objects.push(policy, bindingFor(policyName(target, scope), scope, options));
    }
  }
  if (hardening.length > 0) {
    for (const scope of scopes) {
      const policy = hardeningPolicyFor(hardening, scope);
      problems.push(...compileProblems(policy, options.kubernetesVersion));
      objects.push(policy, bindingFor(`${CHECKS_POLICY_NAME}${SCOPES[scope].suffix}`, scope, options));
    }
  }
  return { objects, problems };
}

/** Multi-document YAML, long CEL kept on one line per field. */
export function renderYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join('');
}
