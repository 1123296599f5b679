/** The spool: acknowledged bodies survive, processed batches are not replayed, a torn record is ignored, files rotate when all is processed. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { eventKey, readRequest } from './eventList.js';
import { Spool } from './spool.js';
import { rawEvent } from './testSupport.js';

function body(ids: string[]): { buffer: Buffer; events: { key: string; receivedAt: number; event: unknown }[] } {
  const items = ids.map((auditID) => rawEvent({ verb: 'get', resource: 'pods', auditID }));
  const buffer = Buffer.from(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }));
  const read = readRequest(buffer);
  assert.ok(read.ok);
  return { buffer, events: items.map((event, index) => ({ key: read.keys[index]!, receivedAt: 1, event })) };
}

/** The key of the event `body` makes for an audit ID: the digest of its bytes (the same wherever it stands in a list). */
function K(auditID: string): string {
  return eventKey(Buffer.from(JSON.stringify(rawEvent({ verb: 'get', resource: 'pods', auditID }))));
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
    first.markProcessed([K('a'), K('b')], [{ ruleId: 'x' }]);
    await first.close();
    // A crash in the middle of writing the next body.
    appendFileSync(path.join(directory, 'events.log'), '{"t":4,"n":500}\n{"kind":"EventList","items":[');
    const second = new Spool(directory);
    const replay = await second.open();
    assert.deepEqual(replay.map((item) => item.key), [K('c')]);
    second.markProcessed([K('c')], []);
    await second.close();
    // Everything processed: the next start rotates the files and still knows the keys.
    const third = new Spool(directory);
    assert.deepEqual(await third.open(), []);
    const rotated = readdirSync(directory).filter((name) => /^(events\.log|processed\.jsonl)\.\d+$/.test(name));
    assert.equal(rotated.length, 2);
    assert.equal(statSync(path.join(directory, 'events.log')).size, 0);
    assert.deepEqual((JSON.parse(readFileSync(path.join(directory, 'processed.jsonl'), 'utf8')) as { remembered: string[] }).remembered.sort(), [K('a'), K('b'), K('c')].sort());
    assert.equal((await third.append(two.events, two.buffer, 5)).length, 0, 'a late retry of a processed batch is recognized');
    await third.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a torn tail is cut off before appending, so the records written after a crash are not lost with it', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const first = new Spool(directory);
    await first.open();
    const one = body(['t1', 't2']);
    await first.append(one.events, one.buffer, 1);
    first.markProcessed([K('t1')], [{ ruleId: 'x' }]);
    await first.close();
    // A SIGKILL stops both writes part-way: a body without its end, a journal line without its newline.
    appendFileSync(path.join(directory, 'events.log'), '{"t":2,"n":900}\n{"kind":"EventList","items":[{"auditID":"lost"');
    appendFileSync(path.join(directory, 'processed.jsonl'), `{"k":["${K('t2')}"],"a":[{"ruleId":"y","message":"torn`);
    const second = new Spool(directory);
    assert.deepEqual((await second.open()).map((item) => item.key), [K('t2')], 'the torn journal line did not record t2');
    const two = body(['t3']);
    await second.append(two.events, two.buffer, 3);
    second.markProcessed([K('t2')], []);
    await second.close();
    const journal = readFileSync(path.join(directory, 'processed.jsonl'), 'utf8');
    assert.ok(journal.endsWith('\n') && journal.split('\n').slice(0, -1).every((line) => JSON.parse(line) !== undefined), 'every journal line is whole JSON');
    const third = new Spool(directory);
    assert.deepEqual((await third.open()).map((item) => item.key), [K('t3')], 't2 is recorded as processed, and t3, appended after the torn body, is replayed');
    await third.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a spool written before keys were digests: events its journal names by audit ID and stage are not replayed', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const old = body(['legacy1', 'legacy2']);
    // As the earlier version wrote them: the body framed in events.log, the journal naming legacy1 by its ID and stage.
    writeFileSync(path.join(directory, 'events.log'), `{"t":1,"n":${old.buffer.length}}\n${old.buffer.toString('utf8')}\n`);
    writeFileSync(path.join(directory, 'processed.jsonl'), '{"k":["legacy1/ResponseComplete"],"a":[]}\n');
    const spool = new Spool(directory);
    assert.deepEqual((await spool.open()).map((item) => item.key), [K('legacy2')]);
    // And a retry of the batch is recognised as spooled already.
    assert.equal((await spool.append(old.events, old.buffer, 2)).length, 0);
    await spool.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('files damaged by an append after a torn record (older versions) give up the records after it', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const one = body(['d1']);
    const two = body(['d2']);
    const frame = (buffer: Buffer, t: number): string => `{"t":${t},"n":${buffer.length}}\n${buffer.toString('utf8')}\n`;
    writeFileSync(path.join(directory, 'events.log'), `${frame(one.buffer, 1)}{"t":2,"n":900}\n{"kind":"EventList","items":[${frame(two.buffer, 3)}`);
    writeFileSync(path.join(directory, 'processed.jsonl'), `{"k":["${K('x')}"],"a":[{"ruleId":"y"{"k":["${K('d1')}"],"a":[]}\n`);
    const spool = new Spool(directory);
    assert.deepEqual((await spool.open()).map((item) => item.key), [K('d2')], 'd1 is recorded as processed inside the damaged line; d2 follows the torn body');
    await spool.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a rotation carries the 20,000 most recently processed keys, oldest first, also after a restart', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const seen = body(['seen']);
    const spool = new Spool(directory, { maxSegmentBytes: 1 });
    await spool.open();
    const keys = Array.from({ length: 25_000 }, (_, index) => K(`k${index}`));
    for (let start = 0; start < 15_000; start += 1_000) spool.markProcessed(keys.slice(start, start + 1_000), []);
    // Processed again (a replay cannot do this, but the list must not repeat a key if it happens).
    spool.markProcessed(keys.slice(0, 10), []);
    await spool.close();
    // A restart remembers them from the journal; the next keys are processed after it.
    const again = new Spool(directory, { maxSegmentBytes: 1 });
    await again.open();
    for (let start = 15_000; start < 25_000; start += 1_000) again.markProcessed(keys.slice(start, start + 1_000), []);
    await again.append(seen.events, seen.buffer, 1);
    again.markProcessed([K('seen')], []);
    const rotation = again.rotateIfDue(() => undefined);
    assert.ok(rotation !== undefined);
    await rotation;
    const head = JSON.parse(readFileSync(path.join(directory, 'processed.jsonl'), 'utf8').split('\n')[0]!) as { remembered: string[] };
    assert.deepEqual(head.remembered, [...keys.slice(5_001), K('seen')]);
    await again.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('rotation while running: a fully processed segment past its size is rotated, old generations deleted, keys and state carried', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const small = body(['r1']);
    // Twice one small body: one does not reach it, a body of three events does.
    const threshold = small.buffer.length * 2;
    const spool = new Spool(directory, { maxSegmentBytes: threshold, keepGenerations: 1 });
    await spool.open();
    await spool.append(small.events, small.buffer, 1);
    // Under the threshold: nothing happens.
    spool.markProcessed([K('r1')], []);
    assert.equal(spool.rotateIfDue(() => ({ n: 0 })), undefined);
    for (let round = 2; round <= 4; round++) {
      const batch = body([`r${round}a`, `r${round}b`, `r${round}c`]);
      await spool.append(batch.events, batch.buffer, round);
      assert.equal(spool.rotationDue(), true, 'past the threshold with nothing being appended');
      spool.markProcessed(batch.events.map((item) => item.key), []);
      const rotation = spool.rotateIfDue(() => ({ n: round }));
      assert.ok(rotation !== undefined);
      assert.ok(spool.rotating !== undefined, 'the new journal is synced in the thread pool');
      // Processing goes on meanwhile: once the head line is written, records go into the new journal.
      assert.ok(spool.journalReady !== undefined, 'the head line is written in the thread pool');
      await spool.journalReady;
      spool.markProcessed([K(`during${round}`)], []);
      await rotation;
      assert.equal(spool.rotating, undefined);
      const journal = readFileSync(path.join(directory, 'processed.jsonl'), 'utf8').split('\n');
      assert.deepEqual(JSON.parse(journal[1]!), { k: [K(`during${round}`)], a: [] }, 'recorded during the rotation, kept after it');
    }
    assert.equal(spool.rotations, 3);
    // One rotated generation kept: two files besides the current two.
    const names = readdirSync(directory).sort();
    assert.equal(names.filter((name) => /^events\.log\.\d+$/.test(name)).length, 1);
    assert.equal(names.filter((name) => /^processed\.jsonl\.\d+$/.test(name)).length, 1);
    assert.equal(statSync(path.join(directory, 'events.log')).size, 0);
    const head = JSON.parse(readFileSync(path.join(directory, 'processed.jsonl'), 'utf8').split('\n')[0]!) as { remembered: string[]; state: unknown };
    assert.ok(head.remembered.includes(K('r1')) && head.remembered.includes(K('r4c')) && head.remembered.includes(K('during3')));
    assert.deepEqual(head.state, { n: 4 });
    // A retry of a batch whose segment was deleted is still recognized, and after a restart too.
    const old = body(['r2a']);
    assert.equal((await spool.append(old.events, old.buffer, 9)).length, 0);
    await spool.close();
    const again = new Spool(directory, { maxSegmentBytes: threshold, keepGenerations: 1 });
    assert.deepEqual(await again.open(), []);
    assert.deepEqual(again.restoredState, { n: 4 });
    assert.equal((await again.append(old.events, old.buffer, 10)).length, 0);
    await again.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('checkpoint: after a restart the last state comes back with the events processed after it, in processing order', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const first = new Spool(directory);
    await first.open();
    const batch = body(['c1', 'c2', 'c3', 'c4']);
    await first.append(batch.events, batch.buffer, 1);
    first.markProcessed([K('c1')], []);
    first.checkpoint({ seen: ['c1'] });
    first.markProcessed([K('c3'), K('c2')], []);
    // Killed here: c4 was never processed.
    await first.close();
    const second = new Spool(directory);
    const pending = await second.open();
    assert.deepEqual(pending.map((item) => item.key), [K('c4')]);
    assert.deepEqual(second.restoredState, { seen: ['c1'] });
    assert.deepEqual(second.processedSinceCheckpoint.map((item) => item.key), [K('c3'), K('c2')]);
    await second.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a crash while a running rotation syncs its new journal: a restart finishes the rotation, what was recorded meanwhile is not replayed', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  const crashed = mkdtempSync(path.join(tmpdir(), 'rampart-spool-crashed-'));
  try {
    const spool = new Spool(directory, { maxSegmentBytes: 1 });
    await spool.open();
    const first = body(['m1', 'm2']);
    await spool.append(first.events, first.buffer, 1);
    spool.markProcessed(first.events.map((item) => item.key), []);
    const rotation = spool.rotateIfDue(() => ({ seen: 2 }));
    assert.ok(rotation !== undefined);
    // While the new journal is synced, an event is processed. The files as a crash here would leave them are
    // copied now: the sync's completion, and so the renames, run on this thread after this synchronous code.
    await spool.journalReady;
    spool.markProcessed([K('n1')], []);
    const names = readdirSync(directory);
    assert.ok(names.includes('processed.jsonl.tmp') && names.includes('processed.jsonl'), 'the rotation is half done');
    for (const name of names) writeFileSync(path.join(crashed, name), readFileSync(path.join(directory, name)));
    await rotation;
    await spool.close();
    // n1 and n2 had been appended to the new events.log (framed as Spool.append writes them).
    const second = body(['n1', 'n2']);
    appendFileSync(path.join(crashed, 'events.log'), Buffer.concat([Buffer.from(`${JSON.stringify({ t: 2, n: second.buffer.length })}\n`), second.buffer, Buffer.from('\n')]));
    const again = new Spool(crashed);
    assert.deepEqual((await again.open()).map((item) => item.key), [K('n2')], 'n1 was recorded in the new journal; m1 and m2 in the rotated generation');
    assert.deepEqual(again.restoredState, { seen: 2 });
    assert.equal((await again.append(first.events, first.buffer, 3)).length, 0, 'the rotated generation is still known as processed');
    const after = readdirSync(crashed);
    assert.ok(!after.includes('processed.jsonl.tmp'), 'the rotation was finished');
    assert.equal(after.filter((name) => /^processed\.jsonl\.\d+$/.test(name)).length, 1);
    await again.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
    rmSync(crashed, { recursive: true, force: true });
  }
});

test('a crash between the two steps of a rotation: the new events.log is replayed with the old journal, nothing processed is repeated', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  try {
    const spool = new Spool(directory, { maxSegmentBytes: 1 });
    await spool.open();
    const first = body(['x1', 'x2']);
    await spool.append(first.events, first.buffer, 1);
    spool.markProcessed(first.events.map((item) => item.key), []);
    // The second step cannot write its journal (as if the process died before it): a directory is in the way.
    mkdirSync(path.join(directory, 'processed.jsonl.tmp'));
    const rotation = spool.rotateIfDue(() => ({}));
    assert.ok(rotation !== undefined);
    const outcome = rotation.then(
      () => 'rotated',
      (error: Error) => error.message,
    );
    // Appends go on into the new events.log meanwhile.
    const second = body(['y1']);
    assert.equal((await spool.append(second.events, second.buffer, 2)).length, 1);
    assert.match(await outcome, /EISDIR/);
    await spool.close();
    rmSync(path.join(directory, 'processed.jsonl.tmp'), { recursive: true });
    assert.ok(readdirSync(directory).some((name) => /^events\.log\.\d+$/.test(name)), 'the first step renamed events.log');
    const again = new Spool(directory);
    assert.deepEqual((await again.open()).map((item) => item.key), [K('y1')], 'only the unprocessed event of the new segment');
    assert.equal((await again.append(first.events, first.buffer, 3)).length, 0, 'the rotated generation is still known as processed');
    await again.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
