/**
 * Scores Rampart against the labelled corpora of other scanners through the
 * `equivalents` of each check: a labelled case counts only when its upstream
 * check maps to at least one Rampart check, and Rampart "fires" on the case
 * when any of those checks reports on the case's input. Inputs are scanned as
 * `rampart scan` scans them: the hardening catalogue plus the whole-input CIS
 * 5.1 RBAC controls. Each corpus's label
 * semantics (read from its labels/index JSON) decide what "fires" means
 * upstream; see docs/accuracy.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HARDENING_CHECKS } from '../checks/common/catalogue.js';
import { createRbacScanCheck, RBAC_CHECK_METAS } from '../checks/rbac/index.js';
import type { Check, CheckMeta } from '../checks/types.js';
import { Scanner } from '../engine/scan.js';
import { loadText } from '../load/load.js';
import { PodTemplateFinder } from '../model/podTemplates.js';
import type { Finding } from '../model/types.js';

export const CORPUS_NAMES = ['kube-score', 'polaris', 'kubesec', 'kube-linter', 'kubeaudit', 'kubescape-regolibrary'] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

/** The tool prefix each corpus uses in `equivalents`. */
const TOOL: Readonly<Record<CorpusName, string>> = {
  'kube-score': 'kube-score',
  polaris: 'polaris',
  kubesec: 'kubesec',
  'kube-linter': 'kube-linter',
  kubeaudit: 'kubeaudit',
  'kubescape-regolibrary': 'kubescape',
};

export interface ScoredCase {
  readonly corpus: CorpusName;
  /** Upstream check, rule or result code. */
  readonly upstream: string;
  /** Fixture (relative to the corpus) and, where the label is narrower, the kind or case. */
  readonly fixture: string;
  readonly rampartChecks: readonly string[];
  /** Whether the upstream label says the weakness is present. */
  readonly expected: boolean;
  readonly actual: boolean;
  /** Messages of the Rampart findings that decided `actual`, for the disagreement list. */
  readonly evidence: readonly string[];
}

export interface CorpusScore {
  readonly corpus: CorpusName;
  readonly cases: readonly ScoredCase[];
  /** Labelled cases whose upstream check maps to no Rampart check, by upstream check. */
  readonly unmapped: ReadonlyMap<string, number>;
  readonly skipped: ReadonlyMap<string, number>;
}

export function agreement(cases: readonly ScoredCase[]): number {
  return cases.length === 0 ? 1 : cases.filter((entry) => entry.expected === entry.actual).length / cases.length;
}

/** The checks scored: every check `scanFiles` runs (the hardening catalogue and the RBAC controls). */
export function scoredCheckMetas(): readonly CheckMeta[] {
  return [...HARDENING_CHECKS.map((check) => check.meta), ...RBAC_CHECK_METAS];
}

/** `tool:id` → IDs of the Rampart checks that declare it. */
export function equivalenceIndex(metas: readonly CheckMeta[] = scoredCheckMetas()): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const meta of metas) {
    for (const equivalent of meta.equivalents ?? []) {
      const list = index.get(equivalent) ?? [];
      list.push(meta.id);
      index.set(equivalent, list);
    }
  }
  return index;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Scans files as `rampart scan` does, with the whole catalogue and the RBAC controls (cross-object and
 * whole-input checks see every file of the case), and returns the findings.
 */
export function scanFiles(files: readonly string[], checks: readonly Check[] = HARDENING_CHECKS): Finding[] {
  const scanner = new Scanner({ checks, wholeInputChecks: [createRbacScanCheck()] });
  for (const file of files) {
    const batch = loadText(readFileSync(file, 'utf8'), file);
    for (const object of batch.objects) scanner.add(object);
  }
  return scanner.finish().findings;
}

function judge(findings: readonly Finding[], ids: readonly string[], filter: (finding: Finding) => boolean = () => true): { actual: boolean; evidence: string[] } {
  const wanted = new Set(ids);
  const hits = findings.filter((finding) => wanted.has(finding.checkId) && filter(finding));
  return { actual: hits.length > 0, evidence: hits.slice(0, 3).map((finding) => `${finding.checkId}: ${finding.object.kind} ${finding.object.name}: ${finding.message}`) };
}

