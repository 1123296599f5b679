/**
 * Preloaded into `rampart scan` (`RAMPART_UNBUNDLED=1 node --import ./bench/phases.mjs bin/rampart.js scan …`;
 * the variable makes the CLI run tsc's modules, whose Scanner this wraps, rather than the bundle, so
 * `startMs` includes loading each module separately, about 50 ms more than the bundle):
 * splits the run into phases without changing the code it measures, by
 * wrapping the Scanner's methods. On exit, writes JSON to the file named by
 * RAMPART_BENCH_PHASES:
 *
 *   startMs     process start to the first Scanner call: Node, module loading, config
 *   loadMs      reading and parsing files (the scan loop minus Scanner.add)
 *   checkMs     Scanner.add: per-object checks
 *   finishMs    Scanner.finish: deferred checks (PSS), whole-input checks, sorting
 *   reportMs    from finish to exit: rendering and writing the report
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Scanner } from '../dist/engine/scan.js';

const target = process.env.RAMPART_BENCH_PHASES;
if (target !== undefined) {
  let firstCall;
  let checkMs = 0;
  let finishStarted;
  let finishEnded;
  const mark = () => {
    firstCall ??= performance.now();
  };
  for (const name of ['noteFile', 'addDiagnostics']) {
    const original = Scanner.prototype[name];
    Scanner.prototype[name] = function (...args) {
      mark();
      return original.apply(this, args);
    };
  }
  const add = Scanner.prototype.add;
  Scanner.prototype.add = function (object) {
    mark();
    const started = performance.now();
    try {
      return add.call(this, object);
    } finally {
      checkMs += performance.now() - started;
    }
  };
  const finish = Scanner.prototype.finish;
  Scanner.prototype.finish = function () {
    finishStarted = performance.now();
    try {
      return finish.call(this);
    } finally {
      finishEnded = performance.now();
    }
  };
  process.on('exit', () => {
    const end = performance.now();
    if (firstCall === undefined || finishStarted === undefined || finishEnded === undefined) return;
    writeFileSync(
      target,
      JSON.stringify({
        startMs: firstCall,
        loadMs: finishStarted - firstCall - checkMs,
        checkMs,
        finishMs: finishEnded - finishStarted,
        reportMs: end - finishEnded,
        totalMs: end,
      }),
    );
  });
}
