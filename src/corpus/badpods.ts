/**
 * `npm run corpus:badpods`: scores the badPods escalation scenarios
 * (../shared/corpora/badpods) at the baseline and restricted levels of the
 * newest policy. Each workload's verdict and set of failing checks must match
 * labels.json. The restricted labels are derived (not upstream): they list
 * the baseline failures plus `pss_restricted_failing_checks_extra`. Where
 * that derivation contradicts PSS semantics, the correction is applied in
 * the open, printed, and counted; the code is not bent to the label.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NEWEST_POLICY_MINOR, activeChecks, evaluatePod } from '../checks/pss/registry.js';
import type { PssLevel } from '../checks/pss/types.js';
import { loadText } from '../load/load.js';
import { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView } from '../model/podView.js';
import { CORPORA } from '../testing/paths.js';

export const BADPODS = path.join(CORPORA, 'badpods');

interface BadPodsDocument {
  readonly path: string;
  readonly doc_index: number;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly scenario: string;
  readonly variant: string;
  readonly note?: string;
  readonly pss_baseline_expected?: 'pass' | 'fail';
  readonly pss_baseline_failing_checks?: readonly string[];
  readonly pss_restricted_expected?: 'pass' | 'fail';
  readonly pss_restricted_failing_checks_extra?: readonly string[];
}

/** A place where the derived label disagrees with PSS semantics, and what PSS says instead. */
export interface LabelCorrection {
  readonly document: string;
  readonly level: PssLevel;
  readonly label: readonly string[];
  readonly corrected: readonly string[];
  readonly reason: string;
}

export interface BadPodsResult {
  readonly document: string;
  readonly scenario: string;
  readonly kind: string;
  readonly level: PssLevel;
  readonly expectedVerdict: 'pass' | 'fail';
  readonly expectedChecks: readonly string[];
  readonly actualVerdict: 'pass' | 'fail';
  readonly actualChecks: readonly string[];
  readonly matches: boolean;
  /** Whether it also matches the label as written, before any correction. */
  readonly matchesLabelAsWritten: boolean;
}

export interface BadPodsScore {
  readonly results: readonly BadPodsResult[];
  readonly corrections: readonly LabelCorrection[];
  /** Documents without PSS labels (the Services beside the StatefulSets) and whether Rampart rightly found no pod in them. */
  readonly skipped: ReadonlyArray<{ readonly document: string; readonly kind: string; readonly bearsPod: boolean }>;
  readonly problems: readonly string[];
  readonly documents: number;
}

/**
 * The restricted label is "baseline failures + extras". At the restricted
 * level PSA replaces a baseline check by the restricted check that
 * overrides it (hostPathVolumes → restrictedVolumes,
 * capabilities_baseline → capabilities_restricted, …), so the derived set
 * names a check restricted never runs.
 */
function expectedRestrictedChecks(document: BadPodsDocument, corrections: LabelCorrection[]): string[] {
  const label = [...new Set([...(document.pss_baseline_failing_checks ?? []), ...(document.pss_restricted_failing_checks_extra ?? [])])];
  const active = activeChecks('restricted', NEWEST_POLICY_MINOR);
  const overriddenBy = new Map<string, string>();
  for (const { check, implementation } of active) for (const id of implementation.overrides ?? []) overriddenBy.set(id, check.id);
  const corrected = [...new Set(label.map((id) => overriddenBy.get(id) ?? id))];
  const replaced = label.filter((id) => overriddenBy.has(id));
  if (replaced.length > 0) {
    corrections.push({
      document: documentName(document),
      level: 'restricted',
      label,
      corrected,
      reason: replaced.map((id) => `${id} does not run at restricted: ${overriddenBy.get(id) ?? '?'} overrides it`).join('; '),
    });
  }
  return corrected;
}

function documentName(document: BadPodsDocument): string {
  return `${document.path}#${document.doc_index}`;
}

