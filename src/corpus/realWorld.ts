/**
 * `npm run corpus:real-world`: robustness on real manifests. Scans all of
 * ../shared/corpora/real-world-manifests with the real CLI, asserts it neither
 * crashes nor reports an internal error, explains every diagnostic, and
 * reconciles the objects Rampart loads with the ones index.json lists.
 *
 * index.json lists 893 objects in 547 files (`resources`: path, document,
 * List item, kind, name). Templated files, files without a Kubernetes object
 * and files with YAML errors upstream were left out of the corpus when it was
 * built (the `skipped` counts of each source), so every file here should load,
 * and every listed object should come out once: no more, no fewer.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFiles } from '../load/load.js';
import type { Diagnostic } from '../model/types.js';
import { CLI, CORPORA, REPO_ROOT } from '../testing/paths.js';

export const REAL_WORLD = path.join(CORPORA, 'real-world-manifests');

interface IndexResource {
  readonly path: string;
  readonly doc_index: number;
  readonly list_item: number | null;
  readonly kind: string;
  readonly name: string | null;
}

interface Explanation {
  readonly code: string;
  /** Path relative to the corpus root. */
  readonly file: RegExp;
  readonly message?: RegExp;
  readonly why: string;
}

/** Why each diagnostic on this corpus is right. A diagnostic that matches none of these is a finding to look into. */
export const EXPLANATIONS: readonly Explanation[] = [
  {
    code: 'not-kubernetes-object',
    file: /^index\.json$/,
    why: "the corpus's own index, a JSON mapping of sources and resources, is not a manifest; it sits in the scanned folder",
  },
  {
    code: 'duplicate-key',
    file: /^kubernetes__examples\/_archived\/openshift-origin\/(etcd|etcd-discovery|openshift)-controller\.yaml$/,
    message: /^key "selector" repeats/,
    why: 'the upstream Deployment sets spec.selector twice (same value); YAML forbids it and kubectl --validate=strict rejects it, a plain apply keeps the last one',
  },
  {
    code: 'duplicate-key',
    file: /^kubernetes__examples\/_archived\/persistent-volume-provisioning\/quobyte\/quobyte-admin-secret\.yaml$/,
    message: /^key "type" repeats/,
    why: 'the upstream Secret sets type twice (same value, quoted once and once not); Kubernetes rejects it under strict validation',
  },
  {
    code: 'duplicate-key',
    file: /^kubernetes__examples\/_archived\/volumes\/scaleio\/sc-pvc\.yaml$/,
    message: /^key "storageClassName" repeats/,
    why: 'the upstream PersistentVolumeClaim sets spec.storageClassName twice (same value); Kubernetes rejects it under strict validation',
  },
  {
    code: 'unknown-kind',
    file: /^GoogleCloudPlatform__microservices-demo\/(istio-manifests|kustomize\/components\/service-mesh-istio)\//,
    message: /\((networking\.istio\.io|gateway\.networking\.k8s\.io)\/v1(alpha3|beta1)\)/,
    why: 'Istio and Gateway API custom resources; their CustomResourceDefinitions ship with Istio and the Gateway API, not with this repository',
  },
  {
    code: 'unknown-kind',
    file: /^kubernetes__examples\/_archived\/cloud-controller-manager\/persistent-volume-label-initializer-config\.yaml$/,
    message: /^kind InitializerConfiguration \(admissionregistration\.k8s\.io\/v1alpha1\)/,
    why: 'InitializerConfiguration was an alpha API, removed in Kubernetes 1.14; this example is archived upstream',
  },
  {
    code: 'unknown-kind',
    file: /^kubernetes__ingress-nginx\/docs\/examples\/openpolicyagent\/(rule|template)\.yaml$/,
    message: /\((constraints|templates)\.gatekeeper\.sh\/v1(beta1)?\)/,
    why: 'OPA Gatekeeper ConstraintTemplate and constraint; their CRDs come with Gatekeeper (and the constraint kind from the template at run time)',
  },
];

export interface ExplainedDiagnostic {
  readonly diagnostic: Diagnostic;
  /** Path relative to the corpus root. */
  readonly file: string;
  readonly why: string | undefined;
}

export interface RealWorldResult {
  readonly exitCode: number | null;
  /** Anything the CLI printed on stderr (a crash would show here). */
  readonly stderr: string;
  readonly files: number;
  readonly objects: number;
  readonly indexedObjects: number;
  readonly indexedFiles: number;
  readonly diagnostics: readonly ExplainedDiagnostic[];
  /** Objects index.json lists that were not loaded, and loaded objects it does not list: `path#document[/item] Kind name`. */
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
}

