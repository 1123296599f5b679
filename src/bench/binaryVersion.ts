/**
 * The Kubernetes version a component binary was built as. Kubernetes links
 * its version with `-ldflags -X k8s.io/component-base/version.gitVersion=v1.N.P`
 * (older releases: k8s.io/kubernetes/pkg/version, k8s.io/client-go/pkg/version);
 * Go 1.18 and later record those ldflags in the binary's build information.
 * The file is searched in chunks with an overlap, stops at the first marker
 * and never reads more than a bound.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const VERSION_MARKERS = [
  'k8s.io/component-base/version.gitVersion=',
  'k8s.io/kubernetes/pkg/version.gitVersion=',
  'k8s.io/client-go/pkg/version.gitVersion=',
] as const;

/** Kubernetes binaries are 50–150 MB; nothing past this many bytes is read. */
export const MAX_BINARY_SCAN_BYTES = 256 * 1024 * 1024;
export const BINARY_CHUNK_BYTES = 1024 * 1024;
/** Longest value read after a marker. */
const MAX_VALUE_BYTES = 128;

/** A Kubernetes release version: v1.N.P with an optional pre-release and build suffix. */
const KUBERNETES_VERSION = /^v1\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export type BinaryVersionResult =
  | { readonly found: true; readonly version: string; readonly marker: string; readonly offset: number }
  | { readonly found: false; readonly reason: string };

export interface ScanLimits {
  readonly chunkBytes?: number;
  readonly maxBytes?: number;
}

export function isKubernetesVersion(text: string): boolean {
  return KUBERNETES_VERSION.test(text);
}

/** Reads `hostPath` (a regular file) in chunks until the first version marker; validates the value after it. */
export function readBinaryVersion(hostPath: string, limits: ScanLimits = {}): BinaryVersionResult {
  const maxBytes = limits.maxBytes ?? MAX_BINARY_SCAN_BYTES;
  const markers = VERSION_MARKERS.map((marker) => Buffer.from(marker, 'latin1'));
  const overlap = Math.max(...markers.map((marker) => marker.length)) + MAX_VALUE_BYTES;
  const chunkBytes = Math.max(limits.chunkBytes ?? BINARY_CHUNK_BYTES, overlap);
  let fd: number;
  try {
    fd = openSync(hostPath, 'r');
  } catch (error) {
    return { found: false, reason: `cannot open: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  try {
    const buffer = Buffer.alloc(overlap + chunkBytes);
    let kept = 0; // bytes carried over from the previous chunk, at the start of the buffer
    let consumed = 0; // file offset of buffer[kept]
    for (;;) {
      const want = Math.min(chunkBytes, maxBytes - consumed);
      const read = want <= 0 ? 0 : readSync(fd, buffer, kept, want, consumed);
      const length = kept + read;
      const atEnd = read < want || consumed + read >= maxBytes;
      const window = buffer.subarray(0, length);
      // A marker starting in the last `overlap` bytes may be cut off with its value: it is searched again with the next chunk.
      const searchable = atEnd ? length : length - overlap;
      let best: { index: number; marker: number } | undefined;
      markers.forEach((marker, markerIndex) => {
        const index = window.indexOf(marker);
        if (index >= 0 && index < searchable && (best === undefined || index < best.index)) best = { index, marker: markerIndex };
      });
      if (best !== undefined) {
        const start = best.index + markers[best.marker]!.length;
        const value = valueAt(window, start);
        const offset = consumed - kept + best.index;
        if (!isKubernetesVersion(value)) return { found: false, reason: `${VERSION_MARKERS[best.marker]}${JSON.stringify(value).slice(1, -1)} at byte ${offset} is not a Kubernetes version` };
        return { found: true, version: value, marker: VERSION_MARKERS[best.marker]!, offset };
      }
      if (atEnd) {
        const scanned = consumed + read;
        return { found: false, reason: scanned >= maxBytes ? `no version marker in the first ${maxBytes} bytes` : 'no Kubernetes version marker in the binary' };
      }
      buffer.copy(buffer, 0, length - overlap, length);
      kept = overlap;
      consumed += read;
    }
  } catch (error) {
    return { found: false, reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  } finally {
    closeSync(fd);
  }
}

/** The value after a marker: printable bytes up to a quote, space or control byte. */
function valueAt(window: Buffer, start: number): string {
  let end = start;
  while (end < window.length && end - start < MAX_VALUE_BYTES) {
    const byte = window[end]!;
    if (byte <= 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x27 || byte === 0x60) break;
    end++;
  }
  return window.toString('latin1', start, end);
}
