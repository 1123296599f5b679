/**
 * The report's data: findings with their checks' remediation, scores per
 * framework and namespace, the threat model and the attack graph. The HTML,
 * Markdown and JSON reports are all drawn from it.
 */
import { allCheckMetas } from '../../checks/index.js';
import type { ScanResult } from '../../engine/scan.js';
import type { FixEdit, FrameworkName, Severity } from '../../model/types.js';
import type { AttackGraph } from '../../threat/attackGraph.js';
import type { BenchData } from '../../threat/input.js';
import type { ThreatModel } from '../../threat/model.js';

export interface ReportFinding {
  readonly checkId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly frameworks: readonly string[];
  readonly fix?: readonly FixEdit[];
}

export interface CheckInfo {
  readonly title: string;
  readonly description: string;
  readonly remediation: string;
  readonly documentation: string;
  readonly fixable: boolean;
}

export interface Score {
  readonly name: string;
  /** Passing judgements out of all judgements (object × check), in percent; undefined when nothing was judged. */
  readonly score: number | undefined;
  readonly passed: number;
  readonly judged: number;
}

export interface ReportData {
  readonly tool: { readonly name: string; readonly version: string };
  readonly generatedAt: string;
  readonly inputs: readonly string[];
  readonly summary: { readonly objects: number; readonly files: number; readonly findings: number; readonly bySeverity: Record<Severity, number> };
  readonly frameworks: readonly Score[];
  readonly namespaces: readonly Score[];
  readonly findings: readonly ReportFinding[];
  readonly checks: Readonly<Record<string, CheckInfo>>;
  readonly threatModel: ThreatModel;
  readonly attackGraph: AttackGraph;
  readonly bench?: { readonly file: string; readonly benchmark: string; readonly counts: Record<string, number> };
}

const FRAMEWORKS: readonly { name: FrameworkName; label: string }[] = [
  { name: 'PSS', label: 'Pod Security Standards' },
  { name: 'CIS', label: 'CIS Kubernetes Benchmark' },
  { name: 'NSA-CISA', label: 'NSA/CISA hardening guide' },
  { name: 'MITRE-ATTACK', label: 'MITRE ATT&CK' },
];

function frameworkLabel(mapping: { framework: string; id: string; level?: string }): string {
  return `${mapping.framework} ${mapping.id}${mapping.level === undefined ? '' : ` (${mapping.level})`}`;
}

export interface ReportInputs {
  readonly scan: ScanResult;
  readonly model: ThreatModel;
  readonly graph: AttackGraph;
  readonly bench: BenchData | undefined;
  readonly inputs: readonly string[];
  readonly tool: { readonly name: string; readonly version: string };
  readonly now: Date;
}

export function buildReportData(source: ReportInputs): ReportData {
  const metas = new Map(allCheckMetas().map((meta) => [meta.id, meta]));
  const checks: Record<string, CheckInfo> = {};
  const findings: ReportFinding[] = source.scan.findings.map((finding) => {
    const meta = metas.get(finding.checkId);
    if (meta !== undefined && checks[finding.checkId] === undefined) {
      checks[finding.checkId] = { title: meta.title, description: meta.description, remediation: meta.remediation, documentation: meta.documentation, fixable: meta.fixable === true };
    }
    return {
      checkId: finding.checkId,
      severity: finding.severity,
      title: finding.title,
      message: finding.message,
      kind: finding.object.kind,
      namespace: finding.object.namespace ?? (finding.object.kind === 'Namespace' ? finding.object.name : ''),
      name: finding.object.name,
      file: finding.location.file,
      line: finding.location.line,
      frameworks: finding.frameworks.map(frameworkLabel),
      ...(finding.fix === undefined ? {} : { fix: finding.fix }),
    };
  });

  // Scores: every (object, check) judgement counts; it passes when the check reported nothing on the object.
  const failed = new Set(source.scan.findings.map((finding) => `${finding.object.kind}/${finding.object.namespace ?? ''}/${finding.object.name}#${finding.checkId}`));
  const byFramework = new Map<string, { passed: number; judged: number }>();
  const byNamespace = new Map<string, { passed: number; judged: number }>();
  const count = (map: Map<string, { passed: number; judged: number }>, key: string, passed: boolean): void => {
    const entry = map.get(key) ?? { passed: 0, judged: 0 };
    entry.judged++;
    if (passed) entry.passed++;
    map.set(key, entry);
  };
  for (const scanned of source.scan.objects) {
    const objectKey = `${scanned.object.kind}/${scanned.object.namespace ?? ''}/${scanned.object.name}`;
    const namespace = scanned.object.namespace ?? (scanned.object.kind === 'Namespace' ? scanned.object.name : '(cluster-wide)');
    for (const checkId of new Set(scanned.checks)) {
      const passed = !failed.has(`${objectKey}#${checkId}`);
      count(byNamespace, namespace, passed);
      const meta = metas.get(checkId);
      const names = new Set(meta?.frameworks.map((mapping) => mapping.framework) ?? (checkId.startsWith('PSS-') ? ['PSS'] : []));
      for (const name of names) count(byFramework, name, passed);
    }
  }
  let benchCounts: Record<string, number> | undefined;
  if (source.bench !== undefined) {
    benchCounts = { PASS: 0, FAIL: 0, WARN: 0, INFO: 0 };
    for (const control of source.bench.controls.values()) {
      benchCounts[control.status] = (benchCounts[control.status] ?? 0) + 1;
      if (control.status !== 'INFO') count(byFramework, 'CIS', control.status === 'PASS');
    }
  }
  const score = (name: string, entry: { passed: number; judged: number } | undefined): Score => ({
    name,
    score: entry === undefined || entry.judged === 0 ? undefined : Math.round((entry.passed / entry.judged) * 1000) / 10,
    passed: entry?.passed ?? 0,
    judged: entry?.judged ?? 0,
  });
  return {
    tool: source.tool,
    generatedAt: source.now.toISOString(),
    inputs: source.inputs,
    summary: { objects: source.scan.summary.objects, files: source.scan.summary.files, findings: findings.length, bySeverity: source.scan.summary.bySeverity },
    frameworks: FRAMEWORKS.map((framework) => score(framework.label, byFramework.get(framework.name))),
    namespaces: [...byNamespace.keys()].sort().map((name) => score(name, byNamespace.get(name))),
    findings,
    checks,
    threatModel: source.model,
    attackGraph: source.graph,
    ...(source.bench !== undefined && benchCounts !== undefined ? { bench: { file: source.bench.file, benchmark: source.bench.benchmark, counts: benchCounts } } : {}),
  };
}
