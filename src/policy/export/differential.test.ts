/**
 * The exported ValidatingAdmissionPolicies against the built-in PSS checks,
 * on every official PSA fixture (../shared/corpora/psa-fixtures): the
 * policy for the fixture's level and version, evaluated by Rampart's VAP
 * evaluator on CREATE of the pod, must give the built-in verdict and the
 * fixture's label. Each policy is exported and compiled once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { evaluatePod } from '../../checks/pss/registry.js';
import type { PssLevel } from '../../checks/pss/types.js';
import { parsePolicyVersion } from '../../checks/pss/versions.js';
import { PSA_FIXTURES } from '../../corpus/psa.js';
import { loadText } from '../../load/load.js';
import { PodTemplateFinder } from '../../model/podTemplates.js';
import { buildPodView } from '../../model/podView.js';
import type { JsonObject } from '../../model/types.js';
import { parseKubernetesVersion } from '../environment.js';
import { evaluateCreate, type PolicySet } from '../vap/evaluate.js';
import { exportedPolicySet } from './testSupport.js';

interface FixtureEntry {
  readonly path: string;
  readonly level: PssLevel;
  readonly version: string;
  readonly expected: 'pass' | 'fail';
}

/** `…: violates PodSecurity "restricted:v1.34": runAsNonRoot != true (runAsNonRoot): container …` → the check ID. */
const CHECK_IN_DENIAL = /(?:violates|would violate) PodSecurity "[a-z]+:v1\.\d+": [^(]*\(([A-Za-z_]+)\): /;

describe('exported PSS policies agree with the built-in checks on the PSA fixtures', () => {
  it('gives the built-in verdict and the label on every fixture', (t) => {
    const index = JSON.parse(readFileSync(path.join(PSA_FIXTURES, 'index.json'), 'utf8')) as { fixtures: FixtureEntry[] };
    const version = parseKubernetesVersion('1.30');
    assert.ok(version !== undefined);
    const finder = new PodTemplateFinder();
    const sets = new Map<string, PolicySet>();
    const disagreements: string[] = [];
    let agreed = 0;
    for (const fixture of index.fixtures) {
      const minor = parsePolicyVersion(fixture.version, true);
      assert.equal(typeof minor, 'number', fixture.path);
      const key = `${fixture.level}@${fixture.version}`;
      let set = sets.get(key);
      if (set === undefined) {
        set = exportedPolicySet({ level: fixture.level, minor: minor as number, requested: fixture.version }, version);
        sets.set(key, set);
      }
      const batch = loadText(readFileSync(path.join(PSA_FIXTURES, fixture.path), 'utf8'), fixture.path);
      const object = batch.objects[0];
      assert.ok(object !== undefined && batch.objects.length === 1, fixture.path);
      const template = finder.find(object);
      assert.ok(template.kind === 'template', fixture.path);
      const builtIn = evaluatePod(buildPodView(template.template), fixture.level, minor as number).map((violation) => violation.check.id);
      const outcome = evaluateCreate(object, set);
      const denials = outcome.bindings.flatMap((binding) => binding.denials);
      // Not only the verdict: the same checks fail, and no denial comes from a CEL error under failurePolicy Fail.
      const vapChecks = denials.map((denial) => CHECK_IN_DENIAL.exec(denial)?.[1] ?? `unreadable denial: ${denial}`);
      const notes = outcome.bindings.flatMap((binding) => binding.notes);
      const agrees = !outcome.allowed === builtIn.length > 0 && builtIn.length > 0 === (fixture.expected === 'fail') && notes.length === 0 && JSON.stringify(vapChecks) === JSON.stringify(builtIn);
      if (agrees) agreed++;
      else disagreements.push(`${fixture.path}: label ${fixture.expected}, built-in ${JSON.stringify(builtIn)}, VAP ${JSON.stringify([...denials, ...notes])}`);
    }
    t.diagnostic(`${agreed}/${index.fixtures.length} fixtures agree (verdict, label and failing checks), ${sets.size} policies`);
    assert.deepEqual(disagreements.slice(0, 20), []);
    assert.equal(agreed, index.fixtures.length);
    assert.equal(index.fixtures.length, 4093);
  });

  // The workload policies share the checks' CEL and differ only in where the pod comes from;
  // the fixtures of four versions that changed the rules, wrapped in each template shape, cover that.
  it('judges the same fixtures wrapped in workloads like the built-in checks (--workloads)', (t) => {
    const index = JSON.parse(readFileSync(path.join(PSA_FIXTURES, 'index.json'), 'utf8')) as { fixtures: FixtureEntry[] };
    const version = parseKubernetesVersion('latest');
    assert.ok(version !== undefined);
    const finder = new PodTemplateFinder();
    const sets = new Map<string, PolicySet>();
    const wrappers: Array<(pod: JsonObject) => JsonObject> = [
      (pod) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', namespace: 'apps' }, spec: { selector: {}, template: { metadata: pod.metadata, spec: pod.spec } } }),
      (pod) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'w', namespace: 'apps' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata: pod.metadata, spec: pod.spec } } } } }),
      (pod) => ({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'w', namespace: 'apps' }, template: { spec: pod.spec } }),
    ];
    const disagreements: string[] = [];
    let judged = 0;
    for (const fixture of index.fixtures.filter((entry) => ['v1.0', 'v1.19', 'v1.25', 'v1.34'].includes(entry.version))) {
      const minor = parsePolicyVersion(fixture.version, true) as number;
      const key = `${fixture.level}@${fixture.version}`;
      let set = sets.get(key);
      if (set === undefined) {
        set = exportedPolicySet({ level: fixture.level, minor, requested: fixture.version }, version, { workloads: true, workloadValidationActions: ['Deny'] });
        sets.set(key, set);
      }
      const pod = loadText(readFileSync(path.join(PSA_FIXTURES, fixture.path), 'utf8'), fixture.path).objects[0];
      assert.ok(pod !== undefined);
      for (const wrap of wrappers) {
        const workload = loadText(JSON.stringify(wrap(pod.raw)), fixture.path).objects[0];
        assert.ok(workload !== undefined);
        const template = finder.find(workload);
        // PodTemplate objects carry no pod metadata here, so annotation-based fixtures are judged on what is left, by both sides.
        assert.ok(template.kind === 'template', `${workload.kind} ${fixture.path}`);
        const builtIn = evaluatePod(buildPodView(template.template), fixture.level, minor).map((violation) => violation.check.id);
        const outcome = evaluateCreate(workload, set);
        const denials = outcome.bindings.flatMap((binding) => binding.denials);
        const vapChecks = denials.map((denial) => CHECK_IN_DENIAL.exec(denial)?.[1] ?? `unreadable denial: ${denial}`);
        judged++;
        if (outcome.bindings.length !== 1 || JSON.stringify(vapChecks) !== JSON.stringify(builtIn) || outcome.bindings.some((binding) => binding.notes.length > 0)) {
          disagreements.push(`${workload.kind} ${fixture.path}: built-in ${JSON.stringify(builtIn)}, VAP ${JSON.stringify(outcome.bindings)}`);
        }
      }
    }
    t.diagnostic(`${judged - disagreements.length}/${judged} workloads agree`);
    assert.deepEqual(disagreements.slice(0, 10), []);
    assert.ok(judged > 500, `${judged}`);
  });
});
