/**
 * `npm run corpus`: scores every labelled corpus through the checks’
 * `equivalents`, scans the real-world corpus, and writes docs/accuracy.md.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HARDENING_CHECKS } from '../checks/common/catalogue.js';
import { createRbacScanCheck } from '../checks/rbac/index.js';
import { Scanner } from '../engine/scan.js';
import { loadText } from '../load/load.js';
import { CORPORA, REPO_ROOT } from '../testing/paths.js';
import { agreement, scoreAll, type CorpusScore, type ScoredCase } from './score.js';
import { explain, NOT_EQUIVALENT } from './scoreExplanations.js';

export const ACCURACY_PATH = path.join('docs', 'accuracy.md');

/** How each corpus’s labels are read (from their `semantics` fields). */
const METHOD: Readonly<Record<string, string>> = {
  'kube-score': 'Each `testExpectedScore` assertion names one check and one grade for a fixture: Critical or Warning means the weakness is present, OK or AlmostOK that it is not. Assertions with run options that change the check’s own thresholds or pin an old Kubernetes version are skipped.',
  polaris: '`failure*` fixtures must fail the check, `success*` fixtures must pass it. Fixtures that test Polaris’ built-in name allow-list are skipped.',
  kubesec: 'Rule unit cases: a rule with negative points matches the weakness (present when it matches); a rule with positive points matches the hardening (weakness present when it matches nothing). For hardening rules, pods with no containers and partly hardened multi-container pods are skipped: a count of hardened containers is not a yes/no label.',
  'kube-linter': 'Each test runs one check on a fixture; each reported message names the kind of the reported object. A case is one object kind of the fixture (roles and bindings form one group, since kube-linter reports a grant at the binding and Rampart at the rule).',
  kubeaudit: 'Each row names the result codes an auditor must produce on a fixture. A case is one Rampart check mapped to one of that auditor’s codes: present when a mapped code is expected. `<Code>Allowed` (overridden upstream by an annotation) still means present, since Rampart reports what is in the manifest and handles exceptions separately.',
  'kubescape-regolibrary': 'A rule’s test case fails when the rule emits at least one alert on its inputs. Cases that need the rule’s policy configuration (`data.json`) are skipped. Equivalents name kubescape controls (`C-XXXX`, mapped to rules by ControlID_RuleName.csv) or rule names.',
};

/** Judgements of the checks that fire most on the real-world corpus. */
const REAL_WORLD_JUDGEMENTS: Readonly<Record<string, string>> = {
  'container-apparmor-missing': 'Right by definition: almost no project names an AppArmor profile. On AppArmor nodes the runtime default usually applies, so the finding is low-severity hardening, not an exposure.',
  'container-ephemeral-storage-unbounded': 'Right: hardly any project bounds ephemeral storage; each container can fill its node’s disk.',
  'pod-user-namespace-disabled': 'Right, and expected: user namespaces are new (Kubernetes 1.30+) and none of these projects use them; low-severity hardening.',
  'pod-service-account-token-mounted': 'Right: the demo applications never call the API yet receive tokens. For the operators and controllers among them (prometheus-operator, ingress-nginx, kube-state-metrics) the token is needed, and the finding is the prompt for an exception.',
  'container-low-group-id': 'Right: most containers set no runAsGroup, so they keep the image’s (often root) group.',
  'image-not-pinned-by-digest': 'Right: most images are referenced by tag; ingress-nginx’s own images are pinned by digest and pass.',
  'container-seccomp-missing': 'Right: most pods set no seccomp profile; kube-prometheus and ingress-nginx pods that set RuntimeDefault pass.',
  'container-low-user-id': 'Right: most containers set no runAsUser; kube-prometheus runs as 65534 and passes.',
  'container-privilege-escalation-not-disabled': 'Right: allowPrivilegeEscalation defaults to true and most containers do not set it to false.',
  'container-memory-limit-missing': 'Right: many example applications omit memory limits.',
  'container-liveness-probe-missing': 'Right for long-running workloads; Jobs and CronJobs are not judged.',
  'container-readiness-probe-missing': 'Right for long-running workloads; Jobs and CronJobs are not judged.',
  'pod-default-service-account': 'Right: the demo applications run as the namespace’s default account.',
  'container-cpu-limit-missing': 'Right: many example applications omit CPU limits.',
  'workload-in-default-namespace': 'Right by the stated rule: the examples set no namespace, so kubectl would apply them to the context’s namespace, default unless configured.',
};

