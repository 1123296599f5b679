/**
 * The default bootstrap roles and bindings (`--with-defaults`, generated from
 * ../shared/corpora/k8s-bootstrap-rbac) answer the four questions every
 * cluster review asks. Each expected subject carries the reason it is there,
 * read from the rule that grants it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CORPORA, REPO_ROOT } from '../testing/paths.js';
import { subjectKey } from './authorize.js';
import { loadBootstrapPolicy } from './defaults/index.js';
import { BOOTSTRAP_DATA_FILE, generateBootstrapData } from './defaults/generate.js';
import { ask, objectsFromYaml, policyWithDefaults, whoCanAsk } from './testSupport.js';
import type { Question } from './request.js';

const bootstrap = loadBootstrapPolicy();
const policy = policyWithDefaults(bootstrap.objects);

/** Subjects who-can lists, as `Kind/namespace/name`, without system:masters (always first, always allowed). */
function whoCan(...questions: Question[]): string[] {
  const subjects = new Set<string>();
  for (const question of questions) {
    const result = whoCanAsk(policy, question);
    assert.equal(result.entries[0]?.systemMasters, true);
    assert.deepEqual(result.unresolvedBindings, [], 'every default binding resolves');
    for (const entry of result.entries.slice(1)) subjects.add(subjectKey(entry.subject));
  }
  return [...subjects].sort();
}

test('the shipped data file is what the generator makes of the corpus', { skip: !existsSync(path.join(CORPORA, 'k8s-bootstrap-rbac')) }, () => {
  const shipped = readFileSync(path.join(REPO_ROOT, BOOTSTRAP_DATA_FILE), 'utf8');
  assert.equal(shipped, generateBootstrapData(path.join(CORPORA, 'k8s-bootstrap-rbac')));
});

test('the defaults load cleanly and name their Kubernetes version', () => {
  assert.deepEqual(bootstrap.diagnostics, []);
  assert.deepEqual(policy.diagnostics, []);
  assert.match(bootstrap.metadata.kubernetesVersion, /v1\.\d+/);
  const kinds = new Map<string, number>();
  for (const object of bootstrap.objects) kinds.set(object.kind, (kinds.get(object.kind) ?? 0) + 1);
  // 131 corpus objects plus the two supplemented ClusterRoleBindings.
  assert.equal(bootstrap.objects.length, 133);
  assert.ok((kinds.get('ClusterRole') ?? 0) > 50);
});

test('who can read Secrets cluster-wide (get, list or watch across all namespaces)', () => {
  assert.deepEqual(whoCan({ verb: 'get', resource: 'secrets' }, { verb: 'list', resource: 'secrets' }, { verb: 'watch', resource: 'secrets' }), [
    // ServiceAccounts of kube-controller-manager's controllers, each through its ClusterRoleBinding system:controller:<name>:
    // generic-garbage-collector: apiGroups [*] resources [*] verbs [get list watch patch update delete], to follow owner references of any kind.
    'ServiceAccount/kube-system/generic-garbage-collector',
    // namespace-controller: apiGroups [*] resources [*] verbs [get list watch delete deletecollection], to empty a namespace being deleted.
    'ServiceAccount/kube-system/namespace-controller',
    // resourcequota-controller: apiGroups [*] resources [*] verbs [list watch], to count objects against quotas (list and watch only, no get).
    'ServiceAccount/kube-system/resourcequota-controller',
    // The kube-controller-manager user: ClusterRole system:kube-controller-manager gets secrets (service-account token controller)
    // and lists and watches every resource (apiGroups [*] resources [*] verbs [list watch]).
    'User//system:kube-controller-manager',
  ]);
  // Not listed, and why:
  // - system:node reads Secrets, but its ClusterRoleBinding has no subjects: the Node authorizer grants kubelets what they need.
  // - edit and admin read Secrets (through system:aggregate-to-edit), and view does not, but no default binding grants them.
  // - resourcequota-controller cannot get a single Secret:
  assert.equal(ask(policy, 'sa:kube-system/resourcequota-controller', { verb: 'get', resource: 'secrets', name: 's' }).allowed, false);
  assert.equal(ask(policy, 'sa:kube-system/resourcequota-controller', { verb: 'list', resource: 'secrets' }).allowed, true);
});

