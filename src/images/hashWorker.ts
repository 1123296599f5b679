/**
 * Worker thread: the SHA-256 of a byte range of a file. Image layers on disk
 * are hashed here, beside the main thread that parses the same bytes, so
 * verifying a digest costs no main-thread time on a machine with two cores.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort, workerData, Worker } from 'node:worker_threads';
import { distFile } from '../distFiles.js';

export interface FileRange {
  readonly file: string;
  readonly start: number;
  /** Bytes to hash; undefined for "to the end of the file". */
  readonly length?: number;
}

if (parentPort !== null && (workerData as { rampartHashRange?: FileRange } | undefined)?.rampartHashRange !== undefined) {
  const range = (workerData as { rampartHashRange: FileRange }).rampartHashRange;
  const hash = createHash('sha256');
  const port = parentPort;
  if (range.length === 0) port.postMessage({ digest: `sha256:${hash.digest('hex')}` });
  else {
    createReadStream(range.file, { start: range.start, ...(range.length === undefined ? {} : { end: range.start + range.length - 1 }), highWaterMark: 4 * 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk as Buffer))
      .on('error', (error) => port.postMessage({ error: error.message }))
      .on('end', () => port.postMessage({ digest: `sha256:${hash.digest('hex')}` }));
  }
}

/** Hashes a file range in a worker thread; resolves to "sha256:<hex>". */
export function hashFileRange(range: FileRange): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(distFile('images', 'hashWorker.js'), { workerData: { rampartHashRange: range } });
    worker.once('message', (message: { digest?: string; error?: string }) => {
      void worker.terminate();
      if (message.digest !== undefined) resolve(message.digest);
      else reject(new Error(message.error ?? 'hashing failed'));
    });
    worker.once('error', reject);
  });
}
