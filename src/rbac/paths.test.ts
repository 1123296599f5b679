/**
 * Escalation paths: every edge type at least once, the shortest path first,
 * and the eight badPods scenarios combined with a service account that may
 * create pods.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CORPORA } from '../testing/paths.js';
import { buildPathGraph, findPaths, parseSubjectSpec, parseWorkloadSpec, PathInputBuilder, resolveWitness, type EscalationPath, type PathTarget } from './paths.js';
import { buildRbacPolicy } from './policy.js';
import { objectsFromYaml } from './testSupport.js';

function graphOf(yaml: string, file = 'paths.yaml') {
  const objects = objectsFromYaml(yaml, file);
  const inputs = new PathInputBuilder();
  for (const object of objects) inputs.add(object);
  return buildPathGraph(buildRbacPolicy(objects), inputs.finish());
}

function pathFrom(yaml: string, from: string, target: PathTarget): EscalationPath | undefined {
  const start = from.includes('/') && /^[A-Z]/.test(from) ? parseWorkloadSpec(from) : parseSubjectSpec(from);
  assert.equal(typeof start, 'string', `bad start ${from}`);
  return findPaths(graphOf(yaml), { target, from: [start as string] }).paths[0];
}

const kinds = (found: EscalationPath | undefined): string[] => found?.steps.map((step) => step.kind) ?? [];

const role = (kind: 'Role' | 'ClusterRole', name: string, namespace: string | undefined, rules: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${namespace === undefined ? '' : `, namespace: ${namespace}`}}
rules:
${rules}
---
`;
const bind = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, namespace: string | undefined, roleKind: string, roleName: string, subject: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${namespace === undefined ? '' : `, namespace: ${namespace}`}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${roleName}}
subjects:
- ${subject}
---
`;

const CLUSTER_ADMIN = role('ClusterRole', 'cluster-admin', undefined, `- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]`);
/** A cluster-admin service account whose DaemonSet (token mounted) runs on every node. */
const PRIVILEGED_AGENT = `${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'agent', undefined, 'ClusterRole', 'cluster-admin', '{kind: ServiceAccount, name: agent, namespace: kube-system}')}apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  template:
    spec:
      serviceAccountName: agent
      containers: [{name: agent, image: agent}]
---
`;
const POD_CREATOR = `${role('Role', 'pod-creator', 'default', `- apiGroups: [""]
  resources: [pods]
  verbs: [create]`)}${bind('RoleBinding', 'attacker', 'default', 'Role', 'pod-creator', '{kind: ServiceAccount, name: attacker}')}`;

