/**
 * Go build information (Go 1.18+ binaries): the toolchain version and the
 * module list the linker embeds after the "\xff Go buildinf:" marker. The
 * file streams through a scanner that keeps only the bytes after the marker.
 */
import type { Package } from '../model.js';

export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const KEEP_AFTER_MAGIC = 1024 * 1024;

export interface GoBuildInfo {
  readonly goVersion: string;
  readonly mainModule?: { readonly path: string; readonly version: string };
  readonly dependencies: readonly { readonly path: string; readonly version: string }[];
}

function readUvarint(bytes: Buffer, start: number): [number, number] | undefined {
  let value = 0;
  let shift = 0;
  for (let index = start; index < bytes.length && index < start + 10; index++) {
    const byte = bytes[index]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, index + 1];
    shift += 7;
  }
  return undefined;
}

/** Parses the bytes that start at the marker; undefined when they are no (inline-string) build info. */
export function parseGoBuildInfo(bytes: Buffer): GoBuildInfo | undefined {
  if (bytes.length < 33 || !bytes.subarray(0, 14).equals(GO_BUILDINFO_MAGIC)) return undefined;
  const flags = bytes[15]!;
  if ((flags & 2) === 0) return undefined; // pre-1.18 binaries store pointers; not read
  const versionLength = readUvarint(bytes, 32);
  if (versionLength === undefined) return undefined;
  const versionEnd = versionLength[1] + versionLength[0];
  const goVersion = bytes.toString('utf8', versionLength[1], versionEnd);
  if (!goVersion.startsWith('go') || versionEnd > bytes.length) return undefined;
  const infoLength = readUvarint(bytes, versionEnd);
  if (infoLength === undefined) return undefined;
  let info = bytes.toString('latin1', infoLength[1], Math.min(bytes.length, infoLength[1] + infoLength[0]));
  // The module text sits between two 16-byte sentinels.
  if (info.length >= 33) info = info.slice(16, -16);
  const dependencies: { path: string; version: string }[] = [];
  let mainModule: { path: string; version: string } | undefined;
  for (const line of Buffer.from(info, 'latin1').toString('utf8').split('\n')) {
    const fields = line.split('\t');
    if (fields[0] === 'mod' && fields[1] !== undefined) mainModule = { path: fields[1], version: fields[2] ?? '(devel)' };
    else if (fields[0] === 'dep' && fields[1] !== undefined && fields[2] !== undefined) dependencies.push({ path: fields[1], version: fields[2] });
    else if (fields[0] === '=>' && fields[1] !== undefined && fields[2] !== undefined && dependencies.length > 0) dependencies[dependencies.length - 1] = { path: fields[1], version: fields[2] };
  }
  return { goVersion, ...(mainModule === undefined ? {} : { mainModule }), dependencies };
}

export interface ExecutableScan {
  readonly go?: GoBuildInfo;
  /** The whole file, when it is an ELF file no larger than the limit and no Go binary. */
  readonly elf?: Buffer;
}

/** Scans a stream for the marker and returns the parsed build info, reading the stream to its end. */
export async function scanGoBinary(body: AsyncIterable<Buffer>): Promise<GoBuildInfo | undefined> {
  return (await scanExecutable(body, 0)).go;
}

/**
 * Reads an executable once: Go build info by its marker; otherwise, when the
 * file is ELF, at most `keepLimit` bytes and its last 128 KiB hold
 * `tailMarker` (a section name), the whole file: sections such as
 * cargo-auditable's are found from the section table at the end of the file.
 */
export async function scanExecutable(body: AsyncIterable<Buffer>, keepLimit: number, tailMarker?: Buffer): Promise<ExecutableScan> {
  let whole: Buffer[] | undefined = keepLimit > 0 ? [] : undefined;
  let wholeLength = 0;
  let carry: Buffer = Buffer.alloc(0);
  let kept: Buffer[] | undefined;
  let keptLength = 0;
  let first = true;
  let isElf = false;
  for await (const chunk of body) {
    const buffer = chunk;
    if (first) {
      first = false;
      isElf = buffer.length >= 4 && buffer[0] === 0x7f && buffer.toString('latin1', 1, 4) === 'ELF';
    }
    if (!isElf) continue;
    if (whole !== undefined) {
      wholeLength += buffer.length;
      if (wholeLength <= keepLimit) whole.push(buffer);
      else whole = undefined;
    }
    if (kept !== undefined) {
      if (keptLength < KEEP_AFTER_MAGIC) {
        kept.push(buffer);
        keptLength += buffer.length;
      }
      continue;
    }
    // Search the chunk itself; only the marker's possible split across chunks needs a small joined window.
    let found = buffer.indexOf(GO_BUILDINFO_MAGIC);
    if (found >= 0) {
      kept = [buffer.subarray(found)];
      keptLength = buffer.length - found;
      continue;
    }
    if (carry.length > 0) {
      const seam = Buffer.concat([carry, buffer.subarray(0, GO_BUILDINFO_MAGIC.length - 1)]);
      found = seam.indexOf(GO_BUILDINFO_MAGIC);
      if (found >= 0) {
        kept = [seam.subarray(found), buffer.subarray(GO_BUILDINFO_MAGIC.length - 1)];
        keptLength = seam.length - found + buffer.length - (GO_BUILDINFO_MAGIC.length - 1);
        continue;
      }
    }
    const tail = GO_BUILDINFO_MAGIC.length - 1;
    carry = buffer.length >= tail ? Buffer.from(buffer.subarray(buffer.length - tail)) : Buffer.concat([carry, buffer]).subarray(-tail);
  }
  const go = kept === undefined ? undefined : parseGoBuildInfo(Buffer.concat(kept));
  if (go !== undefined) return { go };
  if (!isElf || whole === undefined || whole.length === 0) return {};
  let tailLength = 0;
  let tailStart = whole.length;
  while (tailStart > 0 && tailLength < 128 * 1024) tailLength += whole[--tailStart]!.length;
  if (tailMarker !== undefined && !Buffer.concat(whole.slice(tailStart)).includes(tailMarker)) return {};
  return { elf: Buffer.concat(whole, wholeLength) };
}

export function goPackages(info: GoBuildInfo, location: string, layer: number): Package[] {
  const packages: Package[] = [{ name: 'stdlib', version: info.goVersion.replace(/^go/, 'v').split(' ')[0]!, type: 'golang', location, layer }];
  if (info.mainModule !== undefined && info.mainModule.version !== '(devel)') packages.push({ name: info.mainModule.path, version: info.mainModule.version, type: 'golang', location, layer });
  for (const dependency of info.dependencies) packages.push({ name: dependency.path, version: dependency.version, type: 'golang', location, layer });
  return packages;
}
