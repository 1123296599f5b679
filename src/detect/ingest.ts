/**
 * JSON lines in, events out. The API server's log backend writes one Event
 * per line; a line that is not JSON, or not an Event, is counted and reported
 * with its number, and reading goes on. Blank lines are skipped.
 *
 * `followFile` reads a file to its end and keeps reading what is appended,
 * also across rotation (the path is renamed and a new file created, or the
 * file is truncated), as `tail -F` does.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parseAuditEvent, type AuditEvent } from './event.js';

/** Lines longer than this are malformed (the API server truncates nothing, but a runaway line must not take the memory). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface Malformed {
  readonly source: string;
  readonly line: number;
  readonly reason: string;
}

export type LineResult = { readonly kind: 'event'; readonly event: AuditEvent } | { readonly kind: 'malformed'; readonly malformed: Malformed } | { readonly kind: 'blank' };

export function parseLine(text: string, source: string, line: number): LineResult {
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'malformed', malformed: { source, line, reason: `not JSON: ${message.slice(0, 200)}` } };
  }
  const result = parseAuditEvent(value);
  if (!result.ok) return { kind: 'malformed', malformed: { source, line, reason: result.reason } };
  return { kind: 'event', event: result.event };
}

/** Splits a stream of bytes into lines, bounding the length of one line. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skipping = false;
  lineNumber = 0;

  constructor(private readonly onLine: (text: string, line: number) => void, private readonly onTooLong: (line: number) => void) {}

  push(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    while (text.length > 0) {
      const newline = text.indexOf('\n');
      if (newline < 0) {
        if (!this.skipping) this.pending += text;
        if (this.pending.length > MAX_LINE_BYTES) {
          this.pending = '';
          this.skipping = true;
        }
        return;
      }
      const piece = text.slice(0, newline);
      text = text.slice(newline + 1);
      this.lineNumber++;
      if (this.skipping) {
        this.skipping = false;
        this.onTooLong(this.lineNumber);
      } else {
        const line = this.pending + piece;
        this.pending = '';
        if (line.length > MAX_LINE_BYTES) this.onTooLong(this.lineNumber);
        else this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, this.lineNumber);
      }
    }
  }

  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (this.skipping) {
      this.lineNumber++;
      this.onTooLong(this.lineNumber);
    } else if (rest !== '') {
      this.lineNumber++;
      this.onLine(rest, this.lineNumber);
    }
  }
}

export type LineHandler = (result: LineResult) => void;

function splitterFor(source: string, handle: LineHandler): LineSplitter {
  return new LineSplitter(
    (text, line) => handle(parseLine(text, source, line)),
    (line) => handle({ kind: 'malformed', malformed: { source, line, reason: `line longer than ${MAX_LINE_BYTES} bytes` } }),
  );
}

/** Reads a whole stream (a file or stdin); resolves at its end. */
export async function readStream(stream: Readable, source: string, handle: LineHandler): Promise<void> {
  const splitter = splitterFor(source, handle);
  for await (const chunk of stream) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  splitter.end();
}

export interface FollowOptions {
  readonly pollMs?: number;
  readonly signal: AbortSignal;
}

/**
 * Reads `file` from the start and then what is appended, until `signal`
 * aborts. On rotation (a new inode at the path, or the file shrinking) the
 * rest of the old file has been read; reading restarts at the new file's start.
 */
export async function followFile(file: string, handle: LineHandler, options: FollowOptions): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  let splitter = splitterFor(file, handle);
  let position = 0;
  let inode: number | undefined;
  const sleep = (): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, pollMs);
      options.signal.addEventListener('abort', wake, { once: true });
    });
  while (!options.signal.aborted) {
    let info;
    try {
      info = await stat(file);
    } catch {
      await sleep();
      continue;
    }
    if (inode !== undefined && (info.ino !== inode || info.size < position)) {
      // Rotated or truncated: finish the line in progress and start over.
      splitter.end();
      splitter = splitterFor(file, handle);
      position = 0;
    }
    inode = info.ino;
    if (info.size > position) {
      const handleFile = await open(file, 'r');
      try {
        const stream: ReadStream = createReadStream('', { fd: handleFile.fd, start: position, end: info.size - 1, autoClose: false });
        for await (const chunk of stream) {
          splitter.push(chunk as Buffer);
          position += (chunk as Buffer).length;
        }
      } finally {
        await handleFile.close();
      }
      continue;
    }
    await sleep();
  }
  splitter.end();
}
