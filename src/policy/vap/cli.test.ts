/** `rampart policy test` end to end: exit codes, table and JSON. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const BIN = fileURLToPath(new URL('../../../bin/rampart.js', import.meta.url));

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: object.spec.replicas <= 5
    messageExpression: "'replicas ' + string(object.spec.replicas) + ' > 5'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas}
spec: {policyName: max-replicas, validationActions: [Deny]}
`;

function setup(replicas: number): { policies: string; resources: string; expect: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
  const policies = join(dir, 'policies.yaml');
  const resources = join(dir, 'resources.yaml');
  const expect = join(dir, 'expect.yaml');
  writeFileSync(policies, POLICY);
  writeFileSync(resources, `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: ${replicas}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: small}\nspec: {replicas: 1}\n`);
  writeFileSync(
    expect,
    `apiVersion: rampart.dev/v1alpha1
kind: PolicyTestExpectations
metadata: {name: replicas}
expectations:
- name: web is denied for its replicas
  object: {kind: Deployment, name: web, namespace: default}
  allowed: false
  denials: ["replicas 9 > 5"]
- name: small is admitted without warnings
  object: {name: small}
  allowed: true
  warnings: []
`,
  );
  return { policies, resources, expect };
}

function rampart(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rampart policy test', () => {
  it('exit 1 and the Kubernetes message when a request is denied', () => {
    const { policies, resources } = setup(9);
    const result = rampart('policy', 'test', '--policies', policies, '--resources', resources);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /CREATE apps\/v1\/Deployment default\/web .* DENIED/);
    assert.match(result.stdout, /denied request: replicas 9 > 5/);
  });
  it('exit 0 and JSON when every request is admitted', () => {
    const { policies, resources } = setup(2);
    const result = rampart('policy', 'test', '--policies', policies, '--resources', resources, '--format', 'json', '--user', 'alice', '--groups', 'dev,ops');
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { summary: { denied: number }; user: { username: string; groups: string[] } };
    assert.equal(json.summary.denied, 0);
    assert.deepEqual(json.user, { username: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  });
  it('--expect: exit 0 when every expectation holds, even though a request is denied; JUnit lists them', () => {
    const { policies, resources, expect } = setup(9);
    const table = rampart('policy', 'test', '--policies', policies, '--resources', resources, '--expect', expect);
    assert.equal(table.status, 0, table.stdout);
    assert.match(table.stdout, /2 expectations: 2 passed, 0 failed/);
    const junit = rampart('policy', 'test', '--policies', policies, '--resources', resources, '--expect', expect, '--format', 'junit');
    assert.equal(junit.status, 0);
    assert.match(junit.stdout, /<testsuites name="rampart policy test" tests="2" failures="0">/);
    assert.match(junit.stdout, /<testcase classname="[^"]*expect.yaml" name="web is denied for its replicas"/);
  });
  it('--expect: exit 1 and a JUnit failure when an expectation does not hold', () => {
    const { policies, resources, expect } = setup(2);
    const junit = rampart('policy', 'test', '--policies', policies, '--resources', resources, '--expect', expect, '--format', 'junit');
    assert.equal(junit.status, 1);
    assert.match(junit.stdout, /failures="1"/);
    assert.match(junit.stdout, /<failure message="expected denied, was admitted">/);
  });
  it('--old: a resource with a stored version is an UPDATE with oldObject, a stored version without one a DELETE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
    const policies = join(dir, 'policies.yaml');
    const resources = join(dir, 'new.yaml');
    const old = join(dir, 'old.yaml');
    writeFileSync(
      policies,
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-scale-down-by-half}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [UPDATE, DELETE], resources: [deployments]}
  validations:
  - expression: "request.operation != 'UPDATE' || object.spec.replicas * 2 >= oldObject.spec.replicas"
    messageExpression: "'scaling ' + oldObject.metadata.name + ' from ' + string(oldObject.spec.replicas) + ' to ' + string(object.spec.replicas)"
  - expression: "request.operation != 'DELETE' || object == null && !has(oldObject.metadata.labels)"
    message: labelled deployments may not be deleted
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-scale-down-by-half}
spec: {policyName: no-scale-down-by-half, validationActions: [Deny]}
`,
    );
    const deployment = (name: string, replicas: number, labels = ''): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}${labels}}\nspec: {replicas: ${replicas}}\n`;
    writeFileSync(old, [deployment('web', 10), deployment('api', 4), deployment('legacy', 1, ', labels: {keep: "yes"}')].join('---\n'));
    writeFileSync(resources, [deployment('web', 2), deployment('api', 3), deployment('fresh', 1)].join('---\n'));
    const result = rampart('policy', 'test', '--policies', policies, '--resources', resources, '--old', old, '--format', 'json');
    assert.equal(result.status, 1, result.stderr);
    const json = JSON.parse(result.stdout) as { requests: { operation: string; object: { name: string }; allowed: boolean; bindings: { denials?: string[]; messages?: string[] }[] }[] };
    const verdicts = json.requests.map((request) => [request.operation, request.object.name, request.allowed]);
    assert.deepEqual(verdicts, [
      ['UPDATE', 'web', false],
      ['UPDATE', 'api', true],
      ['CREATE', 'fresh', true],
      ['DELETE', 'legacy', false],
    ]);
    assert.match(JSON.stringify(json.requests[0]), /scaling web from 10 to 2/);
    assert.match(JSON.stringify(json.requests[3]), /labelled deployments may not be deleted/);
  });
  it('exit 2 for a bad --kubernetes-version', () => {
    const { policies, resources } = setup(2);
    const result = rampart('policy', 'test', '--policies', policies, '--resources', resources, '--kubernetes-version', '2.0');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--kubernetes-version must be 1\.N/);
  });
});
