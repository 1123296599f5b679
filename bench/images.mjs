#!/usr/bin/env node
/**
 * Image scanning benchmark: a Debian bookworm image of about 180 MB (minbase
 * plus curl, ca-certificates and openssl, built once with mmdebstrap and
 * cached with the test images), scanned by `rampart image scan` as a child
 * process, as a `docker save` tarball (one uncompressed layer) and as an OCI
 * layout (gzip layer). Budget: 2 s wall and 150 MB peak RSS per scan.
 *
 *   npm run build && node bench/images.mjs [--runs N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'rampart.js');
const PEAK_RSS = path.join(ROOT, 'bench', 'peakRss.mjs');
const TIME_BUDGET_S = 2;
const MEMORY_BUDGET_MB = 150;
const EXTRA_PACKAGES = ['ca-certificates', 'curl', 'openssl'];
const runsArgument = process.argv.indexOf('--runs');
const RUNS = runsArgument > 0 ? Number(process.argv[runsArgument + 1]) : 5;

const { debianRootfsTar, IMAGE_CACHE } = await import(path.join(ROOT, 'dist', 'images', 'testing', 'images.js'));

function build(target, make) {
  if (existsSync(target)) return target;
  const temporary = `${target}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  make(temporary);
  execFileSync('mv', [temporary, target]);
  return target;
}

process.stdout.write('building (or reusing) the benchmark image under ' + IMAGE_CACHE + '\n');
const rootfs = await debianRootfsTar(EXTRA_PACKAGES);
const layout = build(path.join(IMAGE_CACHE, 'bench-debian-oci'), (temporary) => {
  execFileSync('umoci', ['init', '--layout', temporary]);
  execFileSync('umoci', ['new', '--image', `${temporary}:bench`]);
  execFileSync('umoci', ['raw', 'add-layer', '--image', `${temporary}:bench`, rootfs]);
});
const archive = build(path.join(IMAGE_CACHE, 'bench-debian-docker.tar'), (temporary) => {
  execFileSync('skopeo', ['copy', '--quiet', `oci:${layout}:bench`, `docker-archive:${temporary}:rampart/bench:latest`]);
});
const rootfsMb = statSync(rootfs).size / 1e6;

const work = mkdtempSync(path.join(tmpdir(), 'rampart-bench-images-'));
const usageFile = path.join(work, 'usage.json');
// A vulnerability database of 2,000 Debian tracker entries over the image's source packages, so matching is measured too.
const database = path.join(work, 'vulndb.sqlite');
const SOURCES = ['glibc', 'openssl', 'curl', 'systemd', 'util-linux', 'bash', 'coreutils', 'tar', 'gzip', 'perl', 'apt', 'gnutls28', 'zlib', 'xz-utils', 'pam', 'shadow', 'ncurses', 'sqlite3', 'libxml2', 'krb5'];
const tracker = {};
for (let index = 0; index < 2000; index++) {
  const source = SOURCES[index % SOURCES.length];
  tracker[source] ??= {};
  const release = index % 3 === 0 ? { status: 'open', urgency: 'medium' } : { status: 'resolved', fixed_version: index % 3 === 1 ? '0' : '99:1.0-1', urgency: 'high' };
  tracker[source][`CVE-2026-${String(10000 + index)}`] = { releases: { bookworm: release } };
}
writeFileSync(path.join(work, 'tracker.json'), JSON.stringify(tracker));
const imported = spawnSync(process.execPath, [CLI, 'db', 'import', path.join(work, 'tracker.json'), '--db', database], { encoding: 'utf8' });
if (imported.status !== 0) throw new Error(`db import failed: ${imported.stderr}`);
let failed = false;
try {
  for (const [label, image] of [
    ['docker save', archive],
    ['OCI gzip', layout],
  ]) {
    const walls = [];
    const rss = [];
    const cpu = [];
    let packages = 0;
    let vulnerabilities = 0;
    for (let run = 0; run < RUNS; run++) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ['--import', PEAK_RSS, CLI, 'image', 'scan', image, '--format', 'json', '--db', database], {
        encoding: 'utf8',
        env: { ...process.env, RAMPART_BENCH_USAGE: usageFile },
        maxBuffer: 64 * 1024 * 1024,
      });
      walls.push(Number(process.hrtime.bigint() - started) / 1e9);
      const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
      rss.push(usage.maxRssKb / 1024);
      cpu.push((usage.userMs + usage.systemMs) / 1000);
      if (!result.stdout.startsWith('{')) throw new Error(`scan failed: ${result.stderr}`);
      const report = JSON.parse(result.stdout);
      packages = report.packages.length;
      vulnerabilities = report.vulnerabilities.length;
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const wall = median(walls);
    const peak = Math.max(...rss);
    const ok = wall <= TIME_BUDGET_S && peak <= MEMORY_BUDGET_MB;
    failed ||= !ok;
    process.stdout.write(`  ${label.padEnd(11)} ${wall.toFixed(2)} s median of ${RUNS} (min ${Math.min(...walls).toFixed(2)} s, CPU ${median(cpu).toFixed(2)} s), peak RSS ${peak.toFixed(0)} MB  ${ok ? 'within' : 'OVER'} budget (${TIME_BUDGET_S} s, ${MEMORY_BUDGET_MB} MB)  [${packages} packages, ${vulnerabilities} vulnerabilities, ${rootfsMb.toFixed(0)} MB uncompressed]\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
process.stdout.write(`  load average at the end: ${load}\n`);
process.exitCode = failed ? 1 : 0;