function objectKey(file: string, documentIndex: number, listItem: number | null, kind: string, name: string): string {
  return `${file}#${documentIndex}${listItem === null ? '' : `/${listItem}`} ${kind} ${name}`;
}

export function explain(diagnostic: Diagnostic, file: string): string | undefined {
  return EXPLANATIONS.find(
    (explanation) => explanation.code === diagnostic.code && explanation.file.test(file) && (explanation.message === undefined || explanation.message.test(diagnostic.message)),
  )?.why;
}

export async function checkRealWorldCorpus(corpus: string = REAL_WORLD): Promise<RealWorldResult> {
  const index = JSON.parse(readFileSync(path.join(corpus, 'index.json'), 'utf8')) as { resources: IndexResource[] };

  // The real CLI, end to end: loading, every check, the report.
  const run = spawnSync(process.execPath, [CLI, 'scan', corpus, '--format', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  let report: { diagnostics: Diagnostic[]; summary: { files: number; objects: number } } | undefined;
  try {
    report = JSON.parse(run.stdout) as typeof report;
  } catch {
    report = undefined;
  }
  const diagnostics = (report?.diagnostics ?? []).map((diagnostic) => {
    const file = path.relative(corpus, diagnostic.file);
    return { diagnostic, file, why: explain(diagnostic, file) };
  });

  // The loader alone, for the per-object reconciliation with index.json.
  const expected = new Map<string, number>();
  for (const resource of index.resources) {
    const key = objectKey(resource.path, resource.doc_index, resource.list_item, resource.kind, resource.name ?? '<unnamed>');
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const unexpected: string[] = [];
  for await (const batch of loadFiles([corpus])) {
    for (const object of batch.objects) {
      const inDocument = object.source.pathInDocument;
      const listItem = inDocument.length === 2 && inDocument[0] === 'items' && typeof inDocument[1] === 'number' ? inDocument[1] : null;
      const key = objectKey(path.relative(corpus, object.source.file), object.source.documentIndex, listItem, object.kind, object.name);
      const left = expected.get(key) ?? 0;
      if (left === 0) unexpected.push(key);
      else if (left === 1) expected.delete(key);
      else expected.set(key, left - 1);
    }
  }
  const missing = [...expected.entries()].flatMap(([key, count]) => Array.from({ length: count }, () => key));

  return {
    exitCode: run.status,
    stderr: run.stderr,
    files: report?.summary.files ?? 0,
    objects: report?.summary.objects ?? 0,
    indexedObjects: index.resources.length,
    indexedFiles: new Set(index.resources.map((resource) => resource.path)).size,
    diagnostics,
    missing,
    unexpected,
  };
}

async function main(): Promise<void> {
  const result = await checkRealWorldCorpus();
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  out(`real-world corpus: ${result.files} files scanned (${result.indexedFiles} listed in index.json, plus index.json itself)`);
  out(`objects: ${result.objects} loaded, ${result.indexedObjects} listed; ${result.missing.length} missing, ${result.unexpected.length} unexpected`);
  for (const key of result.missing) out(`  missing:    ${key}`);
  for (const key of result.unexpected) out(`  unexpected: ${key}`);
  out(`exit code ${String(result.exitCode)} (2: some diagnostics are errors, see src/cli/scan.ts)`);
  out(`diagnostics: ${result.diagnostics.length}`);
  for (const { diagnostic, file, why } of result.diagnostics) {
    out(`  ${diagnostic.severity} ${diagnostic.code} ${file}:${diagnostic.line ?? '-'}:${diagnostic.column ?? '-'}`);
    out(`      ${diagnostic.message}`);
    out(`      why: ${why ?? 'UNEXPLAINED — look into it'}`);
  }
  const internal = result.diagnostics.filter(({ diagnostic }) => diagnostic.code === 'internal-error');
  const unexplained = result.diagnostics.filter(({ why }) => why === undefined);
  const crashed = result.exitCode !== 0 && result.exitCode !== 1 && result.exitCode !== 2;
  const problems = [
    crashed || result.stderr.trim() !== '' ? `the CLI crashed or wrote to stderr (exit ${String(result.exitCode)}): ${result.stderr.trim()}` : undefined,
    internal.length > 0 ? `${internal.length} internal errors` : undefined,
    unexplained.length > 0 ? `${unexplained.length} unexplained diagnostics` : undefined,
    result.missing.length + result.unexpected.length > 0 ? 'objects differ from index.json' : undefined,
  ].filter((problem) => problem !== undefined);
  out(problems.length === 0 ? 'OK: no crash, no internal error, every diagnostic explained, every listed object loaded once' : `FAILED: ${problems.join('; ')}`);
  if (problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
