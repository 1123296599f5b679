#!/usr/bin/env node
/**
 * BENCHMARKS.md (a.3): `rampart scan --cluster` from this checkout against
 * another built checkout BASE, both reading the same test API server
 * (dist/testing/apiServer.js on 127.0.0.1) seeded with the real-world
 * corpus' objects, from the same working directory (SARIF names it); every
 * format, stdout, stderr and exit code compared.
 *
 *   node scripts/experiments/clusterScanOutputs.mjs /tmp/base-onefile
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE = path.resolve(process.argv[2]);
const CORPUS = path.join(process.env.RAMPART_CORPORA ?? path.resolve(ROOT, '..', 'shared', 'corpora'), 'real-world-manifests');
const { TestApiServer } = await import(path.join(ROOT, 'dist', 'testing', 'apiServer.js'));

function* files(directory) {
  for (const entry of readdirSync(directory).sort()) {
    const file = path.join(directory, entry);
    if (statSync(file).isDirectory()) yield* files(file);
    else if (/\.ya?ml$/.test(entry)) yield file;
  }
}
// Objects the server takes, each once (a name may appear in several files of the corpus).
function objects() {
  const seen = new Map();
  for (const file of files(CORPUS)) {
    let documents = [];
    try {
      documents = yaml.loadAll(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    for (const object of documents) {
      if (object === null || typeof object !== 'object' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') continue;
      seen.set(`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
    }
  }
  return [...seen.values()];
}

const run = (checkout, args) =>
  new Promise((resolve) => {
    execFile(process.execPath, [path.join(checkout, 'bin', 'rampart.js'), ...args], { cwd: directory, env: { ...process.env, KUBECONFIG: '', NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : error.code, stdout, stderr }),
    );
  });

const directory = mkdtempSync(path.join(tmpdir(), 'rampart-cluster-outputs-'));
const server = new TestApiServer({ tokens: { compare: { name: 'compare' } } });
let differ = 0;
try {
  await server.start();
  const rejected = server.seed(objects());
  const kubeconfig = path.join(directory, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig({ token: 'compare' }));
  console.log(`test API server seeded (${rejected.length} objects refused: kinds it does not serve)`);
  for (const format of ['json', 'sarif', 'junit', 'table']) {
    const args = ['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', format];
    const [base, fresh] = [await run(BASE, args), await run(ROOT, args)];
    const same = base.stdout === fresh.stdout && base.stderr === fresh.stderr && base.code === fresh.code;
    if (!same) differ++;
    console.log(`${same ? 'same  ' : 'DIFFER'}  --cluster ${format}: exit ${base.code} / ${fresh.code}, ${fresh.stdout.length} + ${fresh.stderr.length} characters`);
  }
} finally {
  await server.stop();
  rmSync(directory, { recursive: true, force: true });
}
process.exitCode = differ === 0 ? 0 : 1;
