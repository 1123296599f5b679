#!/usr/bin/env node
// bin/rampart.js pointed at dist/experiments/scan-$RAMPART_SCAN_VARIANT.js (scanVariants.mjs). BENCHMARKS.md (a.3).
const { main } = await import(new URL(`../../dist/experiments/scan-${process.env.RAMPART_SCAN_VARIANT}.js`, import.meta.url).href);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error('rampart: internal error:', error instanceof Error ? error.stack : error);
    process.exitCode = 70;
  },
);
