/** Batched log writes (src/admission/logBatch.ts): lines wait at most the delay, and none is lost at exit. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../testing/paths.js';
import { batchedLog } from './logBatch.js';

/** Resolves once `condition` holds, polling every 5 ms for at most `limitMs`. */
async function until(condition: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('batched log', () => {
  it('passes every line on at once and asks for one flush per batch, after the delay', async () => {
    const lines: string[] = [];
    let flushes = 0;
    const log = batchedLog({ write: (line) => lines.push(line) > 0, flush: () => flushes++ }, 20);
    assert.equal(log.write('a\n'), true);
    log.write('b\n');
    assert.deepEqual(lines, ['a\n', 'b\n']);
    assert.equal(flushes, 0, 'nothing is flushed before the delay');
    await until(() => flushes === 1);
    log.write('c\n');
    await until(() => flushes === 2);
    // No line, no timer: nothing more is flushed.
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(flushes, 2);
  });

  it('a pino logger over it, in a real process: lines reach a pipe while the process runs, and the last ones at exit', async () => {
    const batch = pathToFileURL(path.join(REPO_ROOT, 'dist', 'admission', 'logBatch.js')).href;
    const script = `
      import { pino } from 'pino';
      import { batchedLog } from ${JSON.stringify(batch)};
      const logger = pino({ base: {} }, batchedLog(pino.destination({ dest: 1, sync: false, minLength: 8192 }), 50));
      for (let index = 0; index < 3; index++) logger.info({ index }, 'early');
      const keepAlive = setInterval(() => {}, 1000);
      process.on('SIGTERM', () => {
        logger.info('last');
        clearInterval(keepAlive);
      });
    `;
    // Run from the repository so that 'pino' resolves from its node_modules.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // 3 short lines are far below 8 KB: only the delay can have written them.
      await until(() => out.split('\n').filter((line) => line.includes('"msg":"early"')).length === 3, 20_000);
      assert.equal(child.exitCode, null, 'written while the process still runs');
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err);
      const lines = out.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; index?: number });
      assert.deepEqual(lines.map((line) => line.msg), ['early', 'early', 'early', 'last']);
      assert.deepEqual(lines.slice(0, 3).map((line) => line.index), [0, 1, 2]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
