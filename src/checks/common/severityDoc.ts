/**
 * Writes docs/severity.md: the severity model and, for every catalogue check
 * and every CIS 5.1 RBAC control, the gain and effort its severity follows
 * from (`node dist/checks/common/severityDoc.js`).
 * A test keeps the committed page in step with the checks.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEVERITIES } from '../../model/types.js';
import { RBAC_CHECK_METAS } from '../rbac/index.js';
import type { CheckMeta } from '../types.js';
import { HARDENING_CHECKS } from './catalogue.js';
import { EFFORT_DESCRIPTIONS, GAIN_DESCRIPTIONS, SEVERITY_BASES, severityOf, type Effort, type Gain } from './define.js';

export const SEVERITY_DOC_PATH = path.join('docs', 'severity.md');

const GAINS: readonly Gain[] = ['control', 'access', 'weakening', 'hygiene'];
const EFFORTS: readonly Effort[] = ['none', 'foothold', 'chained'];

/** Every check whose severity follows from the model: the hardening catalogue, then the RBAC controls. */
export function modelledCheckMetas(): readonly CheckMeta[] {
  return [...HARDENING_CHECKS.map((check) => check.meta), ...RBAC_CHECK_METAS];
}

export function renderSeverityDoc(checks: readonly CheckMeta[] = modelledCheckMetas()): string {
  const out: string[] = [
    '<!-- Generated from check metadata by src/checks/common/severityDoc.ts. Do not edit by hand. -->',
    '',
    '# How Rampart rates severity',
    '',
    'A severity answers one question: how bad is it if an attacker uses this weakness? Rampart answers it with two facts about each check, never with a number picked per check:',
    '',
    '1. **What the attacker gains** when the weakness is used.',
    '2. **What it takes**: what the attacker must already have for the weakness to pay off.',
    '',
    'Severity is the product of the two, read from a fixed table. A check declares its gain and effort with a one-sentence reason; `severityOf(gain, effort)` in `src/checks/common/define.ts` computes the severity, so a check cannot claim a severity its reasoning does not support. The CIS 5.1 RBAC controls of `src/checks/rbac/` declare theirs the same way and are listed with the catalogue below. (The Pod Security Standards family predates this model; its severities and reasons are in docs/pss.md.)',
    '',
    '## What the attacker gains',
    '',
    '| gain | meaning |',
    '|---|---|',
    ...GAINS.map((gain) => `| ${gain} | ${GAIN_DESCRIPTIONS[gain]} |`),
    '',
    '## What it takes',
    '',
    '| effort | meaning |',
    '|---|---|',
    ...EFFORTS.map((effort) => `| ${effort} | ${EFFORT_DESCRIPTIONS[effort]} |`),
    '',
    '## The table',
    '',
    `| gain \\ effort | ${EFFORTS.join(' | ')} |`,
    `|---|${EFFORTS.map(() => '---').join('|')}|`,
    ...GAINS.map((gain) => `| ${gain} | ${EFFORTS.map((effort) => severityOf(gain, effort)).join(' | ')} |`),
    '',
    'Reading it: each step of effort lowers the severity by one level, because every extra precondition is a chance for another control to stop the attack; each step of gain raises it. Weakening a defence without a foothold (a hostPort, a NodePort) is medium, because it changes what anyone can reach; hygiene never rises above low.',
    '',
    '## Every check',
    '',
  ];
  const counts = new Map<string, number>();
  for (const check of checks) counts.set(check.severity, (counts.get(check.severity) ?? 0) + 1);
  out.push(`${checks.length} checks: ${SEVERITIES.filter((severity) => counts.has(severity)).map((severity) => `${counts.get(severity)} ${severity}`).join(', ')}.`, '');
  out.push('| check | gain | effort | severity | why |', '|---|---|---|---|---|');
  for (const check of checks) {
    const basis = SEVERITY_BASES.get(check.id);
    if (basis === undefined) continue;
    out.push(`| ${check.id} | ${basis.gain} | ${basis.effort} | ${check.severity} | ${basis.reason.replace(/\|/g, '\\|')} |`);
  }
  out.push('');
  return out.join('\n');
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  writeFileSync(path.join(repoRoot, SEVERITY_DOC_PATH), renderSeverityDoc());
  process.stdout.write(`wrote ${SEVERITY_DOC_PATH}\n`);
}
