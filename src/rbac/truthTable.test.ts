/**
 * The can-i truth table: questions written from the Kubernetes RBAC
 * documentation (reference/access-authn-authz/rbac, authentication,
 * api-concepts) and the authorizer's evaluation rules, each with the
 * semantics it exercises. Every question is also put to who-can, which must
 * agree: the user can exactly when who-can lists a subject that names them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ask, identity, policyFromYaml, request, whoCanAsk, whoCanIncludes } from './testSupport.js';

const FIXTURE = `
# --- plain resource rules -------------------------------------------------
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec-only}
rules:
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scaler}
rules:
- {apiGroups: ["*"], resources: ["*/scale"], verbs: [get, update, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
- {nonResourceURLs: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: apps-getter}
rules:
- {apiGroups: [apps], resources: ["*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: named-config}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [app-config], verbs: [get, list, watch, update, delete, create, deletecollection]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: health}
rules:
- {nonResourceURLs: [/healthz, /healthz/*, /metrics*, /logs/], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: livez}
rules:
- {nonResourceURLs: [/livez], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secrets-any-verb}
rules:
- {apiGroups: [""], resources: [secrets], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-creator}
rules:
- {apiGroups: [""], resources: [pods], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: sa-lister}
rules:
- {apiGroups: [""], resources: [serviceaccounts], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cm-reader}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonator}
rules:
- {apiGroups: [""], resources: [users, groups], verbs: [impersonate]}
- {apiGroups: [""], resources: [serviceaccounts], resourceNames: [deployer], verbs: [impersonate]}
- {apiGroups: [authentication.k8s.io], resources: [userextras/scopes, uids], verbs: [impersonate]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: role-granter}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [view], verbs: [bind, escalate]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: csr-approver}
rules:
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
- {apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [kubernetes.io/kube-apiserver-client], verbs: [approve]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ns-getter}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: upper-case}
rules:
- {apiGroups: [""], resources: [pods], verbs: [Get]}
- {resources: [pods], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules:
- {apiGroups: [""], resources: [nodes, nodes/proxy], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: crd-widgets}
rules:
- {apiGroups: [example.com], resources: [widgets, widgets/status], verbs: [get, update]}
---
# --- aggregation ----------------------------------------------------------
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring, labels: {tier: gold}}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rampart.test/aggregate-to-monitoring: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mon-pods, labels: {rampart.test/aggregate-to-monitoring: "true"}}
rules:
- {apiGroups: [""], resources: [pods], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mon-nodes, labels: {rampart.test/aggregate-to-monitoring: "true"}}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mon-off, labels: {rampart.test/aggregate-to-monitoring: "false"}}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: super-mon}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions:
    - {key: tier, operator: In, values: [gold, platinum]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pools}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions:
    - {key: rampart.test/pool, operator: Exists}
    - {key: stage, operator: NotIn, values: [beta]}
    - {key: deprecated, operator: DoesNotExist}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pool-a, labels: {rampart.test/pool: a}}
rules:
- {apiGroups: [batch], resources: [jobs], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pool-b, labels: {rampart.test/pool: b, stage: beta}}
rules:
- {apiGroups: [batch], resources: [cronjobs], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pool-c, labels: {rampart.test/pool: c, stage: ga}}
rules:
- {apiGroups: [apps], resources: [daemonsets], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pool-d, labels: {rampart.test/pool: d, deprecated: "yes"}}
rules:
- {apiGroups: [apps], resources: [statefulsets], verbs: [create]}
---
# --- namespaced roles -----------------------------------------------------
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [create, update, patch]}
- {apiGroups: [apps], resources: [deployments/status], verbs: [patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: dev}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: url-role, namespace: shop}
rules:
- {nonResourceURLs: [/metrics], verbs: [get]}
---
# --- bindings -------------------------------------------------------------
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{kind: Group, name: readers, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: shop-readers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: shop-exec, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec-only}
subjects: [{kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: root}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: User, name: root, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: scalers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scaler}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cfg, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: named-config}
subjects: [{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: health}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
subjects: [{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: livez}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: livez}
subjects: [{kind: Group, name: system:unauthenticated, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cross-namespace, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{kind: ServiceAccount, name: builder, namespace: shop}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-service-accounts}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sa-lister}
subjects: [{kind: Group, name: system:serviceaccounts, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-service-accounts, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cm-reader}
subjects: [{kind: Group, name: "system:serviceaccounts:dev", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: urls-in-namespace, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: url-role, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: url-role}
subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: super-mon}
subjects: [{kind: User, name: mon, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pools}
subjects: [{kind: User, name: pool, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: apps-getters}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: apps-getter}
subjects: [{kind: User, name: frank, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: secrets-any-verb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secrets-any-verb}
subjects: [{kind: User, name: gina, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pod-creators, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-creator}
subjects: [{kind: User, name: henry, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ghost, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ghost-role}
subjects: [{kind: User, name: ivan, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: impersonators}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonator}
subjects: [{kind: User, name: jack, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: role-granters}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-granter}
subjects: [{kind: User, name: kate, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: csr-approvers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-approver}
subjects: [{kind: User, name: leo, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: namespace-getter, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-getter}
subjects: [{kind: User, name: nina, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: upper-case}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: upper-case}
subjects: [{kind: User, name: oscar, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nodes-in-namespace, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects: [{kind: User, name: pat, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: node-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects: [{kind: User, name: quinn, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: widgets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: crd-widgets}
subjects: [{kind: User, name: rita, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sa-without-namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: ServiceAccount, name: default}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: robots}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: Robot, name: r2d2}, {kind: User, name: sam, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions: [{name: v1, served: true, storage: true}]
`;

/** [who, verb, resource, namespace, name, expected, what it shows]. '' = not given. */
type Row = readonly [who: string, verb: string, resource: string, namespace: string, name: string, expected: boolean, why: string];

const ROWS: readonly Row[] = [
  // Verbs, resources and API groups: a rule allows a request when verb, group and resource all match.
  ['alice', 'get', 'pods', 'shop', '', true, 'RoleBinding to a ClusterRole grants it in the binding namespace'],
  ['alice', 'list', 'pods', 'shop', '', true, 'every listed verb is granted'],
  ['alice', 'watch', 'pods', 'shop', '', true, 'every listed verb is granted'],
  ['alice', 'create', 'pods', 'shop', '', false, 'unlisted verb'],
  ['alice', 'delete', 'pods', 'shop', 'web', false, 'unlisted verb'],
  ['alice', 'deletecollection', 'pods', 'shop', '', false, 'deletecollection is its own verb'],
  ['alice', 'patch', 'pods', 'shop', 'web', false, 'unlisted verb'],
  ['alice', 'GET', 'pods', 'shop', '', false, 'verbs are case-sensitive'],
  ['alice', 'get', 'pods', 'dev', '', false, 'RoleBinding in shop grants nothing in dev'],
  ['alice', 'get', 'pods', '', '', false, 'a RoleBinding never grants across all namespaces'],
  ['alice', 'get', 'pods', 'kube-system', '', false, 'RoleBinding scope'],
  ['alice', 'get', 'pods.apps', 'shop', '', false, 'the rule names the core group only'],
  ['alice', 'get', 'pods/log', 'shop', '', false, 'pods does not cover pods/log'],
  ['alice', 'get', 'pods/exec', 'shop', '', false, 'pods does not cover pods/exec'],
  ['alice', 'get', 'pods/status', 'shop', 'web', false, 'pods does not cover pods/status'],
  ['alice', 'get', 'services', 'shop', '', false, 'other resource'],
  ['alice', 'get', 'pod', 'shop', '', true, 'the singular resolves to the plural, as kubectl does'],
  ['alice', 'get', 'po', 'shop', '', true, 'short names resolve, as kubectl does'],
  ['alice', 'get', 'pods', 'shop', 'web', true, 'no resourceNames: any name'],
  ['alice@readers', 'get', 'pods', 'dev', '', true, 'group binding, cluster-wide'],
  ['carl@readers', 'get', 'pods', '', '', true, 'ClusterRoleBinding grants across all namespaces'],
  ['carl@readers', 'list', 'pods', 'kube-system', '', true, 'ClusterRoleBinding grants in every namespace'],
  ['carl@readers', 'get', 'pods/log', 'dev', '', false, 'subresources are separate'],
  ['carl@readers', 'get', 'secrets', 'dev', '', false, 'other resource'],
  ['carl', 'get', 'pods', 'dev', '', false, 'without the group, nothing'],
  ['carl@Readers', 'get', 'pods', 'dev', '', false, 'group names are case-sensitive'],
  ['readers', 'get', 'pods', 'dev', '', false, 'a user named like a group is not in it'],

  // Subresources: `pods/exec` is a resource of its own.
  ['bob', 'create', 'pods/exec', 'shop', 'web', true, 'subresource rule'],
  ['bob', 'create', 'pods/exec', 'shop', '', true, 'no resourceNames: a nameless request too'],
  ['bob', 'get', 'pods/exec', 'shop', 'web', false, 'kubectl exec is create; get is another verb'],
  ['bob', 'create', 'pods', 'shop', '', false, 'pods/exec does not grant pods'],
  ['bob', 'get', 'pods', 'shop', 'web', false, 'pods/exec does not grant pods'],
  ['bob', 'create', 'pods/attach', 'shop', 'web', false, 'other subresource'],
  ['bob', 'create', 'pods/portforward', 'shop', 'web', false, 'other subresource'],
  ['bob', 'create', 'pods/exec', 'dev', 'web', false, 'RoleBinding scope'],
  ['bob', 'create', 'pods/exec', '', '', false, 'RoleBinding never grants across all namespaces'],
  ['bob', 'create', 'deployments.apps/exec', 'shop', 'web', false, 'the rule names the core group'],
  ['bob', 'create', 'services/exec', 'shop', 'web', false, 'pods/exec is about pods only'],

  // `*/scale`: the scale subresource of any resource, nothing else.
  ['carol', 'get', 'deployments/scale', 'shop', 'web', true, '*/scale matches deployments/scale'],
  ['carol', 'update', 'deployments.apps/scale', 'shop', 'web', true, '*/scale in any group with apiGroups *'],
  ['carol', 'patch', 'replicasets/scale', 'dev', 'web', true, '*/scale matches replicasets/scale'],
  ['carol', 'update', 'statefulsets/scale', '', '', true, 'ClusterRoleBinding across namespaces'],
  ['carol', 'update', 'replicationcontrollers/scale', 'shop', 'rc', true, 'core group, apiGroups *'],
  ['carol', 'get', 'widgets.example.com/scale', 'shop', 'w', true, 'custom resources too'],
  ['carol', 'get', 'pods/scale', 'shop', 'p', true, 'the authorizer does not know which resources have scale'],
  ['carol', 'get', 'deployments', 'shop', 'web', false, '*/scale does not match the resource itself'],
  ['carol', 'get', 'deployments/status', 'shop', 'web', false, '*/scale does not match other subresources'],
  ['carol', 'get', 'scale', 'shop', '', false, 'a resource called scale is not a subresource'],
  ['carol', 'delete', 'deployments/scale', 'shop', 'web', false, 'verb not listed'],
  ['carol', 'update', 'deployments/scales', 'shop', 'web', false, 'the subresource must match exactly'],

  // `*` resources and verbs, and apiGroups `*`.
  ['root', 'get', 'pods', 'shop', '', true, '* matches every resource'],
  ['root', 'create', 'pods/exec', 'shop', 'web', true, '* matches subresources too'],
  ['root', 'update', 'deployments/scale', 'dev', 'web', true, '* matches subresources in any group'],
  ['root', 'delete', 'nodes', '', 'node-1', true, 'cluster-scoped resources'],
  ['root', 'escalate', 'clusterroles', '', 'admin', true, 'verb * matches escalate'],
  ['root', 'impersonate', 'users', '', 'someone', true, 'verb * matches impersonate'],
  ['root', 'frobnicate', 'widgets.example.com', 'shop', '', true, 'verb * matches any verb, even unknown ones'],
  ['root', 'get', '/healthz', '', '', true, 'nonResourceURLs * matches every path'],
  ['root', 'post', '/anything/at/all', '', '', true, 'verb * with nonResourceURLs *'],
  ['root', 'list', 'secrets', '', '', true, 'across all namespaces'],
  ['frank', 'get', 'deployments', 'shop', 'web', true, 'resources * within the apps group'],
  ['frank', 'get', 'deployments/scale', 'shop', 'web', true, 'resources * covers subresources'],
  ['frank', 'get', 'statefulsets/status', '', '', true, 'resources * covers subresources'],
  ['frank', 'get', 'daemonsets', '', '', true, 'resources * within apps'],
  ['frank', 'get', 'pods', 'shop', 'web', false, 'pods are in the core group, not apps'],
  ['frank', 'get', 'jobs', 'shop', 'j', false, 'jobs are in batch'],
  ['frank', 'list', 'deployments', 'shop', '', false, 'verb not listed'],
  ['frank', 'get', 'deployments.extensions', 'shop', 'web', false, 'the group is matched literally'],
  ['gina', 'get', 'secrets', 'shop', 's', true, 'verb *'],
  ['gina', 'list', 'secrets', '', '', true, 'verb *, all namespaces'],
  ['gina', 'watch', 'secrets', 'kube-system', '', true, 'verb *'],
  ['gina', 'delete', 'secrets', 'dev', 's', true, 'verb *'],
  ['gina', 'escalate', 'secrets', 'dev', 's', true, 'verb * matches any verb string'],
  ['gina', 'get', 'secrets.apps', 'shop', 's', false, 'the rule names the core group'],
  ['gina', 'get', 'configmaps', 'shop', 'c', false, 'other resource'],
  ['gina', 'get', 'secrets/status', 'shop', 's', false, 'secrets does not cover a subresource'],

  // resourceNames: only requests that carry one of the names.
  ['dave', 'get', 'configmaps', 'shop', 'app-config', true, 'named get'],
  ['dave', 'update', 'configmaps', 'shop', 'app-config', true, 'named update'],
  ['dave', 'delete', 'configmaps', 'shop', 'app-config', true, 'named delete'],
  ['dave', 'patch', 'configmaps', 'shop', 'app-config', false, 'verb not listed'],
  ['dave', 'get', 'configmaps', 'shop', 'other-config', false, 'name not listed'],
  ['dave', 'get', 'configmaps', 'shop', 'App-Config', false, 'names are case-sensitive'],
  ['dave', 'get', 'configmaps', 'shop', '', false, 'a get without a name matches no resourceNames rule'],
  ['dave', 'list', 'configmaps', 'shop', '', false, 'a list carries no name'],
  ['dave', 'watch', 'configmaps', 'shop', '', false, 'a watch carries no name'],
  ['dave', 'list', 'configmaps', 'shop', 'app-config', true, 'a list with fieldSelector metadata.name carries the name'],
  ['dave', 'watch', 'configmaps', 'shop', 'app-config', true, 'a watch with fieldSelector metadata.name carries the name'],
  ['dave', 'list', 'configmaps', 'shop', 'other-config', false, 'field selector for another name'],
  ['dave', 'create', 'configmaps', 'shop', '', false, 'create carries no name'],
  ['dave', 'create', 'configmaps', 'shop', 'app-config', false, 'create carries no name even when the object will have it'],
  ['dave', 'deletecollection', 'configmaps', 'shop', '', false, 'deletecollection carries no name'],
  ['dave', 'deletecollection', 'configmaps', 'shop', 'app-config', false, 'deletecollection carries no name'],
  ['dave', 'get', 'configmaps', 'dev', 'app-config', false, 'RoleBinding scope'],
  ['dave', 'get', 'configmaps', '', 'app-config', false, 'RoleBinding never grants across namespaces'],
  ['dave', 'get', 'secrets', 'shop', 'app-config', false, 'other resource'],
  ['jack', 'impersonate', 'serviceaccounts', 'shop', 'deployer', true, 'named service account'],
  ['jack', 'impersonate', 'serviceaccounts', 'kube-system', 'deployer', true, 'ClusterRoleBinding: any namespace'],
  ['jack', 'impersonate', 'serviceaccounts', 'shop', 'admin', false, 'other name'],
  ['jack', 'impersonate', 'serviceaccounts', 'shop', '', false, 'no name'],
  ['kate', 'bind', 'clusterroles', '', 'view', true, 'bind on a named ClusterRole'],
  ['kate', 'escalate', 'clusterroles.rbac.authorization.k8s.io', '', 'view', true, 'explicit group'],
  ['kate', 'bind', 'clusterroles', '', 'cluster-admin', false, 'not that ClusterRole'],
  ['kate', 'escalate', 'clusterroles', '', 'admin', false, 'not that ClusterRole'],
  ['kate', 'bind', 'clusterroles', '', '', false, 'no name'],
  ['kate', 'bind', 'roles', 'shop', 'view', false, 'clusterroles does not cover roles'],
  ['kate', 'create', 'rolebindings', 'shop', '', true, 'create rolebindings'],
  ['kate', 'create', 'clusterrolebindings', '', '', false, 'not cluster role bindings'],
  ['kate', 'get', 'clusterroles', '', 'view', false, 'bind and escalate are not get'],

  // Non-resource URLs: exact, `*`, and a trailing `*` as a prefix.
  ['alice', 'get', '/healthz', '', '', true, 'system:authenticated group binding, exact URL'],
  ['alice', 'get', '/healthz/etcd', '', '', true, '/healthz/* prefix'],
  ['alice', 'get', '/healthz/', '', '', true, '/healthz/* matches the bare prefix'],
  ['alice', 'get', '/healthzx', '', '', false, '/healthz is exact and /healthz/* needs the slash'],
  ['alice', 'get', '/metrics', '', '', true, '/metrics* prefix, exact'],
  ['alice', 'get', '/metrics/cadvisor', '', '', true, '/metrics* prefix'],
  ['alice', 'get', '/metricsfoo', '', '', true, '/metrics* is a plain prefix'],
  ['alice', 'get', '/logs/', '', '', true, 'exact with trailing slash'],
  ['alice', 'get', '/logs', '', '', false, 'exact means exact'],
  ['alice', 'get', '/logs/kube.log', '', '', false, 'no star, no prefix'],
  ['alice', 'post', '/healthz', '', '', false, 'verb not listed'],
  ['alice', 'get', '/livez', '', '', false, 'livez is bound to unauthenticated only'],
  ['alice', 'get', '/', '', '', false, 'root path not granted'],
  ['alice', 'get', '/healthz', 'shop', '', true, 'a namespace is ignored for URLs'],
  ['anonymous', 'get', '/livez', '', '', true, 'system:anonymous is in system:unauthenticated'],
  ['anonymous', 'get', '/healthz', '', '', false, 'system:anonymous is not authenticated'],
  ['anonymous', 'get', 'pods', 'shop', '', false, 'nothing else for anonymous'],
  ['system:anonymous@system:unauthenticated', 'get', '/livez', '', '', true, 'explicit unauthenticated group'],
  ['eve@system:unauthenticated', 'get', '/livez', '', '', true, 'impersonating with system:unauthenticated keeps it'],
  ['eve@system:unauthenticated', 'get', '/healthz', '', '', false, 'and does not add system:authenticated'],
  ['eve', 'get', '/livez', '', '', false, 'an impersonated user is authenticated, not unauthenticated'],
  ['eve', 'get', '/metrics', '', '', true, 'an impersonated user is in system:authenticated'],
  ['sa:shop/ci', 'get', '/healthz', '', '', true, 'service accounts are authenticated'],
  ['erin', 'get', '/healthz', '', '', true, 'via system:authenticated cluster-wide'],
  ['erin', 'get', '/logs/', 'shop', '', true, 'still via the ClusterRoleBinding'],
  ['erin', 'post', '/healthz', 'shop', '', false, 'a RoleBinding to URL rules never applies'],
  ['erin', 'get', '/metrics', 'shop', '', true, 'granted through system:authenticated, not the Role'],
  ['frank@system:unauthenticated', 'get', '/healthz', '', '', false, 'explicit groups are the authority'],

  // Roles: in their namespace, through RoleBindings to Roles of that namespace.
  ['sa:shop/ci', 'create', 'deployments', 'shop', '', true, 'Role via RoleBinding, SA subject defaults to the binding namespace'],
  ['sa:shop/ci', 'patch', 'deployments.apps', 'shop', 'web', true, 'explicit group'],
  ['sa:shop/ci', 'patch', 'deployments/status', 'shop', 'web', true, 'subresource rule in the Role'],
  ['sa:shop/ci', 'update', 'deployments/status', 'shop', 'web', false, 'only patch on status'],
  ['sa:shop/ci', 'get', 'deployments', 'shop', 'web', false, 'the shop Role has no get'],
  ['sa:shop/ci', 'create', 'deployments', 'dev', '', false, 'RoleBinding scope'],
  ['sa:shop/ci', 'create', 'deployments', '', '', false, 'RoleBinding never grants across namespaces'],
  ['sa:dev/ci', 'create', 'deployments', 'shop', '', false, 'another service account of the same name'],
  ['sa:dev/ci', 'get', 'deployments', 'dev', 'web', false, 'the dev Role deployer is not bound'],
  ['system:serviceaccount:shop:ci', 'create', 'deployments', 'shop', '', true, 'impersonating the SA user name gives the SA identity'],
  ['system:serviceaccount:shop:ci@team', 'create', 'deployments', 'shop', '', true, 'the user name alone matches ServiceAccount subjects'],
  ['ci', 'create', 'deployments', 'shop', '', false, 'a user named ci is not the service account'],
  ['sa:shop/ci', 'create', 'replicasets', 'shop', '', false, 'other resource'],
  ['sa:shop/ci', 'create', 'deployments.extensions', 'shop', '', false, 'the group is matched literally'],

  // Service accounts: explicit namespaces, implicit groups.
  ['sa:shop/builder', 'get', 'pods', 'dev', 'p', true, 'explicit SA namespace in a RoleBinding of another namespace'],
  ['sa:shop/builder', 'get', 'pods', 'shop', 'p', false, 'the binding lives in dev'],
  ['sa:dev/builder', 'get', 'pods', 'dev', 'p', false, 'the subject names shop/builder'],
  ['sa:shop/builder', 'list', 'serviceaccounts', '', '', true, 'system:serviceaccounts group'],
  ['sa:kube-system/default', 'list', 'serviceaccounts', 'shop', '', true, 'every SA is in system:serviceaccounts'],
  ['sa:shop/builder', 'get', 'serviceaccounts', 'shop', 'x', false, 'only list'],
  ['alice', 'list', 'serviceaccounts', '', '', false, 'users are not in system:serviceaccounts'],
  ['alice@system:serviceaccounts', 'list', 'serviceaccounts', '', '', true, 'unless impersonated into the group'],
  ['sa:dev/runner', 'get', 'configmaps', 'dev', 'c', true, 'system:serviceaccounts:dev group'],
  ['sa:shop/runner', 'get', 'configmaps', 'dev', 'c', false, 'not in system:serviceaccounts:dev'],
  ['sa:dev/runner', 'get', 'configmaps', 'shop', 'c', false, 'RoleBinding scope'],
  ['sa:dev/runner', 'get', 'configmaps', '', 'c', false, 'RoleBinding never grants across namespaces'],
  ['system:serviceaccount:dev:runner', 'get', 'configmaps', 'dev', 'c', true, 'SA groups added when impersonating without groups'],
  ['system:serviceaccount:dev:runner@team', 'get', 'configmaps', 'dev', 'c', false, 'explicit groups replace the SA groups'],
  ['sa:default/default', 'get', 'pods', 'shop', 'p', false, 'a ServiceAccount subject without namespace in a ClusterRoleBinding matches no one'],
  ['sa:default/default', 'delete', 'nodes', '', 'n', false, 'same'],

  // Cluster-scoped resources: only ClusterRoleBindings grant them.
  ['quinn', 'get', 'nodes', '', 'node-1', true, 'ClusterRoleBinding'],
  ['quinn', 'get', 'nodes/proxy', '', 'node-1', true, 'subresource listed'],
  ['quinn', 'get', 'nodes', 'shop', 'node-1', true, 'a namespace on a cluster-scoped resource is dropped'],
  ['quinn', 'list', 'nodes', '', '', false, 'only get'],
  ['quinn', 'get', 'nodes/status', '', 'node-1', false, 'subresource not listed'],
  ['pat', 'get', 'nodes', '', 'node-1', false, 'a RoleBinding never grants cluster-scoped resources'],
  ['pat', 'get', 'nodes', 'shop', 'node-1', false, 'not even when asked with -n of the binding'],
  ['pat', 'get', 'nodes/proxy', 'shop', 'node-1', false, 'same for subresources'],
  ['nina', 'get', 'namespaces', '', 'shop', true, 'a request for namespace shop is made in namespace shop'],
  ['nina', 'get', 'namespaces', 'dev', 'shop', true, '-n is overridden by the name'],
  ['nina', 'get', 'namespaces', '', 'dev', false, 'other namespace'],
  ['nina', 'list', 'namespaces', '', '', false, 'listing namespaces is cluster-wide'],
  ['nina', 'list', 'namespaces', '', 'shop', false, 'a list is cluster-wide even with a name'],
  ['nina', 'get', 'ns', '', 'shop', true, 'short name'],
  ['leo', 'update', 'certificatesigningrequests/approval', '', 'csr-1', true, 'cluster-scoped subresource'],
  ['leo', 'update', 'csr/approval', '', 'csr-1', true, 'short name with subresource'],
  ['leo', 'approve', 'signers', '', 'kubernetes.io/kube-apiserver-client', true, 'virtual signers resource with resourceNames'],
  ['leo', 'approve', 'signers.certificates.k8s.io', '', 'kubernetes.io/kubelet-serving', false, 'other signer'],
  ['leo', 'update', 'certificatesigningrequests', '', 'csr-1', false, 'the approval subresource only'],
  ['leo', 'create', 'certificatesigningrequests', '', '', false, 'not granted'],
  ['jack', 'impersonate', 'users', '', 'admin', true, 'impersonate users'],
  ['jack', 'impersonate', 'groups', '', 'system:masters', true, 'impersonate groups'],
  ['jack', 'impersonate', 'uids', '', '1234', true, 'uids resolve to authentication.k8s.io'],
  ['jack', 'impersonate', 'userextras/scopes', '', 'view', true, 'userextras subresource named by the extra key'],
  ['jack', 'impersonate', 'userextras/other', '', 'view', false, 'other extra key'],
  ['jack', 'impersonate', 'users.authentication.k8s.io', '', 'admin', false, 'users are in the core group'],
  ['jack', 'get', 'users', '', 'admin', false, 'only impersonate'],

  // Aggregation: computed offline, transitive, by matchLabels and matchExpressions.
  ['mon', 'list', 'pods', '', '', true, 'super-mon ⊇ monitoring ⊇ mon-pods'],
  ['mon', 'list', 'nodes', '', '', true, 'super-mon ⊇ monitoring ⊇ mon-nodes'],
  ['mon', 'list', 'secrets', '', '', false, 'mon-off has the label with another value'],
  ['mon', 'get', 'pods', 'shop', 'p', false, 'only list was aggregated'],
  ['pool', 'create', 'jobs', 'shop', '', true, 'Exists, NotIn satisfied by a missing label, DoesNotExist'],
  ['pool', 'create', 'daemonsets', 'shop', '', true, 'NotIn satisfied by another value'],
  ['pool', 'create', 'cronjobs', 'shop', '', false, 'stage=beta excluded by NotIn'],
  ['pool', 'create', 'statefulsets', 'shop', '', false, 'deprecated excluded by DoesNotExist'],
  ['pool', 'create', 'jobs', '', '', true, 'ClusterRoleBinding across namespaces'],

  // Namespaced custom resources, resolved from the CRD in the input.
  ['rita', 'get', 'widgets', 'shop', 'w', true, 'plural resolved to example.com by the CRD'],
  ['rita', 'update', 'widgets.example.com/status', 'shop', 'w', true, 'subresource of a custom resource'],
  ['rita', 'get', 'widgets.example.org', 'shop', 'w', false, 'other group'],
  ['rita', 'get', 'widgets', 'dev', 'w', false, 'RoleBinding scope'],
  ['rita', 'delete', 'widgets', 'shop', 'w', false, 'verb not listed'],

  // system:masters is allowed before RBAC.
  ['mallory@system:masters', 'delete', 'nodes', '', 'node-1', true, 'system:masters'],
  ['mallory@system:masters', 'get', '/anything', '', '', true, 'system:masters, non-resource'],
  ['mallory@system:masters', 'frobnicate', 'widgets', 'shop', '', true, 'system:masters, anything'],
  ['mallory', 'delete', 'nodes', '', 'node-1', false, 'without the group'],
  ['system:masters', 'delete', 'nodes', '', 'node-1', false, 'a user named system:masters is not in the group'],

  // Malformed input: grants nothing, the rest still works.
  ['oscar', 'get', 'pods', 'shop', 'p', false, 'verb Get matches no request'],
  ['oscar', 'list', 'pods', 'shop', '', false, 'a rule without apiGroups matches nothing'],
  ['ivan', 'get', 'pods', 'shop', 'p', false, 'binding to a missing ClusterRole grants nothing'],
  ['sam', 'delete', 'nodes', '', 'n', true, 'an unknown subject kind does not stop the others'],
  ['r2d2', 'delete', 'nodes', '', 'n', false, 'the unknown subject kind matches no one'],

  // Cross-checks with kube-system.
  ['henry', 'create', 'pods', 'kube-system', '', true, 'RoleBinding in kube-system'],
  ['henry', 'create', 'pods', 'shop', '', false, 'only kube-system'],
  ['henry', 'create', 'pods', '', '', false, 'not across namespaces'],
  ['henry', 'create', 'pods/exec', 'kube-system', 'p', false, 'pods does not cover pods/exec'],
  ['henry', 'create', 'pods/eviction', 'kube-system', 'p', false, 'pods does not cover pods/eviction'],
  ['henry', 'create', 'pods', 'kube-system', 'named', true, 'the name of a create is ignored, no resourceNames here'],
];

const policy = policyFromYaml(FIXTURE);

test('the truth table has at least 200 questions', () => {
  assert.ok(ROWS.length >= 200, `only ${ROWS.length} questions`);
});

for (const [index, [who, verb, resource, namespace, name, expected, why]] of ROWS.entries()) {
  const question = { verb, resource, ...(namespace === '' ? {} : { namespace }), ...(name === '' ? {} : { name }) };
  const label = `#${index} ${who} can-i ${verb} ${resource}${namespace === '' ? '' : ` -n ${namespace}`}${name === '' ? '' : ` --name ${name}`} → ${expected ? 'yes' : 'no'} (${why})`;
  test(label, () => {
    const decision = ask(policy, who, question);
    assert.equal(decision.allowed, expected);
    // A yes always names its grant (or system:masters); a no names none.
    assert.equal(decision.grants.length > 0 || decision.systemMasters, expected);
    // who-can agrees: some subject it lists names this user exactly when can-i says yes.
    assert.equal(whoCanIncludes(whoCanAsk(policy, question), identity(who)), expected, 'who-can disagrees with can-i');
  });
}

test('the fixture reports its deliberate mistakes, and nothing else', () => {
  const codes = policy.diagnostics.map((diagnostic) => `${diagnostic.code}@${diagnostic.line}`);
  const byCode = (code: string): number => policy.diagnostics.filter((diagnostic) => diagnostic.code === code).length;
  assert.equal(byCode('rbac-missing-role'), 1, codes.join(' '));
  assert.equal(byCode('rbac-unknown-subject-kind'), 1, codes.join(' '));
  assert.equal(byCode('rbac-suspicious-rule'), 1, codes.join(' ')); // verb Get
  assert.equal(byCode('rbac-invalid-subject'), 1, codes.join(' ')); // SA without namespace in a ClusterRoleBinding
  // url-role: nonResourceURLs in a Role; upper-case rule 1: no apiGroups.
  assert.equal(byCode('rbac-invalid-rule'), 2, codes.join(' '));
  assert.equal(policy.diagnostics.length, 6, codes.join(' '));
});

test('a grant names the binding, the subject, the role and the rule with their lines', () => {
  const decision = ask(policy, 'sa:shop/ci', { verb: 'patch', resource: 'deployments/status', namespace: 'shop', name: 'web' });
  assert.equal(decision.grants.length, 1);
  const grant = decision.grants[0]!;
  assert.equal(grant.binding.name, 'deployers');
  assert.equal(grant.subject.kind, 'ServiceAccount');
  assert.equal(grant.subject.namespace, 'shop');
  assert.equal(grant.role.name, 'deployer');
  assert.equal(grant.role.namespace, 'shop');
  assert.equal(grant.rule.index, 1);
  const line = FIXTURE.split('\n').findIndex((text) => text.includes('[deployments/status], verbs: [patch]')) + 1;
  assert.equal(grant.rule.definedIn.object.source.positions.locate([...grant.rule.definedIn.object.source.pathInDocument, 'rules', 1]).line, line);
});

test('an aggregated grant names the role the rule was aggregated from', () => {
  const decision = ask(policy, 'mon', { verb: 'list', resource: 'nodes' });
  assert.equal(decision.grants.length, 1);
  assert.equal(decision.grants[0]!.role.name, 'super-mon');
  assert.equal(decision.grants[0]!.rule.definedIn.name, 'mon-nodes');
  assert.deepEqual(policy.roles.get('ClusterRole/super-mon')?.aggregatedFrom, ['monitoring']);
});

test('a no that depends on a missing role says so', () => {
  const decision = ask(policy, 'ivan', { verb: 'get', resource: 'pods', namespace: 'shop' });
  assert.equal(decision.allowed, false);
  assert.deepEqual(
    decision.unresolvedBindings.map((binding) => binding.name),
    ['ghost'],
  );
});

test('the request is built as the API server builds it', () => {
  assert.deepEqual(request({ verb: 'get', resource: 'namespaces', name: 'shop' }), {
    kind: 'resource',
    verb: 'get',
    apiGroup: '',
    resource: 'namespaces',
    subresource: '',
    name: 'shop',
    namespace: 'shop',
  });
  assert.deepEqual(request({ verb: 'create', resource: 'deployments.apps/scale', namespace: 'shop', name: 'web' }), {
    kind: 'resource',
    verb: 'create',
    apiGroup: 'apps',
    resource: 'deployments',
    subresource: 'scale',
    name: 'web',
    namespace: 'shop',
  });
  assert.deepEqual(request({ verb: 'get', resource: '/healthz', namespace: 'shop' }), { kind: 'nonResource', verb: 'get', path: '/healthz' });
});
