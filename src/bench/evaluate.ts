/** Evaluation: a snapshot and a benchmark in, one result per control out. Pure. */
import { resolveBenchmark, type Benchmark } from './catalogue.js';
import type { Control, Outcome, Target } from './controls/types.js';
import type { RiskFinding } from '../rbac/risks.js';
import { evaluateCoreDns, findCorefiles } from './coredns.js';
import { evaluateRbacControls } from './controls/rbac.js';
import { evaluateCves } from './cves.js';
import { buildEffectiveNode, type EffectiveNode, type KubernetesVersion } from './effective.js';
import type { ControlResult, ControlStatus, NodeSnapshot } from './model.js';

export interface BenchOptions {
  readonly benchmark: string;
  readonly targets?: readonly Target[];
  readonly kubernetesVersion?: string;
  /** Risk findings of the cluster's RBAC objects (`--rbac`): CIS 5.1 is then judged instead of pointed to. */
  readonly rbacFindings?: readonly RiskFinding[];
  /** Age in days above which the service-account signing key is WARN (1.2.R1); 365 by default. */
  readonly serviceAccountKeyMaxAgeDays?: number;
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly target: Target;
  readonly results: readonly ControlResult[];
  readonly counts: Record<ControlStatus, number>;
}

export interface BenchResult {
  readonly benchmark: { readonly id: string; readonly title: string; readonly requested: string };
  readonly kubernetesVersion: KubernetesVersion;
  readonly notes: readonly string[];
  readonly sections: readonly SectionResult[];
  readonly counts: Record<ControlStatus, number>;
  /** What collection found, for the report header. */
  readonly components: readonly { readonly name: string; readonly origin: string; readonly file: string }[];
  /** No target was named and no component was found: nothing was judged. */
  readonly nothingFound: boolean;
}

const emptyCounts = (): Record<ControlStatus, number> => ({ PASS: 0, FAIL: 0, WARN: 0, INFO: 0 });

export function runBenchmark(snapshot: NodeSnapshot, options: BenchOptions): BenchResult | { error: string } {
  const node = buildEffectiveNode(snapshot, options.kubernetesVersion, options.serviceAccountKeyMaxAgeDays === undefined ? {} : { serviceAccountKeyMaxAgeDays: options.serviceAccountKeyMaxAgeDays });
  const resolved = resolveBenchmark(options.benchmark, node.version.minor);
  if (resolved === undefined) return { error: `unknown benchmark ${options.benchmark}` };
  const benchmark: Benchmark = resolved.benchmark;
  const notes: string[] = [];
  if (resolved.note !== undefined) notes.push(resolved.note);
  notes.push(`Kubernetes version: ${node.version.text ?? `1.${node.version.minor}`} (${node.version.source})`);
  for (const problem of snapshot.problems) notes.push(problem);
  for (const component of snapshot.components) for (const problem of component.problems) notes.push(`${component.name}: ${problem}`);
  for (const component of snapshot.components) if (component.binary?.problem !== undefined) notes.push(`${component.name}: no version from its binary ${component.binary.path}: ${component.binary.problem}`);
  const detected = detectTargets(snapshot);
  const nothingFound = options.targets === undefined && detected.length === 0 && options.rbacFindings === undefined;
  if (nothingFound) notes.push(`no Kubernetes component was found under ${snapshot.root}: nothing judged (name --targets to judge anyway)`);
  else if (options.targets === undefined) notes.push(`targets found on this node: ${detected.join(', ')}`);
  const targets = new Set(options.targets ?? (options.rbacFindings === undefined ? detected : [...detected, 'policies' as const]));
  const sections: SectionResult[] = [];
  const total = emptyCounts();
  for (const section of benchmark.sections) {
    if (!targets.has(section.target)) continue;
    const results: ControlResult[] = [];
    const counts = emptyCounts();
    const dynamic = section.target === 'cves' ? evaluateCves(node) : section.target === 'coredns' ? evaluateCoreDns(snapshot) : section.id === '5.1' && options.rbacFindings !== undefined ? evaluateRbacControls(options.rbacFindings) : undefined;
    if (dynamic !== undefined) {
      for (const result of dynamic) {
        results.push(result);
        counts[result.status]++;
        total[result.status]++;
      }
    }
    for (const control of dynamic === undefined ? benchmark.controls : []) {
      if (control.section !== section.id) continue;
      const outcome = evaluateSafely(control, node);
      const result: ControlResult = {
        id: control.id,
        title: control.title,
        section: section.id,
        status: outcome.status,
        automated: control.automated,
        automatedByRampart: control.automatedByRampart === true,
        ...(control.rampartOnly === true ? { rampartOnly: true } : {}),
        details: outcome.details,
        remediation: control.remediation,
        ...(outcome.file === undefined ? {} : { file: outcome.file }),
        ...(outcome.line === undefined ? {} : { line: outcome.line }),
      };
      results.push(result);
      counts[result.status]++;
      total[result.status]++;
    }
    sections.push({ id: section.id, title: section.title, target: section.target, results, counts });
  }
  return {
    benchmark: { id: benchmark.id, title: benchmark.title, requested: options.benchmark },
    kubernetesVersion: node.version,
    notes,
    sections,
    counts: total,
    components: snapshot.components.map((component) => ({ name: component.name, origin: component.origin, file: component.file })),
    nothingFound,
  };
}

/** A control that throws is a Rampart bug: reported as WARN with the error, and the benchmark goes on (like the scan engine's internal-error). */
function evaluateSafely(control: Control, node: EffectiveNode): Outcome {
  try {
    return control.evaluate(node);
  } catch (error) {
    return { status: 'WARN', details: [`internal error in Rampart while judging this control: ${error instanceof Error ? error.message : String(error)}`] };
  }
}

/**
 * Targets to judge when none are named, from what runs on the node: master
 * and controlplane where a control-plane component is, etcd where etcd is,
 * node where a kubelet is. Policies need the cluster's objects, so only on request.
 */
export function detectTargets(snapshot: NodeSnapshot): Target[] {
  const names = new Set([...snapshot.components.map((component) => component.name), ...snapshot.unreadable.map((entry) => entry.name)]);
  const targets: Target[] = [];
  if (names.has('kube-apiserver') || names.has('kube-controller-manager') || names.has('kube-scheduler')) targets.push('master');
  if (names.has('etcd')) targets.push('etcd');
  if (names.has('kube-apiserver')) targets.push('controlplane');
  if (names.has('kubelet') || names.has('kube-proxy')) targets.push('node');
  if (findCorefiles(snapshot).corefiles.length > 0) targets.push('coredns');
  if (targets.length > 0) targets.push('cves');
  return targets;
}

export function severityOf(benchmark: Benchmark, id: string): string | undefined {
  return benchmark.controls.find((control) => control.id === id)?.severity;
}
