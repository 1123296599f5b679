import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../testing/paths.js';
import { CIS_1_12 } from './catalogue.js';

test('docs/bench.md lists every control with its current title and CIS status', () => {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs', 'bench.md'), 'utf8');
  const missing: string[] = [];
  for (const control of CIS_1_12.controls) {
    const cis = control.rampartOnly === true ? 'Rampart, not in CIS' : control.automated ? 'Automated' : control.automatedByRampart === true ? 'Manual → automated' : 'Manual';
    const row = `| ${control.id} | ${control.title.replace(/\|/g, '\\|')} | ${cis} | ${control.severity} |`;
    if (!docs.includes(row)) missing.push(row);
  }
  assert.deepEqual(missing, []);
  const automatedByRampart = CIS_1_12.controls.filter((control) => control.automatedByRampart === true && control.rampartOnly !== true).length;
  assert.match(docs, new RegExp(`\\(${automatedByRampart}\\s+controls\\)`));
});
