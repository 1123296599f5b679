/**
 * `rampart detect`: threat detection on Kubernetes audit logs (docs/detect.md).
 *
 *   rampart detect [--file audit.log [--follow]] [--rules FILE ...] [--output FILE]
 *   rampart detect serve --tls-cert C --tls-key K --spool DIR (--client-ca CA | --token-file F) ...
 *   rampart detect lint-policy audit-policy.yaml [--rules FILE ...]
 *   rampart detect rules [--rules FILE ...]
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { Severity } from '../model/types.js';
import { choice, parseSeverity, UsageError } from './common.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function duration(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('expected a duration such as 0, 30s, 5m or 1h');
  const unit = match[2] ?? 's';
  return (Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit as 'ms' | 's' | 'm' | 'h']);
}

/** A whole number ≥ 1 (or ≥ 0 with `zero`). */
function positive(value: string, flag: string, zero = false): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || (!zero && number < 1)) throw new InvalidArgumentError(`${flag} expects a whole number${zero ? '' : ' of at least 1'}`);
  return number;
}

interface RuleFlags {
  rules: string[];
  builtin: boolean;
}

function addRuleOptions(command: Command): Command {
  return command
    .option('--rules <file>', 'a rule file of your own (new rules, overrides, lists, exceptions); repeatable, applied in order after the built-in rules', collect, [])
    .option('--no-builtin', 'leave out the built-in rules');
}

