/**
 * `npm run corpus:audit`: replays the Falco k8saudit regression traces
 * (../shared/corpora/falco-k8saudit) through Rampart's detection engine and
 * compares the detect / no-detect verdict of every legacy case whose Falco
 * rule has a Rampart equivalent (FALCO_TO_RAMPART, also in docs/detect.md).
 *
 * Falco's rule files of a case become Rampart rule files: Falco's own rules
 * are Rampart's built-in ones plus testdata/falco/defaults.yaml (the two
 * rules Falco enables by default and Rampart does not); each small override
 * file (allow lists, trusted images, disabled activity rules) has a Rampart
 * file of the same name in src/detect/testdata/falco/.
 *
 * detect=true: the Rampart equivalent of each expected Falco rule alerts.
 * detect=false: no Rampart rule that has a Falco equivalent alerts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DetectionEngine, type Alert } from '../detect/engine.js';
import { parseLine, type Malformed } from '../detect/ingest.js';
import { loadRuleFiles } from '../detect/rules.js';
import { CORPORA, REPO_ROOT } from '../testing/paths.js';

export const FALCO_AUDIT = path.join(CORPORA, 'falco-k8saudit');
const OVERRIDES = path.join(REPO_ROOT, 'src', 'detect', 'testdata', 'falco');

/** Falco k8saudit rule name (current and legacy) → Rampart rule ID. */
export const FALCO_TO_RAMPART: Readonly<Record<string, string>> = {
  'Disallowed K8s User': 'audit-user-not-allowed',
  'Create Disallowed Pod': 'audit-image-not-allowed',
  'Create Privileged Pod': 'audit-privileged-pod',
  'Create Sensitive Mount Pod': 'audit-sensitive-host-mount',
  'Create HostNetwork Pod': 'audit-host-network-pod',
  'Create HostPid Pod': 'audit-host-pid-pod',
  'Create HostIPC Pod': 'audit-host-ipc-pod',
  'Create NodePort Service': 'audit-nodeport-service',
  'Create/Modify Configmap With Private Credentials': 'audit-configmap-credentials',
  'Anonymous Request Allowed': 'audit-anonymous-allowed',
  'Attach/Exec Pod': 'audit-exec-pod',
  'port-forward': 'audit-port-forward',
  'EphemeralContainers Created': 'audit-ephemeral-container',
  'Create Disallowed Namespace': 'audit-namespace-not-allowed',
  'Pod Created in Kube Namespace': 'audit-pod-in-kube-namespace',
  'Service Account Created in Kube Namespace': 'audit-sa-in-kube-namespace',
  'System ClusterRole Modified/Deleted': 'audit-system-role-changed',
  'Attach to cluster-admin Role': 'audit-cluster-admin-binding',
  'ClusterRole With Wildcard Created': 'audit-wildcard-role',
  'ClusterRole With Write Privileges Created': 'audit-write-role',
  'ClusterRole With Pod Exec Created': 'audit-exec-role',
  'K8s Deployment Created': 'audit-workload-created',
  'K8s Deployment Deleted': 'audit-workload-deleted',
  'K8s Service Created': 'audit-service-created',
  'K8s Service Deleted': 'audit-service-deleted',
  'K8s ConfigMap Created': 'audit-configmap-created',
  'K8s ConfigMap Deleted': 'audit-configmap-deleted',
  'K8s Namespace Created': 'audit-namespace-created',
  'K8s Namespace Deleted': 'audit-namespace-deleted',
  'K8s Serviceaccount Created': 'audit-serviceaccount-created',
  'K8s Serviceaccount Deleted': 'audit-serviceaccount-deleted',
  'K8s Role Created': 'audit-role-created',
  'K8s Role Deleted': 'audit-role-deleted',
  'K8s ClusterRole Created': 'audit-role-created',
  'K8s ClusterRole Deleted': 'audit-role-deleted',
  'K8s Role/Clusterrole Created': 'audit-role-created',
  'K8s Role/Clusterrole Deleted': 'audit-role-deleted',
  'K8s RoleBinding Created': 'audit-rolebinding-created',
  'K8s RoleBinding Deleted': 'audit-rolebinding-deleted',
  'K8s ClusterRoleBinding Created': 'audit-rolebinding-created',
  'K8s ClusterRoleBinding Deleted': 'audit-rolebinding-deleted',
  'K8s Role/Clusterrolebinding Created': 'audit-rolebinding-created',
  'K8s Role/Clusterrolebinding Deleted': 'audit-rolebinding-deleted',
  'K8s Secret Created': 'audit-secret-created',
  'K8s Secret Deleted': 'audit-secret-deleted',
  'K8s Secret Get Successfully': 'audit-secret-read',
  'K8s Secret Get Unsuccessfully Tried': 'audit-secret-read-denied',
  'Full K8s Administrative Access': 'audit-full-admin-user',
  'Ingress Object without TLS Certificate Created': 'audit-ingress-without-tls',
  'Untrusted Node Successfully Joined the Cluster': 'audit-node-joined',
  'Untrusted Node Unsuccessfully Tried to Join the Cluster': 'audit-node-join-refused',
  json_pointer_example: 'json-pointer-example',
};

const MAPPED_RAMPART_RULES = new Set(Object.values(FALCO_TO_RAMPART));