class Scorer {
  readonly cases: ScoredCase[] = [];
  readonly unmapped = new Map<string, number>();
  readonly skipped = new Map<string, number>();
  private readonly cache = new Map<string, Finding[]>();

  constructor(
    readonly corpus: CorpusName,
    readonly root: string,
    readonly index: Map<string, string[]>,
  ) {}

  mapped(upstreamIds: readonly string[]): string[] {
    const ids = new Set<string>();
    for (const id of upstreamIds) for (const check of this.index.get(`${TOOL[this.corpus]}:${id}`) ?? []) ids.add(check);
    return [...ids];
  }

  findings(files: readonly string[]): Finding[] {
    const key = files.join('\n');
    let cached = this.cache.get(key);
    if (cached === undefined) {
      cached = scanFiles(files.map((file) => path.join(this.root, file)));
      this.cache.set(key, cached);
    }
    return cached;
  }

  add(upstream: string, fixture: string, rampartChecks: readonly string[], expected: boolean, result: { actual: boolean; evidence: string[] }): void {
    this.cases.push({ corpus: this.corpus, upstream, fixture, rampartChecks, expected, actual: result.actual, evidence: result.evidence });
  }

  result(): CorpusScore {
    return { corpus: this.corpus, cases: this.cases, unmapped: this.unmapped, skipped: this.skipped };
  }
}

interface KubeScoreAssertion {
  call: string;
  check_id?: string;
  expected_grade?: string;
  run_config: string;
  fixtures: string[];
}

/** kube-score: the named check's grade on the fixture; Critical and Warning mean the weakness is present. */
function scoreKubeScore(scorer: Scorer): void {
  const labels = readJson<{ assertions: KubeScoreAssertion[] }>(path.join(scorer.root, 'expected_outcomes.json'));
  for (const assertion of labels.assertions) {
    const id = assertion.check_id;
    if (id === undefined || assertion.expected_grade === undefined || !assertion.call.startsWith('testExpectedScore')) {
      count(scorer.skipped, `${id ?? 'custom assertion'} (${assertion.call})`);
      continue;
    }
    const checks = scorer.mapped([id]);
    if (checks.length === 0) {
      count(scorer.unmapped, id);
      continue;
    }
    // Options that change a check's own thresholds have no Rampart counterpart.
    if (/Ignore|MinReplicas|Semver/.test(assertion.run_config)) {
      count(scorer.skipped, `${id} (run config ${assertion.run_config.trim()})`);
      continue;
    }
    const files = assertion.fixtures.map((fixture) => path.join('testdata', fixture));
    if (!files.every((file) => existsSync(path.join(scorer.root, file)))) {
      count(scorer.skipped, `${id} (fixture missing)`);
      continue;
    }
    const expected = assertion.expected_grade === 'GradeCritical' || assertion.expected_grade === 'GradeWarning';
    scorer.add(id, assertion.fixtures.join(', '), checks, expected, judge(scorer.findings(files), checks));
  }
}

interface PolarisFixture {
  path: string;
  check: string;
  role: string;
  expected?: string;
}

/** Polaris: `failure*` fixtures must fail the check, `success*` fixtures must pass it. */
function scorePolaris(scorer: Scorer): void {
  const labels = readJson<{ fixtures: PolarisFixture[] }>(path.join(scorer.root, 'labels.json'));
  for (const fixture of labels.fixtures) {
    if (fixture.role !== 'fixture') continue;
    const checks = scorer.mapped([fixture.check]);
    if (checks.length === 0) {
      count(scorer.unmapped, fixture.check);
      continue;
    }
    // Some fixtures test Polaris' built-in allow-list of object names, not the check: Rampart has no
    // name-based allow-list (a name is chosen by whoever writes the manifest); exceptions serve that need.
    if (/exempt name/i.test(readFileSync(path.join(scorer.root, fixture.path), 'utf8').split('\n', 1)[0] ?? '')) {
      count(scorer.skipped, `${fixture.check} (tests Polaris' built-in name allow-list)`);
      continue;
    }
    scorer.add(fixture.check, fixture.path, checks, fixture.expected === 'failure', judge(scorer.findings([fixture.path]), checks));
  }
}

