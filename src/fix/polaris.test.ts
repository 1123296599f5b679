/**
 * Polaris' `failure*` fixtures, for every Polaris check that maps (through
 * `equivalents`) to a fixable Rampart check: after `fix`, the mapped check no
 * longer fires and no finding is new.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { hardeningChecks } from '../checks/index.js';
import { runScan } from '../cli/scan.js';
import { DEFAULT_CONFIG, type RampartConfig } from '../config/config.js';
import type { Finding } from '../model/types.js';
import { CORPORA } from '../testing/paths.js';
import { fixText } from './apply.js';
import { ObjectPlaces, planFixes } from './plan.js';
import { tempDir } from '../testing/tempDir.js';

const POLARIS = path.join(CORPORA, 'polaris', 'checks');
const CONFIG: RampartConfig = {
  ...DEFAULT_CONFIG,
  fixResources: { 'requests.cpu': '100m', 'requests.memory': '128Mi', 'limits.cpu': '500m', 'limits.memory': '256Mi' },
};
/** Fixtures whose finding `fix` leaves on purpose: an explicit automountServiceAccountToken: true says the application calls the API. */
const NOT_FIXED_BY_DESIGN = new Set(['automountServiceAccountToken/failure.all_true.yaml', 'automountServiceAccountToken/failure.pod_true_serviceaccount_false.yaml']);

function key(finding: Finding): string {
  return `${finding.checkId} ${finding.object.kind}/${finding.object.name} ${finding.container ?? ''}`;
}

async function scan(file: string, places?: ObjectPlaces): Promise<Finding[]> {
  const run = await runScan([file], CONFIG, { policies: [], inlineExceptions: true }, places === undefined ? undefined : (object) => places.observe(object));
  return run.result.findings;
}

test('polaris failure fixtures pass their mapped check after fix, with no new findings', { skip: !existsSync(POLARIS) }, async () => {
  const mapped = new Map<string, string[]>();
  for (const check of hardeningChecks({})) {
    if (check.meta.fixable !== true) continue;
    for (const equivalent of check.meta.equivalents ?? []) {
      if (equivalent.startsWith('polaris:')) mapped.set(equivalent.slice('polaris:'.length), [...(mapped.get(equivalent.slice('polaris:'.length)) ?? []), check.meta.id]);
    }
  }
  let fixed = 0;
  const failures: string[] = [];
  for (const [polarisCheck, ids] of mapped) {
    const directory = path.join(POLARIS, polarisCheck);
    if (!existsSync(directory)) continue;
    for (const name of readdirSync(directory).filter((entry) => entry.startsWith('failure'))) {
      const fixture = `${polarisCheck}/${name}`;
      const file = path.join(tempDir('rampart-polaris-'), name);
      writeFileSync(file, readFileSync(path.join(directory, name)));
      const places = new ObjectPlaces();
      const before = await scan(file, places);
      if (!before.some((finding) => ids.includes(finding.checkId))) continue; // a scan disagreement, scored in docs/accuracy.md
      const { plans } = planFixes(before, places, new Set(ids));
      for (const plan of plans) {
        const result = fixText(readFileSync(plan.file, 'utf8'), plan.fixes, CONFIG.fixResources);
        if (result.status === 'fixed') writeFileSync(plan.file, result.text);
        else if (result.status === 'refused') failures.push(`${fixture}: refused: ${result.reason}`);
      }
      const after = await scan(file);
      const beforeKeys = new Set(before.map(key));
      const added = after.filter((finding) => !beforeKeys.has(key(finding))).map(key);
      if (added.length > 0) failures.push(`${fixture}: new findings ${added.join(', ')}`);
      const left = after.filter((finding) => ids.includes(finding.checkId));
      if (left.length === 0) fixed++;
      else if (!NOT_FIXED_BY_DESIGN.has(fixture)) failures.push(`${fixture}: still ${left.map(key).join(', ')}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(fixed >= 20, `only ${fixed} fixtures fixed`);
});
