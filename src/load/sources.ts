/** Sources of manifest text: files, directories (recursive) and standard input. */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../model/types.js';
import type { InputLimits } from './limits.js';

export const STDIN_PATH = '-';
export const STDIN_NAME = '<stdin>';
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export type SourceText = { readonly file: string; readonly text: string } | { readonly file: string; readonly diagnostic: Diagnostic };

/** Lists the files behind the given paths in a stable order; directories are walked recursively. */
export async function* manifestFiles(paths: readonly string[]): AsyncGenerator<{ file: string } | { file: string; diagnostic: Diagnostic }> {
  for (const given of paths) {
    if (given === STDIN_PATH) {
      yield { file: STDIN_PATH };
      continue;
    }
    let info;
    try {
      info = await stat(given);
    } catch {
      yield { file: given, diagnostic: { severity: 'error', code: 'path-not-found', message: `no such file or directory: ${given}`, file: given } };
      continue;
    }
    if (info.isDirectory()) yield* walkDirectory(given);
    else yield { file: given };
  }
}

async function* walkDirectory(directory: string): AsyncGenerator<{ file: string } | { file: string; diagnostic: Diagnostic }> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    yield { file: directory, diagnostic: { severity: 'error', code: 'unreadable', message: `cannot read directory: ${describeFsError(error)}`, file: directory } };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden folders (.git, .github) and vendored dependencies hold no manifests of the project.
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* walkDirectory(full);
    else if (entry.isFile() && MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) yield { file: full };
  }
}

/** Reads one file (or stdin), refusing anything larger than the limit. */
export async function readSource(file: string, limits: InputLimits): Promise<SourceText> {
  if (file === STDIN_PATH) return readStdin(limits);
  try {
    const info = await stat(file);
    if (info.size > limits.maxFileBytes) {
      return { file, diagnostic: tooLarge(file, info.size, limits) };
    }
    const text = await readFile(file, 'utf8');
    return { file, text: stripByteOrderMark(text) };
  } catch (error) {
    return { file, diagnostic: { severity: 'error', code: 'unreadable', message: `cannot read file: ${describeFsError(error)}`, file } };
  }
}

async function readStdin(limits: InputLimits): Promise<SourceText> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = process.stdin.fd === 0 ? process.stdin : createReadStream('/dev/stdin');
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limits.maxFileBytes) {
      return { file: STDIN_NAME, diagnostic: tooLarge(STDIN_NAME, size, limits) };
    }
    chunks.push(buffer);
  }
  return { file: STDIN_NAME, text: stripByteOrderMark(Buffer.concat(chunks).toString('utf8')) };
}

function tooLarge(file: string, size: number, limits: InputLimits): Diagnostic {
  return {
    severity: 'error',
    code: 'file-too-large',
    message: `input is ${size} bytes or more, larger than the limit of ${limits.maxFileBytes} bytes (limits.maxFileBytes in the config file); skipped`,
    file,
  };
}

function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function describeFsError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    if (code === 'EACCES') return 'permission denied';
    if (code === 'ENOENT') return 'not found';
    if (code === 'EISDIR') return 'is a directory';
    return code;
  }
  return error instanceof Error ? error.message : String(error);
}