interface KubesecCase {
  path: string;
  rule_id: string;
  expected_match_count: number;
}

/**
 * kubesec rule unit cases: the rule matched `expected_match_count` times.
 * Rules with negative points match the weakness (Rampart fires when they
 * match); rules with positive points match the hardening (Rampart fires when
 * they do not match at all).
 */
function scoreKubesec(scorer: Scorer): void {
  const labels = readJson<{ rule_unit_cases: KubesecCase[]; ruleset: Array<{ id: string; points: number }> }>(path.join(scorer.root, 'labels.json'));
  const points = new Map(labels.ruleset.map((rule) => [rule.id, rule.points]));
  for (const entry of labels.rule_unit_cases) {
    const checks = scorer.mapped([entry.rule_id]);
    if (checks.length === 0) {
      count(scorer.unmapped, entry.rule_id);
      continue;
    }
    const positive = (points.get(entry.rule_id) ?? 0) > 0;
    if (positive) {
      // A hardening rule counts the containers (or pod) that have the hardening. Only "none" and "a single
      // container that has it" are yes/no labels; a partly hardened multi-container pod is not.
      const containers = containerCount(path.join(scorer.root, entry.path));
      if (containers === 0 || (entry.expected_match_count > 0 && containers > 1)) {
        count(scorer.skipped, `${entry.rule_id} (${containers === 0 ? 'no containers' : 'partly hardened multi-container pod'})`);
        continue;
      }
    }
    const expected = positive ? entry.expected_match_count === 0 : entry.expected_match_count > 0;
    scorer.add(entry.rule_id, entry.path, checks, expected, judge(scorer.findings([entry.path]), checks));
  }
}

function containerCount(file: string): number {
  const finder = new PodTemplateFinder();
  let total = 0;
  for (const object of loadText(readFileSync(file, 'utf8'), file).objects) {
    const found = finder.find(object);
    if (found.kind !== 'template') continue;
    for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
      const list = found.template.spec[key];
      if (Array.isArray(list)) total += list.length;
    }
  }
  return total;
}

/**
 * kube-linter reports a dangerous grant at the binding that makes it effective, Rampart at the rule that
 * grants it: roles and bindings are one group of kinds, so the same grant is compared, not its location.
 */
function kindGroup(kind: string): string {
  return ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(kind) ? 'RBAC' : kind;
}

interface KubeLinterTest {
  test: string;
  fixture: string;
  include_checks: string[];
  config: string[];
  expected_report_count: number | null;
  expected_messages: string[];
}

/** kube-linter: one check per test; each object kind of the fixture is a case (messages name the kind of each reported object). */
function scoreKubeLinter(scorer: Scorer): void {
  const labels = readJson<{ tests: KubeLinterTest[] }>(path.join(scorer.root, 'labels.json'));
  for (const entry of labels.tests) {
    const [check] = entry.include_checks;
    if (entry.include_checks.length !== 1 || check === undefined || entry.expected_report_count === null || entry.config.length > 0) {
      count(scorer.skipped, entry.test);
      continue;
    }
    const checks = scorer.mapped([check]);
    if (checks.length === 0) {
      count(scorer.unmapped, check);
      continue;
    }
    const fixture = path.join('checks', path.basename(entry.fixture));
    if (!existsSync(path.join(scorer.root, fixture))) {
      count(scorer.skipped, `${entry.test} (fixture missing)`);
      continue;
    }
    const findings = scorer.findings([fixture]);
    const reportedKinds = new Set(entry.expected_messages.map((message) => kindGroup(message.slice(0, message.indexOf(':')))));
    const kinds = new Set(loadText(readFileSync(path.join(scorer.root, fixture), 'utf8'), fixture).objects.map((object) => kindGroup(object.kind)));
    // A few rows keep the report count but lost the messages; with one kind in the fixture the count says enough.
    if (entry.expected_messages.length < (entry.expected_report_count ?? 0) && kinds.size === 1) for (const kind of kinds) reportedKinds.add(kind);
    for (const kind of kinds) {
      scorer.add(check, `${fixture} (${kind})`, checks, reportedKinds.has(kind), judge(findings, checks, (finding) => kindGroup(finding.object.kind) === kind));
    }
  }
}

