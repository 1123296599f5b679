/** `rampart bench`: the CIS Kubernetes Benchmark on a node's filesystem (or a collected snapshot), `bench collect`, `bench job`. */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { BENCHMARK_CHOICES } from '../bench/catalogue.js';
import { collectNode } from '../bench/collect.js';
import { TARGETS, type Target } from '../bench/controls/types.js';
import { SERVICE_ACCOUNT_KEY_MAX_AGE_DAYS } from '../bench/effective.js';
import { runBenchmark } from '../bench/evaluate.js';
import { jobManifest } from '../bench/job.js';
import type { NodeSnapshot } from '../bench/model.js';
import { BENCH_FORMATS, renderBench, type BenchFormat } from '../bench/report.js';
import { readSnapshot } from '../bench/snapshotFile.js';
import type { RiskFinding } from '../rbac/risks.js';
import { choice, UsageError, VERSION, writeOutput } from './common.js';

interface BenchFlags {
  root: string;
  from?: string;
  benchmark: string;
  targets?: Target[];
  format: BenchFormat;
  output?: string;
  kubernetesVersion?: string;
  corefile?: string[];
  configmap?: string[];
  rbac?: string[];
  serviceAccountKeyMaxAge?: number;
}

function positiveDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of days, at least 1');
  return Number(value);
}

function parseTargets(value: string): Target[] {
  const targets = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  for (const target of targets) if (!(TARGETS as readonly string[]).includes(target)) throw new InvalidArgumentError(`expected a comma-separated list of ${TARGETS.join(', ')}`);
  return targets as Target[];
}

/** The cluster's RBAC objects (files or directories) through the RBAC engine, for CIS 5.1. */
async function rbacFindings(paths: readonly string[]): Promise<RiskFinding[]> {
  const [{ loadFiles }, { RbacPolicyBuilder }, { loadBootstrapPolicy }, { findRisks }] = await Promise.all([
    import('../load/load.js'),
    import('../rbac/policy.js'),
    import('../rbac/defaults/index.js'),
    import('../rbac/risks.js'),
  ]);
  // A cluster has the bootstrap roles even when the input does not list them: cluster-admin's rules count for whoever is bound to it.
  const builder = new RbacPolicyBuilder({});
  const bootstrap = loadBootstrapPolicy();
  builder.addDiagnostics(bootstrap.diagnostics);
  for (const object of bootstrap.objects) builder.add(object, { isDefault: true });
  for await (const batch of loadFiles(paths)) {
    const missing = batch.diagnostics.find((diagnostic) => diagnostic.code === 'path-not-found');
    if (missing !== undefined) throw new UsageError(missing.message);
    builder.addDiagnostics(batch.diagnostics);
    // Objects a real cluster marks as its bootstrap policy (kubectl dumps include them) stay defaults, not findings.
    for (const object of batch.objects) builder.add(object, { isDefault: isBootstrapObject(object.raw) });
  }
  return findRisks(builder.finish());
}