export function scoreBadPods(directory: string = BADPODS): BadPodsScore {
  const labels = JSON.parse(readFileSync(path.join(directory, 'labels.json'), 'utf8')) as { documents: BadPodsDocument[] };
  const finder = new PodTemplateFinder();
  const results: BadPodsResult[] = [];
  const corrections: LabelCorrection[] = [];
  const skipped: Array<{ document: string; kind: string; bearsPod: boolean }> = [];
  const problems: string[] = [];
  const files = new Map<string, ReturnType<typeof loadText>>();
  for (const document of labels.documents) {
    let batch = files.get(document.path);
    if (batch === undefined) {
      batch = loadText(readFileSync(path.join(directory, document.path), 'utf8'), document.path);
      files.set(document.path, batch);
    }
    const object = batch.objects.find((candidate) => candidate.source.documentIndex === document.doc_index && candidate.kind === document.kind && candidate.name === document.name);
    if (object === undefined) {
      problems.push(`${documentName(document)}: no ${document.kind} ${document.name} found`);
      continue;
    }
    const template = finder.find(object);
    if (document.pss_baseline_expected === undefined || document.pss_restricted_expected === undefined) {
      skipped.push({ document: documentName(document), kind: document.kind, bearsPod: template.kind !== 'none' });
      continue;
    }
    if (template.kind !== 'template') {
      problems.push(`${documentName(document)}: ${document.kind} has no readable pod template`);
      continue;
    }
    const pod = buildPodView(template.template);
    for (const problem of pod.problems) problems.push(`${documentName(document)}: ${problem.message}`);
    const baselineLabel = [...(document.pss_baseline_failing_checks ?? [])];
    const restrictedLabel = [...new Set([...baselineLabel, ...(document.pss_restricted_failing_checks_extra ?? [])])];
    const expectations: Array<{ level: PssLevel; verdict: 'pass' | 'fail'; checks: string[]; asWritten: string[] }> = [
      { level: 'baseline', verdict: document.pss_baseline_expected, checks: baselineLabel, asWritten: baselineLabel },
      { level: 'restricted', verdict: document.pss_restricted_expected, checks: expectedRestrictedChecks(document, corrections), asWritten: restrictedLabel },
    ];
    for (const expectation of expectations) {
      const actualChecks = evaluatePod(pod, expectation.level, NEWEST_POLICY_MINOR).map((violation) => violation.check.id);
      const actualVerdict = actualChecks.length > 0 ? 'fail' : 'pass';
      const matches = actualVerdict === expectation.verdict && sameSet(actualChecks, expectation.checks);
      results.push({
        document: documentName(document),
        scenario: document.scenario,
        kind: document.kind,
        level: expectation.level,
        expectedVerdict: expectation.verdict,
        expectedChecks: [...expectation.checks].sort(),
        actualVerdict,
        actualChecks: [...actualChecks].sort(),
        matches,
        matchesLabelAsWritten: actualVerdict === expectation.verdict && sameSet(actualChecks, expectation.asWritten),
      });
    }
  }
  return { results, corrections, skipped, problems, documents: labels.documents.length };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

export function badPodsAllMatch(score: BadPodsScore): boolean {
  return score.problems.length === 0 && score.results.every((result) => result.matches) && score.skipped.every((entry) => !entry.bearsPod);
}

export function renderBadPodsScore(score: BadPodsScore): string {
  const lines: string[] = [`badPods at policy v1.${NEWEST_POLICY_MINOR}: verdict and failing checks per level`, ''];
  const scenarios = [...new Set(score.results.map((result) => result.scenario))].sort();
  const kinds = [...new Set(score.results.map((result) => result.kind))].sort();
  const header = `${'scenario'.padEnd(20)} ${'kind'.padEnd(22)} ${'baseline'.padStart(9)} ${'restricted'.padStart(11)}`;
  lines.push(header, '-'.repeat(header.length));
  for (const scenario of scenarios) {
    for (const kind of kinds) {
      const cell = (level: PssLevel): string => {
        const rows = score.results.filter((result) => result.scenario === scenario && result.kind === kind && result.level === level);
        return rows.length === 0 ? '-' : `${rows.filter((row) => row.matches).length}/${rows.length}`;
      };
      if (cell('baseline') === '-') continue;
      lines.push(`${scenario.padEnd(20)} ${kind.padEnd(22)} ${cell('baseline').padStart(9)} ${cell('restricted').padStart(11)}`);
    }
  }
  const matched = score.results.filter((result) => result.matches).length;
  const workloads = new Set(score.results.map((result) => result.document)).size;
  const asWritten = score.results.filter((result) => result.matchesLabelAsWritten).length;
  lines.push('', `${workloads} workloads × 2 levels: ${matched}/${score.results.length} match (verdict and failing check set)`);
  lines.push(`against the labels as written, before the corrections below: ${asWritten}/${score.results.length}`);
  lines.push(`${score.skipped.length} documents without PSS labels (${[...new Set(score.skipped.map((entry) => entry.kind))].join(', ')}): ${score.skipped.filter((entry) => !entry.bearsPod).length} correctly carry no pod`);
  if (score.corrections.length > 0) {
    const reasons = [...new Set(score.corrections.map((correction) => correction.reason))];
    lines.push('', `Label corrections (${score.corrections.length} documents): the derived restricted labels are wrong per PSS semantics here.`);
    for (const reason of reasons) {
      const affected = score.corrections.filter((correction) => correction.reason === reason);
      const example = affected[0];
      lines.push(`  ${reason}; ${affected.length} documents, e.g. ${example?.document ?? ''}: label [${example?.label.join(', ') ?? ''}] → [${example?.corrected.join(', ') ?? ''}]`);
    }
  }
  for (const problem of score.problems) lines.push(`problem: ${problem}`);
  const mismatches = score.results.filter((result) => !result.matches);
  if (mismatches.length > 0) {
    lines.push('', `${mismatches.length} mismatches:`);
    for (const result of mismatches) {
      lines.push(`  ${result.document} ${result.level}: expected ${result.expectedVerdict} [${result.expectedChecks.join(', ')}], got ${result.actualVerdict} [${result.actualChecks.join(', ')}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const score = scoreBadPods();
  process.stdout.write(renderBadPodsScore(score));
  process.exitCode = badPodsAllMatch(score) ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
