/**
 * `rampart pss PATH...`: would Pod Security Admission admit these pods?
 * Prints one verdict per pod-bearing object (workloads are judged on their
 * pod template). Exit 0 when every object is allowed, 1 when one is denied,
 * 2 on usage or input errors.
 */
import type { Command } from 'commander';
import { judgePod, type PodJudgement } from '../checks/pss/evaluate.js';
import { pssDefaults, resolvePssVersion } from '../checks/pss/index.js';
import { namespacePolicy, type NamespacePolicy, type PssMode } from '../checks/pss/namespacePolicy.js';
import { parsePolicyVersion } from '../checks/pss/versions.js';
import { loadFiles } from '../load/load.js';
import { ClusterIndex } from '../model/clusterIndex.js';
import { buildPodView, type PodView } from '../model/podView.js';
import { formatPath, locate, type Diagnostic, type FieldPath, type KubeObject } from '../model/types.js';
import { choice, loadConfigForCommand, podTemplateFinderFor, UsageError, writeOutput } from './common.js';

const FORMATS = ['table', 'json'] as const;
type PssFormat = (typeof FORMATS)[number];

interface PssFlags {
  level: 'baseline' | 'restricted';
  version: string;
  format: PssFormat;
  output?: string;
  config?: string;
}

export interface PssViolationReport {
  readonly check: string;
  readonly reason: string;
  readonly message: string;
  /** The modes the violation hits, when the namespace's labels apply. */
  readonly modes?: readonly PssMode[];
  readonly fields: ReadonlyArray<{ readonly path: string; readonly line: number; readonly column: number }>;
}

export interface PssObjectReport {
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly namespace: string; readonly name: string };
  readonly location: { readonly file: string; readonly line: number; readonly column: number };
  readonly allowed: boolean;
  /** The namespace's policy, when its Pod Security labels decide the verdict instead of --level/--version. */
  readonly namespacePolicy?: {
    readonly namespace: string;
    readonly enforce: { readonly level: string; readonly version: string };
    readonly audit: { readonly level: string; readonly version: string };
    readonly warn: { readonly level: string; readonly version: string };
    readonly labelProblems?: ReadonlyArray<{ readonly label: string; readonly value: string; readonly message: string }>;
  };
  readonly violations: readonly PssViolationReport[];
}

export interface PssReport {
  readonly level: 'baseline' | 'restricted';
  readonly version: string;
  readonly requestedVersion: string;
  readonly results: readonly PssObjectReport[];
}

export function registerPssCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('pss')
    .description('judge pods and workloads against the Pod Security Standards, as Pod Security Admission would')
    .argument('<paths...>', 'files or directories (.yaml, .yml, .json), or - for stdin')
    .option('-l, --level <level>', 'level for pods whose namespace has no pod-security labels in the input: baseline or restricted', choice(['baseline', 'restricted'] as const), 'restricted')
    .option('--version <version>', 'policy version: v1.N or latest', 'latest')
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, choice(FORMATS), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-c, --config <file>', 'config file (YAML) for pod-template locations and input limits, see docs/config.md')
    .action(async (paths: string[], flags: PssFlags) => {
      if (parsePolicyVersion(flags.version) === undefined) throw new UsageError(`--version must be latest or v1.N, got ${JSON.stringify(flags.version)}`);
      const config = await loadConfigForCommand(flags.config);
      const finder = podTemplateFinderFor(config);
      const cluster = new ClusterIndex();
      const pods: Array<{ object: KubeObject; pod: PodView }> = [];
      const diagnostics: Diagnostic[] = [];
      for await (const batch of loadFiles(paths, config.limits)) {
        diagnostics.push(...batch.diagnostics);
        for (const object of batch.objects) {
          cluster.addObject(object);
          const template = finder.find(object);
          if (template.kind === 'invalid') {
            diagnostics.push(diagnosticAt(object, template.path, `${object.kind} ${object.name}: ${template.message}; not judged`));
          } else if (template.kind === 'template') {
            const pod = buildPodView(template.template);
            for (const problem of pod.problems) diagnostics.push(diagnosticAt(object, problem.path, `${object.kind} ${object.name}: ${problem.message}; the field is ignored`));
            pods.push({ object, pod });
          }
        }
      }
      // Invalid Pod Security labels still yield a policy (as in PSA), so they are warnings, not input errors.
      for (const namespace of cluster.allNamespaces()) {
        for (const problem of namespacePolicy(namespace.name, namespace.labels)?.problems ?? []) {
          const location = locate(namespace.object, ['metadata', 'labels', problem.label]);
          diagnostics.push({
            severity: 'warning',
            code: 'invalid-pod-security-label',
            message: `Namespace ${namespace.name}: label ${problem.label}=${JSON.stringify(problem.value)} ${problem.message}`,
            file: location.file,
            documentIndex: location.documentIndex,
            line: location.line,
            column: location.column,
          });
        }
      }
      const defaults = pssDefaults(flags);
      const results = pods.map(({ object, pod }) => objectReport(object, judgePod(object, pod, cluster, defaults)));
      const report: PssReport = { level: flags.level, version: resolvePssVersion(flags.version), requestedVersion: flags.version, results };
      for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
      await writeOutput(flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report), flags.output);
      if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) setExitCode(2);
      else if (results.some((result) => !result.allowed)) setExitCode(1);
    });
}

