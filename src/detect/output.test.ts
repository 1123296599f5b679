/** The alerts file of `detect serve`: a line torn by a kill is cut before the next alert is appended. */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../testing/tempDir.js';
import { cutPartialLine } from './serve.js';

function reopenAndAppend(file: string, line: string): number {
  const fd = openSync(file, 'a+');
  try {
    const cut = cutPartialLine(fd);
    writeSync(fd, line);
    return cut;
  } finally {
    closeSync(fd);
  }
}

test('a torn last alert is cut and the next one starts its own line; whole files are left alone', () => {
  const directory = tempDir('rampart-output-');
  const file = path.join(directory, 'alerts.jsonl');
  writeFileSync(file, '{"ruleId":"a"}\n{"ruleId":"b","mess');
  assert.equal(reopenAndAppend(file, '{"ruleId":"c"}\n'), '{"ruleId":"b","mess'.length);
  assert.deepEqual(readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { ruleId: string }).ruleId), ['a', 'c']);
  assert.equal(reopenAndAppend(file, '{"ruleId":"d"}\n'), 0, 'a file ending in a newline is not touched');
  assert.equal(readFileSync(file, 'utf8'), '{"ruleId":"a"}\n{"ruleId":"c"}\n{"ruleId":"d"}\n');
});

test('a partial line longer than one read, and a file that is one partial line, are cut whole', () => {
  const directory = tempDir('rampart-output-');
  const file = path.join(directory, 'alerts.jsonl');
  const long = `{"ruleId":"x","message":"${'y'.repeat(200_000)}`;
  writeFileSync(file, `{"ruleId":"a"}\n${long}`);
  assert.equal(reopenAndAppend(file, ''), long.length);
  assert.equal(readFileSync(file, 'utf8'), '{"ruleId":"a"}\n');
  writeFileSync(file, long);
  assert.equal(reopenAndAppend(file, '{"ruleId":"b"}\n'), long.length);
  assert.equal(readFileSync(file, 'utf8'), '{"ruleId":"b"}\n');
});
