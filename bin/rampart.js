#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

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
