/**
 * Streams an image's layers once, in order, and tells a visitor what each
 * entry does to the merged filesystem: files written, paths deleted by
 * whiteouts (`.wh.NAME`), directories made opaque (`.wh..wh..opq`). The
 * visitor keeps only what it cares about, so memory follows what is kept,
 * not the number of files. Each blob's digest is checked as it streams;
 * compression is read from the bytes (gzip; zstd when Node has it).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import { ImageError } from './errors.js';
import { hashFileRange } from './hashWorker.js';
import type { LayerRef } from './model.js';

export interface EntryInfo {
  /** Absolute, normalised path inside the image ("/etc/os-release"). */
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  readonly mode: number;
  readonly size: number;
  readonly uid: number;
  readonly linkName?: string;
  readonly layer: number;
}

export interface FilesystemVisitor {
  /** Called for every entry; return a consumer to read a regular file's bytes (to their end), or undefined to skip them. */
  entry(info: EntryInfo): ((body: FileBody) => Promise<void>) | undefined;
  /** A whiteout: `path` and everything below it, from earlier layers, is gone. */
  remove(path: string, layer: number): void;
  /** An opaque directory: everything below `path` from earlier layers is gone. */
  opaque(path: string, layer: number): void;
}

/** A file's bytes as they stream out of the layer. */
export type FileBody = AsyncIterable<Buffer>;

export interface StreamStats {
  entries: number;
  bytes: number;
}

class Hashing extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  /** Off when a worker thread hashes the same bytes from the file. */
  hashing = true;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.hashing) this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/** Normalises a tar member name to an absolute path; undefined for names that escape the root. */
export function normaliseEntryPath(name: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return `/${parts.join('/')}`;
}

