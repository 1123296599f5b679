/**
 * Files that ship beside the compiled code in dist/ (generated data, worker
 * entry points). The code that reads them runs from dist/<folder>/ when
 * compiled by tsc and from dist/bundle/ when it is part of the CLI bundle
 * (scripts/bundle.mjs), so a path relative to `import.meta.url` would differ
 * between the two; paths relative to dist/ do not.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let dist: string | undefined;

/** The dist/ directory this module was loaded from: its nearest ancestor named dist. */
export function distDirectory(): string {
  if (dist === undefined) {
    let directory = path.dirname(fileURLToPath(import.meta.url));
    while (path.basename(directory) !== 'dist' && path.dirname(directory) !== directory) directory = path.dirname(directory);
    if (path.basename(directory) !== 'dist') throw new Error(`rampart: ${fileURLToPath(import.meta.url)} is not inside a dist directory`);
    dist = directory;
  }
  return dist;
}

/** A file under dist/, e.g. distFile('rbac', 'defaults', 'bootstrap-rbac.json'). */
export function distFile(...segments: string[]): string {
  return path.join(distDirectory(), ...segments);
}
