/**
 * KubeObjects → roles and bindings. Every mistake becomes a diagnostic at the
 * field's line and the object is read as the authorizer would read it: a
 * malformed entry is dropped, the rest still counts.
 */
import { isJsonObject, type DiagnosticSeverity, type FieldPath, type JsonObject, type KubeObject } from '../model/types.js';
import { suggestResourceName } from './builtinResources.js';
import { parseLabelSelector } from './labelSelector.js';
import {
  RBAC_GROUP,
  type BindingEntry,
  type BindingKind,
  type LabelSelector,
  type PolicyRule,
  type RoleEntry,
  type RoleKind,
  type SourcedRule,
  type Subject,
} from './model.js';

export type Diagnose = (object: KubeObject, path: FieldPath, code: string, message: string, severity?: DiagnosticSeverity) => void;

const ROLE_KINDS: readonly string[] = ['Role', 'ClusterRole'];
const BINDING_KINDS: readonly string[] = ['RoleBinding', 'ClusterRoleBinding'];
/** Kubeconfig's usual namespace, which `kubectl apply` uses for objects that name none. */
export const ASSUMED_NAMESPACE = 'default';

export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function isRbacRole(object: KubeObject): boolean {
  return apiGroupOf(object.apiVersion) === RBAC_GROUP && ROLE_KINDS.includes(object.kind);
}

export function isRbacBinding(object: KubeObject): boolean {
  return apiGroupOf(object.apiVersion) === RBAC_GROUP && BINDING_KINDS.includes(object.kind);
}

export function readLabels(object: KubeObject): Record<string, string> {
  const labels = Object.create(null) as Record<string, string>;
  const metadata = object.raw.metadata;
  if (isJsonObject(metadata) && isJsonObject(metadata.labels)) {
    for (const [key, value] of Object.entries(metadata.labels)) {
      if (typeof value === 'string') labels[key] = value;
    }
  }
  return labels;
}

function namespaceOf(object: KubeObject, diagnose: Diagnose): string {
  if (object.namespace !== undefined) return object.namespace;
  diagnose(
    object,
    ['metadata'],
    'rbac-missing-namespace',
    `${object.kind} ${object.name} has no metadata.namespace; assumed "${ASSUMED_NAMESPACE}", where kubectl apply without -n would create it`,
    'warning',
  );
  return ASSUMED_NAMESPACE;
}

export function parseRole(object: KubeObject, isDefault: boolean, diagnose: Diagnose): RoleEntry {
  const kind = object.kind as RoleKind;
  const namespace = kind === 'Role' ? namespaceOf(object, diagnose) : undefined;
  let aggregationSelectors: LabelSelector[] | undefined;
  const aggregation = object.raw.aggregationRule;
  if (aggregation !== undefined && aggregation !== null) {
    if (kind === 'Role') {
      diagnose(object, ['aggregationRule'], 'rbac-invalid-aggregation', `Role ${object.name}: only ClusterRoles can aggregate; aggregationRule ignored`, 'warning');
    } else {
      aggregationSelectors = parseAggregationRule(object, aggregation, diagnose);
    }
  }
  const ownRules: SourcedRule[] = [];
  const role: RoleEntry = {
    kind,
    namespace,
    name: object.name,
    labels: readLabels(object),
    object,
    isDefault,
    ownRules,
    aggregationSelectors,
    // An aggregated ClusterRole's rules are computed once every role is known (see aggregate.ts).
    rules: aggregationSelectors === undefined ? ownRules : [],
    aggregatedFrom: [],
  };
  const rawRules = object.raw.rules;
  if (rawRules !== undefined && rawRules !== null && !Array.isArray(rawRules)) {
    diagnose(object, ['rules'], 'rbac-invalid-rule', `${kind} ${object.name}: rules must be a list; the role grants nothing`, 'error');
  } else if (Array.isArray(rawRules)) {
    rawRules.forEach((rawRule, index) => {
      const rule = parseRule(object, kind, rawRule, ['rules', index], diagnose);
      if (rule !== undefined) ownRules.push({ rule, definedIn: role, index });
    });
  }
  if (aggregationSelectors !== undefined && ownRules.length > 0) {
    diagnose(
      object,
      ['rules'],
      'rbac-aggregated-rules-replaced',
      `ClusterRole ${object.name} has an aggregationRule, so the aggregation controller replaces its rules with those of the roles it selects; the ${ownRules.length} rule(s) written here are not used`,
      'warning',
    );
  }
  return role;
}

