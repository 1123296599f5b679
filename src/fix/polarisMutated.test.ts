/**
 * Polaris ships, for some `failure*` fixtures, the `mutated*` manifest its own
 * mutator produces. For every such pair whose Polaris check maps (through
 * `equivalents`) to a fixable Rampart check, Rampart's fix is compared with
 * Polaris' mutation field by field: the fields each one changes, and the values.
 * Where they differ on purpose the difference is listed below with the reason;
 * anything else fails the test.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { hardeningChecks } from '../checks/index.js';
import { runScan } from '../cli/scan.js';
import { DEFAULT_CONFIG, type RampartConfig } from '../config/config.js';
import { CORPORA } from '../testing/paths.js';
import { fixText } from './apply.js';
import { ObjectPlaces, planFixes } from './plan.js';
import { tempDir } from '../testing/tempDir.js';

const POLARIS = path.join(CORPORA, 'polaris', 'checks');
/** Polaris' mutator writes these resource values; the same defaults are configured here so the values can be compared. */
const CONFIG: RampartConfig = {
  ...DEFAULT_CONFIG,
  fixResources: { 'requests.cpu': '100m', 'requests.memory': '512Mi', 'limits.cpu': '100m', 'limits.memory': '512Mi' },
};

/**
 * The intended differences, as `fixture: field: Rampart's value vs Polaris' value`.
 * - drop-most: Polaris replaces a long drop list with ["ALL"]; Rampart appends ALL and keeps the
 *   entries the author wrote (the edit stays minimal; the capabilities dropped are the same).
 * - add ALL: Polaris' one check both removes `add: [ALL]` and drops ALL; Rampart's mapped check only drops
 *   ALL, and removing the added ALL is the fix of container-capabilities-added / container-capability-sys-admin
 *   (run with every check, `rampart fix` does both).
 * - runAsRootAllowed: the fixture is `apiVersion: v1, kind: Deployment`, which does not exist; Rampart
 *   warns about an unknown kind and does not judge it as a workload, so there is nothing to fix.
 * - pullPolicyNotAlways (pod and CronJob): the image has no tag, and for an untagged or `:latest` image the
 *   API server itself defaults imagePullPolicy to Always, so Rampart reports nothing and writes nothing.
 */
const INTENDED = new Set([
  'insecureCapabilities/mutated.add.yaml: .spec.containers.0.securityContext.capabilities.add: ["ALL"] vs absent',
  'runAsRootAllowed/mutated.yaml: .spec.template.spec.containers.0.securityContext.runAsNonRoot: false vs true',
  'pullPolicyNotAlways/mutated.cron-job.yaml: .spec.jobTemplate.spec.template.spec.containers.0.imagePullPolicy: absent vs "Always"',
  'pullPolicyNotAlways/mutated.yaml: .spec.containers.0.imagePullPolicy: absent vs "Always"',
  'insecureCapabilities/mutated.drop-most.yaml: .spec.containers.0.securityContext.capabilities.drop: ["NET_ADMIN","CHOWN","DAC_OVERRIDE","FSETID","FOWNER","MKNOD","NET_RAW","SETGID","SETUID","SETFCAP","SETPCAP","NET_BIND_SERVICE","SYS_CHROOT","KILL","ALL"] vs ["ALL"]',
]);

/** Leaf differences between two parsed manifests; lists of scalars compare whole, empty mappings equal absent ones. */
function differences(ours: unknown, theirs: unknown, at = ''): string[] {
  const a = prune(ours);
  const b = prune(theirs);
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothMaps = isRecord(a) && isRecord(b);
  const bothObjectLists = Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every(isRecord);
  if (bothMaps || bothObjectLists) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    return [...new Set([...Object.keys(left), ...Object.keys(right)])].flatMap((key) => differences(left[key], right[key], `${at}.${key}`));
  }
  return [`${at}: ${JSON.stringify(a) ?? 'absent'} vs ${JSON.stringify(b) ?? 'absent'}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const pruned = prune(entry);
    if (pruned !== undefined && !(isRecord(pruned) && Object.keys(pruned).length === 0)) out[key] = pruned;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

test('rampart fix changes what polaris’ mutator changes, to the same values, except the listed intended differences', { skip: !existsSync(POLARIS) }, async () => {
  const mapped = new Map<string, string[]>();
  for (const check of hardeningChecks({})) {
    if (check.meta.fixable !== true) continue;
    for (const equivalent of check.meta.equivalents ?? []) {
      if (!equivalent.startsWith('polaris:')) continue;
      const polarisCheck = equivalent.slice('polaris:'.length);
      mapped.set(polarisCheck, [...(mapped.get(polarisCheck) ?? []), check.meta.id]);
    }
  }
  const seen: string[] = [];
  const found: string[] = [];
  for (const [polarisCheck, ids] of mapped) {
    const directory = path.join(POLARIS, polarisCheck);
    if (!existsSync(directory)) continue;
    for (const mutatedName of readdirSync(directory).filter((entry) => entry.startsWith('mutated'))) {
      const failureName = mutatedName.replace(/^mutated/, 'failure');
      if (!existsSync(path.join(directory, failureName))) continue;
      const fixture = `${polarisCheck}/${mutatedName}`;
      seen.push(fixture);
      const file = path.join(tempDir('rampart-polaris-mutated-'), failureName);
      writeFileSync(file, readFileSync(path.join(directory, failureName)));
      const places = new ObjectPlaces();
      const run = await runScan([file], CONFIG, { policies: [], inlineExceptions: true }, (object) => places.observe(object));
      const { plans } = planFixes(run.result.findings, places, new Set(ids));
      for (const plan of plans) {
        const result = fixText(readFileSync(plan.file, 'utf8'), plan.fixes, CONFIG.fixResources);
        if (result.status === 'fixed') writeFileSync(plan.file, result.text);
      }
      const ours = parse(readFileSync(file, 'utf8')) as unknown;
      const theirs = parse(readFileSync(path.join(directory, mutatedName), 'utf8')) as unknown;
      found.push(...differences(ours, theirs).map((difference) => `${fixture}: ${difference}`));
    }
  }
  // Every pair of a fixable mapped check was compared (hostPID, hostIPC, hostPort, pull policy ×3, capabilities ×4, runAsNonRoot, resources ×5).
  assert.ok(seen.length >= 15, `only ${seen.length} pairs compared: ${seen.join(', ')}`);
  assert.deepEqual(found.filter((difference) => !INTENDED.has(difference)), []);
  assert.deepEqual([...INTENDED].filter((difference) => !found.includes(difference)), [], 'an intended difference no longer occurs: update the list');
});
