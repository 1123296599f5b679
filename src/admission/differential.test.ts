/**
 * The webhook and `rampart scan` must agree. For every object of the
 * corpora, the webhook's verdict and denial messages are compared with the
 * findings `runScan` (what `rampart scan` runs) reports for the checks the
 * webhook enforces.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pssCheckId } from '../checks/pss/catalogue.js';
import { activeChecks } from '../checks/pss/registry.js';
import type { PssLevel } from '../checks/pss/types.js';
import { parsePolicyVersion } from '../checks/pss/versions.js';
import { runScan } from '../cli/scan.js';
import { DEFAULT_CONFIG } from '../config/config.js';
import { loadFiles } from '../load/load.js';
import type { Finding, JsonObject, KubeObject } from '../model/types.js';
import { CORPORA } from '../testing/paths.js';
import { DEFAULT_ADMISSION_CONFIG } from './config.js';
import { Decider } from './decide.js';
import type { AdmissionRequest } from './review.js';

function admissionRequest(object: KubeObject, raw: JsonObject = object.raw): AdmissionRequest {
  const slash = object.apiVersion.indexOf('/');
  return {
    uid: 'differential',
    kind: { group: slash === -1 ? '' : object.apiVersion.slice(0, slash), version: slash === -1 ? object.apiVersion : object.apiVersion.slice(slash + 1), kind: object.kind },
    resource: { group: '', version: 'v1', resource: 'objects' },
    ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
    name: object.name,
    operation: 'CREATE',
    userInfo: { username: 'differential' },
    object: raw,
    oldObject: null,
    dryRun: false,
  };
}

const key = (file: string, documentIndex: number, kind: string, namespace: string | undefined, name: string): string => JSON.stringify([file, documentIndex, kind, namespace ?? '', name]);
const pair = (checkId: string, message: string): string => `${checkId}\n${message}`;

describe('differential: webhook verdicts equal rampart scan findings', () => {
  it('PSA fixtures: every pod under its level and version label is denied exactly for the scan findings of the enforced checks', async () => {
    const index = JSON.parse(readFileSync(path.join(CORPORA, 'psa-fixtures', 'index.json'), 'utf8')) as { fixtures: Array<{ path: string; level: PssLevel; version: string; expected: 'pass' | 'fail' }> };
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-differential-'));
    try {
      // One namespace per level and version, labelled for enforce; each fixture is placed in its namespace.
      const namespaces = new Map<string, { level: PssLevel; version: string }>();
      const placed = new Map<string, { fixture: (typeof index.fixtures)[number]; namespace: string }>();
      for (const fixture of index.fixtures) {
        const namespace = `${fixture.level}-${fixture.version.replace('.', '-')}`;
        namespaces.set(namespace, { level: fixture.level, version: fixture.version });
        const target = path.join(directory, fixture.path);
        mkdirSync(path.dirname(target), { recursive: true });
        const text = readFileSync(path.join(CORPORA, 'psa-fixtures', fixture.path), 'utf8');
        // Fixtures are single pods; their namespace comes from the file's place.
        writeFileSync(target, text.replace(/^metadata:\n/m, `metadata:\n  namespace: ${namespace}\n`));
        placed.set(target, { fixture, namespace });
      }
      const labelsOf = (namespace: string): Record<string, string> => {
        const { level, version } = namespaces.get(namespace) as { level: PssLevel; version: string };
        return { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': version };
      };
      writeFileSync(
        path.join(directory, 'namespaces.yaml'),
        [...namespaces.keys()].map((name) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: labelsOf(name) } })).join('\n---\n'),
      );
      const scan = await runScan([directory], DEFAULT_CONFIG, { policies: [], inlineExceptions: true });
      const scanned = new Map<string, Finding[]>();
      for (const finding of scan.result.findings) {
        const entry = scanned.get(finding.location.file) ?? [];
        entry.push(finding);
        scanned.set(finding.location.file, entry);
      }
      const decider = new Decider({ scan: DEFAULT_CONFIG, admission: DEFAULT_ADMISSION_CONFIG });
      let compared = 0;
      let denied = 0;
      for await (const batch of loadFiles([...placed.keys()])) {
        const place = placed.get(batch.file);
        assert.ok(place !== undefined);
        for (const object of batch.objects) {
          const { level, version } = namespaces.get(place.namespace) as { level: PssLevel; version: string };
          const minor = parsePolicyVersion(version) as number;
          const enforced = new Set(activeChecks(level, minor).map(({ check }) => pssCheckId(check)));
          const expected = (scanned.get(batch.file) ?? []).filter((finding) => enforced.has(finding.checkId)).map((finding) => pair(finding.checkId, finding.message));
          const decision = decider.decide(admissionRequest(object), labelsOf(place.namespace));
          const causes = (decision.response.status?.details?.causes ?? []).map((cause) => pair(cause.reason, cause.message));
          assert.deepEqual(causes.sort(), expected.sort(), batch.file);
          assert.equal(decision.response.allowed, expected.length === 0, batch.file);
          // And both agree with the fixture's label.
          assert.equal(decision.response.allowed, place.fixture.expected === 'pass', `${place.fixture.path} is labelled ${place.fixture.expected}`);
          compared++;
          if (!decision.response.allowed) denied++;
        }
      }
      assert.equal(compared, index.fixtures.length);
      assert.ok(denied > 1000 && denied < compared, `${denied} of ${compared} denied`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  for (const corpus of ['badpods/manifests', 'real-world-manifests']) {
    it(`${corpus}: with "deny at high and above", the webhook denies exactly the scan's high and critical findings of its checks`, async () => {
      const root = path.join(CORPORA, corpus);
      const admission = { ...DEFAULT_ADMISSION_CONFIG, rules: [{ action: 'deny' as const, minSeverity: 'high' as const }] };
      const decider = new Decider({ scan: DEFAULT_CONFIG, admission });
      // PSS without namespace labels follows the scan's own defaults, not Pod Security Admission: compared in the PSA test above.
      const webhookChecks = new Set(decider.checkIds());
      const scan = await runScan([root], DEFAULT_CONFIG, { policies: [], inlineExceptions: true });
      const scanned = new Map<string, string[]>();
      for (const finding of scan.result.findings) {
        if (!webhookChecks.has(finding.checkId)) continue;
        const objectKey = key(finding.location.file, finding.location.documentIndex, finding.object.kind, finding.object.namespace, finding.object.name);
        const entry = scanned.get(objectKey) ?? [];
        entry.push(`${finding.severity}\n${pair(finding.checkId, finding.message)}`);
        scanned.set(objectKey, entry);
      }
      let objects = 0;
      let denied = 0;
      for await (const batch of loadFiles([root])) {
        for (const object of batch.objects) {
          const objectKey = key(object.source.file, object.source.documentIndex, object.kind, object.namespace, object.name);
          const findings = scanned.get(objectKey) ?? [];
          const high = findings.filter((entry) => entry.startsWith('high\n') || entry.startsWith('critical\n')).map((entry) => entry.slice(entry.indexOf('\n') + 1));
          const decision = decider.decide(admissionRequest(object), {});
          const causes = (decision.response.status?.details?.causes ?? []).map((cause) => pair(cause.reason, cause.message));
          assert.deepEqual(causes.sort(), high.sort(), `${object.source.file} ${object.kind} ${object.name}`);
          assert.equal(decision.response.allowed, high.length === 0);
          // Everything else the scan reports comes back as a warning.
          const others = findings.length - high.length;
          if (!decision.response.allowed) assert.equal(decision.response.warnings, undefined, 'no warnings beside a denial');
          if (decision.response.allowed && others > 0 && others <= 10) {
            assert.deepEqual((decision.response.warnings ?? []).map((warning) => warning.slice(0, warning.indexOf(']') + 1)).sort(), findings.filter((entry) => !high.includes(entry.slice(entry.indexOf('\n') + 1))).map((entry) => `[${entry.split('\n')[1]}]`).sort());
          }
          objects++;
          if (!decision.response.allowed) denied++;
        }
      }
      assert.ok(objects > 10, `${objects} objects`);
      assert.ok(denied > 0, 'some objects are denied');
    });
  }
});
