/**
 * `node bench/spoolWrite.mjs [DIR]`: what one durable write of a detection webhook request costs on
 * this disk, outside the server: 300 writes of 400 KB (about one EventList of 400 audit events), each
 * with O_DSYNC as the spool (src/detect/spool.ts) opens events.log, appended to a new file and then
 * written over a file filled beforehand. DIR defaults to a temporary directory; pass one on the disk
 * the spool will use.
 */
import { Buffer } from 'node:buffer';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const WRITES = 300;
const directory = mkdtempSync(path.join(process.argv[2] ?? tmpdir(), 'rampart-spool-write-'));
const body = Buffer.alloc(400 * 1024, 'x');

function timed(file, flags, offsetOf) {
  const fd = openSync(file, flags);
  const times = [];
  for (let index = 0; index < WRITES; index++) {
    const started = process.hrtime.bigint();
    writeSync(fd, body, 0, body.length, offsetOf(index));
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  closeSync(fd);
  times.sort((a, b) => a - b);
  const at = (fraction) => times[Math.min(times.length - 1, Math.floor(times.length * fraction))].toFixed(2);
  return `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

try {
  const appended = timed(path.join(directory, 'append'), constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC, () => null);
  const filled = path.join(directory, 'filled');
  const fd = openSync(filled, 'w');
  const zeros = Buffer.alloc(1 << 20);
  for (let written = 0; written < WRITES * body.length; written += zeros.length) writeSync(fd, zeros);
  closeSync(fd);
  const overwritten = timed(filled, constants.O_WRONLY | constants.O_DSYNC, (index) => index * body.length);
  process.stdout.write(`${WRITES} O_DSYNC writes of ${body.length / 1024} KB in ${directory}\n  appended:    ${appended}\n  overwritten: ${overwritten}\n`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