/** Disagreements that are understood, with the reason (kept in docs/detect.md too). */
export const EXPLAINED: Readonly<Record<string, string>> = {};

interface LegacyCase {
  readonly case: string;
  readonly trace_file: string;
  readonly detect: boolean;
  readonly detect_counts: readonly Record<string, number>[] | null;
  readonly rules_files: readonly string[];
}

export interface CaseResult {
  readonly name: string;
  readonly expectDetect: boolean;
  readonly expectedRules: readonly string[];
  readonly expectedCounts: Readonly<Record<string, number>>;
  readonly alerts: readonly Alert[];
  readonly malformed: readonly Malformed[];
  readonly agrees: boolean;
  readonly countsAgree: boolean;
  readonly explanation: string | undefined;
}

export interface AuditCorpusScore {
  readonly cases: readonly CaseResult[];
  readonly unmapped: readonly string[];
  readonly agreed: number;
  readonly rate: number;
}

/** Rampart rule files for a case's Falco rule files; undefined for a file without an equivalent. */
function rampartFiles(rulesFiles: readonly string[]): { files: string[]; builtin: boolean } {
  const files: string[] = [];
  let builtin = false;
  for (const file of rulesFiles) {
    if (file.startsWith('<falcosecurity/rules>')) continue;
    if (file.includes('k8s_audit_rules.yaml')) {
      builtin = true;
      continue;
    }
    files.push(path.join(OVERRIDES, path.basename(file)));
  }
  if (builtin) files.unshift(path.join(OVERRIDES, 'defaults.yaml'));
  return { files, builtin };
}

export function runCase(testCase: LegacyCase): CaseResult {
  const { files, builtin } = rampartFiles(testCase.rules_files);
  const engine = new DetectionEngine(loadRuleFiles(files, { builtin }));
  const alerts: Alert[] = [];
  const malformed: Malformed[] = [];
  const text = readFileSync(path.join(FALCO_AUDIT, testCase.trace_file), 'utf8');
  text.split('\n').forEach((line, index) => {
    const result = parseLine(line, testCase.trace_file, index + 1);
    if (result.kind === 'malformed') malformed.push(result.malformed);
    else if (result.kind === 'event') alerts.push(...engine.process(result.event));
  });
  const expectedCounts: Record<string, number> = {};
  for (const entry of testCase.detect_counts ?? []) for (const [rule, count] of Object.entries(entry)) expectedCounts[FALCO_TO_RAMPART[rule] ?? rule] = count;
  const expectedRules = Object.keys(expectedCounts);
  const fired = (rule: string): number => alerts.filter((alert) => alert.ruleId === rule).length;
  const agrees = testCase.detect ? expectedRules.every((rule) => fired(rule) > 0) : !alerts.some((alert) => MAPPED_RAMPART_RULES.has(alert.ruleId));
  const countsAgree = agrees && expectedRules.every((rule) => fired(rule) === expectedCounts[rule]);
  return { name: testCase.case, expectDetect: testCase.detect, expectedRules, expectedCounts, alerts, malformed, agrees, countsAgree, explanation: EXPLAINED[testCase.case] };
}

export function scoreAuditCorpus(): AuditCorpusScore {
  const labels = JSON.parse(readFileSync(path.join(FALCO_AUDIT, 'labels.json'), 'utf8')) as { legacy_cases: LegacyCase[] };
  const cases: CaseResult[] = [];
  const unmapped: string[] = [];
  for (const testCase of labels.legacy_cases) {
    const falcoRules = (testCase.detect_counts ?? []).flatMap((entry) => Object.keys(entry));
    if (falcoRules.some((rule) => FALCO_TO_RAMPART[rule] === undefined)) {
      unmapped.push(testCase.case);
      continue;
    }
    cases.push(runCase(testCase));
  }
  const agreed = cases.filter((result) => result.agrees).length;
  return { cases, unmapped, agreed, rate: cases.length === 0 ? 0 : agreed / cases.length };
}

export function renderAuditScore(score: AuditCorpusScore): string {
  const lines = [`Falco k8saudit corpus: ${score.agreed}/${score.cases.length} cases agree (${(score.rate * 100).toFixed(1)}%)`];
  const countsAgree = score.cases.filter((result) => result.countsAgree).length;
  lines.push(`alert counts also equal Falco's in ${countsAgree}/${score.cases.length} cases`);
  for (const result of score.cases) {
    const got = [...new Set(result.alerts.map((alert) => alert.ruleId))].join(',') || '-';
    const verdict = result.agrees ? (result.countsAgree || !result.expectDetect ? 'ok  ' : 'ok* ') : 'DIFF';
    lines.push(`${verdict} ${result.name}: expect ${result.expectDetect ? result.expectedRules.join(',') : 'nothing'}; got ${got}${result.malformed.length > 0 ? `; malformed ${result.malformed.map((item) => `line ${item.line}: ${item.reason}`).join('; ')}` : ''}${result.explanation !== undefined ? ` (${result.explanation})` : ''}`);
  }
  if (score.unmapped.length > 0) lines.push(`cases without a Rampart equivalent: ${score.unmapped.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const score = scoreAuditCorpus();
  process.stdout.write(renderAuditScore(score));
  process.exitCode = score.rate >= 0.95 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