test('who can create pods in kube-system', () => {
  assert.deepEqual(whoCan({ verb: 'create', resource: 'pods', namespace: 'kube-system' }), [
    // Each through its ClusterRoleBinding, from a rule on pods with verb create; none through a RoleBinding in kube-system.
    'ServiceAccount/kube-system/daemon-set-controller', // creates a DaemonSet's pods, in any namespace
    'ServiceAccount/kube-system/job-controller', // creates a Job's pods
    'ServiceAccount/kube-system/persistent-volume-binder', // creates recycler pods for released volumes
    'ServiceAccount/kube-system/replicaset-controller', // creates a ReplicaSet's pods
    'ServiceAccount/kube-system/replication-controller', // creates a ReplicationController's pods
    'ServiceAccount/kube-system/statefulset-controller', // creates a StatefulSet's pods
  ]);
  // The scheduler only binds pods (pods/binding), it does not create them.
  assert.equal(ask(policy, 'system:kube-scheduler', { verb: 'create', resource: 'pods', namespace: 'kube-system' }).allowed, false);
  assert.equal(ask(policy, 'system:kube-scheduler', { verb: 'create', resource: 'pods/binding', namespace: 'kube-system', name: 'p' }).allowed, true);
  // Creating a pod in kube-system is the same permission as creating a pod anywhere for these controllers: their bindings are cluster-wide.
  assert.equal(ask(policy, 'sa:kube-system/job-controller', { verb: 'create', resource: 'pods', namespace: 'shop' }).allowed, true);
});

test('who can escalate or bind (roles and cluster roles)', () => {
  assert.deepEqual(
    whoCan(
      { verb: 'escalate', resource: 'clusterroles' },
      { verb: 'escalate', resource: 'roles' },
      { verb: 'bind', resource: 'clusterroles' },
      { verb: 'bind', resource: 'roles' },
      { verb: 'escalate', resource: 'roles', namespace: 'kube-system' },
      { verb: 'bind', resource: 'roles', namespace: 'kube-system' },
    ),
    [
      // clusterrole-aggregation-controller: ClusterRole system:controller:clusterrole-aggregation-controller rule 0 grants
      // escalate (with get list watch update patch) on clusterroles, so it can write aggregated rules it does not itself hold.
      'ServiceAccount/kube-system/clusterrole-aggregation-controller',
    ],
  );
  // It may escalate but not bind: it never creates bindings.
  assert.equal(ask(policy, 'sa:kube-system/clusterrole-aggregation-controller', { verb: 'bind', resource: 'clusterroles', name: 'admin' }).allowed, false);
  assert.equal(ask(policy, 'sa:kube-system/clusterrole-aggregation-controller', { verb: 'escalate', resource: 'clusterroles', name: 'admin' }).allowed, true);
  // And only cluster roles: escalate on roles in a namespace is not granted.
  assert.equal(ask(policy, 'sa:kube-system/clusterrole-aggregation-controller', { verb: 'escalate', resource: 'roles', namespace: 'kube-system', name: 'r' }).allowed, false);
});