function parseAggregationRule(object: KubeObject, aggregation: unknown, diagnose: Diagnose): LabelSelector[] {
  const selectors: LabelSelector[] = [];
  if (!isJsonObject(aggregation)) {
    diagnose(object, ['aggregationRule'], 'rbac-invalid-aggregation', `ClusterRole ${object.name}: aggregationRule must be a mapping; it aggregates nothing`, 'error');
    return selectors;
  }
  const raw = aggregation.clusterRoleSelectors;
  if (raw === undefined || raw === null) return selectors;
  if (!Array.isArray(raw)) {
    diagnose(object, ['aggregationRule', 'clusterRoleSelectors'], 'rbac-invalid-aggregation', `ClusterRole ${object.name}: clusterRoleSelectors must be a list; it aggregates nothing`, 'error');
    return selectors;
  }
  raw.forEach((value, index) => {
    const parsed = parseLabelSelector(value);
    if ('error' in parsed) {
      diagnose(
        object,
        ['aggregationRule', 'clusterRoleSelectors', index, ...parsed.path],
        'rbac-invalid-selector',
        `ClusterRole ${object.name}: clusterRoleSelectors[${index}]: ${parsed.error}; this selector is ignored`,
        'error',
      );
    } else {
      selectors.push(parsed.selector);
    }
  });
  return selectors;
}

/** Reads a list of strings, dropping (and reporting) anything else. */
function stringList(object: KubeObject, rule: JsonObject, field: string, path: FieldPath, diagnose: Diagnose): string[] {
  const value = rule[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    diagnose(object, [...path, field], 'rbac-invalid-rule', `${field} must be a list of strings; ignored`, 'error');
    return [];
  }
  const out: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === 'string') out.push(item);
    else diagnose(object, [...path, field, index], 'rbac-invalid-rule', `${field}[${index}] must be a string; ignored`, 'error');
  });
  return out;
}

function parseRule(object: KubeObject, kind: RoleKind, raw: unknown, path: FieldPath, diagnose: Diagnose): PolicyRule | undefined {
  const where = `${kind} ${object.name} rule ${String(path[1])}`;
  if (!isJsonObject(raw)) {
    diagnose(object, path, 'rbac-invalid-rule', `${where}: a rule must be a mapping; ignored`, 'error');
    return undefined;
  }
  const rule: PolicyRule = {
    verbs: stringList(object, raw, 'verbs', path, diagnose),
    apiGroups: stringList(object, raw, 'apiGroups', path, diagnose),
    resources: stringList(object, raw, 'resources', path, diagnose),
    resourceNames: stringList(object, raw, 'resourceNames', path, diagnose),
    nonResourceURLs: stringList(object, raw, 'nonResourceURLs', path, diagnose),
  };
  if (rule.verbs.length === 0) {
    diagnose(object, path, 'rbac-invalid-rule', `${where}: no verbs; the rule grants nothing`, 'error');
  }
  for (const [index, verb] of rule.verbs.entries()) {
    if (verb !== verb.toLowerCase()) {
      diagnose(object, [...path, 'verbs', index], 'rbac-suspicious-rule', `${where}: verbs are case-sensitive and lower-case; "${verb}" matches no request`, 'warning');
    }
  }
  if (rule.nonResourceURLs.length > 0) {
    if (kind === 'Role') {
      diagnose(object, [...path, 'nonResourceURLs'], 'rbac-invalid-rule', `${where}: a Role cannot grant nonResourceURLs (they are cluster-wide); the API server rejects it and it grants nothing`, 'error');
    }
    if (rule.apiGroups.length > 0 || rule.resources.length > 0) {
      diagnose(object, path, 'rbac-invalid-rule', `${where}: a rule cannot name both resources and nonResourceURLs; the API server rejects it`, 'error');
    }
    return rule;
  }
  if (rule.apiGroups.length === 0) {
    diagnose(object, path, 'rbac-invalid-rule', `${where}: no apiGroups (use "" for the core group); the rule matches no resource`, 'error');
  }
  if (rule.resources.length === 0) {
    diagnose(object, path, 'rbac-invalid-rule', `${where}: neither resources nor nonResourceURLs; the rule matches nothing`, 'error');
  }
  for (const [index, group] of rule.apiGroups.entries()) {
    if (group.includes('/')) {
      diagnose(object, [...path, 'apiGroups', index], 'rbac-suspicious-rule', `${where}: API groups carry no version; "${group}" matches nothing (did you mean "${group.slice(0, group.indexOf('/'))}"?)`, 'warning');
    }
  }
  for (const [index, resource] of rule.resources.entries()) {
    const suggestion = suggestResourceName(resource, rule.apiGroups);
    if (suggestion !== undefined) {
      diagnose(object, [...path, 'resources', index], 'rbac-suspicious-rule', `${where}: "${resource}" is not a resource name, so it matches nothing (did you mean "${suggestion}"?)`, 'warning');
    }
  }
  if (rule.resourceNames.includes('')) {
    diagnose(object, [...path, 'resourceNames'], 'rbac-suspicious-rule', `${where}: an empty resource name matches requests that carry no name (list, create), which defeats resourceNames`, 'warning');
  }
  return rule;
}