interface KubeauditCase {
  auditor: string;
  fixture: string;
  exists: boolean;
  expected_results: string[] | null;
  other_args: string;
}

/**
 * kubeaudit: per fixture and Rampart check mapped to one of the auditor's
 * result codes, the weakness is present when a mapped code is expected;
 * `<Code>Allowed` (overridden by an annotation upstream) still means present:
 * Rampart reports it, exceptions are a separate feature.
 */
function scoreKubeaudit(scorer: Scorer): void {
  const labels = readJson<{ cases: KubeauditCase[] }>(path.join(scorer.root, 'labels.json'));
  const codesByAuditor = new Map<string, Set<string>>();
  for (const entry of labels.cases) {
    const codes = codesByAuditor.get(entry.auditor) ?? new Set<string>();
    for (const code of entry.expected_results ?? []) codes.add(code.replace(/Allowed$/, ''));
    codesByAuditor.set(entry.auditor, codes);
  }
  for (const entry of labels.cases) {
    if (!entry.exists || entry.expected_results === null) {
      count(scorer.skipped, `${entry.auditor} (${entry.expected_results === null ? 'label unreadable' : 'fixture missing'})`);
      continue;
    }
    const codes = [...(codesByAuditor.get(entry.auditor) ?? [])];
    const byCheck = new Map<string, string[]>();
    for (const code of codes) for (const check of scorer.mapped([code])) byCheck.set(check, [...(byCheck.get(check) ?? []), code]);
    if (byCheck.size === 0) {
      count(scorer.unmapped, entry.auditor);
      continue;
    }
    const expectedCodes = new Set(entry.expected_results.map((code) => code.replace(/Allowed$/, '')));
    const findings = scorer.findings([entry.fixture]);
    for (const [check, checkCodes] of byCheck) {
      const expected = checkCodes.some((code) => expectedCodes.has(code));
      scorer.add(`${entry.auditor}/${checkCodes.join('|')}`, `${entry.fixture}${entry.other_args.includes('"') ? ` (${entry.other_args.trim()})` : ''}`, [check], expected, judge(findings, [check]));
    }
  }
}

interface KubescapeCase {
  rule: string;
  dir: string;
  inputs: string[];
  expected_alert_count: number;
  controls: string[];
}

/** kubescape: a rule's test case fails when the rule emits at least one alert on its inputs. */
function scoreKubescape(scorer: Scorer): void {
  const labels = readJson<{ cases: KubescapeCase[] }>(path.join(scorer.root, 'index.json'));
  for (const entry of labels.cases) {
    const checks = scorer.mapped([entry.rule, ...entry.controls]);
    if (checks.length === 0) {
      count(scorer.unmapped, entry.rule);
      continue;
    }
    const inputs = entry.inputs.filter((input) => /\.(ya?ml|json)$/.test(input) && path.basename(input) !== 'data.json');
    if (inputs.length !== entry.inputs.length) {
      count(scorer.skipped, `${entry.rule} (needs the rule's policy configuration, data.json)`);
      continue;
    }
    scorer.add(entry.rule, entry.dir.replace(/^rules\//, ''), checks, entry.expected_alert_count > 0, judge(scorer.findings(inputs), checks));
  }
}

const SCORERS: Readonly<Record<CorpusName, (scorer: Scorer) => void>> = {
  'kube-score': scoreKubeScore,
  polaris: scorePolaris,
  kubesec: scoreKubesec,
  'kube-linter': scoreKubeLinter,
  kubeaudit: scoreKubeaudit,
  'kubescape-regolibrary': scoreKubescape,
};

export function scoreCorpus(corpus: CorpusName, corporaRoot: string, index = equivalenceIndex()): CorpusScore {
  const scorer = new Scorer(corpus, path.join(corporaRoot, corpus), index);
  SCORERS[corpus](scorer);
  return scorer.result();
}

export function scoreAll(corporaRoot: string): CorpusScore[] {
  const index = equivalenceIndex();
  return CORPUS_NAMES.map((corpus) => scoreCorpus(corpus, corporaRoot, index));
}
