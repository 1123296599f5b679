/**
 * Temporary directories for tests, removed when the test process exits.
 * node --test runs each test file in its own process, so a file's
 * directories live exactly as long as its tests, whether they pass or fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const created: string[] = [];
let hooked = false;

/** A new empty directory under the system's temporary directory, named `<prefix>XXXXXX`. */
export function tempDir(prefix: string): string {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(directory);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const entry of created) rmSync(entry, { recursive: true, force: true });
    });
  }
  return directory;
}
