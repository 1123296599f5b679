/**
 * Hostile requests: AdmissionReviews with fields of every wrong type, at
 * every depth. Each must be refused with a named problem or answered; the
 * decision and the mutation never throw (on the server a throw would be a 500
 * and the API server would apply its failure policy).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodTemplateFinder } from '../model/podTemplates.js';
import { isJsonObject, type JsonObject } from '../model/types.js';
import { DEFAULT_ADMISSION_CONFIG } from './config.js';
import { Decider } from './decide.js';
import { applyPatch, secureDefaultsPatch } from './mutate.js';
import { isReviewProblem, parseReview } from './review.js';
import { deployment, ENFORCE, privilegedPod, request, restrictedPod, reviewBody, webhookConfig } from './testSupport.js';
import { seededRandom } from '../testing/random.js';

/** A small deterministic generator, so a run can be replayed. */
const random = seededRandom;

const ODD_VALUES: readonly unknown[] = [null, 0, -1, 1e308, true, '', 'x', '0', [], [null], {}, { a: 1 }, [[[]]], 'ALL', ['ALL', 5], { type: 5 }];

function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...prefix, index], out));
  else if (isJsonObject(value)) for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

function setAt(root: JsonObject, path: ReadonlyArray<string | number>, value: unknown): void {
  let node: unknown = root;
  for (const segment of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[segment];
  (node as Record<string | number, unknown>)[path[path.length - 1] as string | number] = value;
}

describe('hostile AdmissionReviews', () => {
  it('2,000 reviews with a field replaced by a value of another type: a named 400 problem or an answer, never an exception', () => {
    const next = random(7);
    const enforceOnControllers = new Decider(webhookConfig({ podSecurity: { ...DEFAULT_ADMISSION_CONFIG.podSecurity, enforceOnControllers: true } }));
    const deciders = [new Decider(webhookConfig()), enforceOnControllers];
    const finder = new PodTemplateFinder();
    const seeds = [
      request(privilegedPod()),
      request(restrictedPod()),
      request(deployment('web', privilegedPod().spec as JsonObject)),
      request(privilegedPod(), { operation: 'UPDATE', oldObject: restrictedPod('bad') }),
      request(privilegedPod(), { subResource: 'ephemeralcontainers', operation: 'UPDATE', oldObject: privilegedPod() }),
    ].map((seed) => JSON.parse(reviewBody(seed)) as JsonObject);
    let refused = 0;
    let answered = 0;
    for (let round = 0; round < 2000; round++) {
      const review = structuredClone(seeds[round % seeds.length] as JsonObject);
      const candidates = paths(review).filter((path) => path.length > 0);
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const path = candidates[Math.floor(next() * candidates.length)];
        if (path === undefined) continue;
        try {
          setAt(review, path, structuredClone(ODD_VALUES[Math.floor(next() * ODD_VALUES.length)]));
        } catch {
          // The path went away with an earlier edit.
        }
      }
      const parsed = parseReview(JSON.stringify(review));
      if (isReviewProblem(parsed)) {
        assert.ok(parsed.problem.length > 10, 'a problem is named');
        refused++;
        continue;
      }
      for (const decider of deciders) {
        let response;
        try {
          response = decider.decide(parsed, { [ENFORCE]: round % 2 === 0 ? 'baseline' : 'restricted' }).response;
        } catch (error) {
          assert.fail(`decide threw on round ${round}: ${error instanceof Error ? error.stack : String(error)}\n${JSON.stringify(review)}`);
        }
        assert.equal(response.uid, parsed.uid);
        // A check that throws is reported by the engine as an internal error; none may occur.
        assert.doesNotMatch(response.auditAnnotations?.diagnostics ?? '', /check \S+ failed on/, `round ${round}`);
        assert.equal(typeof response.allowed, 'boolean');
        for (const warning of response.warnings ?? []) assert.ok(Buffer.byteLength(warning) <= 256);
      }
      if (parsed.object !== null) {
        try {
          const operations = secureDefaultsPatch(parsed.object, finder, { requests: { cpu: '10m' } });
          const patched = applyPatch(parsed.object, operations);
          assert.deepEqual(secureDefaultsPatch(patched, finder, { requests: { cpu: '10m' } }), [], `round ${round}: mutation is idempotent`);
        } catch (error) {
          assert.fail(`mutation failed on round ${round}: ${error instanceof Error ? error.stack : String(error)}\n${JSON.stringify(parsed.object)}`);
        }
      }
      answered++;
    }
    assert.ok(refused > 100 && answered > 100, `${refused} refused, ${answered} answered`);
  });
});
