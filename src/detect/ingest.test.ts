/** Ingestion: malformed lines counted with their numbers, long lines bounded, --follow across rotation. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AlertAggregator } from './aggregate.js';
import type { Alert } from './engine.js';
import { followFile, LineSplitter, readStream, type LineResult } from './ingest.js';
import { rawEvent } from './testSupport.js';

const line = (spec: Parameters<typeof rawEvent>[0]): string => `${JSON.stringify(rawEvent(spec))}\n`;

test('malformed lines are reported with their line numbers and reading goes on', async () => {
  const text = [line({ verb: 'get', resource: 'pods' }), '{"kind":"Event"\n', '\n', '{"kind":0}\n', '[1,2]\n', line({ verb: 'list', resource: 'pods' }), '{"kind":"Event","verb":"get","user":{},"stage":"Later"}'].join('');
  const results: LineResult[] = [];
  await readStream(Readable.from([Buffer.from(text)]), 'audit.log', (result) => results.push(result));
  const malformed = results.flatMap((result) => (result.kind === 'malformed' ? [result.malformed] : []));
  assert.deepEqual(malformed.map((item) => item.line), [2, 4, 5, 7]);
  assert.match(malformed[0]!.reason, /^not JSON/);
  assert.match(malformed[1]!.reason, /kind is 0/);
  assert.match(malformed[3]!.reason, /stage "Later"/);
  assert.equal(results.filter((result) => result.kind === 'event').length, 2);
});

test('lines split across chunks are joined; an over-long line is one malformed line', () => {
  const lines: string[] = [];
  const tooLong: number[] = [];
  const splitter = new LineSplitter((text, number) => lines.push(`${number}:${text}`), (number) => tooLong.push(number));
  splitter.push(Buffer.from('ab'));
  splitter.push(Buffer.from('c\r\nd'));
  splitter.push(Buffer.from('\n'));
  // 'é' split between two chunks.
  const accent = Buffer.from('é\n');
  splitter.push(accent.subarray(0, 1));
  splitter.push(accent.subarray(1));
  splitter.push(Buffer.alloc(17 * 1024 * 1024, 'x'));
  splitter.push(Buffer.from('\nlast'));
  splitter.end();
  assert.deepEqual(lines, ['1:abc', '2:d', '3:é', '5:last']);
  assert.deepEqual(tooLong, [4]);
});

test('--follow reads appended lines and carries on across rotation', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-follow-'));
  try {
    const file = path.join(directory, 'audit.log');
    writeFileSync(file, line({ verb: 'get', resource: 'pods', auditID: 'a1' }));
    const seen: string[] = [];
    const controller = new AbortController();
    const done = followFile(file, (result) => {
      if (result.kind === 'event') seen.push(result.event.auditID);
    }, { signal: controller.signal, pollMs: 20 });
    const waitFor = async (count: number): Promise<void> => {
      for (let attempt = 0; attempt < 250 && seen.length < count; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await waitFor(1);
    appendFileSync(file, line({ verb: 'get', resource: 'pods', auditID: 'a2' }));
    await waitFor(2);
    renameSync(file, `${file}.1`);
    writeFileSync(file, line({ verb: 'get', resource: 'pods', auditID: 'b1' }));
    await waitFor(3);
    appendFileSync(file, line({ verb: 'get', resource: 'pods', auditID: 'b2' }));
    await waitFor(4);
    controller.abort();
    await done;
    assert.deepEqual(seen, ['a1', 'a2', 'b1', 'b2']);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

function alert(time: string, name = 'p'): Alert {
  return { time, ruleId: 'r', title: 't', severity: 'low', mitre: [], msThreatMatrix: [], message: 'm', fields: {}, auditID: time, stage: 'ResponseComplete', verb: 'get', user: 'u', sourceIPs: [], target: { resource: 'pods', subresource: '', namespace: 'n', name } };
}

test('aggregation: the first alert at once, repeats within the window as one summary', () => {
  const aggregator = new AlertAggregator(60_000);
  assert.equal(aggregator.add(alert('2026-01-01T00:00:00Z')).length, 1);
  assert.equal(aggregator.add(alert('2026-01-01T00:00:10Z')).length, 0);
  assert.equal(aggregator.add(alert('2026-01-01T00:00:20Z')).length, 0);
  // Another subject is not a repeat.
  assert.equal(aggregator.add(alert('2026-01-01T00:00:30Z', 'q')).length, 1);
  const after = aggregator.add(alert('2026-01-01T00:01:05Z'));
  assert.equal(after.length, 2, 'summary of the closed window, then the new first alert');
  assert.deepEqual(after[0]!.aggregate, { count: 3, firstTime: '2026-01-01T00:00:00Z', lastTime: '2026-01-01T00:00:20Z', windowSeconds: 60 });
  assert.equal(after[1]!.aggregate, undefined);
  assert.equal(aggregator.flushAll().length, 0, 'no repeats left open');
  assert.equal(new AlertAggregator(0).add(alert('2026-01-01T00:00:00Z')).length, 1);
});
