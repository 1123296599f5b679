#!/usr/bin/env node
// What bin/rampart.js would be if it loaded one CommonJS bundle (RAMPART_CJS_LIB, built by
// snapBuild.mjs from cjsMain.mjs) through require() instead of the ESM chunks. BENCHMARKS.md (a.2).
import { createRequire } from 'node:module';

const { main } = createRequire(import.meta.url)(process.env.RAMPART_CJS_LIB ?? '/tmp/rampart-snap/cjs-lib.cjs');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error('rampart: internal error:', error instanceof Error ? error.stack : error);
    process.exitCode = 70;
  },
);