/**
 * How the CIS 5.1 RBAC controls, the one reporter of grants in roles and of cluster-admin bindings, differ
 * from the literal rule match of the hardening checks they replaced; the corpora’s RBAC cases are scored
 * through them.
 */
const RBAC_SEMANTICS: readonly string[] = [
  'Kubernetes’ own objects are recognised by the label the API server puts on its bootstrap policy (`kubernetes.io/bootstrapping: rbac-defaults`), not by name: a manifest’s unlabelled `system:…` binding or its own copy of the `admin` ClusterRole is judged like any other. The literal checks exempted the `system:` prefix and the names cluster-admin, admin, edit and view.',
  'A rule of `*` verbs on `*` resources in every API group is one RBAC-wildcard-rule finding (its message says what that includes) instead of one finding per control; a binding to such a role is also RBAC-cluster-admin-binding.',
  'RBAC-cluster-admin-binding reads the rules the authorizer uses, so a ClusterRole that aggregates a `*` on `*` rule (through `aggregationRule`) is cluster-admin in all but name too.',
  'Grants are matched as the authorizer matches them: `*/proxy` grants nodes/proxy but `nodes/*` grants nothing (the authorizer has no such wildcard; the literal checks counted it); a rule narrowed by resourceNames is still reported, with the names, for the verbs that carry a name; wildcards in apiGroups and nonResourceURLs, impersonation of uids and user extras, and delete on webhook configurations count too.',
  'Findings sit on the rule and name the bindings and subjects that hold it (or say it is not bound in the input).',
];

export interface RealWorldResult {
  readonly objects: number;
  readonly files: number;
  readonly counts: ReadonlyArray<readonly [string, number]>;
  readonly checkMilliseconds: number;
}

function listFiles(directory: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(directory).sort()) {
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else if (/\.(ya?ml|json)$/.test(entry) && entry !== 'index.json') out.push(full);
  }
  return out;
}

export function scanRealWorld(corporaRoot: string): RealWorldResult {
  const files = listFiles(path.join(corporaRoot, 'real-world-manifests'));
  const objects = files.flatMap((file) => loadText(readFileSync(file, 'utf8'), file).objects);
  const started = process.hrtime.bigint();
  const scanner = new Scanner({ checks: HARDENING_CHECKS, wholeInputChecks: [createRbacScanCheck()] });
  for (const object of objects) scanner.add(object);
  const result = scanner.finish();
  const checkMilliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  const counts = new Map<string, number>();
  for (const finding of result.findings) counts.set(finding.checkId, (counts.get(finding.checkId) ?? 0) + 1);
  return { objects: objects.length, files: files.length, counts: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)), checkMilliseconds };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const cell = (text: string): string => text.replace(/\|/g, '\\|');

