/** `rampart policy export --vap` end to end: the file it writes is enforced by `rampart policy test`. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const BIN = fileURLToPath(new URL('../../../bin/rampart.js', import.meta.url));

function rampart(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: hardened, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers: [{name: app, image: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: root, namespace: shop}
spec:
  containers: [{name: app, image: a}]
`;

describe('rampart policy export --vap', () => {
  it('writes policies that rampart policy test enforces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-export-'));
    const policies = join(dir, 'pss.yaml');
    const pods = join(dir, 'pods.yaml');
    writeFileSync(pods, PODS);
    const exported = rampart('policy', 'export', '--vap', '--pss', 'baseline@v1.30,restricted@latest', '--kubernetes-version', '1.30', '-o', policies);
    assert.equal(exported.status, 0, exported.stderr);
    const yaml = readFileSync(policies, 'utf8');
    assert.equal((yaml.match(/^kind: ValidatingAdmissionPolicy$/gm) ?? []).length, 2);
    assert.equal((yaml.match(/^kind: ValidatingAdmissionPolicyBinding$/gm) ?? []).length, 2);
    assert.match(yaml, /name: rampart-pss-restricted-v1\.37/);
    const tested = rampart('policy', 'test', '--policies', policies, '--resources', pods, '--format', 'json');
    assert.equal(tested.status, 1, tested.stderr);
    const report = JSON.parse(tested.stdout) as { requests: Array<{ object: { name: string }; allowed: boolean; bindings: Array<{ denials: string[] }> }> };
    assert.deepEqual(report.requests.map((request) => [request.object.name, request.allowed]), [['hardened', true], ['root', false]]);
    const denials = report.requests[1]?.bindings.flatMap((binding) => binding.denials) ?? [];
    assert.ok(denials.some((denial) => denial.includes('runAsNonRoot != true (runAsNonRoot): container "app" must set securityContext.runAsNonRoot=true')), denials.join('\n'));
  });

  it('warns on workloads with --workloads, as PSA does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-export-'));
    const policies = join(dir, 'pss.yaml');
    const deployment = join(dir, 'deployment.yaml');
    writeFileSync(deployment, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: a, securityContext: {privileged: true}}]\n');
    assert.equal(rampart('policy', 'export', '--vap', '--pss', 'baseline', '--workloads', '-o', policies).status, 0);
    const tested = rampart('policy', 'test', '--policies', policies, '--resources', deployment, '--format', 'json');
    assert.equal(tested.status, 0, tested.stderr);
    const report = JSON.parse(tested.stdout) as { requests: Array<{ bindings: Array<{ binding: string; warnings: string[] }> }> };
    const binding = report.requests[0]?.bindings[0];
    assert.equal(binding?.binding, 'rampart-pss-baseline-v1.37-workloads');
    assert.match(binding?.warnings[0] ?? '', /would violate PodSecurity "baseline:v1\.37": privileged \(privileged\): container "app" must not set securityContext\.privileged=true/);
  });

  it('rejects bad flags with exit 2', () => {
    assert.equal(rampart('policy', 'export', '--pss', 'restricted').status, 2);
    assert.equal(rampart('policy', 'export', '--vap', '--pss', 'privileged@v1.30').status, 2);
    assert.equal(rampart('policy', 'export', '--vap', '--kubernetes-version', '1.29').status, 2);
    assert.equal(rampart('policy', 'export', '--vap', '--validation-actions', 'Deny,Warn').status, 2);
    assert.equal(rampart('policy', 'export', '--vap', '--checks', 'privileged,unknown').status, 2);
    assert.equal(rampart('policy', 'export', '--vap', '--workloads', '--workload-validation-actions', 'Block').status, 2);
  });
});