export function parseBinding(object: KubeObject, isDefault: boolean, diagnose: Diagnose): BindingEntry | undefined {
  const kind = object.kind as BindingKind;
  const namespace = kind === 'RoleBinding' ? namespaceOf(object, diagnose) : undefined;
  const rawRef = object.raw.roleRef;
  if (!isJsonObject(rawRef) || typeof rawRef.kind !== 'string' || typeof rawRef.name !== 'string' || rawRef.name === '') {
    diagnose(object, ['roleRef'], 'rbac-invalid-role-ref', `${kind} ${object.name}: roleRef needs a kind and a name; the binding grants nothing`, 'error');
    return undefined;
  }
  const roleRef = { apiGroup: typeof rawRef.apiGroup === 'string' ? rawRef.apiGroup : '', kind: rawRef.kind, name: rawRef.name };
  if (roleRef.kind !== 'ClusterRole' && roleRef.kind !== 'Role') {
    diagnose(object, ['roleRef', 'kind'], 'rbac-invalid-role-ref', `${kind} ${object.name}: roleRef.kind must be Role or ClusterRole, got "${roleRef.kind}"; the binding grants nothing`, 'error');
  } else if (kind === 'ClusterRoleBinding' && roleRef.kind === 'Role') {
    diagnose(object, ['roleRef', 'kind'], 'rbac-invalid-role-ref', `ClusterRoleBinding ${object.name}: a ClusterRoleBinding can only reference a ClusterRole; the binding grants nothing`, 'error');
  }
  if (roleRef.apiGroup !== RBAC_GROUP) {
    diagnose(object, ['roleRef'], 'rbac-invalid-role-ref', `${kind} ${object.name}: roleRef.apiGroup must be ${RBAC_GROUP}; the API server rejects this binding (analysed as if it were set)`, 'warning');
  }
  const subjects: Subject[] = [];
  const rawSubjects = object.raw.subjects;
  if (rawSubjects !== undefined && rawSubjects !== null && !Array.isArray(rawSubjects)) {
    diagnose(object, ['subjects'], 'rbac-invalid-subject', `${kind} ${object.name}: subjects must be a list; the binding applies to no one`, 'error');
  } else if (Array.isArray(rawSubjects)) {
    rawSubjects.forEach((raw, index) => {
      const subject = parseSubject(object, kind, namespace, raw, index, diagnose);
      if (subject !== undefined) subjects.push(subject);
    });
  }
  return { kind, namespace, name: object.name, roleRef, subjects, object, isDefault };
}

function parseSubject(
  object: KubeObject,
  kind: BindingKind,
  bindingNamespace: string | undefined,
  raw: unknown,
  index: number,
  diagnose: Diagnose,
): Subject | undefined {
  const path = ['subjects', index];
  const where = `${kind} ${object.name} subject ${index}`;
  if (!isJsonObject(raw)) {
    diagnose(object, path, 'rbac-invalid-subject', `${where}: a subject must be a mapping; ignored`, 'error');
    return undefined;
  }
  const { kind: subjectKind, name, namespace, apiGroup } = raw;
  if (typeof name !== 'string' || name === '') {
    diagnose(object, path, 'rbac-invalid-subject', `${where}: a subject needs a name; ignored`, 'error');
    return undefined;
  }
  switch (subjectKind) {
    case 'User':
    case 'Group':
      if (apiGroup !== undefined && apiGroup !== RBAC_GROUP) {
        diagnose(object, [...path, 'apiGroup'], 'rbac-invalid-subject', `${where}: ${subjectKind} subjects belong to apiGroup ${RBAC_GROUP}; the API server rejects this binding (analysed as if it were set)`, 'warning');
      }
      return { kind: subjectKind, name, namespace: undefined, index };
    case 'ServiceAccount': {
      if (apiGroup !== undefined && apiGroup !== '') {
        diagnose(object, [...path, 'apiGroup'], 'rbac-invalid-subject', `${where}: ServiceAccount subjects belong to the core API group (apiGroup ""); the API server rejects this binding (analysed as if it were unset)`, 'warning');
      }
      const explicit = typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
      const resolved = explicit ?? bindingNamespace;
      if (resolved === undefined) {
        diagnose(object, path, 'rbac-invalid-subject', `${where}: ServiceAccount ${name} has no namespace, so it matches no one in a ClusterRoleBinding; ignored`, 'error');
        return undefined;
      }
      return { kind: 'ServiceAccount', name, namespace: resolved, index };
    }
    default:
      diagnose(
        object,
        [...path, 'kind'],
        'rbac-unknown-subject-kind',
        `${where}: unknown subject kind ${JSON.stringify(subjectKind)} (expected User, Group or ServiceAccount); it matches no one`,
        'error',
      );
      return undefined;
  }
}
