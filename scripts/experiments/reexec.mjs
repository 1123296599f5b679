#!/usr/bin/env node
// What bin/rampart.js would have to do to use a snapshot when started as `node bin/rampart.js`:
// start a second node with --snapshot-blob (RAMPART_SNAPSHOT_BLOB). BENCHMARKS.md (a.2).
import { spawnSync } from 'node:child_process';

const blob = process.env.RAMPART_SNAPSHOT_BLOB ?? '/tmp/rampart-snap/warm-min.blob';
const child = spawnSync(process.execPath, ['--snapshot-blob', blob, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = child.status ?? 70;