async function firstBytes(stream: Readable): Promise<Buffer> {
  return await new Promise<Buffer>((resolve, reject) => {
    const onReadable = (): void => {
      const chunk = stream.read() as Buffer | null;
      cleanup();
      if (chunk === null) {
        resolve(Buffer.alloc(0));
        return;
      }
      stream.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.alloc(0));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

type ZstdFactory = () => Transform;

function zstdDecompressor(): ZstdFactory | undefined {
  const factory = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;
  return typeof factory === 'function' ? factory : undefined;
}

function entryType(type: tar.Header['type']): EntryInfo['type'] {
  if (type === 'file' || type === 'contiguous-file') return 'file';
  if (type === 'directory' || type === 'symlink' || type === 'link') return type;
  return 'other';
}

/** Reads one layer into the visitor; `where` names the image in messages. */
export async function streamLayer(layer: LayerRef, visitor: FilesystemVisitor, stats: StreamStats, where: string): Promise<void> {
  const label = `${where}: layer ${layer.index}${layer.digest === undefined ? '' : ` (${layer.digest})`}`;
  const raw = await layer.open();
  const blobHash = new Hashing();
  raw.on('error', (error: Error) => blobHash.destroy(new ImageError(`${label}: cannot read the blob: ${error.message}`)));
  raw.pipe(blobHash);
  const head = await firstBytes(blobHash);
  const compressed = (head[0] === 0x1f && head[1] === 0x8b) || (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd);
  // On disk, the stored bytes are hashed by a worker thread while this one parses them.
  const expectedRaw = layer.digest ?? (compressed ? undefined : layer.diffId);
  const workerDigest = layer.fileRange !== undefined && expectedRaw !== undefined ? hashFileRange(layer.fileRange) : undefined;
  if (workerDigest !== undefined) {
    blobHash.hashing = false;
    workerDigest.catch(() => undefined); // awaited below; a rejection must not go unhandled meanwhile
  }
  let tarBytes: Readable = blobHash;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    // Large output chunks: the default 16 KiB means ten thousand callbacks and buffers per 170 MB layer.
    const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
    blobHash.on('error', (error) => gunzip.destroy(error));
    tarBytes = blobHash.pipe(gunzip);
  } else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
    const zstd = zstdDecompressor();
    if (zstd === undefined) throw new ImageError(`${label}: zstd-compressed layer, which this Node.js (${process.version}) cannot decompress; Node 22.15 or later can`);
    const decompress = zstd();
    blobHash.on('error', (error) => decompress.destroy(error));
    tarBytes = blobHash.pipe(decompress);
  }
  const diffHash = new Hashing();
  diffHash.hashing = layer.digest === undefined && workerDigest === undefined;
  tarBytes.on('error', (error: Error) => diffHash.destroy(error instanceof ImageError ? error : new ImageError(`${label}: corrupt compressed data (${error.message})`)));
  tarBytes.pipe(diffHash);
  const extract = tar.extract();
  diffHash.on('error', (error: Error) => extract.destroy(error));
  diffHash.pipe(extract);
  try {
    for await (const entry of extract) {
      stats.entries++;
      await visitEntry(entry, layer.index, visitor);
    }
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError(`${label}: corrupt or truncated layer (${(error as Error).message})`);
  }
  // tar-stream stops at the end-of-archive marker; drain what follows so the digests cover the whole blob.
  await drain(diffHash);
  stats.bytes += blobHash.bytes;
  if (workerDigest !== undefined) {
    let actual: string;
    try {
      actual = await workerDigest;
    } catch (error) {
      throw new ImageError(`${label}: cannot read the blob to verify it: ${(error as Error).message}`);
    }
    if (actual !== expectedRaw) throw new ImageError(layer.digest !== undefined ? `${label}: digest mismatch (content hashes to ${actual})` : `${label}: diff_id mismatch: the config says ${expectedRaw}, the layer hashes to ${actual}`);
  } else if (layer.digest !== undefined) {
    const actual = `sha256:${blobHash.hash.digest('hex')}`;
    if (actual !== layer.digest) throw new ImageError(`${label}: digest mismatch (content hashes to ${actual})`);
  } else if (layer.diffId !== undefined) {
    const actual = `sha256:${diffHash.hash.digest('hex')}`;
    if (actual !== layer.diffId) throw new ImageError(`${label}: diff_id mismatch: the config says ${layer.diffId}, the layer hashes to ${actual}`);
  }
}

async function drain(stream: Hashing): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  await new Promise<void>((resolve, reject) => {
    stream.unpipe();
    stream.on('data', () => undefined);
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
    stream.resume();
  });
}

async function visitEntry(entry: tar.Extract extends AsyncIterable<infer E> ? E : never, layer: number, visitor: FilesystemVisitor): Promise<void> {
  const header = entry.header;
  const path = normaliseEntryPath(header.name);
  if (path === undefined) {
    entry.resume();
    return;
  }
  const slash = path.lastIndexOf('/');
  const directory = path.slice(0, slash) || '/';
  const base = path.slice(slash + 1);
  if (base.startsWith('.wh.')) {
    entry.resume();
    if (base === '.wh..wh..opq') visitor.opaque(directory, layer);
    else visitor.remove(`${directory === '/' ? '' : directory}/${base.slice(4)}`, layer);
    return;
  }
  const info: EntryInfo = {
    path,
    type: entryType(header.type),
    mode: header.mode ?? 0,
    size: header.size ?? 0,
    uid: header.uid ?? 0,
    ...(header.linkname !== '' && header.linkname !== null && header.linkname !== undefined ? { linkName: header.linkname } : {}),
    layer,
  };
  const consumer = visitor.entry(info);
  if (consumer === undefined || info.type !== 'file') {
    entry.resume();
    return;
  }
  await consumer(entry as AsyncIterable<Buffer>);
  entry.resume();
}

/** Reads a stream into memory up to `limit` bytes; undefined when it is longer. */
export async function readLimited(body: FileBody, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  // Read to the end even past the limit: leaving the loop early would destroy the tar entry.
  for await (const chunk of body) {
    length += chunk.length;
    if (length <= limit) chunks.push(chunk);
  }
  return length > limit ? undefined : Buffer.concat(chunks, length);
}
