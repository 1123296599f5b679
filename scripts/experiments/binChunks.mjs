#!/usr/bin/env node
// bin/rampart.js pointed at dist/bundle-x/ (esmChunks.mjs). BENCHMARKS.md (a.2).
const { main } = await import('../../dist/bundle-x/main.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error('rampart: internal error:', error instanceof Error ? error.stack : error);
    process.exitCode = 70;
  },
);
