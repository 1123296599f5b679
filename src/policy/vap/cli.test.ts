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

function setup(replicas: number): { policies: string; resources: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
  const policies = join(dir, 'policies.yaml');
  const resources = join(dir, 'resources.yaml');
  writeFileSync(policies, POLICY);
  writeFileSync(resources, `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: ${replicas}}\n`);
  return { policies, resources };
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
  it('exit 2 for a bad --kubernetes-version', () => {
    const { policies, resources } = setup(2);
    const result = rampart('policy', 'test', '--policies', policies, '--resources', resources, '--kubernetes-version', '2.0');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--kubernetes-version must be 1\.N/);
  });
});