function isBootstrapObject(raw: Record<string, unknown>): boolean {
  const metadata = raw.metadata;
  if (typeof metadata !== 'object' || metadata === null) return false;
  const labels = (metadata as { labels?: unknown }).labels;
  return typeof labels === 'object' && labels !== null && (labels as Record<string, unknown>)['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}

async function snapshotFrom(flags: BenchFlags): Promise<NodeSnapshot> {
  const extraFiles = [...(flags.corefile ?? []), ...(flags.configmap ?? [])];
  if (flags.from === undefined) return collectNode({ root: flags.root, rampartVersion: VERSION, extraFiles });
  let text: string;
  try {
    text = await readFile(flags.from, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${flags.from}`);
  }
  const read = readSnapshot(text, flags.from, VERSION);
  if (!read.ok) throw new UsageError(read.error);
  return read.snapshot;
}

export function registerBenchCommand(program: Command, setExitCode: (code: number) => void): void {
  const bench = program
    .command('bench')
    .description('run the CIS Kubernetes Benchmark on a node: control-plane and kubelet configuration, file permissions (exit 1 when a control fails)')
    .enablePositionalOptions()
    .option('--root <dir>', "the node's filesystem root", '/')
    .option('--from <file>', 'evaluate a snapshot written by `rampart bench collect` instead of reading --root')
    .option('--benchmark <id>', `benchmark version: ${BENCHMARK_CHOICES.join(', ')}`, choice(BENCHMARK_CHOICES), 'auto')
    .option('--targets <list>', `comma-separated: ${TARGETS.join(',')} (default: what runs on the node)`, parseTargets)
    .option('--kubernetes-version <version>', 'Kubernetes version for defaults when images do not tell (e.g. v1.32.1)')
    .option('--corefile <file>', 'a CoreDNS Corefile or the coredns ConfigMap (YAML) to judge too; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--configmap <file>', 'kube-system ConfigMaps (YAML: coredns, kube-proxy) for the components that run as pods; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--rbac <path>', "the cluster's RBAC objects (file or directory, repeatable): CIS 5.1 is judged by the RBAC engine", (value: string, previous: string[] = []) => [...previous, value])
    .option('--service-account-key-max-age <days>', `a service-account signing key older than this is WARN (1.2.R1; default ${SERVICE_ACCOUNT_KEY_MAX_AGE_DAYS})`, positiveDays)
    .option('-f, --format <format>', `output format: ${BENCH_FORMATS.join(', ')}`, choice(BENCH_FORMATS), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (flags: BenchFlags) => {
      const snapshot = await snapshotFrom(flags);
      const result = runBenchmark(snapshot, {
        benchmark: flags.benchmark,
        ...(flags.rbac === undefined ? {} : { rbacFindings: await rbacFindings(flags.rbac) }),
        ...(flags.targets === undefined ? {} : { targets: flags.targets }),
        ...(flags.kubernetesVersion === undefined ? {} : { kubernetesVersion: flags.kubernetesVersion }),
        ...(flags.serviceAccountKeyMaxAge === undefined ? {} : { serviceAccountKeyMaxAgeDays: flags.serviceAccountKeyMaxAge }),
      });
      if ('error' in result) throw new UsageError(result.error);
      const color = flags.output === undefined && flags.format === 'table' && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
      await writeOutput(await renderBench(flags.format, result, { tool: { name: 'rampart', version: VERSION }, color }), flags.output);
      if (result.nothingFound) {
        process.stderr.write(`rampart: no Kubernetes component found under ${snapshot.root}; nothing was judged\n`);
        setExitCode(2);
      } else if (result.counts.FAIL > 0) setExitCode(1);
    });

  bench
    .command('collect')
    .description("write what the benchmark needs from a node (components, flags, config files, permissions) as JSON, for `rampart bench --from`")
    .option('--root <dir>', "the node's filesystem root", '/')
    .option('--corefile <file>', 'a CoreDNS Corefile or coredns ConfigMap to include; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--configmap <file>', 'kube-system ConfigMaps (coredns, kube-proxy) to include; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (flags: { root: string; output?: string; corefile?: string[]; configmap?: string[] }) => {
      const snapshot = collectNode({ root: flags.root, rampartVersion: VERSION, extraFiles: [...(flags.corefile ?? []), ...(flags.configmap ?? [])] });
      await writeOutput(`${JSON.stringify(snapshot, null, 2)}\n`, flags.output);
    });

  bench
    .command('job')
    .description('print a Job manifest that runs the benchmark on a node with read-only host mounts')
    .option('--image <image>', 'Rampart container image', `ghcr.io/rampart-security/rampart:${VERSION}`)
    .option('--namespace <namespace>', 'namespace of the Job', 'default')
    .option('--node <name>', 'node to run on (default: any schedulable node, control-plane nodes included)')
    .option('--benchmark <id>', `benchmark version: ${BENCHMARK_CHOICES.join(', ')}`, choice(BENCHMARK_CHOICES), 'auto')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (flags: { image: string; namespace: string; node?: string; benchmark: string; output?: string }) => {
      await writeOutput(jobManifest({ image: flags.image, namespace: flags.namespace, benchmark: flags.benchmark, ...(flags.node === undefined ? {} : { node: flags.node }) }), flags.output);
    });
}