async function loadRules(flags: RuleFlags): Promise<import('../detect/rules.js').RuleSet> {
  const { loadRuleFiles, RuleFileError } = await import('../detect/rules.js');
  try {
    return loadRuleFiles(flags.rules, { builtin: flags.builtin });
  } catch (error) {
    if (error instanceof RuleFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** Compiles the rules once, so a rule that does not compile is a usage error before any input is read. */
async function compileRules(flags: RuleFlags): Promise<import('../detect/rules.js').RuleSet> {
  const ruleSet = await loadRules(flags);
  const { DetectionEngine } = await import('../detect/engine.js');
  const { RuleFileError } = await import('../detect/rules.js');
  try {
    new DetectionEngine(ruleSet);
  } catch (error) {
    if (error instanceof RuleFileError) throw new UsageError(error.message);
    throw error;
  }
  return ruleSet;
}

interface DetectFlags extends RuleFlags {
  file?: string;
  follow?: boolean;
  output?: string;
  aggregate: number;
  minSeverity: Severity;
  failOn?: Severity;
}

function openOutput(file: string | undefined): { write: (line: string) => void; close: () => Promise<void> } {
  if (file === undefined || file === '-') {
    return { write: (line) => process.stdout.write(line), close: async () => {} };
  }
  const stream: WriteStream = createWriteStream(file, { flags: 'a' });
  let failed = false;
  stream.on('error', () => {
    if (!failed) process.stderr.write(`rampart: cannot write alerts to ${file}\n`);
    failed = true;
  });
  return { write: (line) => void stream.write(line), close: () => new Promise((resolve) => stream.end(() => resolve())) };
}

async function runDetect(flags: DetectFlags, setExitCode: (code: number) => void): Promise<void> {
  if (flags.follow === true && flags.file === undefined) throw new UsageError('--follow needs --file');
  const ruleSet = await compileRules(flags);
  const { DetectPipeline } = await import('../detect/pipeline.js');
  const { followFile, readStream } = await import('../detect/ingest.js');
  const { severityRank } = await import('../model/types.js');
  const output = openOutput(flags.output);
  let worst = -1;
  const pipeline = new DetectPipeline(ruleSet, {
    minSeverity: flags.minSeverity,
    aggregateSeconds: flags.aggregate,
    onAlert: (alert) => {
      worst = Math.max(worst, severityRank(alert.severity));
      output.write(`${JSON.stringify(alert)}\n`);
    },
    onMalformed: (malformed) => process.stderr.write(`rampart: ${malformed.source}:${malformed.line}: malformed audit event: ${malformed.reason}\n`),
  });
  const source = flags.file ?? '<stdin>';
  if (flags.follow === true) {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Aggregation windows close on event time; a quiet log still gets its summaries.
    const timer = setInterval(() => pipeline.tick(Date.now()), 1000);
    try {
      await followFile(flags.file!, (result) => pipeline.handleLine(result), { signal: controller.signal });
    } finally {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  } else {
    const stream = flags.file === undefined ? process.stdin : createReadStream(flags.file);
    try {
      await readStream(stream, source, (result) => pipeline.handleLine(result));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new UsageError(`cannot read ${source} (${code})`);
      throw error;
    }
  }
  pipeline.finish();
  await output.close();
  const { counters } = pipeline;
  process.stderr.write(`rampart detect: ${counters.processed} events, ${counters.malformed} malformed, ${counters.alerts} alerts (${counters.suppressed} repeats aggregated)\n`);
  if (counters.malformed > 0) setExitCode(2);
  else if (flags.failOn !== undefined && worst >= severityRank(flags.failOn)) setExitCode(1);
}

export function registerDetectCommand(program: Command, setExitCode: (code: number) => void): void {
  const detect = addRuleOptions(program.command('detect'))
    .description('threat detection on Kubernetes audit logs: JSON lines from --file or stdin, alerts as JSON lines')
    .option('-f, --file <file>', 'audit log (JSON lines, as the API server log backend writes them); default stdin')
    .option('--follow', 'keep reading what is appended to --file, across rotation, until interrupted')
    .option('-o, --output <file>', 'append alerts to this file instead of stdout')
    .option('--aggregate <duration>', 'send repeats of an alert (same rule, user, object, address) within this window as one summary; 0 sends all', duration, 60)
    .option('--min-severity <severity>', 'leave out alerts below this severity', parseSeverity, 'info')
    .option('--fail-on <severity>', 'exit 1 when an alert at or above this severity was raised', parseSeverity)
    .action(async (flags: DetectFlags) => runDetect(flags, setExitCode));

  addRuleOptions(detect.command('rules'))
    .description('list the rules (built-in and yours) with their severity, techniques and whether they are enabled')
    .option('--format <format>', 'table or json', choice(['table', 'json'] as const), 'table')
    .action(async (flags: RuleFlags & { format: 'table' | 'json' }) => {
      const ruleSet = await compileRules(flags);
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify(ruleSet.rules.map(({ source: _source, ...rule }) => rule), null, 2)}\n`);
        return;
      }
      for (const rule of ruleSet.rules) {
        process.stdout.write(`${rule.enabled ? 'on ' : 'off'}  ${rule.severity.padEnd(8)} ${rule.id.padEnd(38)} ${[...rule.mitre, ...rule.msThreatMatrix].join(',').padEnd(30)} ${rule.title}\n`);
      }
    });

  addRuleOptions(detect.command('lint-policy'))
    .description('which enabled rules cannot fire under an audit policy (levels, stages, resources), and the policy rules that would let them')
    .argument('<audit-policy>', 'audit policy file (audit.k8s.io/v1 Policy)')
    .option('--format <format>', 'text, json or yaml (the proposed policy rules only)', choice(['text', 'json', 'yaml'] as const), 'text')
    .action(async (file: string, flags: RuleFlags & { format: 'text' | 'json' | 'yaml' }) => {
      const ruleSet = await compileRules(flags);
      const { lintAuditPolicy, readAuditPolicy, renderLintText, AuditPolicyError } = await import('../detect/lintPolicy.js');
      let policy;
      try {
        policy = readAuditPolicy(file);
      } catch (error) {
        if (error instanceof AuditPolicyError) throw new UsageError(error.message);
        throw error;
      }
      const result = lintAuditPolicy(policy, ruleSet.rules.filter((rule) => rule.enabled));
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (flags.format === 'yaml') {
        const { stringify } = await import('yaml');
        process.stdout.write(stringify({ rules: result.proposedRules }));
      } else process.stdout.write(renderLintText(result));
      setExitCode(result.blind.length > 0 ? 1 : 0);
    });

  addRuleOptions(detect.command('serve'))
    .description('HTTPS audit webhook backend: spools every acknowledged event to disk before answering, then detects')
    .requiredOption('--spool <dir>', 'directory of the on-disk spool (created if missing)')
    .requiredOption('--tls-cert <file>', 'server certificate (PEM)')
    .requiredOption('--tls-key <file>', 'server private key (PEM)')
    .option('--client-ca <file>', 'require client certificates signed by this CA (mTLS)')
    .option('--token-file <file>', 'accept requests with a bearer token listed in this file (one per line)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8443')
    .option('--metrics-listen <host:port>', 'plain-HTTP address for /metrics (default: /metrics on the main port)')
    .option('-o, --output <file>', 'append alerts to this file instead of stdout')
    .option('--alert-webhook <url>', 'also POST each alert to this URL (retries with backoff)')
    .option('--alert-webhook-format <format>', 'json or slack', choice(['json', 'slack'] as const), 'json')
    .option('--max-queue <events>', 'events accepted but not yet processed before the server answers 429', (value) => Number(value), 100_000)
    .option('--max-body <bytes>', 'largest request body accepted', (value) => Number(value), 64 * 1024 * 1024)
    .option('--aggregate <duration>', 'aggregation window for repeated alerts; 0 sends all', duration, 60)
    .option('--min-severity <severity>', 'leave out alerts below this severity', parseSeverity, 'info')
    .option('--spool-segment-size <bytes>', 'rotate the spool once events.log is this large and fully processed', (value) => positive(value, '--spool-segment-size'), 64 * 1024 * 1024)
    .option('--spool-segment-age <duration>', 'rotate the spool once events.log is this old and fully processed', duration, 3600)
    .option('--spool-keep <n>', 'rotated spool generations kept (older ones are deleted)', (value) => positive(value, '--spool-keep', true), 5)
    .option('--checkpoint-interval <duration>', 'how often the correlation state is checkpointed into the spool', duration, 10)
    .action(async (flags: RuleFlags & import('../detect/serve.js').ServeFlags) => {
      const ruleSet = await compileRules(flags);
      const { runServe } = await import('../detect/serve.js');
      await runServe(ruleSet, flags);
    });
}
