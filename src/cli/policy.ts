/** `rampart policy test`: ValidatingAdmissionPolicies and bindings evaluated offline against CREATE of the given resources. */
import type { Command } from 'commander';
import { loadFiles } from '../load/load.js';
import type { Diagnostic, KubeObject } from '../model/types.js';
import { LATEST_KUBERNETES_MINOR, OLDEST_KUBERNETES_MINOR, parseKubernetesVersion } from '../policy/environment.js';
import { DEFAULT_USER } from '../policy/vap/evaluate.js';
import { testPolicies } from '../policy/vap/index.js';
import { judgeExpectations, readExpectations, renderExpectationsJunit, renderExpectationsTable } from '../policy/vap/expectations.js';
import { renderPolicyJson, renderPolicyTable } from '../policy/vap/report.js';
import { choice, UsageError, writeOutput } from './common.js';

interface PolicyTestFlags {
  policies: string[];
  resources: string[];
  namespaces: string[];
  user?: string;
  groups: string[];
  kubernetesVersion: string;
  format: 'table' | 'json' | 'junit';
  output?: string;
  expect: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
  const policy = program.command('policy').description('CEL admission policies: test ValidatingAdmissionPolicies offline');
  policy
    .command('test')
    .description('evaluate ValidatingAdmissionPolicies and their bindings against CREATE of the given resources (or the UPDATE/DELETE/CONNECT of AdmissionReview files among them); exit 1 when a request is denied')
    .requiredOption('--policies <path>', 'policies, bindings, params and CRDs (file or directory); repeatable', collect, [])
    .requiredOption('--resources <path>', 'objects to create, or AdmissionReview objects (file or directory, or - for stdin); repeatable', collect, [])
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
      const result = testPolicies({ policyObjects: policies.objects, resources: resources.objects, namespaceObjects: namespaces.objects, version, ...(user !== undefined ? { user } : {}) });
      if (flags.format === 'junit' && flags.expect.length === 0) throw new UsageError('--format junit needs --expect: JUnit reports expectations');
      const expectFiles = await load(flags.expect);
      const read = readExpectations(expectFiles.objects);
      const judged = flags.expect.length > 0 ? judgeExpectations(read.expectations, result.requests) : undefined;
      const loadDiagnostics = [...policies.diagnostics, ...resources.diagnostics, ...namespaces.diagnostics, ...expectFiles.diagnostics, ...read.diagnostics];
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
