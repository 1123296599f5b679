// Snapshot entry, "plain": main() and its static imports are evaluated when the blob is built;
// the command modules load when a run asks for them. Bundled by snapBuild.mjs (BENCHMARKS.md (a.2)).
import v8 from 'node:v8';
import { main } from '../../dist/cli/main.js';

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
