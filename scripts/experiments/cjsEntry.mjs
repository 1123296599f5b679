// No snapshot: the snapshot entries' CommonJS bundle run as a plain script. BENCHMARKS.md (a.2).
import { main } from '../../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error('rampart: internal error:', error);
    process.exitCode = 70;
  },
);
