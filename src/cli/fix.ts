import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { hardeningChecks } from '../checks/index.js';
import { fixText } from '../fix/apply.js';
import { unifiedDiff } from '../fix/diff.js';
import { ObjectPlaces, planFixes } from '../fix/plan.js';
import { writeAtomically } from '../fix/write.js';
import type { RampartConfig } from '../config/config.js';
import { loadConfigForCommand, UsageError } from './common.js';
import { runScan } from './scan.js';

interface FixFlags {
  write: boolean;
  check: string[];
  config?: string;
  inlineExceptions: boolean;
}

export function registerFixCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('fix')
    .description('fix fixable findings in manifests: print a unified diff, or edit the files with --write (see docs/fix.md)')
    .argument('<paths...>', 'files or directories (.yaml, .yml, .json)')
    .option('--write', 'edit the files in place (atomically) instead of printing a diff', false)
    .option('--check <ids...>', 'fix only these checks (IDs from `rampart checks list`)', [])
    .option('-c, --config <file>', 'config file (YAML), see docs/config.md')
    .option('--no-inline-exceptions', 'ignore exceptions written in object annotations')
    .action(async (paths: string[], flags: FixFlags) => {
      if (paths.includes('-')) throw new UsageError('fix edits files; it cannot read stdin (-)');
      const config = await loadConfigForCommand(flags.config);
      const fixable = new Set(hardeningChecks({ allowedRegistries: config.allowedRegistries }).filter((check) => check.meta.fixable === true).map((check) => check.meta.id));
      for (const id of flags.check) {
        if (!fixable.has(id)) throw new UsageError(`--check ${id}: not a fixable check (fixable: ${[...fixable].sort().join(', ')})`);
      }
      let totals = { refused: false, pending: false, files: new Set<string>(), edits: 0, inputError: false };
      // With --write, a fix can unblock another (removing privileged lets allowPrivilegeEscalation=false be set): rescan and
      // fix again while edits are made, at most three passes. A diff shows the first pass only.
      for (let pass = 0; pass < (flags.write ? 3 : 1); pass++) {
        const outcome = await fixPass(paths, config, flags, pass === 0);
        totals = {
          refused: totals.refused || outcome.refused,
          pending: totals.pending || outcome.pending,
          files: new Set([...totals.files, ...outcome.files]),
          edits: totals.edits + outcome.edits,
          inputError: outcome.inputError,
        };
        if (outcome.edits === 0) break;
      }
      const fixedFiles = totals.files.size;
      const fixedEdits = totals.edits;
      const refused = totals.refused;
      const pending = totals.pending;
      const verb = flags.write ? 'made' : 'would make';
      process.stderr.write(`rampart: ${verb} ${fixedEdits} edit${fixedEdits === 1 ? '' : 's'} in ${fixedFiles} file${fixedFiles === 1 ? '' : 's'}\n`);
      // 2: part of the input could not be fixed; 1: a diff is pending (like a formatter's check mode).
      if (refused || totals.inputError) setExitCode(2);
      else if (pending) setExitCode(1);
    });
}

interface PassOutcome {
  readonly refused: boolean;
  readonly pending: boolean;
  readonly files: ReadonlySet<string>;
  readonly edits: number;
  readonly inputError: boolean;
}

/** One scan, plan and apply over every path; messages about refusals only on the first pass (later ones would repeat them). */
async function fixPass(paths: string[], config: RampartConfig, flags: FixFlags, first: boolean): Promise<PassOutcome> {
  const places = new ObjectPlaces();
  const run = await runScan(paths, config, { policies: [], inlineExceptions: flags.inlineExceptions }, (object) => places.observe(object));
  const { plans, unplaced } = planFixes(run.result.findings, places, flags.check.length > 0 ? new Set(flags.check) : undefined);
  const say = (text: string): void => {
    if (first) process.stderr.write(text);
  };
  let refused = unplaced.length > 0;
  let pending = false;
  let edits = 0;
  const files = new Set<string>();
  for (const finding of unplaced) say(`rampart: ${finding.location.file}: ${finding.object.kind} ${finding.object.name} appears twice in one document; its ${finding.checkId} finding is not fixed\n`);
  for (const plan of plans) {
    const before = await readFile(plan.file, 'utf8');
    const result = fixText(before, plan.fixes, config.fixResources);
    if (result.status === 'refused') {
      refused = true;
      say(`rampart: ${plan.file} left untouched: ${result.reason}\n`);
      continue;
    }
    for (const note of result.skipped) say(`rampart: ${plan.file}: ${note}\n`);
    if (result.status === 'unchanged') continue;
    files.add(plan.file);
    edits += result.applied;
    if (flags.write) {
      await writeAtomically(plan.file, result.text);
      process.stderr.write(`rampart: fixed ${plan.file} (${[...plan.checks].map(([id, count]) => `${id} ×${count}`).join(', ')})\n`);
    } else {
      pending = true;
      process.stdout.write(unifiedDiff(before, result.text, `a/${plan.file}`, `b/${plan.file}`));
    }
  }
  return { refused, pending, files, edits, inputError: run.result.diagnostics.some((diagnostic) => diagnostic.severity === 'error') };
}
