/** Helpers for the cluster tests: the CLI as a child process (never spawnSync: the test API server runs in the test's own event loop). */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, REPO_ROOT } from '../testing/paths.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function rampartAsync(args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '' }, maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function writeKubeconfig(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export interface JsonFinding {
  readonly checkId: string;
  readonly message: string;
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly location: { readonly file: string; readonly line: number };
}

export interface JsonReport {
  readonly findings: JsonFinding[];
  readonly diagnostics: Array<{ severity: string; code: string; message: string; file: string }>;
  readonly summary: { objects: number; findings: number };
}
