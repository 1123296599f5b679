/** lint-policy: blind rules under an audit policy, and the policy rules proposed for them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRuleSet, builtinRuleTexts } from './rules.js';
import { lintAuditPolicy, parseAuditPolicy, policyRuleFor, requiredLevel, AuditPolicyError } from './lintPolicy.js';

const rules = buildRuleSet(builtinRuleTexts()).rules.filter((rule) => rule.enabled);
const byId = (id: string) => rules.find((rule) => rule.id === id)!;

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources: [{group: "", resources: [secrets, configmaps]}]
- level: None
  resources: [{group: "", resources: [pods/exec, pods/attach]}]
- level: None
  users: [system:kube-proxy]
- level: RequestResponse
  resources: [{group: "rbac.authorization.k8s.io"}]
- level: Request
  resources: [{group: ""}, {group: apps}, {group: batch}]
- level: Metadata
`;

test('the level a rule needs comes from the variables its condition reads', () => {
  assert.equal(requiredLevel(byId('audit-secret-read')), 'Metadata');
  assert.equal(requiredLevel(byId('audit-configmap-credentials')), 'Request');
  assert.equal(requiredLevel(byId('audit-privileged-pod')), 'Request');
  assert.equal(requiredLevel(byId('audit-anonymous-allowed')), 'Metadata');
});

test('first matching policy rule, as the API server picks it', () => {
  const policy = parseAuditPolicy(POLICY, 'policy.yaml');
  assert.equal(policyRuleFor(policy, { verb: 'get', group: '', resource: 'secrets', subresource: '', user: undefined })?.index, 0);
  assert.equal(policyRuleFor(policy, { verb: 'create', group: '', resource: 'pods', subresource: 'exec', user: undefined })?.index, 1);
  assert.equal(policyRuleFor(policy, { verb: 'create', group: 'apps', resource: 'deployments', subresource: '', user: undefined })?.index, 4);
  assert.equal(policyRuleFor(policy, { verb: 'create', group: 'networking.k8s.io', resource: 'ingresses', subresource: '', user: undefined })?.index, 5);
});

test('blind rules: ConfigMap contents at Metadata, exec at None, ingresses at Metadata; proposals fix them', () => {
  const result = lintAuditPolicy(parseAuditPolicy(POLICY, 'policy.yaml'), rules);
  const blind = new Set(result.blind.map((spot) => spot.ruleId));
  assert.ok(blind.has('audit-configmap-credentials'));
  assert.ok(blind.has('audit-exec-pod'));
  assert.ok(blind.has('audit-ingress-without-tls'));
  assert.ok(!blind.has('audit-secret-read'), 'reading a Secret is visible at Metadata');
  assert.ok(!blind.has('audit-privileged-pod'), 'pods and workloads are logged at Request');
  assert.ok(!blind.has('audit-wildcard-role'));
  assert.match(result.blind.find((spot) => spot.ruleId === 'audit-configmap-credentials')!.reason, /policy rule 0 logs create configmaps at Metadata; the rule reads the request body and needs Request/);
  // With the proposed rules put first, nothing is blind any more.
  const fixed = `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n${result.proposedRules.map((rule) => `- ${JSON.stringify(rule)}`).join('\n')}\n${POLICY.split('rules:\n')[1]}`;
  assert.deepEqual(lintAuditPolicy(parseAuditPolicy(fixed, 'fixed.yaml'), rules).blind, []);
});

test('omitted stages make a rule blind; a bad policy is a clear error', () => {
  const policy = parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [ResponseComplete]\nrules:\n- level: RequestResponse\n', 'p.yaml');
  const blind = new Set(lintAuditPolicy(policy, rules).blind.map((spot) => spot.ruleId));
  assert.ok(blind.has('audit-privileged-pod'));
  assert.ok(!blind.has('audit-exec-pod'), 'exec is also seen at ResponseStarted');
  assert.throws(() => parseAuditPolicy('kind: Pod\napiVersion: v1\n', 'x.yaml'), (error: unknown) => error instanceof AuditPolicyError && /x\.yaml: expected kind Policy/.test(error.message));
  assert.throws(() => parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n', 'x.yaml'), /rules\[0\]\.level must be None, Metadata, Request or RequestResponse/);
});
