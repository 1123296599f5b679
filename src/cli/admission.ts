/** `rampart admission serve | manifests | lint`: the admission webhook and what it takes to install it safely. */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/config.js';
import { choice, UsageError, writeOutput } from './common.js';

interface ServeFlags {
  config?: string;
  port: number;
  host: string;
  cert?: string;
  key?: string;
  selfSigned?: string;
  namespaces: string[];
  pods: string[];
  cluster?: boolean;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  policies: string[];
  vap: string[];
  logLevel: string;
  drainSeconds: number;
  warmUpMs: number;
  maxSemiSpaceMb: number;
  imageCache?: string;
  imageCacheRefresh: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}

/** Log lines are written when this many bytes are waiting, or this long after the first of them (src/admission/logBatch.ts). */
const LOG_BATCH_BYTES = 8192;
const LOG_BATCH_MS = 100;

/** The webhook's default cap on each semi-space, in MB (src/admission/heap.ts, BENCHMARKS.md (i.5)). */
const DEFAULT_MAX_SEMI_SPACE_MB = 8;

function parseSemiSpace(value: string): number {
  const mb = Number(value);
  if (!Number.isInteger(mb) || mb < 0 || mb > 1024) throw new InvalidArgumentError('expected a whole number of MB, 0-1024 (0: no cap)');
  return mb;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError('expected a number of seconds');
  return seconds;
}

async function serve(flags: ServeFlags): Promise<void> {
  // Capped before the modules, config and warm-up of `listen` grow V8's new space: it would not shrink back under load.
  const { capYoungGeneration } = await import('../admission/heap.js');
  const releaseHeapCap = flags.maxSemiSpaceMb > 0 ? capYoungGeneration(flags.maxSemiSpaceMb) : undefined;
  try {
    await listen(flags);
  } finally {
    releaseHeapCap?.();
  }
}