describe('edge types', () => {
  test('wildcard-admin: a subject bound to * on * is cluster-admin in one step, with the binding and rule as witnesses', () => {
    const found = pathFrom(`${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'ops', undefined, 'ClusterRole', 'cluster-admin', '{kind: User, name: alice}')}`, 'user:alice', 'cluster-admin');
    assert.deepEqual(kinds(found), ['wildcard-admin']);
    const witnesses = found!.steps[0]!.witnesses.map(resolveWitness);
    assert.equal(witnesses[0]!.what, 'ClusterRoleBinding ops');
    assert.equal(witnesses[0]!.line, 9);
    assert.match(witnesses[1]!.what, /ClusterRole cluster-admin rule 0/);
    assert.equal(witnesses[1]!.line, 5);
  });

  test('system-masters and member-of: a member of system:masters is cluster-admin; a service account reaches its groups', () => {
    assert.deepEqual(kinds(pathFrom(CLUSTER_ADMIN, 'group:system:masters', 'cluster-admin')), ['system-masters']);
    const yaml = `${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'all-sas', undefined, 'ClusterRole', 'cluster-admin', '{kind: Group, name: "system:serviceaccounts:ci"}')}${bind('RoleBinding', 'x', 'ci', 'ClusterRole', 'cluster-admin', '{kind: User, name: nobody}')}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'sa:ci/default', 'cluster-admin')), ['member-of', 'wildcard-admin']);
  });

  test('a --from identity that no binding names still belongs to system:authenticated', () => {
    const yaml = `${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'oops', undefined, 'ClusterRole', 'cluster-admin', '{kind: Group, name: "system:authenticated"}')}`;
    const objects = objectsFromYaml(yaml);
    const start = parseSubjectSpec('user:stranger') as string;
    const graph = buildPathGraph(buildRbacPolicy(objects), new PathInputBuilder().finish(), { identities: [start] });
    assert.deepEqual(kinds(findPaths(graph, { target: 'cluster-admin', from: [start] }).paths[0]), ['member-of', 'wildcard-admin']);
  });

  test('create-pods, run-as-service-account: pod creators become any service account of the namespace', () => {
    const yaml = `${POD_CREATOR}${CLUSTER_ADMIN}${bind('RoleBinding', 'admin-here', 'default', 'ClusterRole', 'cluster-admin', '{kind: ServiceAccount, name: deployer}')}`;
    assert.equal(pathFrom(yaml, 'sa:default/attacker', 'cluster-admin'), undefined, 'admin of one namespace through a RoleBinding is not cluster-admin');
    const nsAdmin = `${POD_CREATOR}${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'deployer', undefined, 'ClusterRole', 'cluster-admin', '{kind: ServiceAccount, name: deployer, namespace: default}')}`;
    assert.deepEqual(kinds(pathFrom(nsAdmin, 'sa:default/attacker', 'cluster-admin')), ['create-pods', 'run-as-service-account', 'run-as-service-account', 'wildcard-admin']);
  });

  test('pod controllers count as pod creation (deployments, cronjobs, …)', () => {
    const yaml = `${role('Role', 'deployer', 'default', `- apiGroups: [batch]
  resources: [cronjobs]
  verbs: [create]`)}${bind('RoleBinding', 'd', 'default', 'Role', 'deployer', '{kind: User, name: dev}')}${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'x', undefined, 'ClusterRole', 'cluster-admin', '{kind: ServiceAccount, name: builder, namespace: default}')}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:dev', 'cluster-admin')), ['create-pods', 'run-as-service-account', 'run-as-service-account', 'wildcard-admin']);
  });

  test('acts-as-service-account honours automountServiceAccountToken (pod first, then the ServiceAccount)', () => {
    const base = `${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'x', undefined, 'ClusterRole', 'cluster-admin', '{kind: ServiceAccount, name: app, namespace: web}')}`;
    const pod = (extra: string): string => `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: web}
spec:
  serviceAccountName: app
${extra}  containers: [{name: c, image: i}]
---
`;
    assert.deepEqual(kinds(pathFrom(`${base}${pod('')}`, 'Pod/web/web', 'cluster-admin')), ['acts-as-service-account', 'wildcard-admin']);
    assert.equal(pathFrom(`${base}${pod('  automountServiceAccountToken: false\n')}`, 'Pod/web/web', 'cluster-admin'), undefined);
    const saOff = `apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: web}
automountServiceAccountToken: false
---
`;
    assert.equal(pathFrom(`${base}${saOff}${pod('')}`, 'Pod/web/web', 'cluster-admin'), undefined);
    assert.deepEqual(kinds(pathFrom(`${base}${saOff}${pod('  automountServiceAccountToken: true\n')}`, 'Pod/web/web', 'cluster-admin')), ['acts-as-service-account', 'wildcard-admin']);
  });

  test('token-request: serviceaccounts/token create becomes that service account (resourceNames narrow it)', () => {
    const yaml = `${role('Role', 'tokens', 'kube-system', `- apiGroups: [""]
  resources: [serviceaccounts/token]
  resourceNames: [agent]
  verbs: [create]`)}${bind('RoleBinding', 't', 'kube-system', 'Role', 'tokens', '{kind: User, name: mallory}')}${PRIVILEGED_AGENT}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:mallory', 'cluster-admin')), ['token-request', 'wildcard-admin']);
    const other = yaml.replace('resourceNames: [agent]', 'resourceNames: [someone-else]');
    assert.equal(pathFrom(other, 'user:mallory', 'cluster-admin'), undefined);
  });

  test('read-secrets and token-secret: readable token Secrets are new identities; cluster-wide list reaches every Secret', () => {
    const yaml = `${role('Role', 'reader', 'kube-system', `- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list]`)}${bind('RoleBinding', 'r', 'kube-system', 'Role', 'reader', '{kind: User, name: eve}')}${PRIVILEGED_AGENT}apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: agent-token
  namespace: kube-system
  annotations: {kubernetes.io/service-account.name: agent}
---
`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:eve', 'cluster-admin')), ['read-secrets', 'token-secret', 'wildcard-admin']);
    const everywhere = `${role('ClusterRole', 'reader', undefined, `- apiGroups: [""]
  resources: [secrets]
  verbs: [list]`)}${bind('ClusterRoleBinding', 'r', undefined, 'ClusterRole', 'reader', '{kind: User, name: eve}')}`;
    assert.deepEqual(kinds(pathFrom(everywhere, 'user:eve', 'secrets')), ['read-secrets']);
  });

  test('impersonate: users, groups (with a user to impersonate), service accounts', () => {
    const users = `${role('ClusterRole', 'imp', undefined, `- apiGroups: [""]
  resources: [users]
  verbs: [impersonate]`)}${bind('ClusterRoleBinding', 'i', undefined, 'ClusterRole', 'imp', '{kind: User, name: eve}')}${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'ops', undefined, 'ClusterRole', 'cluster-admin', '{kind: User, name: alice}')}`;
    assert.deepEqual(kinds(pathFrom(users, 'user:eve', 'cluster-admin')), ['impersonate', 'any-of', 'wildcard-admin']);
    const groups = `${role('ClusterRole', 'imp', undefined, `- apiGroups: [""]
  resources: [users, groups]
  verbs: [impersonate]`)}${bind('ClusterRoleBinding', 'i', undefined, 'ClusterRole', 'imp', '{kind: User, name: eve}')}`;
    assert.deepEqual(kinds(pathFrom(groups, 'user:eve', 'cluster-admin')), ['impersonate', 'system-masters']);
    const groupsOnly = groups.replace('resources: [users, groups]', 'resources: [groups]');
    assert.equal(pathFrom(groupsOnly, 'user:eve', 'cluster-admin'), undefined, 'group impersonation needs a user to impersonate');
    const sas = `${role('Role', 'imp', 'kube-system', `- apiGroups: [""]
  resources: [serviceaccounts]
  verbs: [impersonate]`)}${bind('RoleBinding', 'i', 'kube-system', 'Role', 'imp', '{kind: User, name: eve}')}${PRIVILEGED_AGENT}`;
    assert.deepEqual(kinds(pathFrom(sas, 'user:eve', 'cluster-admin')), ['impersonate', 'run-as-service-account', 'wildcard-admin']);
  });

  test('bind: bind on cluster-admin plus create clusterrolebindings is cluster-admin; in a namespace it is admin there', () => {
    const yaml = `${role('ClusterRole', 'binder', undefined, `- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles]
  verbs: [bind]
  resourceNames: [cluster-admin]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterrolebindings]
  verbs: [create]`)}${bind('ClusterRoleBinding', 'b', undefined, 'ClusterRole', 'binder', '{kind: User, name: bob}')}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:bob', 'cluster-admin')), ['bind']);
    const withoutCreate = yaml.replace('resources: [clusterrolebindings]', 'resources: [configmaps]');
    assert.equal(pathFrom(withoutCreate, 'user:bob', 'cluster-admin'), undefined);
    const namespaced = `${role('ClusterRole', 'binder', undefined, `- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles]
  verbs: [bind]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [rolebindings]
  verbs: [create]`)}${bind('RoleBinding', 'b', 'kube-system', 'ClusterRole', 'binder', '{kind: User, name: bob}')}${PRIVILEGED_AGENT}`;
    assert.deepEqual(kinds(pathFrom(namespaced, 'user:bob', 'cluster-admin')), ['bind', 'namespace-admin', 'run-as-service-account', 'wildcard-admin']);
  });

  test('escalate: escalate and update on ClusterRoles rewrites one as * on *', () => {
    const yaml = `${role('ClusterRole', 'esc', undefined, `- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles]
  verbs: [escalate, update]`)}${bind('ClusterRoleBinding', 'e', undefined, 'ClusterRole', 'esc', '{kind: User, name: carol}')}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:carol', 'cluster-admin')), ['escalate']);
    assert.equal(pathFrom(yaml.replace('escalate, update', 'escalate'), 'user:carol', 'cluster-admin'), undefined);
  });

  test('host-access, node-pods, pod-on-node: a privileged pod reaches the node and the DaemonSet tokens on it', () => {
    const yaml = `${PRIVILEGED_AGENT}apiVersion: v1
kind: Pod
metadata: {name: p, namespace: web}
spec:
  containers:
  - name: c
    image: i
    securityContext: {privileged: true}
`;
    assert.deepEqual(kinds(pathFrom(yaml, 'Pod/web/p', 'nodes')), ['host-access']);
    assert.deepEqual(kinds(pathFrom(yaml, 'Pod/web/p', 'cluster-admin')), ['host-access', 'node-pods', 'pod-on-node', 'acts-as-service-account', 'wildcard-admin']);
  });

  test('kubelet-credentials: root on a node acts with the kubelet identity (group system:nodes)', () => {
    const yaml = `${role('ClusterRole', 'node-reader', undefined, `- apiGroups: [""]
  resources: [secrets]
  verbs: [list]`)}${bind('ClusterRoleBinding', 'nodes', undefined, 'ClusterRole', 'node-reader', '{kind: Group, name: "system:nodes"}')}apiVersion: v1
kind: Pod
metadata: {name: p, namespace: web}
spec:
  volumes: [{name: root, hostPath: {path: /}}]
  containers: [{name: c, image: i}]
`;
    assert.deepEqual(kinds(pathFrom(yaml, 'Pod/web/p', 'secrets')), ['host-access', 'kubelet-credentials', 'read-secrets']);
  });

  test('nodes-proxy: exec through the kubelet into every pod', () => {
    const yaml = `${role('ClusterRole', 'proxy', undefined, `- apiGroups: [""]
  resources: [nodes/proxy]
  verbs: [get]`)}${bind('ClusterRoleBinding', 'p', undefined, 'ClusterRole', 'proxy', '{kind: User, name: mon}')}${PRIVILEGED_AGENT}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:mon', 'cluster-admin')), ['nodes-proxy', 'pod-on-node', 'acts-as-service-account', 'wildcard-admin']);
    const namespaced = yaml.replace("kind: ClusterRoleBinding\nmetadata: {name: p}", 'kind: RoleBinding\nmetadata: {name: p, namespace: kube-system}');
    assert.equal(pathFrom(namespaced, 'user:mon', 'cluster-admin'), undefined, 'nodes are cluster-scoped: a RoleBinding never grants nodes/proxy');
  });

  test('exec-into-pods: pods/exec, pods/attach and ephemeral containers in a namespace reach its pods', () => {
    for (const rule of ['resources: [pods/exec]\n  verbs: [create]', 'resources: [pods/attach]\n  verbs: [get]', 'resources: [pods/ephemeralcontainers]\n  verbs: [patch]']) {
      const yaml = `${role('Role', 'debug', 'kube-system', `- apiGroups: [""]\n  ${rule}`)}${bind('RoleBinding', 'd', 'kube-system', 'Role', 'debug', '{kind: User, name: dev}')}${PRIVILEGED_AGENT}`;
      assert.deepEqual(kinds(pathFrom(yaml, 'user:dev', 'cluster-admin')), ['exec-into-pods', 'exec-into-pod', 'acts-as-service-account', 'wildcard-admin'], rule);
    }
  });

  test('csr-approve: create, approve and a signer give a client certificate for any user', () => {
    const yaml = `${role('ClusterRole', 'csr', undefined, `- apiGroups: [certificates.k8s.io]
  resources: [certificatesigningrequests]
  verbs: [create]
- apiGroups: [certificates.k8s.io]
  resources: [certificatesigningrequests/approval]
  verbs: [update]
- apiGroups: [certificates.k8s.io]
  resources: [signers]
  verbs: [approve]`)}${bind('ClusterRoleBinding', 'c', undefined, 'ClusterRole', 'csr', '{kind: User, name: pki}')}${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'ops', undefined, 'ClusterRole', 'cluster-admin', '{kind: User, name: alice}')}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:pki', 'cluster-admin')), ['csr-approve', 'any-of', 'wildcard-admin']);
    assert.equal(pathFrom(yaml.replace('verbs: [approve]', 'verbs: [get]'), 'user:pki', 'cluster-admin'), undefined);
  });

  test('mutating-webhook: registering a mutating webhook reaches the nodes', () => {
    const yaml = `${role('ClusterRole', 'hooks', undefined, `- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations]
  verbs: [create]`)}${bind('ClusterRoleBinding', 'h', undefined, 'ClusterRole', 'hooks', '{kind: User, name: ops}')}`;
    assert.deepEqual(kinds(pathFrom(yaml, 'user:ops', 'nodes')), ['mutating-webhook']);
  });

  test('privileged-namespace: pod creation where Pod Security enforces privileged reaches a node without a bad workload in the input', () => {
    const namespace = `apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {pod-security.kubernetes.io/enforce: privileged}
---
`;
    assert.deepEqual(kinds(pathFrom(`${POD_CREATOR}${namespace}`, 'sa:default/attacker', 'nodes')), ['create-pods', 'privileged-namespace']);
    assert.equal(pathFrom(`${POD_CREATOR}${namespace.replace('privileged', 'baseline')}`, 'sa:default/attacker', 'nodes'), undefined);
  });

  test('shortest path first, and every start listed once with its own shortest path', () => {
    const yaml = `${POD_CREATOR}${PRIVILEGED_AGENT}${CLUSTER_ADMIN}${bind('ClusterRoleBinding', 'direct', undefined, 'ClusterRole', 'cluster-admin', '{kind: User, name: root}')}`;
    const result = findPaths(graphOf(yaml), { target: 'cluster-admin' });
    const lengths = result.paths.map((found) => found.steps.length);
    assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b));
    assert.equal(result.paths[0]!.start.label, 'ServiceAccount kube-system/agent');
    assert.equal(new Set(result.paths.map((found) => found.start.id)).size, result.paths.length);
    assert.equal(findPaths(graphOf(yaml), { target: 'cluster-admin', limit: 1 }).paths.length, 1);
  });
});

describe('badPods scenarios with a service account that may create pods', () => {
  /**
   * Expected per scenario. Node compromise comes from privileged containers
   * and hostPath volumes. hostPID alone is not root on the node, but it reads
   * the environment and /proc/<pid>/root of other pods' processes on the
   * node, hence their tokens: so cluster-admin (through the privileged agent
   * DaemonSet), and the nodes only as cluster-admin. hostNetwork (sniffing, loopback services) and
   * hostIPC (shared memory) give no definite step; nothing-allowed gives
   * nothing beyond the namespace's own service accounts.
   */
  const EXPECTED: Record<string, { nodes: boolean; clusterAdmin: boolean }> = {
    'everything-allowed': { nodes: true, clusterAdmin: true },
    'priv-and-hostpid': { nodes: true, clusterAdmin: true },
    priv: { nodes: true, clusterAdmin: true },
    hostpath: { nodes: true, clusterAdmin: true },
    hostpid: { nodes: true, clusterAdmin: true },
    hostnetwork: { nodes: false, clusterAdmin: false },
    hostipc: { nodes: false, clusterAdmin: false },
    'nothing-allowed': { nodes: false, clusterAdmin: false },
  };
  for (const [scenario, expected] of Object.entries(EXPECTED)) {
    test(scenario, () => {
      const file = path.join(CORPORA, 'badpods', 'manifests', scenario, 'pod', `${scenario}-exec-pod.yaml`);
      const badPod = readFileSync(file, 'utf8');
      const yaml = `${POD_CREATOR}${PRIVILEGED_AGENT}${badPod}`;
      const toNodes = pathFrom(yaml, 'sa:default/attacker', 'nodes');
      const toAdmin = pathFrom(yaml, 'sa:default/attacker', 'cluster-admin');
      assert.equal(toNodes !== undefined, expected.nodes, `${scenario}: path to nodes`);
      assert.equal(toAdmin !== undefined, expected.clusterAdmin, `${scenario}: path to cluster-admin`);
      if (expected.nodes && scenario !== 'hostpid') assert.deepEqual(kinds(toNodes), ['create-pods', 'run-like-workload', 'host-access']);
      if (scenario === 'hostpid') {
        assert.deepEqual(kinds(toNodes).slice(0, 5), ['create-pods', 'run-like-workload', 'host-pid', 'pod-on-node', 'acts-as-service-account']);
        assert.equal(kinds(toNodes).length, 6, 'hostPID reaches the node only through the cluster-admin token it steals');
      }
      if (expected.clusterAdmin) {
        assert.deepEqual(kinds(toAdmin).slice(0, 2), ['create-pods', 'run-like-workload']);
        assert.deepEqual(kinds(toAdmin).slice(-3), ['pod-on-node', 'acts-as-service-account', 'wildcard-admin']);
        assert.match(toAdmin!.steps[1]!.text, new RegExp(`Pod default/${scenario}-exec-pod`));
      }
    });
  }
});

describe('start specifications', () => {
  test('subjects and workloads', () => {
    assert.equal(parseSubjectSpec('sa:shop/ci'), 'ServiceAccount:shop/ci');
    assert.equal(parseSubjectSpec('sa:shop:ci'), 'ServiceAccount:shop/ci');
    assert.equal(parseSubjectSpec('user:alice'), 'User:alice');
    assert.equal(parseSubjectSpec('group:system:masters'), 'Group:system:masters');
    assert.ok(typeof parseSubjectSpec('alice') !== 'string');
    assert.equal(parseWorkloadSpec('deployment/shop/web'), 'Workload:Deployment/shop/web');
    assert.equal(parseWorkloadSpec('DaemonSet/kube-system/agent'), 'Workload:DaemonSet/kube-system/agent');
    assert.ok(typeof parseWorkloadSpec('pod/web') !== 'string');
  });
});

test('every step that does not follow from Kubernetes itself names an object with file and line', () => {
  const INHERENT = new Set(['member-of', 'any-of', 'node-pods', 'kubelet-credentials', 'cluster-admin-powers', 'system-masters', 'namespace-admin']);
  const badPods = ['everything-allowed', 'hostpid'].map((scenario) => readFileSync(path.join(CORPORA, 'badpods', 'manifests', scenario, 'pod', `${scenario}-exec-pod.yaml`), 'utf8'));
  const extra = `${role('ClusterRole', 'many', undefined, `- apiGroups: [""]
  resources: [nodes/proxy, users, groups, serviceaccounts/token, pods/exec]
  verbs: [get, impersonate, create]`)}${bind('ClusterRoleBinding', 'm', undefined, 'ClusterRole', 'many', '{kind: Group, name: ops}')}`;
  const graph = graphOf(`${POD_CREATOR}${PRIVILEGED_AGENT}${extra}${badPods.join('---\n')}`);
  let checked = 0;
  for (const target of ['cluster-admin', 'secrets', 'nodes'] as const) {
    for (const found of findPaths(graph, { target }).paths) {
      for (const step of found.steps) {
        if (INHERENT.has(step.kind) || step.from.startsWith('hub:pods:') && step.kind === 'run-as-service-account') continue;
        const witnesses = step.witnesses.map(resolveWitness);
        assert.ok(witnesses.some((witness) => witness.file !== undefined && (witness.line ?? 0) > 0), `${step.kind}: ${step.text}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 20, `${checked}`);
});
