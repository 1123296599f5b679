import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type RampartConfig } from '../config/config.js';
import { BUILTIN_POD_TEMPLATE_LOCATIONS, DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS, PodTemplateFinder } from '../model/podTemplates.js';
import { isSeverity, type Severity } from '../model/types.js';
import { distFile } from '../distFiles.js';

/** A mistake in how Rampart was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

function readVersion(): string {
  try {
    const packageJson = JSON.parse(readFileSync(distFile('..', 'package.json'), 'utf8')) as { version?: string };
    return packageJson.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();

export function parseSeverity(value: string): Severity {
  if (!isSeverity(value)) throw new InvalidArgumentError('expected one of critical, high, medium, low, info');
  return value;
}

export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return value as T;
  };
}

/** Writes to a file, or to stdout when no file is given. */
export async function writeOutput(text: string | Iterable<string>, file: string | undefined): Promise<void> {
  if (typeof text !== 'string') {
    await writeChunks(text, file);
    return;
  }
  if (file === undefined || file === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
    return;
  }
  const { writeFile } = await import('node:fs/promises');
  try {
    await writeFile(file, text);
  } catch {
    throw new UsageError(`cannot write output file ${file}`);
  }
}

const WRITE_BYTES = 1 << 20;

/**
 * Pieces are copied into one reused buffer of 1 MB that is written when full, each write awaited, so a slow reader holds
 * back the producer rather than memory and the writes are large however small the pieces. No string larger than a piece
 * is built: gathering pieces into a megabyte string (a rope, flattened when written) put each flat copy in V8's
 * large-object space, which brought on full garbage collections over the whole scan's heap (seconds on 100,000 objects).
 */
async function writeChunks(chunks: Iterable<string>, file: string | undefined): Promise<void> {
  const { createWriteStream } = await import('node:fs');
  const stream = file === undefined || file === '-' ? process.stdout : createWriteStream(file);
  let failed: Error | undefined;
  const onError = (error: Error): void => {
    failed = error;
  };
  stream.on('error', onError);
  // The buffer is filled again only after the stream's callback: by then the stream is done with the bytes.
  const write = (piece: string | Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => {
      stream.write(piece, (error) => (error ? reject(error) : resolve()));
    });
  const buffer = Buffer.allocUnsafe(WRITE_BYTES);
  let used = 0;
  try {
    for (const chunk of chunks) {
      const bytes = Buffer.byteLength(chunk);
      if (bytes > buffer.length - used && used > 0) {
        await write(buffer.subarray(0, used));
        used = 0;
      }
      if (bytes > buffer.length) await write(chunk);
      else used += buffer.write(chunk, used);
      if (failed !== undefined) throw failed;
    }
    if (used > 0) await write(buffer.subarray(0, used));
    if (stream !== process.stdout) await new Promise<void>((resolve, reject) => (stream as import('node:fs').WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())));
  } catch {
    throw new UsageError(file === undefined || file === '-' ? 'cannot write the report to standard output' : `cannot write output file ${file}`);
  } finally {
    stream.off('error', onError);
  }
}

/** Loads the config file for a command; a bad file is a usage error (exit 2). */
export async function loadConfigForCommand(file: string | undefined): Promise<RampartConfig> {
  try {
    return await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** Built-in pod-template locations plus the custom resources the config adds. */
export function podTemplateFinderFor(config: RampartConfig): PodTemplateFinder {
  return new PodTemplateFinder([...BUILTIN_POD_TEMPLATE_LOCATIONS, ...DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS, ...config.podTemplates]);
}
