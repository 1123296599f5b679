/** `rampart report` without a browser: scores, the page's self-containment and escaping, --from, Markdown, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runScan } from '../../cli/scan.js';
import { loadConfig } from '../../config/config.js';
import { CLI, REPO_ROOT } from '../../testing/paths.js';
import type { ReportData } from './data.js';
import { tempDir } from '../../testing/tempDir.js';

const DEMO = path.join(REPO_ROOT, 'examples', 'demo-shop');
const work = tempDir('rampart-report-unit-');
after(() => rmSync(work, { recursive: true, force: true }));

function run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/** The demo's JSON report, written once by whichever test asks first. */
function demoReport(): ReportData {
  const file = path.join(work, 'demo.json');
  if (!existsSync(file)) assert.equal(run(['report', DEMO, '--json', file]).status, 0);
  return JSON.parse(readFileSync(file, 'utf8')) as ReportData;
}

function pageData(html: string): Record<string, unknown> {
  const match = /<script type="application\/octet-stream" id="report-data" data-encoding="gzip\+base64">([A-Za-z0-9+/=]*)<\/script>/.exec(html);
  assert.ok(match !== null, 'the page carries its data, compressed');
  return JSON.parse(gunzipSync(Buffer.from(match[1]!, 'base64')).toString('utf8')) as Record<string, unknown>;
}

describe('rampart report', () => {
  it('scores each framework and namespace as the share of passing (object, check) judgements of the scan', async () => {
    const data = demoReport();
    const scan = (await runScan([DEMO], await loadConfig(undefined), { policies: [], inlineExceptions: true })).result;
    const { checks } = JSON.parse(run(['checks', 'list', '--format', 'json']).stdout) as { checks: Array<{ id: string; frameworks: Array<{ framework: string }> }> };
    const frameworksOf = new Map(checks.map((check) => [check.id, new Set(check.frameworks.map((mapping) => mapping.framework))]));
    const failed = new Set(scan.findings.map((finding) => `${finding.object.kind}/${finding.object.name}#${finding.checkId}`));
    let judged = 0;
    let passed = 0;
    for (const object of scan.objects) {
      for (const check of new Set(object.checks)) {
        if (!frameworksOf.get(check)?.has('PSS')) continue;
        judged++;
        if (!failed.has(`${object.object.kind}/${object.object.name}#${check}`)) passed++;
      }
    }
    const pss = data.frameworks.find((framework) => framework.name === 'Pod Security Standards')!;
    assert.equal(pss.judged, judged);
    assert.equal(pss.passed, passed);
    assert.equal(pss.score, Math.round((passed / judged) * 1000) / 10);
    assert.ok(pss.passed < pss.judged, 'the demo fails some PSS checks');
    assert.deepEqual(data.namespaces.map((namespace) => namespace.name), ['shop']);
    assert.equal(data.summary.findings, scan.findings.length);
    // Every finding's check that has metadata carries its remediation.
    for (const finding of data.findings) if (!finding.checkId.includes('/')) assert.ok((data.checks[finding.checkId]?.remediation.length ?? 0) > 0, finding.checkId);
  });

  it('writes one self-contained page, and object text cannot end its script element', () => {
    const dir = mkdtempSync(path.join(work, 'hostile-'));
    writeFileSync(
      path.join(dir, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "x</script><script>alert(1)</script>"\n  namespace: web\ndata:\n  PASSWORD: "hunter2-hunter2"\n',
    );
    const htmlFile = path.join(dir, 'report.html');
    assert.equal(run(['report', dir, '--html', htmlFile]).status, 0);
    const html = readFileSync(htmlFile, 'utf8');
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/i);
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /(src|href)="https?:/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the data and code scripts end');
    const data = pageData(html) as { findings: unknown[][]; strings: string[] };
    assert.ok(data.findings.some((row) => row[5] === 'x</script><script>alert(1)</script>'), 'the name survives, escaped');
  });

  it('merges saved results given with --from: bench controls count for CIS, scan findings join the table', () => {
    const benchFile = path.join(work, 'bench.json');
    writeFileSync(
      benchFile,
      JSON.stringify({ schemaVersion: '1.1', benchmark: { id: 'cis-1.12' }, components: [{ name: 'kube-apiserver' }], sections: [{ id: '1.2', results: [{ id: '1.2.1', title: 'anonymous', status: 'FAIL', details: [] }, { id: '1.2.6', title: 'authz', status: 'PASS', details: [] }] }] }),
    );
    const scanFile = path.join(work, 'scan.json');
    writeFileSync(scanFile, run(['scan', DEMO, '--format', 'json']).stdout);
    const withBench = path.join(work, 'with-bench.json');
    assert.equal(run(['report', DEMO, '--from', benchFile, '--json', withBench]).status, 0);
    const without = demoReport();
    const data = JSON.parse(readFileSync(withBench, 'utf8')) as ReportData;
    const cis = (report: ReportData): { passed: number; judged: number } => report.frameworks.find((framework) => framework.name === 'CIS Kubernetes Benchmark')!;
    assert.equal(cis(data).judged, cis(without).judged + 2);
    assert.equal(cis(data).passed, cis(without).passed + 1);
    assert.equal(data.threatModel.threats.find((threat) => threat.id === 'api-anonymous@component:kube-apiserver')?.status, 'open');
    const fromOnly = path.join(work, 'from-only.json');
    assert.equal(run(['report', '--from', scanFile, '--json', fromOnly]).status, 0);
    assert.equal((JSON.parse(readFileSync(fromOnly, 'utf8')) as ReportData).summary.findings, without.summary.findings);
  });

  it('refuses unusable input with exit 2 and a message, never a stack trace', () => {
    const notReport = path.join(work, 'other.json');
    writeFileSync(notReport, '{"kind": "something else"}');
    for (const args of [['report'], ['report', DEMO, '--from', notReport], ['report', DEMO, '--from', path.join(DEMO, '00-namespace.yaml')], ['report', DEMO, '--from', path.join(work, 'missing.json')]]) {
      const result = run(args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^rampart: /);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });

  it('writes the report as Markdown: overview, threat model with its diagram, every finding', () => {
    const markdownFile = path.join(work, 'demo.md');
    assert.equal(run(['report', DEMO, '--markdown', markdownFile]).status, 0);
    const markdown = readFileSync(markdownFile, 'utf8');
    const data = demoReport();
    const rows = markdown.split('\n').filter((line) => /^\| (open|partly|mitigated|unassessed) \|/.test(line));
    assert.equal(rows.length, data.threatModel.threats.length);
    assert.equal(rows.filter((line) => line.startsWith('| open |')).length, data.threatModel.summary.open);
    assert.match(markdown, /```mermaid\nflowchart LR/);
    assert.match(markdown, /### Recommended changes/);
    assert.match(markdown, new RegExp(`^${data.summary.objects} objects, ${data.summary.findings} findings`, 'm'));
    const findingRows = markdown.split('\n').filter((line) => /^\| (critical|high|medium|low|info) \| `/.test(line));
    assert.equal(findingRows.length, data.findings.length);
    assert.ok(findingRows[0]!.startsWith('| critical |'));
  });
});
