/**
 * @kubernetes/client-node 2.0.1 depends on undici 8, which declares Node.js
 * >= 22.19 and, on Node 20, fails while loading: it binds
 * `zlib.createZstdDecompress` and reads `worker_threads.markAsUncloneable`,
 * both newer than Node 20. Rampart uses only the KubeConfig part of
 * client-node (credentials applied to its own HTTPS requests), never undici's
 * fetch, so stand-ins that are never called let the module load. On a Node.js
 * that has the real functions this does nothing.
 */
import workerThreads from 'node:worker_threads';
import zlib from 'node:zlib';

export function allowClientNodeOnNode20(): void {
  const zlibModule = zlib as unknown as Record<string, unknown>;
  if (typeof zlibModule.createZstdDecompress !== 'function') {
    zlibModule.createZstdDecompress = (): never => {
      throw new Error('zstd decompression needs Node.js 22.15 or newer');
    };
  }
  const threads = workerThreads as unknown as Record<string, unknown>;
  if (typeof threads.markAsUncloneable !== 'function') threads.markAsUncloneable = (): void => undefined;
}
