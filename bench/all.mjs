/**
 * `npm run bench`: every benchmark of the project, one after another, so each
 * has the machine to itself. A benchmark that misses its budget says so in
 * its own output; this script reports which did and exits 1 if any did.
 *
 *   scan  bench/run.mjs   rampart scan: real-world corpus, 100,000 objects, hostile input
 *   detectmicro bench/detectMicro.mjs detect serve: bounded-Set eviction and EventList reading, the figures of BENCHMARKS (k.4)
 *   floorscan bench/floorScan.mjs the least any JavaScript scan of the real-world corpus costs: read, js-yaml, JSON out
 *   rbac  bench/rbac.mjs  rbac risks and paths: 5,000 roles, 10,000 bindings, 30,000 pods
 *   cis   bench/cis.mjs   rampart bench on generated control-plane node trees
 *   cel   bench/cel.mjs   CEL environment: a PSS-restricted-style policy per pod
 *   vap   bench/vap.mjs   the exported PSS restricted VAP per pod
 *   admission bench/admission.mjs   the admission webhook over HTTPS under autocannon load
 *   admalloc bench/admissionAlloc.mjs what the webhook's decision core allocates per review (drives its GC and RSS)
 *   cluster bench/cluster.mjs rampart scan --cluster: test API server with 30,000 pods, 3,000 Deployments, 5,000 RBAC objects
 *   watch bench/watch.mjs   rampart watch: one change judged again incrementally vs a full rescan, 30,000-pod cluster
 *   report bench/report.mjs the HTML report in Chromium: real-world corpus (2 s budget), 11,000 findings
 *   images bench/images.mjs rampart image scan: a 180 MB Debian image, docker save and OCI gzip
 *   imagegate bench/imageGate.mjs the webhook's image gate: 10,000 cached images, load, refresh, per-review cost
 *   detect bench/detect.mjs audit events: file throughput with every rule, webhook at 12,000 events/s
 *   findings bench/findingMemory.mjs heap held per finding by a scan of 5,000 generated pods
 *   jsonreport bench/jsonReport.mjs the JSON report alone (render + write) of 50,000 generated objects, per finding
 *   held  bench/scanHeld.mjs  heap a file scan of 20,000 generated objects holds at Scanner.finish, by part
 *
 * `node bench/all.mjs rbac cis` runs only those.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PARTS = { scan: 'run.mjs', floorscan: 'floorScan.mjs', rbac: 'rbac.mjs', cis: 'cis.mjs', cel: 'cel.mjs', vap: 'vap.mjs', admission: 'admission.mjs', admalloc: 'admissionAlloc.mjs', cluster: 'cluster.mjs', watch: 'watch.mjs', report: 'report.mjs', images: 'images.mjs', imagegate: 'imageGate.mjs', detect: 'detect.mjs', detectmicro: 'detectMicro.mjs', findings: 'findingMemory.mjs', jsonreport: 'jsonReport.mjs', held: 'scanHeld.mjs' };
const wanted = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PARTS);
const failed = [];
for (const name of wanted) {
  const script = PARTS[name];
  if (script === undefined) {
    process.stderr.write(`unknown benchmark ${name}; choose from ${Object.keys(PARTS).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`\n### ${name} (bench/${script})\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', path.join(HERE, script)], { stdio: 'inherit' });
  if (result.status !== 0) failed.push(name);
}
process.stdout.write(failed.length === 0 ? '\nall benchmarks ran within their budgets\n' : `\nover budget or failed: ${failed.join(', ')}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
