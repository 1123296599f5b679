#!/usr/bin/env node
import { existsSync } from 'node:fs';

// The bundle (scripts/bundle.mjs) starts faster; the modules tsc wrote are the fallback when only tsc has run.
const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // Reaching this point means a bug in Rampart, not a user mistake.
    console.error('rampart: internal error:', error instanceof Error ? error.stack : error);
    process.exitCode = 70;
  },
);