function diagnosticAt(object: KubeObject, path: FieldPath, message: string): Diagnostic {
  const location = locate(object, path);
  return { severity: 'error', code: 'invalid-field', message, file: location.file, documentIndex: location.documentIndex, line: location.line, column: location.column };
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const position = diagnostic.line === undefined ? '' : `:${diagnostic.line}:${diagnostic.column ?? 1}`;
  return `${diagnostic.file}${position}: ${diagnostic.message}`;
}

export function objectReport(object: KubeObject, judgement: PodJudgement): PssObjectReport {
  const location = locate(object, []);
  return {
    object: { apiVersion: object.apiVersion, kind: object.kind, namespace: judgement.namespace, name: object.name },
    location: { file: location.file, line: location.line, column: location.column },
    allowed: judgement.allowed,
    ...(judgement.policy !== undefined ? { namespacePolicy: policyReport(judgement.policy) } : {}),
    violations: judgement.violations.map((violation) => ({
      check: violation.check.id,
      reason: violation.reason,
      message: violation.detail,
      ...(judgement.policy !== undefined ? { modes: violation.modes } : {}),
      fields: violation.offenses.map((offense) => {
        const position = locate(object, offense.path);
        return { path: formatPath(offense.path), line: position.line, column: position.column };
      }),
    })),
  };
}

function policyReport(policy: NamespacePolicy): NonNullable<PssObjectReport['namespacePolicy']> {
  const mode = (name: PssMode): { level: string; version: string } => ({ level: policy.modes[name].level, version: policy.modes[name].version });
  return {
    namespace: policy.namespace,
    enforce: mode('enforce'),
    audit: mode('audit'),
    warn: mode('warn'),
    ...(policy.problems.length > 0 ? { labelProblems: policy.problems } : {}),
  };
}

/** Human output, grouped by object: the verdict, then each violated check with its message. */
export function renderTable(report: PssReport): string {
  const versionNote = report.requestedVersion === report.version ? report.version : `${report.version} (requested ${report.requestedVersion})`;
  const lines = [`Pod Security Standards: ${report.level}, policy ${versionNote}`, ''];
  for (const result of report.results) {
    const { object, location } = result;
    const verdict = result.allowed ? 'ALLOWED' : 'DENIED';
    // Under namespace labels a pod can pass enforce and still trip audit or warn.
    const note = result.allowed && result.violations.length > 0 ? `  (${result.violations.length} ${result.violations.length === 1 ? 'violation' : 'violations'} in audit/warn only)` : '';
    lines.push(`${verdict.padEnd(8)} ${object.kind} ${object.namespace}/${object.name}  ${location.file}:${location.line}${note}`);
    const policy = result.namespacePolicy;
    if (policy !== undefined) {
      lines.push(`         namespace ${policy.namespace}: enforce ${policy.enforce.level} ${policy.enforce.version}, audit ${policy.audit.level} ${policy.audit.version}, warn ${policy.warn.level} ${policy.warn.version}`);
      for (const problem of policy.labelProblems ?? []) lines.push(`         label ${problem.label}=${JSON.stringify(problem.value)}: ${problem.message}`);
    }
    for (const violation of result.violations) {
      const modes = violation.modes !== undefined ? ` [${violation.modes.join(', ')}]` : '';
      const line = violation.fields[0]?.line;
      lines.push(`    ${violation.check.padEnd(27)} ${violation.message}${modes}${line !== undefined ? ` (line ${line})` : ''}`);
    }
  }
  const denied = report.results.filter((result) => !result.allowed).length;
  if (report.results.length > 0) lines.push('');
  lines.push(`${report.results.length} ${report.results.length === 1 ? 'object' : 'objects'}: ${report.results.length - denied} allowed, ${denied} denied`);
  return `${lines.join('\n')}\n`;
}

