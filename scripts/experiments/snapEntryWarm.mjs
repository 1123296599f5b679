// Snapshot entry, "warm": like snapEntry.mjs, but before the blob is taken the builder scans a
// sample (WARM_SAMPLE, default examples/) once per format in WARM_FORMATS (default json), so the
// scan's functions are compiled to bytecode in the blob. BENCHMARKS.md (a.2).
import v8 from 'node:v8';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../dist/cli/main.js';

const sample = process.env.WARM_SAMPLE ?? 'examples';
const formats = (process.env.WARM_FORMATS ?? 'json').split(',');
const scratch = mkdtempSync(path.join(tmpdir(), 'rampart-warm-'));
(async () => {
  for (const format of formats) await main(['scan', sample, '--format', format, '--output', path.join(scratch, 'out')]);
  rmSync(scratch, { recursive: true, force: true });
})();

v8.startupSnapshot.setDeserializeMainFunction(() => {
  main(process.argv.slice(1)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error('rampart: internal error:', error);
      process.exitCode = 70;
    },
  );
});
