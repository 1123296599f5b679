import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../load/limits.js';
import { Decider } from './decide.js';
import { deployment, request, restrictedPod, webhookConfig } from './testSupport.js';
import { loadVapPolicies } from './vap.js';

const POLICIES = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
    - expression: "object.spec.replicas <= 5"
      message: "at most 5 replicas"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas-prod}
spec:
  policyName: max-replicas
  validationActions: [Deny]
  matchResources:
    namespaceSelector: {matchLabels: {env: prod}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas-dev}
spec:
  policyName: max-replicas
  validationActions: [Warn]
  matchResources:
    namespaceSelector: {matchLabels: {env: dev}}
`;

describe('ValidatingAdmissionPolicies in the webhook', () => {
  it('enforces each binding with its validationActions and the namespace labels from the namespace source', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-vap-'));
    try {
      writeFileSync(path.join(directory, 'policies.yaml'), POLICIES);
      const loaded = await loadVapPolicies([directory], DEFAULT_LIMITS);
      assert.deepEqual(loaded.diagnostics, []);
      assert.equal(loaded.policies.bindings, 2);
      const decider = new Decider(webhookConfig({ defaultAction: 'ignore' }), [], loaded.policies);
      const big = deployment('web', restrictedPod().spec as Record<string, unknown>);
      (big.spec as Record<string, unknown>).replicas = 10;
      const prod = decider.decide(request(big), { env: 'prod' });
      assert.equal(prod.response.allowed, false);
      // The API server's own wording, naming policy and binding.
      const denial = "ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-prod' denied request: at most 5 replicas";
      assert.deepEqual(prod.response.status?.details?.causes, [{ reason: 'ValidatingAdmissionPolicy/max-replicas', message: denial }]);
      assert.ok(prod.response.status?.message.endsWith(`[ValidatingAdmissionPolicy max-replicas] ${denial}`));
      const dev = decider.decide(request(big), { env: 'dev' });
      assert.equal(dev.response.allowed, true);
      assert.equal(dev.response.warnings?.length, 1);
      assert.match(dev.response.warnings?.[0] ?? '', /^\[ValidatingAdmissionPolicy max-replicas\] .*at most 5 replicas$/);
      const elsewhere = decider.decide(request(big), { env: 'test' });
      assert.equal(elsewhere.response.allowed, true);
      assert.equal(elsewhere.response.warnings, undefined);
      const small = decider.decide(request(deployment('web', restrictedPod().spec as Record<string, unknown>)), { env: 'prod' });
      assert.equal(small.response.allowed, true, 'two replicas pass');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
