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
  return rampartAsyncWithEnv(args, {}, timeoutMs);
}

/** The environment is the test's, without KUBECONFIG or in-cluster variables, plus `env`. */
export function rampartAsyncWithEnv(args: readonly string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', KUBECONFIG: '' };
  delete base.KUBERNETES_SERVICE_HOST;
  delete base.KUBERNETES_SERVICE_PORT;
  const merged: Record<string, string | undefined> = { ...base, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === '') delete merged[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: REPO_ROOT, env: merged, maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs },
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
