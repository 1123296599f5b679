/** `rampart report`: scan, RBAC analysis, threat model and attack graph in one HTML, Markdown or JSON report. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Finding } from '../model/types.js';
import { buildReportData } from '../report/html/data.js';
import { renderReportMarkdown } from '../report/html/markdown.js';
import { renderHtmlReport } from '../report/html/render.js';
import { BenchFileError, parseBenchJson, type BenchData } from '../threat/input.js';
import { loadConfigForCommand, UsageError, VERSION, writeOutput } from './common.js';
import { analyse, readBench } from './threatModel.js';

interface ReportFlags {
  html?: string;
  markdown?: string;
  json?: string;
  from: string[];
  snapshot: string[];
  bench?: string;
  config?: string;
}

/** Saved results given with --from: bench JSON (`sections`) or scan JSON (`findings`). */
async function readSaved(files: readonly string[]): Promise<{ bench: BenchData | undefined; findings: Finding[] }> {
  let bench: BenchData | undefined;
  const findings: Finding[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read --from file ${file}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--from ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof parsed === 'object' && parsed !== null && 'sections' in parsed) {
      try {
        bench = parseBenchJson(text, file);
      } catch (error) {
        if (error instanceof BenchFileError) throw new UsageError(error.message);
        throw error;
      }
    } else if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { findings?: unknown }).findings)) {
      for (const entry of (parsed as { findings: unknown[] }).findings) {
        const finding = entry as Partial<Finding>;
        if (typeof finding.checkId !== 'string' || typeof finding.message !== 'string' || typeof finding.object !== 'object' || typeof finding.location !== 'object') {
          throw new UsageError(`--from ${file}: a finding lacks checkId, message, object or location`);
        }
        findings.push({ ...(finding as Finding), frameworks: finding.frameworks ?? [] });
      }
    } else throw new UsageError(`--from ${file} is neither \`rampart scan --format json\` nor \`rampart bench --format json\` output`);
  }
  return { bench, findings };
}

export function registerReportCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('report')
    .description('one report of the scan, RBAC analysis, threat model and attack graph: a self-contained offline HTML file, Markdown or JSON')
    .argument('[paths...]', 'files or directories (.yaml, .yml, .json), or - for stdin')
    .option('--html <file>', 'write the HTML report here (the default, to stdout, when no format is given)')
    .option('--markdown <file>', 'write the report as Markdown here (overview, threat model, attack paths, findings)')
    .option('--json <file>', "write the report's data as JSON here")
    .option('--from <file>', 'saved results to include: `rampart scan --format json` or `rampart bench --format json` output; repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--snapshot <file>', 'a YAML/JSON file of Kubernetes objects saved from a cluster; repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--bench <file>', 'node benchmark results (`rampart bench --format json`)')
    .option('-c, --config <file>', 'config file (YAML), see docs/config.md')
    .action(async (paths: string[], flags: ReportFlags) => {
      const config = await loadConfigForCommand(flags.config);
      const saved = await readSaved(flags.from);
      const bench = (await readBench(flags.bench)) ?? saved.bench;
      const inputs = [...paths, ...flags.snapshot];
      if (inputs.length === 0 && saved.findings.length === 0) throw new UsageError('nothing to report: give PATH..., --snapshot FILE or --from FILE');
      const analysis = await analyse(inputs.length === 0 ? [] : inputs, config, bench, { allowEmpty: true });
      const scan = saved.findings.length === 0 ? analysis.scan.result : { ...analysis.scan.result, findings: [...analysis.scan.result.findings, ...saved.findings] };
      const data = buildReportData({ scan, model: analysis.model, graph: analysis.graph, bench, inputs: [...inputs, ...flags.from], tool: { name: 'rampart', version: VERSION }, now: new Date() });
      const none = flags.html === undefined && flags.markdown === undefined && flags.json === undefined;
      if (flags.html !== undefined || none) await writeOutput(renderHtmlReport(data), flags.html);
      if (flags.markdown !== undefined) await writeOutput(renderReportMarkdown(data), flags.markdown);
      if (flags.json !== undefined) await writeOutput(`${JSON.stringify(data, null, 2)}\n`, flags.json);
      if (analysis.scan.result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) setExitCode(2);
    });
}