test('who can impersonate (users, groups, service accounts, uids, user extras)', () => {
  assert.deepEqual(
    whoCan(
      { verb: 'impersonate', resource: 'users' },
      { verb: 'impersonate', resource: 'groups' },
      { verb: 'impersonate', resource: 'serviceaccounts' },
      { verb: 'impersonate', resource: 'serviceaccounts', namespace: 'kube-system' },
      { verb: 'impersonate', resource: 'uids' },
      { verb: 'impersonate', resource: 'userextras/scopes' },
    ),
    // Nobody but system:masters: no default ClusterRoleBinding or kube-system RoleBinding grants impersonate.
    [],
  );
  // The default roles that do grant it are unbound: edit (and so admin) impersonate service accounts in their namespace,
  // through ClusterRole system:aggregate-to-edit. Bind edit to a user in a namespace and the user can:
  const withEdit = policyWithDefaults(
    bootstrap.objects,
    objectsFromYaml(`apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]`),
  );
  const decision = ask(withEdit, 'dev', { verb: 'impersonate', resource: 'serviceaccounts', namespace: 'shop', name: 'default' });
  assert.equal(decision.allowed, true);
  assert.equal(decision.grants[0]?.role.name, 'edit');
  assert.equal(decision.grants[0]?.rule.definedIn.name, 'system:aggregate-to-edit');
  assert.equal(ask(withEdit, 'dev', { verb: 'impersonate', resource: 'users', name: 'admin' }).allowed, false);
});

test('edit, view and admin come out of aggregation as the documentation describes them', () => {
  const bound = policyWithDefaults(
    bootstrap.objects,
    objectsFromYaml(
      ['view', 'edit', 'admin']
        .map(
          (role) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${role}, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: User, name: ${role}-user, apiGroup: rbac.authorization.k8s.io}]`,
        )
        .join('\n---\n'),
    ),
  );
  const can = (who: string, question: Question): boolean => ask(bound, who, { namespace: 'shop', ...question }).allowed;
  // view: read most objects, but not Secrets, and nothing else.
  assert.equal(can('view-user', { verb: 'list', resource: 'pods' }), true);
  assert.equal(can('view-user', { verb: 'get', resource: 'deployments.apps', name: 'web' }), true);
  assert.equal(can('view-user', { verb: 'get', resource: 'secrets', name: 's' }), false);
  assert.equal(can('view-user', { verb: 'create', resource: 'pods' }), false);
  assert.equal(can('view-user', { verb: 'list', resource: 'roles' }), false);
  // edit: read and write most objects, Secrets and pods/exec included, but not roles or bindings.
  assert.equal(can('edit-user', { verb: 'get', resource: 'secrets', name: 's' }), true);
  assert.equal(can('edit-user', { verb: 'create', resource: 'pods/exec', name: 'p' }), true);
  assert.equal(can('edit-user', { verb: 'create', resource: 'deployments' }), true);
  assert.equal(can('edit-user', { verb: 'create', resource: 'rolebindings' }), false);
  assert.equal(can('edit-user', { verb: 'list', resource: 'pods' }), true, 'edit aggregates view');
  // admin: edit plus roles and role bindings in the namespace; still nothing cluster-scoped.
  assert.equal(can('admin-user', { verb: 'create', resource: 'rolebindings' }), true);
  assert.equal(can('admin-user', { verb: 'create', resource: 'roles' }), true);
  assert.equal(can('admin-user', { verb: 'get', resource: 'secrets', name: 's' }), true, 'admin aggregates edit');
  assert.equal(can('admin-user', { verb: 'get', resource: 'nodes', name: 'n' }), false);
  assert.equal(can('admin-user', { verb: 'delete', resource: 'namespaces', name: 'shop' }), false);
  assert.deepEqual(bound.roles.get('ClusterRole/admin')?.aggregatedFrom, ['edit', 'system:aggregate-to-admin']);
});

test('every authenticated user gets discovery and self-review, anonymous only the public info', () => {
  assert.equal(ask(policy, 'someone', { verb: 'get', resource: '/api' }).allowed, true);
  assert.equal(ask(policy, 'someone', { verb: 'create', resource: 'selfsubjectaccessreviews' }).allowed, true);
  assert.equal(ask(policy, 'anonymous', { verb: 'get', resource: '/version' }).allowed, true);
  assert.equal(ask(policy, 'anonymous', { verb: 'get', resource: '/api' }).allowed, false);
  assert.equal(ask(policy, 'sa:shop/app', { verb: 'get', resource: '/openid/v1/jwks' }).allowed, true, 'supplemented service-account-issuer-discovery binding');
  assert.equal(ask(policy, 'someone', { verb: 'get', resource: '/openid/v1/jwks' }).allowed, false);
});
