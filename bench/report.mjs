/**
 * The HTML report in the browser: how long from navigation until the page is
 * ready (the `rampart:ready` mark, set after the first frame with the content
 * has been laid out), for the real-world corpus (budget: 2 s) and for a
 * generated input with more than 10,000 findings; and how long a search over
 * all findings takes to redraw the table. Debian's Chromium through
 * playwright-core; each page is opened RUNS times and the median is reported.
 *
 *   npm run build && node bench/report.mjs
 */
/* global document, performance, Event -- the page.evaluate callbacks run in the browser */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { generateManifests } from './generateManifests.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'rampart.js');
const CORPORA = process.env.RAMPART_CORPORA ?? path.resolve(ROOT, '..', 'shared', 'corpora');
const RUNS = 5;
const BUDGET_MS = 2000;

const work = mkdtempSync(path.join(tmpdir(), 'rampart-bench-report-'));
const generated = path.join(work, 'generated');
generateManifests(generated, 3000);

function buildReport(input, name) {
  const html = path.join(work, `${name}.html`);
  const json = path.join(work, `${name}.json`);
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, 'report', input, '--html', html, '--json', json], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 && result.status !== 2) throw new Error(`rampart report failed: ${result.stderr}`);
  const findings = JSON.parse(readFileSync(json, 'utf8')).summary.findings;
  return { html, seconds, findings, bytes: statSync(html).size };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
let overBudget = false;
try {
  for (const [name, input, budget] of [
    ['real-world corpus', path.join(CORPORA, 'real-world-manifests'), BUDGET_MS],
    ['generated, 3,000 objects', generated, undefined],
  ]) {
    const report = buildReport(input, name.replace(/\W+/g, '-'));
    const ready = [];
    const search = [];
    const busy = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // Main-thread busy time (script, style, layout, paint) from Chromium's own counters: steadier than
      // wall time on a machine shared with other builds.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(`file://${report.html}`);
      await page.waitForSelector('body[data-ready=true]', { state: 'attached', timeout: 60_000 });
      ready.push(await page.evaluate(() => performance.getEntriesByName('rampart:ready')[0].startTime));
      const { metrics } = await cdp.send('Performance.getMetrics');
      busy.push(metrics.find((metric) => metric.name === 'TaskDuration').value * 1000);
      search.push(
        await page.evaluate(() => {
          const input = document.getElementById('filter-search');
          const started = performance.now();
          input.value = 'must';
          input.dispatchEvent(new Event('input'));
          document.getElementById('findings-body').getBoundingClientRect();
          return performance.now() - started;
        }),
      );
      await page.close();
    }
    const readyMs = Math.round(median(ready));
    const verdict = budget === undefined ? '' : readyMs <= budget ? ` (budget ${budget} ms: ok)` : ` (budget ${budget} ms: OVER)`;
    if (budget !== undefined && readyMs > budget) overBudget = true;
    process.stdout.write(
      `${name}: ${report.findings} findings, ${(report.bytes / 1e6).toFixed(1)} MB page, report written in ${report.seconds.toFixed(1)} s; ` +
        `ready ${readyMs} ms after navigation (median of ${RUNS}, min ${Math.round(Math.min(...ready))}, max ${Math.round(Math.max(...ready))})${verdict}, ` +
        `main thread busy ${Math.round(median(busy))} ms; ` +
        `search over all findings ${Math.round(median(search))} ms\n`,
    );
  }
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = overBudget ? 1 : 0;
