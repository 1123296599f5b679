/**
 * `npm run corpus:psa`: scores the official Pod Security Admission fixtures
 * (../shared/corpora/psa-fixtures). A fixture under <level>/<version>/pass
 * must be allowed at that level and version, one under fail must be denied.
 * Prints a table per level and version, the mismatches, and exits non-zero
 * unless every fixture is judged as labelled.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluatePod } from '../checks/pss/registry.js';
import type { PssLevel } from '../checks/pss/types.js';
import { parsePolicyVersion } from '../checks/pss/versions.js';
import { loadText } from '../load/load.js';
import { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView } from '../model/podView.js';
import { CORPORA } from '../testing/paths.js';

export const PSA_FIXTURES = path.join(CORPORA, 'psa-fixtures');

interface FixtureEntry {
  readonly path: string;
  readonly level: PssLevel;
  readonly version: string;
  readonly expected: 'pass' | 'fail';
  readonly check: string | null;
}

export interface PsaRow {
  readonly level: PssLevel;
  readonly version: string;
  passOk: number;
  passTotal: number;
  failOk: number;
  failTotal: number;
}

export interface PsaMismatch {
  readonly fixture: string;
  readonly expected: 'pass' | 'fail';
  readonly problem: string;
}

export interface PsaScore {
  readonly rows: readonly PsaRow[];
  readonly total: number;
  readonly correct: number;
  readonly mismatches: readonly PsaMismatch[];
}

export function scorePsaFixtures(directory: string = PSA_FIXTURES): PsaScore {
  const index = JSON.parse(readFileSync(path.join(directory, 'index.json'), 'utf8')) as { fixtures: FixtureEntry[] };
  const finder = new PodTemplateFinder();
  const rows = new Map<string, PsaRow>();
  const mismatches: PsaMismatch[] = [];
  let correct = 0;
  for (const fixture of index.fixtures) {
    const key = `${fixture.level} ${fixture.version}`;
    const row = rows.get(key) ?? { level: fixture.level, version: fixture.version, passOk: 0, passTotal: 0, failOk: 0, failTotal: 0 };
    rows.set(key, row);
    if (fixture.expected === 'pass') row.passTotal++;
    else row.failTotal++;
    const minor = parsePolicyVersion(fixture.version, true);
    const batch = loadText(readFileSync(path.join(directory, fixture.path), 'utf8'), fixture.path);
    const object = batch.objects[0];
    const template = object === undefined ? undefined : finder.find(object);
    if (typeof minor !== 'number' || template?.kind !== 'template' || batch.objects.length !== 1) {
      mismatches.push({ fixture: fixture.path, expected: fixture.expected, problem: `could not read the fixture as one pod${batch.diagnostics.map((diagnostic) => `; ${diagnostic.message}`).join('')}` });
      continue;
    }
    const pod = buildPodView(template.template);
    const violations = evaluatePod(pod, fixture.level, minor);
    const denied = violations.length > 0;
    if (denied === (fixture.expected === 'fail')) {
      correct++;
      if (denied) row.failOk++;
      else row.passOk++;
      continue;
    }
    mismatches.push({
      fixture: fixture.path,
      expected: fixture.expected,
      problem: denied ? `denied: ${violations.map((violation) => `${violation.check.id}: ${violation.detail}`).join('; ')}` : `allowed, but the fixture targets ${fixture.check ?? 'the base pod'}`,
    });
  }
  const sorted = [...rows.values()].sort((a, b) => a.level.localeCompare(b.level) || minorOf(a.version) - minorOf(b.version));
  return { rows: sorted, total: index.fixtures.length, correct, mismatches };
}

function minorOf(version: string): number {
  return Number(version.slice(3));
}

function percent(ok: number, total: number): string {
  return total === 0 ? '-' : `${((100 * ok) / total).toFixed(1)}%`;
}

export function renderPsaScore(score: PsaScore): string {
  const lines: string[] = ['Pod Security Admission fixtures: pass must be allowed, fail must be denied', ''];
  const header = `${'level'.padEnd(11)} ${'version'.padEnd(8)} ${'pass ok'.padStart(9)} ${'fail ok'.padStart(11)} ${'total'.padStart(6)} ${'accuracy'.padStart(9)}`;
  for (const level of ['baseline', 'restricted'] as const) {
    lines.push(header, '-'.repeat(header.length));
    let passOk = 0;
    let passTotal = 0;
    let failOk = 0;
    let failTotal = 0;
    for (const row of score.rows.filter((entry) => entry.level === level)) {
      passOk += row.passOk;
      passTotal += row.passTotal;
      failOk += row.failOk;
      failTotal += row.failTotal;
      lines.push(formatRow(level, row.version, row.passOk, row.passTotal, row.failOk, row.failTotal));
    }
    lines.push(formatRow(level, 'all', passOk, passTotal, failOk, failTotal), '');
  }
  lines.push(`overall: ${score.correct}/${score.total} fixtures judged as labelled (${percent(score.correct, score.total)})`);
  if (score.mismatches.length > 0) {
    lines.push('', `${score.mismatches.length} mismatches:`);
    for (const mismatch of score.mismatches) lines.push(`  ${mismatch.fixture} (expected ${mismatch.expected}): ${mismatch.problem}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatRow(level: string, version: string, passOk: number, passTotal: number, failOk: number, failTotal: number): string {
  return `${level.padEnd(11)} ${version.padEnd(8)} ${`${passOk}/${passTotal}`.padStart(9)} ${`${failOk}/${failTotal}`.padStart(11)} ${String(passTotal + failTotal).padStart(6)} ${percent(passOk + failOk, passTotal + failTotal).padStart(9)}`;
}

function main(): void {
  const score = scorePsaFixtures();
  process.stdout.write(renderPsaScore(score));
  process.exitCode = score.mismatches.length === 0 && score.correct === score.total ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
