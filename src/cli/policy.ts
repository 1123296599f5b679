/** `rampart policy test`: ValidatingAdmissionPolicies and bindings evaluated offline against CREATE of the given resources. */
import type { Command } from 'commander';
import { loadFiles } from '../load/load.js';
import type { Diagnostic, KubeObject } from '../model/types.js';
import { LATEST_KUBERNETES_MINOR, OLDEST_KUBERNETES_MINOR, parseKubernetesVersion } from '../policy/environment.js';
import { DEFAULT_USER } from '../policy/vap/evaluate.js';
import { testPolicies } from '../policy/vap/index.js';
import { judgeExpectations, readExpectations, renderExpectationsJunit, renderExpectationsTable } from '../policy/vap/expectations.js';
import { renderPolicyJson, renderPolicyTable } from '../policy/vap/report.js';
import { lintPolicies, renderLintJson, renderLintTable } from '../policy/vap/lint.js';
import { exportPssPolicies, OLDEST_EXPORT_KUBERNETES_MINOR, parseNamespaceSelector, parsePssTarget, renderYaml, type PssTarget } from '../policy/export/vap.js';
import type { ValidationAction } from '../policy/vap/model.js';
import { choice, UsageError, writeOutput } from './common.js';

interface PolicyTestFlags {
  policies: string[];
  resources: string[];
  namespaces: string[];
  old: string[];
  user?: string;
  groups: string[];
  kubernetesVersion: string;
  format: 'table' | 'json' | 'junit';
  output?: string;
  expect: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface PolicyLintFlags {
  policies: string[];
  kubernetesVersion: string;
  format: 'table' | 'json';
  output?: string;
}

interface PolicyExportFlags {
  vap?: boolean;
  pss: string[];
  checks: string[];
  validationActions: string;
  workloads?: boolean;
  workloadValidationActions: string;
  namespaceSelector?: string;
  kubernetesVersion: string;
  output?: string;
}

const VALIDATION_ACTIONS: readonly ValidationAction[] = ['Deny', 'Warn', 'Audit'];

function validationActions(flag: string, text: string): ValidationAction[] {
  const actions = text.split(',').map((action) => action.trim()).filter((action) => action !== '');
  const unknown = actions.filter((action) => !(VALIDATION_ACTIONS as readonly string[]).includes(action));
  if (actions.length === 0 || unknown.length > 0) throw new UsageError(`${flag} must be Deny, Warn and/or Audit, got ${JSON.stringify(text)}`);
  if (actions.includes('Deny') && actions.includes('Warn')) throw new UsageError(`${flag}: Deny and Warn together are not allowed (Kubernetes rejects the binding)`);
  return [...new Set(actions)] as ValidationAction[];
}

/** The --pss targets, default restricted@latest; comma-separated or repeated. */
function exportTargets(values: readonly string[]): PssTarget[] {
  const texts = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  return (texts.length === 0 ? ['restricted@latest'] : texts).map((text) => {
    const target = parsePssTarget(text);
    if (target === undefined) throw new UsageError(`--pss must be baseline or restricted, optionally @v1.N or @latest (e.g. restricted@v1.30), got ${JSON.stringify(text)}`);
    return target;
  });
}

async function load(paths: readonly string[]): Promise<{ objects: KubeObject[]; diagnostics: Diagnostic[] }> {
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for await (const batch of loadFiles(paths)) {
    objects.push(...batch.objects);
    diagnostics.push(...batch.diagnostics);
  }
  return { objects, diagnostics };
}

export function registerPolicyCommand(program: Command, setExitCode: (code: number) => void): void {
  const policy = program.command('policy').description('CEL admission policies: lint and test ValidatingAdmissionPolicies offline, export Rampart checks as ValidatingAdmissionPolicies');
  policy
    .command('export')
    .description('write ValidatingAdmissionPolicies and bindings (admissionregistration.k8s.io/v1) that enforce the Pod Security Standards on pods, as Pod Security Admission does')
    .option('--vap', 'ValidatingAdmissionPolicy output (the only format today)')
    .option('--pss <level@version>', 'baseline or restricted, @v1.N or @latest (default restricted@latest); comma-separated or repeatable: one policy each', collect, [])
    .option('--checks <ids>', 'only these checks: PSA checks (privileged or PSS-privileged) and Rampart checks CEL can express (container-read-only-root-filesystem, … see docs/cel.md), which go to a rampart-checks policy; comma-separated or repeatable', collect, [])
    .option('--validation-actions <actions>', 'binding validationActions, comma-separated: Deny, Warn, Audit', 'Deny')
    .option('--workloads', 'also a policy per target for the pod templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicationControllers and PodTemplates')
    .option('--workload-validation-actions <actions>', 'validationActions of the workload bindings (PSA only warns and audits on workloads)', 'Warn,Audit')
    .option('--namespace-selector <selector>', 'bind only in namespaces whose labels match: key=value, key!=value, key, !key, comma-separated')
    .option('--kubernetes-version <version>', `1.N (N >= ${OLDEST_EXPORT_KUBERNETES_MINOR}) or latest (1.${LATEST_KUBERNETES_MINOR}): the CEL must compile there`, 'latest')
    .option('-o, --output <file>', 'write the YAML to a file instead of stdout')
    .action(async (flags: PolicyExportFlags) => {
      if (flags.vap !== true) throw new UsageError('policy export needs --vap (ValidatingAdmissionPolicy is the only export format)');
      const version = parseKubernetesVersion(flags.kubernetesVersion);
      if (version === undefined || version.minor < OLDEST_EXPORT_KUBERNETES_MINOR) {
        throw new UsageError(`--kubernetes-version must be 1.N (N >= ${OLDEST_EXPORT_KUBERNETES_MINOR}, when admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy is served) or latest, got ${JSON.stringify(flags.kubernetesVersion)}`);
      }
      const namespaceSelector = flags.namespaceSelector === undefined ? undefined : parseNamespaceSelector(flags.namespaceSelector);
      if (flags.namespaceSelector !== undefined && namespaceSelector === undefined) throw new UsageError(`--namespace-selector: cannot read ${JSON.stringify(flags.namespaceSelector)}; use key=value, key!=value, key or !key, comma-separated`);
      const checks = flags.checks.flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter((entry) => entry !== '');
      const result = exportPssPolicies({
        targets: exportTargets(flags.pss),
        ...(checks.length > 0 ? { checks } : {}),
        validationActions: validationActions('--validation-actions', flags.validationActions),
        workloads: flags.workloads === true,
        workloadValidationActions: validationActions('--workload-validation-actions', flags.workloadValidationActions),
        ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
        kubernetesVersion: version,
      });
      if (result.problems.length > 0) throw new UsageError(result.problems.join('\n'));
      await writeOutput(renderYaml(result.objects), flags.output);
    });
  policy
    .command('lint')
    .description('compile and type-check every CEL expression of ValidatingAdmissionPolicies (and CelChecks) as the API server does when they are created; exit 1 when one would be rejected')
    .requiredOption('--policies <path>', 'policies, bindings and CelChecks (file or directory); repeatable', collect, [])
    .option('--kubernetes-version <version>', `1.N or latest (1.${LATEST_KUBERNETES_MINOR}): decides which CEL libraries exist`, 'latest')
    .option('--format <format>', 'table or json', choice(['table', 'json'] as const), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (flags: PolicyLintFlags) => {
      const version = parseKubernetesVersion(flags.kubernetesVersion);
      if (version === undefined) throw new UsageError(`--kubernetes-version must be 1.N (N >= ${OLDEST_KUBERNETES_MINOR}) or latest, got ${JSON.stringify(flags.kubernetesVersion)}`);
      const loaded = await load(flags.policies);
      const result = lintPolicies(loaded.objects, version);
      const full = { ...result, diagnostics: [...loaded.diagnostics, ...result.diagnostics] };
      await writeOutput(flags.format === 'json' ? renderLintJson(full) : renderLintTable(full), flags.output);
      if (loaded.diagnostics.some((diagnostic) => diagnostic.code === 'path-not-found')) setExitCode(2);
      else if (full.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) setExitCode(1);
    });
  policy
    .command('test')
    .description('evaluate ValidatingAdmissionPolicies and their bindings against CREATE of the given resources, UPDATE/DELETE from --old versions, or the requests of AdmissionReview files among them; exit 1 when a request is denied')
    .requiredOption('--policies <path>', 'policies, bindings, params and CRDs (file or directory); repeatable', collect, [])
    .requiredOption('--resources <path>', 'objects to create, or AdmissionReview objects (file or directory, or - for stdin); repeatable', collect, [])
    .option('--old <path>', 'stored versions: a resource with an old version of the same kind, namespace and name is an UPDATE from it, an old version without one a DELETE; repeatable', collect, [])
    .option('--namespaces <path>', 'Namespace objects, for namespaceSelector and namespaceObject; repeatable', collect, [])
    .option('--user <name>', `request user (default: ${DEFAULT_USER.username})`)
    .option('--groups <groups>', `request groups, comma-separated; repeatable (default with no --user: ${DEFAULT_USER.groups.join(',')})`, collect, [])
    .option('--kubernetes-version <version>', `1.N or latest (1.${LATEST_KUBERNETES_MINOR}): decides which CEL libraries exist`, 'latest')
    .option('--expect <path>', 'expected results (PolicyTestExpectations YAML, see docs/cel.md): exit 1 when one is not met instead of when a request is denied; repeatable', collect, [])
    .option('--format <format>', 'table, json, or junit (with --expect)', choice(['table', 'json', 'junit'] as const), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (flags: PolicyTestFlags) => {
      const version = parseKubernetesVersion(flags.kubernetesVersion);
      if (version === undefined) throw new UsageError(`--kubernetes-version must be 1.N (N >= ${OLDEST_KUBERNETES_MINOR}) or latest, got ${JSON.stringify(flags.kubernetesVersion)}`);
      const groups = flags.groups.flatMap((entry) => entry.split(',')).map((group) => group.trim()).filter((group) => group !== '');
      // Without --user/--groups: kubernetes-admin for manifests, the review's own userInfo for AdmissionReviews.
      const user =
        flags.user === undefined && groups.length === 0
          ? undefined
          : { username: flags.user ?? DEFAULT_USER.username, groups: [...new Set([...groups, 'system:authenticated'])] };
      const policies = await load(flags.policies);
      const resources = await load(flags.resources);
      const namespaces = await load(flags.namespaces);
      const old = await load(flags.old);
      const result = testPolicies({ policyObjects: policies.objects, resources: resources.objects, oldResources: old.objects, namespaceObjects: namespaces.objects, version, ...(user !== undefined ? { user } : {}) });
      if (flags.format === 'junit' && flags.expect.length === 0) throw new UsageError('--format junit needs --expect: JUnit reports expectations');
      const expectFiles = await load(flags.expect);
      const read = readExpectations(expectFiles.objects);
      const judged = flags.expect.length > 0 ? judgeExpectations(read.expectations, result.requests) : undefined;
      const loadDiagnostics = [...policies.diagnostics, ...resources.diagnostics, ...old.diagnostics, ...namespaces.diagnostics, ...expectFiles.diagnostics, ...read.diagnostics];
      const full = { ...result, diagnostics: [...loadDiagnostics, ...result.diagnostics] };
      let report: string;
      if (flags.format === 'junit' && judged !== undefined) report = renderExpectationsJunit(judged);
      else if (flags.format === 'json') report = renderPolicyJson(full, judged);
      else report = renderPolicyTable(full) + (judged !== undefined ? `\n${renderExpectationsTable(judged)}` : '');
      await writeOutput(report, flags.output);
      if (loadDiagnostics.some((diagnostic) => diagnostic.code === 'path-not-found' || diagnostic.code === 'expectations-invalid')) setExitCode(2);
      else if (judged !== undefined) setExitCode(judged.every((entry) => entry.passed) ? 0 : 1);
      else if (result.requests.some((request) => !request.allowed)) setExitCode(1);
    });
}
