/**
 * ValidatingAdmissionPolicy offline, with the policies of the Kubernetes
 * documentation ("Validating Admission Policy" task and concept pages).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadText } from '../../load/load.js';
import type { KubeObject } from '../../model/types.js';
import { parseKubernetesVersion } from '../environment.js';
import type { BindingOutcome, UserInfo } from './evaluate.js';
import { testPolicies, type PolicyTestResult } from './index.js';

function objects(yaml: string, file: string): KubeObject[] {
  const batch = loadText(yaml, file);
  assert.deepEqual(batch.diagnostics, []);
  return batch.objects;
}

function evaluate(policies: string, resources: string, options: { namespaces?: string; version?: string; user?: UserInfo } = {}): PolicyTestResult {
  const version = parseKubernetesVersion(options.version ?? 'latest');
  assert.ok(version !== undefined);
  return testPolicies({
    policyObjects: objects(policies, 'policies.yaml'),
    resources: objects(resources, 'resources.yaml'),
    namespaceObjects: options.namespaces === undefined ? [] : objects(options.namespaces, 'namespaces.yaml'),
    version,
    ...(options.user !== undefined ? { user: options.user } : {}),
  });
}

function only(result: PolicyTestResult, objectName: string): BindingOutcome {
  const request = result.requests.find((candidate) => candidate.object.name === objectName);
  assert.ok(request !== undefined, `no request for ${objectName}`);
  assert.equal(request.bindings.length, 1, `expected one matching binding for ${objectName}, got ${request.bindings.length}`);
  return request.bindings[0] as BindingOutcome;
}

function deployment(name: string, replicas: number, namespace = 'default', labels: Record<string, string> = {}): string {
  return `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: ${JSON.stringify(labels)}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: example.com/${name}:1
`;
}

const DEMO_POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
`;

const NAMESPACES = `
apiVersion: v1
kind: Namespace
metadata: {name: test-ns, labels: {environment: test}}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod-ns, labels: {environment: prod}}
`;

describe('the documentation example: replicas <= 5 in test namespaces', () => {
  const result = evaluate(DEMO_POLICY, deployment('big', 6, 'test-ns') + deployment('small', 3, 'test-ns') + deployment('prod-big', 6, 'prod-ns'), { namespaces: NAMESPACES });
  it('denies the deployment with 6 replicas with the Kubernetes message', () => {
    const outcome = only(result, 'big');
    assert.equal(outcome.decision, 'deny');
    assert.deepEqual(outcome.denials, ["ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5"]);
  });
  it('admits 3 replicas', () => {
    assert.equal(only(result, 'small').decision, 'admit');
  });
  it('does not apply outside namespaces labelled environment=test', () => {
    const request = result.requests.find((candidate) => candidate.object.name === 'prod-big');
    assert.equal(request?.bindings.length, 0);
    assert.equal(request?.allowed, true);
  });
  it('does not apply to other resources', () => {
    const other = evaluate(DEMO_POLICY, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: test-ns}\n', { namespaces: NAMESPACES });
    assert.equal(other.requests[0]?.bindings.length, 0);
  });
});

const PARAM_POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "replicalimit-policy.example.com"
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: rules.example.com/v1
    kind: ReplicaLimit
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= params.maxReplicas"
      messageExpression: "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)"
      reason: Invalid
`;

const PARAM_BINDING = (paramRef: string, actions = '[Deny]') => `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "replicalimit-binding-test.example.com"
spec:
  policyName: "replicalimit-policy.example.com"
  validationActions: ${actions}
  paramRef:
${paramRef}
`;

const REPLICA_LIMITS = `---
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata:
  name: "replica-limit-test.example.com"
  namespace: "default"
  labels: {tier: small}
maxReplicas: 3
---
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata:
  name: "replica-limit-prod.example.com"
  namespace: "default"
  labels: {tier: large}
maxReplicas: 100
`;

describe('params (paramKind, paramRef)', () => {
  it('by name: the messageExpression gives the message', () => {
    const result = evaluate(PARAM_POLICY + PARAM_BINDING('    name: "replica-limit-test.example.com"\n    namespace: "default"\n    parameterNotFoundAction: Deny') + REPLICA_LIMITS, deployment('web', 4));
    const outcome = only(result, 'web');
    assert.equal(outcome.decision, 'deny');
    assert.deepEqual(outcome.params, ['default/replica-limit-test.example.com']);
    assert.deepEqual(outcome.denials, ["ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding 'replicalimit-binding-test.example.com' denied request: object.spec.replicas must be no greater than 3"]);
  });
  it('by selector: every selected param must pass', () => {
    const result = evaluate(PARAM_POLICY + PARAM_BINDING('    selector: {}\n    parameterNotFoundAction: Deny') + REPLICA_LIMITS, deployment('web', 4));
    const outcome = only(result, 'web');
    assert.equal(outcome.decision, 'deny');
    assert.deepEqual([...outcome.params].sort(), ['default/replica-limit-prod.example.com', 'default/replica-limit-test.example.com']);
    assert.equal(outcome.denials.length, 1);
  });
  it('the namespace of a param defaults to the request namespace', () => {
    const result = evaluate(PARAM_POLICY + PARAM_BINDING('    selector: {matchLabels: {tier: large}}\n    parameterNotFoundAction: Deny') + REPLICA_LIMITS, deployment('web', 4) + deployment('other', 4, 'elsewhere'));
    assert.equal(only(result, 'web').decision, 'admit');
    const other = only(result, 'other');
    assert.equal(other.decision, 'deny');
    assert.match(other.denials[0] ?? '', /no params found for policy binding \(ReplicaLimit matching the selector in namespace elsewhere\), and parameterNotFoundAction is Deny/);
  });
  it('parameterNotFoundAction Allow admits and says so', () => {
    const result = evaluate(PARAM_POLICY + PARAM_BINDING('    name: missing\n    parameterNotFoundAction: Allow') + REPLICA_LIMITS, deployment('web', 4));
    const outcome = only(result, 'web');
    assert.equal(outcome.decision, 'admit');
    assert.match(outcome.notes[0] ?? '', /parameterNotFoundAction Allow admits/);
  });
  it('a paramKind that exists nowhere follows failurePolicy Fail', () => {
    const result = evaluate(PARAM_POLICY + PARAM_BINDING('    name: x\n    parameterNotFoundAction: Deny'), deployment('web', 1));
    const outcome = only(result, 'web');
    assert.equal(outcome.decision, 'deny');
    assert.match(outcome.denials[0] ?? '', /failed to find resource referenced by paramKind: 'rules.example.com\/v1, Kind=ReplicaLimit'/);
  });
  it('... and failurePolicy Ignore admits and says so', () => {
    const result = evaluate(PARAM_POLICY.replace('failurePolicy: Fail', 'failurePolicy: Ignore') + PARAM_BINDING('    name: x\n    parameterNotFoundAction: Deny'), deployment('web', 1));
    const outcome = only(result, 'web');
    assert.equal(outcome.decision, 'admit');
    assert.match(outcome.notes[0] ?? '', /^ignored by failurePolicy Ignore: failed to configure policy/);
  });
  it('a CRD in the input makes the param kind known even without params', () => {
    const crd = `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: replicalimits.rules.example.com}
spec:
  group: rules.example.com
  names: {kind: ReplicaLimit, plural: replicalimits}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
`;
    const result = evaluate(PARAM_POLICY + PARAM_BINDING('    name: x\n    parameterNotFoundAction: Deny') + crd, deployment('web', 1));
    assert.match(only(result, 'web').denials[0] ?? '', /no params found/);
  });
});

describe('matchConditions, variables, auditAnnotations, actions', () => {
  const policy = (extra: string, actions = '[Deny]', failurePolicy = 'Fail') => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: "demo-policy.example.com"}
spec:
  failurePolicy: ${failurePolicy}
  matchConstraints:
    resourceRules:
    - apiGroups:   ["*"]
      apiVersions: ["*"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["*"]
${extra}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: "demo-binding.example.com"}
spec:
  policyName: "demo-policy.example.com"
  validationActions: ${actions}
`;
  const MATCH_CONDITIONS = `  matchConditions:
    - name: 'exclude-leases'
      expression: '!(request.resource.group == "coordination.k8s.io" && request.resource.resource == "leases")'
    - name: 'exclude-kubelet-requests'
      expression: '!("system:nodes" in request.userInfo.groups)'
    - name: 'rbac'
      expression: 'request.resource.group != "rbac.authorization.k8s.io"'
  validations:
    - expression: "!object.metadata.name.contains('demo') || object.metadata.namespace == 'demo'"
`;
  const lease = 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: demo-lease, namespace: default}\n';
  const configMap = '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: demo-config, namespace: default}\n';

  it('matchConditions exclude leases and kubelet requests (documentation example)', () => {
    const result = evaluate(policy(MATCH_CONDITIONS), `${lease}${configMap}`);
    assert.equal(result.requests.find((request) => request.object.kind === 'Lease')?.bindings.length, 0);
    assert.equal(only(result, 'demo-config').decision, 'deny');
    const asNode = evaluate(policy(MATCH_CONDITIONS), configMap, { user: { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] } });
    assert.equal(asNode.requests[0]?.bindings.length, 0);
  });

  it('variables: image must match the namespace environment (documentation example)', () => {
    const extra = `  variables:
  - name: environment
    expression: "'environment' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['environment'] : 'prod'"
  - name: exempt
    expression: "'exempt' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['exempt'] == 'true'"
  - name: containers
    expression: "object.spec.template.spec.containers"
  - name: containersToCheck
    expression: "variables.containers.filter(c, c.image.contains('example.com/'))"
  validations:
  - expression: "variables.exempt || variables.containersToCheck.all(c, c.image.startsWith(variables.environment + '.'))"
    messageExpression: "'only ' + variables.environment + ' images are allowed in namespace ' + namespaceObject.metadata.name"
`;
    const result = evaluate(policy(extra), deployment('web', 1, 'test-ns'), { namespaces: NAMESPACES });
    const outcome = only(result, 'web');
    assert.equal(outcome.decision, 'deny');
    assert.match(outcome.denials[0] ?? '', /denied request: only test images are allowed in namespace test-ns$/);
  });

  it('auditAnnotations (documentation example) and the Audit action', () => {
    const extra = `  validations:
    - expression: "object.spec.replicas <= 50"
  auditAnnotations:
    - key: "high-replica-count"
      valueExpression: "object.spec.replicas > 50 ? 'Deployment spec.replicas set to ' + string(object.spec.replicas) : null"
`;
    const result = evaluate(policy(extra, '[Audit]'), deployment('huge', 128) + deployment('fine', 2));
    const huge = only(result, 'huge');
    assert.equal(huge.decision, 'admit');
    assert.equal(huge.auditAnnotations['demo-policy.example.com/high-replica-count'], 'Deployment spec.replicas set to 128');
    const failures = JSON.parse(huge.auditAnnotations['validation.policy.admission.k8s.io/validation_failure'] ?? '[]') as unknown[];
    assert.deepEqual(failures, [{ message: 'failed expression: object.spec.replicas <= 50', policy: 'demo-policy.example.com', binding: 'demo-binding.example.com', expressionIndex: 0, validationActions: ['Audit'] }]);
    assert.deepEqual(only(result, 'fine').auditAnnotations, {});
  });

  it('Warn turns a violation into a warning and admits', () => {
    const extra = '  validations:\n    - expression: "object.spec.replicas <= 5"\n      message: "too many replicas"\n';
    const outcome = only(evaluate(policy(extra, '[Warn, Audit]'), deployment('web', 9)), 'web');
    assert.equal(outcome.decision, 'admit');
    assert.deepEqual(outcome.warnings, ["Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding.example.com': too many replicas"]);
  });

  it('a runtime type error follows failurePolicy: Fail denies, Ignore admits, both say why', () => {
    const extra = "  validations:\n    - expression: \"object.spec.replicas > 'three'\"\n";
    const failed = only(evaluate(policy(extra), deployment('web', 1)), 'web');
    assert.equal(failed.decision, 'deny');
    assert.match(failed.denials[0] ?? '', /expression 'object.spec.replicas > 'three'' resulted in error: .*no matching overload.*\(spec\.validations\[0\]\.expression\)/);
    const ignored = only(evaluate(policy(extra, '[Deny]', 'Ignore'), deployment('web', 1)), 'web');
    assert.equal(ignored.decision, 'admit');
    assert.match(ignored.notes[0] ?? '', /^ignored by failurePolicy Ignore: expression/);
  });

  it('an expression that does not compile names policy, field and position, and follows failurePolicy', () => {
    const extra = '  validations:\n    - expression: "object.spec.replicas <= 5"\n    - expression: "object.spec.replicas <="\n';
    const result = evaluate(policy(extra), deployment('web', 1));
    const diagnostic = result.diagnostics.find((candidate) => candidate.code === 'policy-invalid');
    assert.ok(diagnostic !== undefined);
    assert.match(diagnostic.message, /^ValidatingAdmissionPolicy "demo-policy.example.com": spec\.validations\[1\]\.expression: expression does not compile on Kubernetes 1\.34 \(line 1, column \d+ of the expression\): Syntax error/);
    assert.equal(diagnostic.file, 'policies.yaml');
    assert.equal(diagnostic.line, 15);
    const outcome = only(result, 'web');
    assert.equal(outcome.decision, 'deny');
    assert.match(outcome.denials[0] ?? '', /compilation failed/);
  });

  it('a function the Kubernetes version lacks is a compile error that says so', () => {
    const extra = "  validations:\n    - expression: \"isQuantity('1')\"\n";
    const result = evaluate(policy(extra), deployment('web', 1), { version: '1.27' });
    assert.match(result.diagnostics[0]?.message ?? '', /function 'isQuantity' is not available in Kubernetes 1\.27: the Kubernetes quantity library was added in 1\.28/);
  });

  it('the cost budget stops a hostile expression, and failurePolicy decides', () => {
    const extra = '  validations:\n    - expression: "object.data.all(x, object.data.all(y, object.data.all(z, true)))"\n';
    const data = Array.from({ length: 200 }, (_unused, index) => `k${index}: v`).join(', ');
    const result = evaluate(policy(extra), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hostile, namespace: default}\ndata: {${data}}\n`);
    const outcome = only(result, 'hostile');
    assert.equal(outcome.decision, 'deny');
    assert.match(outcome.denials[0] ?? '', /cost limit exceeded/);
  });

  it('objectSelector and excludeResourceRules', () => {
    const constrained = policy('  validations:\n    - expression: "false"\n').replace(
      '      resources:   ["*"]',
      '      resources:   ["*"]\n    excludeResourceRules:\n    - apiGroups: [""]\n      apiVersions: ["v1"]\n      operations: ["*"]\n      resources: ["configmaps"]\n    objectSelector:\n      matchLabels: {checked: "yes"}',
    );
    const result = evaluate(constrained, deployment('labelled', 1, 'default', { checked: 'yes' }) + deployment('unlabelled', 1) + '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default, labels: {checked: "yes"}}\n');
    assert.equal(only(result, 'labelled').decision, 'deny');
    assert.equal(result.requests.find((request) => request.object.name === 'unlabelled')?.bindings.length, 0);
    assert.equal(result.requests.find((request) => request.object.name === 'cm')?.bindings.length, 0);
  });

  it('request, namespaceObject and params variables are bound; oldObject is null on CREATE', () => {
    const extra = `  validations:
    - expression: "request.operation == 'CREATE' && oldObject == null && params == null && request.namespace == 'test-ns' && namespaceObject.metadata.labels.environment == 'test' && request.kind.kind == 'Deployment' && request.resource.resource == 'deployments'"
`;
    assert.equal(only(evaluate(policy(extra), deployment('web', 1, 'test-ns'), { namespaces: NAMESPACES }), 'web').decision, 'admit');
  });
});

describe('bindings to missing policies', () => {
  it('are reported and ignored, as Kubernetes ignores them', () => {
    const binding = 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: orphan}\nspec: {policyName: nowhere, validationActions: [Deny]}\n';
    const result = evaluate(binding, deployment('web', 1));
    assert.equal(result.requests[0]?.allowed, true);
    assert.match(result.notes[0] ?? '', /orphan refers to ValidatingAdmissionPolicy nowhere, which is not in the input; Kubernetes ignores such a binding/);
  });
});

describe('the authorizer variable, answered by the RBAC objects of the input', () => {
  const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: escalation}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  validations:
  - expression: "authorizer.group('rbac.authorization.k8s.io').resource('clusterroles').check('escalate').allowed()"
    messageExpression: "'user may not escalate: ' + authorizer.group('rbac.authorization.k8s.io').resource('clusterroles').check('escalate').reason()"
  - expression: "authorizer.requestResource.check('delete').allowed() == authorizer.group('').resource('configmaps').namespace(object.metadata.namespace).name(object.metadata.name).check('delete').allowed()"
  - expression: "!authorizer.serviceAccount('kube-system', 'nobody').group('').resource('secrets').check('get').allowed()"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: escalation}
spec: {policyName: escalation, validationActions: [Deny]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: escalator}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-escalates}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: escalator}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`;
  const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default}\n';
  it('allows a user the RBAC objects allow, naming the binding', () => {
    assert.equal(only(evaluate(policy, configMap, { user: { username: 'alice', groups: ['system:authenticated'] } }), 'cm').decision, 'admit');
  });
  it('denies another user with the reason', () => {
    const outcome = only(evaluate(policy, configMap, { user: { username: 'bob', groups: ['system:authenticated'] } }), 'cm');
    assert.equal(outcome.decision, 'deny');
    assert.match(outcome.denials[0] ?? '', /user may not escalate: no RBAC rule in the input allows it/);
  });
  it('system:masters is allowed everything', () => {
    assert.equal(only(evaluate(policy, configMap), 'cm').decision, 'admit');
  });
  it('the authorizer library does not exist before 1.27', () => {
    const result = evaluate(policy, configMap, { version: '1.26' });
    assert.match(result.diagnostics[0]?.message ?? '', /function 'group' is not available in Kubernetes 1\.26: the Kubernetes authz library was added in 1\.27/);
  });
});

describe('AdmissionReview files: UPDATE and DELETE with oldObject', () => {
  const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-scale-down}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [UPDATE, DELETE], resources: [deployments, deployments/scale]}]
    objectSelector: {matchLabels: {protected: "true"}}
  validations:
  - expression: "request.operation != 'DELETE'"
    message: protected deployments cannot be deleted
  - expression: "request.operation != 'UPDATE' || object.spec.replicas >= oldObject.spec.replicas"
    messageExpression: "'scaling down from ' + string(oldObject.spec.replicas) + ' to ' + string(object.spec.replicas) + ' by ' + request.userInfo.username"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-scale-down}
spec: {policyName: no-scale-down, validationActions: [Deny]}
`;
  const deploymentJson = (replicas: number, labels: Record<string, string>) =>
    JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels }, spec: { replicas } });
  const review = (name: string, operation: string, object: string, oldObject: string) => `---
apiVersion: admission.k8s.io/v1
kind: AdmissionReview
metadata: {name: ${name}}
request:
  uid: 0b7a
  kind: {group: apps, version: v1, kind: Deployment}
  resource: {group: apps, version: v1, resource: deployments}
  name: web
  namespace: shop
  operation: ${operation}
  userInfo: {username: carol, groups: [devs, system:authenticated]}
  object: ${object}
  oldObject: ${oldObject}
`;
  const resources =
    review('scale-down', 'UPDATE', deploymentJson(1, { protected: 'true' }), deploymentJson(3, { protected: 'true' })) +
    review('scale-up', 'UPDATE', deploymentJson(5, { protected: 'true' }), deploymentJson(3, { protected: 'true' })) +
    review('delete', 'DELETE', 'null', deploymentJson(3, { protected: 'true' })) +
    review('unprotected', 'DELETE', 'null', deploymentJson(3, {}));
  const result = evaluate(policy, resources);
  const outcomes = result.requests;
  it('reads the operation, objects and user of each review', () => {
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      outcomes.map((request) => [request.operation, request.allowed]),
      [
        ['UPDATE', false],
        ['UPDATE', true],
        ['DELETE', false],
        ['DELETE', true],
      ],
    );
  });
  it('UPDATE sees oldObject and the review user', () => {
    assert.match(outcomes[0]?.bindings[0]?.denials[0] ?? '', /denied request: scaling down from 3 to 1 by carol$/);
  });
  it('DELETE: object is null, the object selector matches the old object', () => {
    assert.match(outcomes[2]?.bindings[0]?.denials[0] ?? '', /protected deployments cannot be deleted/);
    assert.equal(outcomes[3]?.bindings.length, 0);
  });
  it('a review without a request is a diagnostic', () => {
    const bad = evaluate(policy, 'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nmetadata: {name: empty}\n');
    assert.equal(bad.requests.length, 0);
    assert.match(bad.diagnostics[0]?.message ?? '', /AdmissionReview empty: an AdmissionReview needs a request; skipped/);
  });
});

describe('matchPolicy: Equivalent matches a resource under another version or the group it moved from', () => {
  const policy = (matchPolicy: string | undefined): string => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicas}
spec:
  matchConstraints:
${matchPolicy === undefined ? '' : `    matchPolicy: ${matchPolicy}\n`}    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations: [{expression: "object.spec.replicas <= 3", message: too many replicas}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replicas}
spec: {policyName: replicas, validationActions: [Deny]}
`;
  const legacy = (apiVersion: string, name: string): string =>
    `---\napiVersion: ${apiVersion}\nkind: Deployment\nmetadata: {name: ${name}, namespace: default}\nspec:\n  replicas: 5\n  template: {spec: {containers: [{name: app, image: app:1}]}}\n`;
  const resources = legacy('extensions/v1beta1', 'old-group') + legacy('apps/v1beta2', 'old-version') + legacy('apps/v1', 'current');
  it('Equivalent (the default): all three are judged by the apps/v1 rule', () => {
    for (const matchPolicy of ['Equivalent', undefined]) {
      const result = evaluate(policy(matchPolicy), resources);
      for (const name of ['old-group', 'old-version', 'current']) assert.equal(only(result, name).decision, 'deny', name);
    }
  });
  it('Exact: only the apps/v1 object matches', () => {
    const result = evaluate(policy('Exact'), resources);
    assert.equal(only(result, 'current').decision, 'deny');
    for (const name of ['old-group', 'old-version']) assert.equal(result.requests.find((request) => request.object.name === name)?.bindings.length ?? 0, 0, name);
  });
  it('a resource that never moved is not equivalent to another group', () => {
    const cronJobPolicy = policy('Equivalent').replace('resources: [deployments]', 'resources: [cronjobs]');
    const cronJob = '---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: cj, namespace: default}\nspec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: a:1}]}}}}}\n';
    assert.equal(evaluate(cronJobPolicy, cronJob).requests.find((request) => request.object.name === 'cj')?.bindings.length ?? 0, 0);
  });
});
