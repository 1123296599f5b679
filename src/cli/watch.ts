import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { addClusterOptions, type ClusterFlags } from '../cluster/options.js';
import type { FileBatch } from '../load/load.js';
import type { KubeObject } from '../model/types.js';
import { choice, loadConfigForCommand, UsageError } from './common.js';

interface WatchFlags extends ClusterFlags {
  config?: string;
  metricsPort: number;
  metricsAddress: string;
  policyReports?: boolean;
  maxReportResults: number;
  pssLevel?: 'baseline' | 'restricted';
  pssVersion?: string;
}

function integer(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return parsed;
  };
}

export function registerWatchCommand(program: Command): void {
  const watch = addClusterOptions(program.command('watch'), false)
    .description('keep watching a cluster: re-evaluate on every change, serve Prometheus metrics, optionally write PolicyReports (docs/cluster.md)')
    .option('-c, --config <file>', 'config file (YAML), see docs/config.md')
    .option('--metrics-port <port>', 'port of the /metrics endpoint (0: any free port)', integer(0, 65535), 9464)
    .option('--metrics-address <address>', 'address the metrics endpoint listens on (0.0.0.0 in a pod)', '127.0.0.1')
    .option('--policy-reports', 'write findings as wgpolicyk8s.io/v1alpha2 PolicyReports and a ClusterPolicyReport (the CRDs must be installed)')
    .option('--max-report-results <n>', 'results kept per report, most severe first (the summary still counts all)', integer(1, 5000), 300)
    .option('--pss-level <level>', 'Pod Security level for namespaces without pod-security labels (default: restricted)', choice(['baseline', 'restricted'] as const))
    .option('--pss-version <version>', 'Pod Security Standards version: v1.N or latest')
    .action(async (flags: WatchFlags) => {
      await runWatch(flags);
    });
  watch
    .command('manifests')
    .description('print what rampart watch needs to run in a cluster: namespace, ServiceAccount, read-only ClusterRole and binding, hardened Deployment, Service for metrics')
    .option('--namespace-name <name>', 'namespace to install into', 'rampart-system')
    .option('--image <image>', 'container image of Rampart (pin it by digest in production)')
    .option('--with-secrets', 'let the ClusterRole list Secrets (values are blanked on arrival, but the permission can read them); without it the scan reports Secrets as skipped')
    .option('--no-policy-reports', 'leave out the PolicyReport permissions and the --policy-reports flag')
    .action(async (options: { namespaceName: string; image?: string; withSecrets?: boolean; policyReports: boolean }) => {
      const { watchManifests } = await import('../cluster/manifests.js');
      const { VERSION } = await import('./common.js');
      process.stdout.write(watchManifests({ namespace: options.namespaceName, image: options.image ?? `ghcr.io/rampart-security/rampart:${VERSION}`, withSecrets: options.withSecrets === true, policyReports: options.policyReports }));
    });
}

async function runWatch(flags: WatchFlags): Promise<void> {
  const config = await loadConfigForCommand(flags.config);
  const { openCluster, readOptionsOf } = await import('../cluster/input.js');
  const { ClusterWatcher } = await import('../cluster/watch.js');
  const { WatchMetrics } = await import('../cluster/metrics.js');
  const { buildPolicyReports, PolicyReportWriter } = await import('../cluster/policyReports.js');
  const { runScan } = await import('./scan.js');
  const { IncrementalFindings } = await import('../cluster/incremental.js');
  const { podTemplateFinderFor } = await import('./common.js');
  const options = readOptionsOf(flags);
  const { connection, resources } = await openCluster(flags, config);
  const writer = flags.policyReports === true ? new PolicyReportWriter(connection) : undefined;
  await writer?.prepare();
  const metrics = new WatchMetrics();
  let served;
  try {
    served = await metrics.serve(flags.metricsPort, flags.metricsAddress);
  } catch (error) {
    throw new UsageError(`cannot serve metrics on ${flags.metricsAddress}:${flags.metricsPort}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const log = (message: string): void => {
    process.stderr.write(`rampart watch: ${message}\n`);
  };
  const scanFlags = { pssLevel: flags.pssLevel, pssVersion: flags.pssVersion, policies: [], inlineExceptions: true };
  // Each evaluation scans a subset of the kept objects with the ordinary scan; the evaluator keeps everyone else's findings.
  const incremental = new IncrementalFindings(async (objects) => {
    async function* one(): AsyncGenerator<FileBatch> {
      yield { file: `cluster/${connection.context}`, objects: [...objects], diagnostics: [] };
    }
    return (await runScan([], config, scanFlags, undefined, one())).result.findings;
  }, podTemplateFinderFor(config));
  let partial = false;
  log(`metrics on http://${flags.metricsAddress}:${served.port}/metrics; watching context "${connection.context}" (${connection.server})`);
  const watcher: InstanceType<typeof ClusterWatcher> = new ClusterWatcher(
    connection,
    resources,
    options,
    async (batches, evaluation) => {
      const started = performance.now();
      const judgedBefore = incremental.stats.objectsJudged;
      if (evaluation.full) {
        const objects: KubeObject[] = [];
        for await (const batch of batches) {
          objects.push(...batch.objects);
          for (const diagnostic of batch.diagnostics) if (diagnostic.code.startsWith('cluster-')) log(`${diagnostic.severity}: ${diagnostic.message}`);
          if (batch.diagnostics.some((diagnostic) => diagnostic.code === 'cluster-partial')) partial = true;
        }
        await incremental.full(objects);
      } else await incremental.update(evaluation.changed);
      const findings = incremental.findings();
      const judged = incremental.stats.objectsJudged - judgedBefore;
      metrics.record(findings, evaluation.objects, evaluation.changes, (performance.now() - started) / 1000, partial, judged);
      if (writer !== undefined) for (const problem of await writer.apply(buildPolicyReports(findings, { maxResults: flags.maxReportResults }))) log(problem);
      log(`evaluated ${evaluation.objects} objects after ${evaluation.changes} change(s) (${evaluation.full ? 'full' : `judged ${judged} again`}): ${findings.length} findings in ${Math.round(performance.now() - started)} ms`);
    },
    log,
  );
  metrics.countEventsFrom(() => watcher.eventCounts);
  await watcher.start();
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      resolve();
    };
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
  });
  log('stopping');
  await watcher.stop();
  connection.close();
  served.server.closeAllConnections();
  await new Promise<void>((resolve) => served.server.close(() => resolve()));
}