function perCheck(cases: readonly ScoredCase[]): Array<[string, ScoredCase[]]> {
  const groups = new Map<string, ScoredCase[]>();
  for (const entry of cases) {
    const key = `${entry.rampartChecks.join(', ')}\u0000${entry.upstream}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export function renderAccuracy(scores: readonly CorpusScore[], realWorld: RealWorldResult | undefined): string {
  const out: string[] = [
    '<!-- Generated by `npm run corpus` (src/corpus/scoreCorpora.ts). Do not edit by hand. -->',
    '',
    '# Accuracy against other scanners’ labelled cases',
    '',
    'Each check in the catalogue declares `equivalents`: the IDs of the matching checks of other tools. `npm run corpus` runs every labelled case of the corpora in `../shared/corpora` whose upstream check maps to a Rampart check, scans the case’s input as `rampart scan` does, with the whole catalogue and the CIS 5.1 RBAC controls of the RBAC engine (so cross-object and whole-input checks see every file of the case), and compares “a mapped Rampart check reports on this input” with the upstream label. Only mapped cases count; the rest are listed as unmapped or skipped with the reason.',
    '',
    '## Summary',
    '',
    '| corpus | mapped cases | agree | disagree | agreement |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const score of scores) {
    const agreeing = score.cases.filter((entry) => entry.expected === entry.actual).length;
    out.push(`| ${score.corpus} | ${score.cases.length} | ${agreeing} | ${score.cases.length - agreeing} | ${percent(agreement(score.cases))} |`);
  }
  out.push('');
  out.push('## RBAC grants: the CIS 5.1 controls', '');
  out.push('Grants in Roles and ClusterRoles and bindings to cluster-admin are reported once, by the CIS 5.1 controls of the RBAC engine (the `RBAC-*` checks); they carry the equivalents of the literal rule checks they replaced, so the RBAC cases of kube-linter, Polaris and kubescape are scored through them. Where they differ from a literal rule match:', '');
  for (const difference of RBAC_SEMANTICS) out.push(`- ${difference}`);
  out.push('');
  for (const score of scores) {
    out.push(`## ${score.corpus}`, '', METHOD[score.corpus] ?? '', '');
    out.push('| Rampart check(s) | upstream | cases | agreement |', '|---|---|---:|---:|');
    for (const [, cases] of perCheck(score.cases)) {
      const first = cases[0];
      if (first === undefined) continue;
      out.push(`| ${cell(first.rampartChecks.join(', '))} | ${cell(first.upstream)} | ${cases.length} | ${percent(agreement(cases))} |`);
    }
    out.push('');
    const disagreements = score.cases.filter((entry) => entry.expected !== entry.actual);
    out.push(`### Disagreements (${disagreements.length})`, '');
    if (disagreements.length === 0) out.push('None.', '');
    for (const entry of disagreements) {
      out.push(`- \`${entry.fixture}\` (${entry.upstream}): upstream says ${entry.expected ? 'present' : 'absent'}, Rampart ${entry.actual ? 'reports it' : 'does not'}. ${explain(entry.corpus, entry.fixture) ?? 'NOT EXPLAINED.'}`);
    }
    if (disagreements.length > 0) out.push('');
    const unmapped = [...score.unmapped].sort((a, b) => b[1] - a[1]);
    if (unmapped.length > 0) out.push(`Unmapped upstream checks (no Rampart equivalent): ${unmapped.map(([id, count]) => `${id} (${count})`).join(', ')}.`, '');
    const skipped = [...score.skipped].sort((a, b) => b[1] - a[1]);
    if (skipped.length > 0) out.push(`Skipped: ${skipped.map(([reason, count]) => `${reason} (${count})`).join(', ')}.`, '');
  }
  out.push('## Upstream checks that look alike but are not declared equivalent', '');
  for (const [upstream, why] of NOT_EQUIVALENT) out.push(`- ${upstream}: ${why}`);
  out.push('');
  if (realWorld !== undefined) {
    out.push('## Real-world corpus: the ten checks that fire most', '');
    out.push(`${realWorld.objects} objects in ${realWorld.files} files (microservices-demo, kubernetes/examples, kube-prometheus, ingress-nginx, sock-shop, example-voting-app), scanned with the whole hardening catalogue and the RBAC controls.`, '');
    out.push('| check | findings | judgement |', '|---|---:|---|');
    for (const [id, count] of realWorld.counts.slice(0, 10)) out.push(`| ${id} | ${count} | ${cell(REAL_WORLD_JUDGEMENTS[id] ?? 'Not yet judged.')} |`);
    out.push('');
  }
  return out.join('\n');
}

function main(): void {
  const scores = scoreAll(CORPORA);
  const realWorld = scanRealWorld(CORPORA);
  writeFileSync(path.join(REPO_ROOT, ACCURACY_PATH), renderAccuracy(scores, realWorld));
  for (const score of scores) process.stdout.write(`${score.corpus.padEnd(22)} ${String(score.cases.length).padStart(4)} cases  ${percent(agreement(score.cases))}\n`);
  process.stdout.write(`real-world: ${realWorld.objects} objects, checks ran in ${realWorld.checkMilliseconds.toFixed(0)} ms\nwrote ${ACCURACY_PATH}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