async function listen(flags: ServeFlags): Promise<void> {
  const { loadWebhookConfig } = await import('../admission/config.js');
  const { loadNamespaceFiles, StaticNamespaceSource } = await import('../admission/namespaces.js');
  const { startAdmissionServer } = await import('../admission/server.js');
  const { readKeyPair, generateSelfSigned } = await import('../admission/tls.js');
  const { newSpaceBytes } = await import('../admission/heap.js');
  const { pino } = await import('pino');
  let config;
  try {
    config = await loadWebhookConfig(flags.config);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  if (flags.imageCache !== undefined) {
    const { statSync } = await import('node:fs');
    if (statSync(flags.imageCache, { throwIfNoEntry: false })?.isDirectory() !== true) throw new UsageError(`--image-cache ${flags.imageCache}: no such directory (write it with rampart image scan --cache)`);
  }
  if (flags.selfSigned === undefined && (flags.cert === undefined || flags.key === undefined)) throw new UsageError('give --cert and --key, or --self-signed DNSNAME for development');
  if (flags.selfSigned !== undefined && (flags.cert !== undefined || flags.key !== undefined)) throw new UsageError('--self-signed cannot be combined with --cert/--key');
  // Asynchronous writes in batches (src/admission/logBatch.ts): lines gather until 8 KB or 100 ms,
  // instead of one write per denial; a slow stdout consumer cannot block the event loop, and the
  // destination writes what is left on exit.
  const { batchedLog } = await import('../admission/logBatch.js');
  const logger = pino({ level: flags.logLevel, base: { service: 'rampart-admission' } }, batchedLog(pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES }), LOG_BATCH_MS));
  let tls;
  if (flags.selfSigned !== undefined) {
    const generated = await generateSelfSigned(flags.selfSigned);
    // The CA bundle goes to the webhook configuration's caBundle (base64 of this PEM).
    process.stdout.write(generated.ca);
    tls = { cert: generated.cert, key: generated.key };
  } else {
    const certFile = flags.cert as string;
    const keyFile = flags.key as string;
    try {
      tls = { ...(await readKeyPair(certFile, keyFile)), certFile, keyFile };
    } catch {
      throw new UsageError(`cannot read --cert ${certFile} or --key ${keyFile}`);
    }
  }
  let namespaces: import('../admission/namespaces.js').NamespaceSource;
  let pods: import('../admission/pods.js').PodSource | undefined;
  const fromCluster = flags.cluster === true || flags.kubeconfig !== undefined || flags.context !== undefined || flags.inCluster === true;
  if (fromCluster && flags.namespaces.length > 0) throw new UsageError('--namespaces (a file) and a cluster (--cluster, --kubeconfig, --context, --in-cluster) are two sources of namespace labels; give one');
  if (fromCluster && flags.pods.length > 0) throw new UsageError('--pods (a file) and a cluster (--cluster, --kubeconfig, --context, --in-cluster) are two sources of pods; give one');
  if (flags.inCluster === true && flags.kubeconfig !== undefined) throw new UsageError('--in-cluster and --kubeconfig cannot be combined');
  if (fromCluster) {
    const { ClusterConnection } = await import('../cluster/connection.js');
    const { WatchedNamespaceSource } = await import('../admission/namespaceCache.js');
    const connection = await ClusterConnection.open({
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      ...(flags.inCluster === true ? { inCluster: true } : {}),
    });
    const cache = new WatchedNamespaceSource(connection, { log: (level, message) => logger[level]({ context: connection.context }, message) });
    logger.info({ context: connection.context, server: connection.server }, 'watching namespaces; /readyz answers 503 until the first list completes');
    cache.start();
    namespaces = cache;
    // The pods of a namespace whose enforce level is tightened are listed on demand, through the same connection.
    const { ClusterPodSource } = await import('../admission/pods.js');
    pods = new ClusterPodSource(connection);
  } else if (flags.namespaces.length > 0) {
    const loaded = await loadNamespaceFiles(flags.namespaces, config.scan.limits);
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0) throw new UsageError(`--namespaces: ${errors.map((diagnostic) => `${diagnostic.file}:${diagnostic.line ?? 1}: ${diagnostic.message}`).join('; ')}`);
    namespaces = loaded.source;
  } else {
    logger.warn('no --namespaces file and no cluster: every namespace has no labels, so only the configured Pod Security defaults apply');
    namespaces = new StaticNamespaceSource();
  }
  if (!fromCluster && (flags.pods.length > 0 || flags.namespaces.length > 0)) {
    // Offline: the Pods of --pods files and of the --namespaces files stand for the cluster's pods.
    const { loadPodFiles } = await import('../admission/pods.js');
    const loaded = await loadPodFiles([...flags.pods, ...flags.namespaces], config.scan.limits);
    // Errors in the --namespaces files have stopped the start above: what is left comes from --pods.
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0) throw new UsageError(`--pods: ${errors.map((diagnostic) => `${diagnostic.file}:${diagnostic.line ?? 1}: ${diagnostic.message}`).join('; ')}`);
    pods = loaded.source;
  }
  let customChecks: readonly import('../checks/types.js').Check[] = [];
  if (flags.policies.length > 0) {
    const { loadCelChecks } = await import('../policy/checks/load.js');
    const loaded = await loadCelChecks(flags.policies, config.scan.limits);
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    // A webhook must not start with half its policy: every CelCheck must compile.
    if (errors.length > 0) throw new UsageError(`--policies: ${errors.map((diagnostic) => `${diagnostic.file}:${diagnostic.line ?? 1}: ${diagnostic.message}`).join('; ')}`);
    customChecks = loaded.checks;
  }
  let vap: import('../admission/vap.js').VapPolicies | undefined;
  if (flags.vap.length > 0) {
    const { loadVapPolicies } = await import('../admission/vap.js');
    const loaded = await loadVapPolicies(flags.vap, config.scan.limits);
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0) throw new UsageError(`--vap: ${errors.map((diagnostic) => `${diagnostic.file}:${diagnostic.line ?? 1}: ${diagnostic.message}`).join('; ')}`);
    if (loaded.policies.bindings === 0) throw new UsageError('--vap: no ValidatingAdmissionPolicyBinding in the files; a policy without a binding enforces nothing');
    for (const note of loaded.notes) process.stderr.write(`rampart: --vap: ${note}\n`);
    vap = loaded.policies;
  }
  let imageCache: import('../images/cache.js').ImageResultCache | undefined;
  if (flags.imageCache !== undefined) {
    const { ImageResultCache } = await import('../images/cache.js');
    imageCache = await ImageResultCache.load(flags.imageCache);
    if (imageCache.problems.length > 0) logger.warn({ directory: flags.imageCache, problems: imageCache.problems.slice(0, 10) }, 'image cache entries skipped');
    logger.info({ directory: flags.imageCache, images: imageCache.size, denyAtOrAbove: config.admission.images.denyAtOrAbove }, 'image gate on');
  }
  let server;
  try {
    server = await startAdmissionServer({
      ...(imageCache !== undefined ? { imageCache, imageCacheRefreshMs: flags.imageCacheRefresh * 1000 } : {}),
      config,
      customChecks,
      ...(vap !== undefined ? { vap } : {}),
      ...(flags.config !== undefined ? { configFile: flags.config } : {}),
      namespaces,
      ...(pods !== undefined ? { pods } : {}),
      tls,
      port: flags.port,
      host: flags.host,
      logger,
      warmUpMs: flags.warmUpMs,
    });
    if (flags.maxSemiSpaceMb > 0) logger.info({ maxSemiSpaceMb: flags.maxSemiSpaceMb, newSpaceMb: newSpaceBytes() / (1024 * 1024) }, 'young generation capped');
  } catch (error) {
    namespaces.close?.();
    throw new UsageError(`cannot listen on ${flags.host}:${flags.port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'draining in-flight requests');
      server.close(flags.drainSeconds * 1000).then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export function registerAdmissionCommand(program: Command, setExitCode: (code: number) => void): void {
  const admission = program.command('admission').description('the admission webhook: serve it, generate its manifests, lint webhook configurations');
  admission
    .command('serve')
    .description('serve /validate, /mutate, /healthz, /readyz and /metrics over HTTPS (docs/admission.md)')
    .option('-c, --config <file>', 'config file (YAML) with an optional admission section; reloaded when it changes')
    .option('--port <port>', 'HTTPS port', parsePort, 8443)
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--cert <file>', 'serving certificate (PEM); reloaded when it changes')
    .option('--key <file>', 'serving key (PEM); reloaded when it changes')
    .option('--self-signed <dnsName>', 'generate a CA and a serving certificate for this DNS name (development); prints the CA bundle')
    .option('--namespaces <file>', 'Namespace objects (YAML) whose labels decide Pod Security; repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--pods <file>', 'Pod objects (YAML) standing for the cluster\'s pods when a Namespace update tightens its enforce level (Pods in --namespaces files count too); repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--cluster', 'take namespace labels from a watched cache of the cluster\'s Namespaces ($KUBECONFIG, ~/.kube/config, else in-cluster credentials)')
    .option('--kubeconfig <file>', 'kubeconfig for the namespace cache (implies --cluster)')
    .option('--context <name>', 'kubeconfig context for the namespace cache (implies --cluster)')
    .option('--in-cluster', 'use the pod\'s service-account credentials for the namespace cache (implies --cluster)')
    .option('--policies <path>', 'custom checks in CEL (CelCheck YAML files or directories, docs/cel.md), run beside the catalogue; repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--vap <path>', 'ValidatingAdmissionPolicies with their bindings (and params, CRDs) to enforce beside the checks; repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--image-cache <dir>', 'deny pods whose images have cached vulnerabilities at or above admission.images.denyAtOrAbove (default critical); the cache is written by rampart image scan --cache')
    .option('--image-cache-refresh <seconds>', 'how often the image cache is reread', parseSeconds, 30)
    .option('--log-level <level>', 'log level: debug logs every decision, info only denials', choice(['debug', 'info', 'warn', 'error'] as const), 'info')
    .option('--drain-seconds <seconds>', 'on SIGTERM, wait this long for in-flight requests', parseSeconds, 10)
    .option('--warm-up-ms <ms>', 'review sample objects this long before listening, so the first requests meet optimised code (0: off)', (value: string) => Math.round(parseSeconds(value)), 1000)
    .option(
      '--max-semi-space-mb <mb>',
      'cap each of V8\'s two young-generation semi-spaces at this many MB (a power of two: 1, 2, 4, 8, 16) to bound the server\'s memory; 0 leaves V8\'s sizing (up to 16)',
      parseSemiSpace,
      DEFAULT_MAX_SEMI_SPACE_MB,
    )
    .action(async (flags: ServeFlags) => serve(flags));
  admission
    .command('manifests')
    .description('print everything to deploy the webhook: namespace, RBAC, Deployment, PDB, Service, webhook configurations')
    .option('--namespace <name>', 'namespace to install into', 'rampart-system')
    .option('--failure-policy <policy>', 'Fail (deny when the webhook is down) or Ignore', choice(['Fail', 'Ignore'] as const), 'Fail')
    .option('--image <image>', 'container image of the webhook', 'ghcr.io/rampart-security/rampart:0.1.0')
    .option('--ca-bundle <file>', 'PEM CA bundle to put in the webhook configurations (default: a placeholder to replace)')
    .action(async (flags: { namespace: string; failurePolicy: 'Fail' | 'Ignore'; image: string; caBundle?: string }) => {
      const { renderManifests } = await import('../admission/manifests.js');
      let caBundle: string | undefined;
      if (flags.caBundle !== undefined) {
        const { readFile } = await import('node:fs/promises');
        try {
          caBundle = await readFile(flags.caBundle, 'utf8');
        } catch {
          throw new UsageError(`cannot read --ca-bundle ${flags.caBundle}`);
        }
      }
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.namespace) || flags.namespace.length > 63) throw new UsageError(`--namespace must be a DNS label, got ${JSON.stringify(flags.namespace)}`);
      await writeOutput(renderManifests({ namespace: flags.namespace, failurePolicy: flags.failurePolicy, image: flags.image, ...(caBundle !== undefined ? { caBundle } : {}) }), undefined);
    });
  admission
    .command('lint')
    .description('report dangerous webhook configurations (self-matching, kube-system, fail-open, long timeouts, missing sideEffects), from files or a cluster; exit 1 when any is found')
    .argument('[paths...]', 'files or directories with Validating/MutatingWebhookConfigurations, or - for stdin')
    .option('--cluster', 'lint the webhook configurations of a live cluster ($KUBECONFIG, ~/.kube/config, else in-cluster credentials) instead of files')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (implies --cluster)')
    .option('--context <name>', 'kubeconfig context (implies --cluster)')
    .option('--format <format>', 'table or json', choice(['table', 'json'] as const), 'table')
    .action(async (paths: string[], flags: { format: 'table' | 'json'; cluster?: boolean; kubeconfig?: string; context?: string }) => {
      const { lintWebhookCluster, lintWebhookFiles, renderLint } = await import('../admission/lint.js');
      const fromCluster = flags.cluster === true || flags.kubeconfig !== undefined || flags.context !== undefined;
      if (fromCluster && paths.length > 0) throw new UsageError('give files or --cluster, not both');
      if (!fromCluster && paths.length === 0) throw new UsageError('give files or directories to lint, - for stdin, or --cluster');
      const result = fromCluster
        ? await lintWebhookCluster({ ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context !== undefined ? { context: flags.context } : {}) })
        : await lintWebhookFiles(paths);
      await writeOutput(renderLint(result, flags.format), undefined);
      if (result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) setExitCode(2);
      // Every problem the linter knows can block or weaken the cluster: any of them fails the run.
      else if (result.problems.length > 0) setExitCode(1);
    });
}
