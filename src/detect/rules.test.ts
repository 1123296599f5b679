/** The rule format: built-in rules load and compile, overrides and lists apply, mistakes name the file and field. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../testing/paths.js';
import { DetectionEngine } from './engine.js';
import { bundleText, RULES_SOURCE_DIRECTORY } from './rules/bundle.js';
import { buildRuleSet, builtinRuleTexts, RuleFileError } from './rules.js';
import { builtinEngine, event, HEADER, ruleIds } from './testSupport.js';

test('the built-in rules: at least 50, each with an ID, techniques and a compiling condition', () => {
  const set = buildRuleSet(builtinRuleTexts());
  assert.ok(set.rules.length >= 50, `${set.rules.length} rules`);
  assert.equal(new Set(set.rules.map((rule) => rule.id)).size, set.rules.length, 'IDs are unique');
  for (const rule of set.rules) {
    assert.match(rule.id, /^audit-[a-z0-9-]+$/);
    assert.ok(rule.title.length > 5 && rule.description.length > 10, rule.id);
    assert.ok(rule.tags.includes('activity') || rule.mitre.length > 0, `${rule.id} names MITRE ATT&CK techniques`);
    for (const id of rule.mitre) assert.match(id, /^T\d{4}(\.\d{3})?$/, rule.id);
    for (const id of rule.msThreatMatrix) assert.match(id, /^MS-TA9\d{3}$/, rule.id);
  }
  // Every rule, enabled or not, compiles.
  const all = { ...set, rules: set.rules.map((rule) => ({ ...rule, enabled: true })) };
  assert.equal(new DetectionEngine(all).rules.length, set.rules.length);
});

test('the bundle that dist/ reads is the YAML sources, up to date', () => {
  const directory = path.join(REPO_ROOT, RULES_SOURCE_DIRECTORY);
  assert.equal(readFileSync(path.join(directory, 'builtin-rules.json'), 'utf8'), bundleText(directory), 'run: npx tsc -p . && node dist/detect/rules/bundle.js');
});

const privileged = () => event({ verb: 'create', resource: 'pods', namespace: 'default', name: 'p', requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'example.com/tool:1', securityContext: { privileged: true } }] } } });

test('overrides: disable by ID or tag, change severity, add an exception, extend a list', () => {
  const base = builtinRuleTexts();
  const disabled = new DetectionEngine(buildRuleSet([...base, { name: 'mine.yaml', text: `${HEADER}overrides:\n- {id: audit-privileged-pod, enabled: false}\n` }]));
  assert.ok(!ruleIds(disabled.process(privileged())).includes('audit-privileged-pod'));
  const byTag = buildRuleSet([...base, { name: 'mine.yaml', text: `${HEADER}overrides:\n- {tag: activity, enabled: false}\n` }]);
  assert.ok(byTag.rules.filter((rule) => rule.tags.includes('activity')).every((rule) => !rule.enabled));
  const lowered = new DetectionEngine(buildRuleSet([...base, { name: 'mine.yaml', text: `${HEADER}overrides:\n- {id: audit-privileged-pod, severity: low}\n` }]));
  assert.equal(lowered.process(privileged()).find((alert) => alert.ruleId === 'audit-privileged-pod')?.severity, 'low');
  const trusted = new DetectionEngine(buildRuleSet([...base, { name: 'mine.yaml', text: `${HEADER}appendLists: {privilegedImages: [example.com/tool]}\n` }]));
  assert.ok(!ruleIds(trusted.process(privileged())).includes('audit-privileged-pod'));
});

test('exceptions apply until they expire', () => {
  const exception = (expires: string) => ({
    name: 'mine.yaml',
    text: `${HEADER}overrides:\n- id: audit-privileged-pod\n  exceptions:\n  - {name: tool, reason: debugging tool approved in TICKET-1, expires: "${expires}", condition: "target.namespace == 'default'"}\n`,
  });
  const now = Date.parse('2026-06-01T00:00:00Z');
  const current = builtinEngine([exception('2026-12-31')], { now: () => now });
  assert.ok(!ruleIds(current.process(privileged())).includes('audit-privileged-pod'));
  const expired = builtinEngine([exception('2026-01-31')], { now: () => now });
  assert.ok(ruleIds(expired.process(privileged())).includes('audit-privileged-pod'));
});

test('a user rule of its own, with fields', () => {
  const engine = builtinEngine([{ name: 'mine.yaml', text: `${HEADER}rules:\n- id: mine-delete-prod\n  title: Deletion in prod\n  severity: high\n  match: {verbs: [delete]}\n  condition: "target.namespace == 'prod'"\n  output: "'deleted ' + target.name"\n  fields: {who: user.name}\n` }]);
  const alerts = engine.process(event({ verb: 'delete', resource: 'configmaps', namespace: 'prod', name: 'cfg' })).filter((alert) => alert.ruleId === 'mine-delete-prod');
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.message, 'deleted cfg');
  assert.deepEqual(alerts[0]!.fields, { who: 'alice' });
  assert.equal(builtinEngine([{ name: 'mine.yaml', text: `${HEADER}rules:\n- id: mine-delete-prod\n  title: Deletion in prod\n  severity: high\n  match: {verbs: [delete]}\n  condition: "target.namespace == 'prod'"\n  output: "'x'"\n` }]).process(event({ verb: 'delete', resource: 'configmaps', namespace: 'dev', name: 'cfg' })).filter((alert) => alert.ruleId === 'mine-delete-prod').length, 0);
});

test('mistakes in rule files name the file and the field', () => {
  const cases: [string, RegExp][] = [
    [`${HEADER}rules:\n- {id: x, title: t, severity: urgent, condition: 'true', output: "'x'"}\n`, /mine\.yaml\.rules\[0\] \(x\)\.severity: must be critical/],
    [`${HEADER}rules:\n- {id: x, title: t, severity: low, condition: 'true', output: "'x'", colour: red}\n`, /colour: unknown field/],
    [`${HEADER}overrides:\n- {id: no-such-rule, enabled: false}\n`, /no rule has the id no-such-rule/],
    [`${HEADER}appendLists: {nothing: [a]}\n`, /appends to a list that no earlier file defines/],
    [`${HEADER}rules:\n- {id: audit-privileged-pod, title: t, severity: low, condition: 'true', output: "'x'"}\n`, /already used/],
    [`${HEADER}rules:\n- id: x\n  title: t\n  severity: low\n  condition: 'true'\n  output: "'x'"\n  exceptions: [{name: e, condition: 'true'}]\n`, /reason: must be a non-empty string/],
    ['kind: Other\n', /must have apiVersion rampart\.dev\/v1alpha1 and kind DetectionRules/],
    ['rules: [\n', /mine\.yaml:\d+:\d+: not valid YAML/],
  ];
  for (const [text, expected] of cases) assert.throws(() => buildRuleSet([...builtinRuleTexts(), { name: 'mine.yaml', text }]), (error: unknown) => error instanceof RuleFileError && expected.test(error.message));
  assert.throws(
    () => builtinEngine([{ name: 'mine.yaml', text: `${HEADER}rules:\n- {id: x, title: t, severity: low, condition: 'user.name ==', output: "'x'"}\n` }]),
    (error: unknown) => error instanceof RuleFileError && /mine\.yaml: rule x\.condition: expression does not compile \(line 1, column/.test(error.message),
  );
  assert.throws(() => builtinEngine([{ name: 'mine.yaml', text: `${HEADER}rules:\n- {id: x, title: t, severity: low, condition: 'nosuchvariable', output: "'x'"}\n` }]), RuleFileError);
});

test('docs/detect.md lists every built-in rule', () => {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs', 'detect.md'), 'utf8');
  for (const rule of buildRuleSet(builtinRuleTexts()).rules) assert.ok(docs.includes(`| \`${rule.id}\` | ${rule.severity} | ${rule.enabled ? 'yes' : 'no'} |`), `${rule.id} is in the table of docs/detect.md with its severity and state`);
});
