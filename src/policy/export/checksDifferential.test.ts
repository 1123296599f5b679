/**
 * The hardening checks exported as CEL (`--checks container-…,pod-…`)
 * against the built-in checks: on every PSA fixture pod and on every pod and
 * workload of the real-world corpus, the set of checks that deny equals the
 * set of checks with a finding.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OBJECT_CHECKS } from '../../checks/index.js';
import { PSA_FIXTURES } from '../../corpus/psa.js';
import { REAL_WORLD } from '../../corpus/realWorld.js';
import { Scanner } from '../../engine/scan.js';
import { loadFiles, loadText } from '../../load/load.js';
import { PodTemplateFinder } from '../../model/podTemplates.js';
import type { KubeObject } from '../../model/types.js';
import { parseKubernetesVersion } from '../environment.js';
import { evaluateCreate } from '../vap/evaluate.js';
import { buildPolicySet } from '../vap/index.js';
import { HARDENING_CEL } from './checksCel.js';
import { exportPssPolicies } from './vap.js';

const IDS = Object.keys(HARDENING_CEL);
const DENIED_CHECK = /denied request: ([a-z-]+)(?: \(pod template\))?: /;

async function corpusObjects(): Promise<KubeObject[]> {
  const index = JSON.parse(readFileSync(path.join(PSA_FIXTURES, 'index.json'), 'utf8')) as { fixtures: Array<{ path: string }> };
  const objects = index.fixtures.flatMap((fixture) => loadText(readFileSync(path.join(PSA_FIXTURES, fixture.path), 'utf8'), fixture.path).objects);
  for await (const batch of loadFiles([REAL_WORLD])) objects.push(...batch.objects);
  return objects;
}

describe('exported hardening checks agree with the built-in checks', () => {
  it('deny exactly where the built-in checks report, on the PSA fixtures and the real-world corpus', async (t) => {
    const version = parseKubernetesVersion('latest');
    assert.ok(version !== undefined);
    const exported = exportPssPolicies({ targets: [], checks: IDS, workloads: true, workloadValidationActions: ['Deny'], kubernetesVersion: version });
    assert.deepEqual(exported.problems, []);
    const policyObjects = loadText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: exported.objects }), 'exported.json').objects;
    const { set, diagnostics } = buildPolicySet({ policyObjects, resources: [], namespaceObjects: [], version });
    assert.deepEqual(diagnostics, []);
    const checks = OBJECT_CHECKS.filter((check) => IDS.includes(check.meta.id));
    assert.equal(checks.length, IDS.length);
    const finder = new PodTemplateFinder();
    // Only what a current API server serves: extensions/v1beta1 DaemonSets and the like are not matched (nor creatable).
    const served = new Set(['v1', 'apps/v1', 'batch/v1']);
    const objects = (await corpusObjects()).filter((object) => served.has(object.apiVersion) && finder.find(object).kind === 'template');
    const disagreements: string[] = [];
    let withFindings = 0;
    for (const object of objects) {
      const scanner = new Scanner({ checks });
      scanner.add(object);
      const builtIn = [...new Set(scanner.finish().findings.map((finding) => finding.checkId))].sort();
      const outcome = evaluateCreate(object, set);
      const notes = outcome.bindings.flatMap((binding) => binding.notes);
      const denied = [...new Set(outcome.bindings.flatMap((binding) => binding.denials).map((denial) => DENIED_CHECK.exec(denial)?.[1] ?? denial))].sort();
      if (builtIn.length > 0) withFindings++;
      if (JSON.stringify(builtIn) !== JSON.stringify(denied) || notes.length > 0) disagreements.push(`${object.kind} ${object.name} (${object.source.file}): built-in ${JSON.stringify(builtIn)}, VAP ${JSON.stringify([...denied, ...notes])}`);
    }
    t.diagnostic(`${objects.length - disagreements.length}/${objects.length} objects agree (${withFindings} with findings)`);
    assert.deepEqual(disagreements.slice(0, 10), []);
    assert.ok(objects.length > 4093 && withFindings > 1000, `${objects.length} objects, ${withFindings} with findings`);
  });
});
