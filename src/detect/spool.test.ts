/** The spool: acknowledged bodies survive, processed batches are not replayed, a torn record is ignored, files rotate when all is processed. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { eventKey, Spool } from './spool.js';
import { rawEvent } from './testSupport.js';

function body(ids: string[]): { buffer: Buffer; events: { key: string; receivedAt: number; event: unknown }[] } {
  const items = ids.map((auditID) => rawEvent({ verb: 'get', resource: 'pods', auditID }));
  return { buffer: Buffer.from(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items })), events: items.map((event) => ({ key: eventKey(event), receivedAt: 1, event })) };
}

test('replay after a restart: unprocessed events come back, processed ones do not, a torn tail is ignored', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const first = new Spool(directory);
    assert.deepEqual(await first.open(), []);
    const one = body(['a', 'b']);
    assert.equal((await first.append(one.events, one.buffer, 1)).length, 2);
    const two = body(['c']);
    await first.append(two.events, two.buffer, 2);
    // The same batch again: nothing new.
    assert.equal((await first.append(one.events, one.buffer, 3)).length, 0);
    first.markProcessed(['a/ResponseComplete', 'b/ResponseComplete'], [{ ruleId: 'x' }]);
    await first.close();
    // A crash in the middle of writing the next body.
    appendFileSync(path.join(directory, 'events.log'), '{"t":4,"n":500}\n{"kind":"EventList","items":[');
    const second = new Spool(directory);
    const replay = await second.open();
    assert.deepEqual(replay.map((item) => item.key), ['c/ResponseComplete']);
    second.markProcessed(['c/ResponseComplete'], []);
    await second.close();
    // Everything processed: the next start rotates the files and still knows the keys.
    const third = new Spool(directory);
    assert.deepEqual(await third.open(), []);
    const rotated = readdirSync(directory).filter((name) => /^(events\.log|processed\.jsonl)\.\d+$/.test(name));
    assert.equal(rotated.length, 2);
    assert.equal(statSync(path.join(directory, 'events.log')).size, 0);
    assert.deepEqual((JSON.parse(readFileSync(path.join(directory, 'processed.jsonl'), 'utf8')) as { remembered: string[] }).remembered.sort(), ['a/ResponseComplete', 'b/ResponseComplete', 'c/ResponseComplete']);
    assert.equal((await third.append(two.events, two.buffer, 5)).length, 0, 'a late retry of a processed batch is recognized');
    await third.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
