/**
 * Reads the member list of an uncompressed tar file on disk by seeking from
 * header to header, without reading member contents: `docker save` and OCI
 * archives hold their blobs in any order, and a blob is later streamed
 * straight from its offset. Handles ustar prefixes, GNU long names and pax
 * path/size records; checks each header's checksum.
 */
import { open } from 'node:fs/promises';
import { ImageError } from './errors.js';

export interface TarMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly type: string;
  readonly linkName: string;
}

const BLOCK = 512;

function text(buffer: Buffer, start: number, length: number): string {
  const end = buffer.indexOf(0, start);
  return buffer.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function octal(buffer: Buffer, start: number, length: number): number {
  if ((buffer[start]! & 0x80) !== 0) {
    // GNU base-256 for large sizes.
    let value = 0;
    for (let index = start + 1; index < start + length; index++) value = value * 256 + buffer[index]!;
    return value;
  }
  const digits = text(buffer, start, length).trim();
  return digits === '' ? 0 : parseInt(digits, 8);
}

function checksumMatches(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 32 : header[index]!;
  return sum === stored;
}

function paxRecords(body: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let position = 0;
  while (position < body.length) {
    const space = body.indexOf(32, position);
    if (space === -1) break;
    const length = Number(body.toString('utf8', position, space));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = body.toString('utf8', space + 1, position + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }
  return records;
}

/** Lists the members of a tar file; a bad header or a truncated member is an ImageError naming the file. */
export async function indexTar(file: string): Promise<TarMember[]> {
  const handle = await open(file, 'r').catch(() => {
    throw new ImageError(`cannot open ${file}`);
  });
  try {
    const { size: fileSize } = await handle.stat();
    const members: TarMember[] = [];
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax = new Map<string, string>();
    for (;;) {
      if (offset + BLOCK > fileSize) {
        if (offset === fileSize && members.length > 0) break;
        throw new ImageError(`${file}: truncated tar archive (header at byte ${offset} is cut off)`);
      }
      await handle.read(header, 0, BLOCK, offset);
      if (header.every((byte) => byte === 0)) break;
      if (!checksumMatches(header)) throw new ImageError(`${file}: not a tar archive or corrupt (bad header checksum at byte ${offset})`);
      const typeFlag = String.fromCharCode(header[156]!);
      let size = octal(header, 124, 12);
      if (pax.has('size')) size = Number(pax.get('size'));
      const dataOffset = offset + BLOCK;
      if (dataOffset + size > fileSize) throw new ImageError(`${file}: truncated tar archive (member at byte ${offset} needs ${size} bytes)`);
      const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (typeFlag === 'L' || typeFlag === 'K' || typeFlag === 'x') {
        const body = Buffer.alloc(size);
        await handle.read(body, 0, size, dataOffset);
        if (typeFlag === 'L') longName = text(body, 0, size);
        else if (typeFlag === 'K') longLink = text(body, 0, size);
        else pax = paxRecords(body);
        offset = next;
        continue;
      }
      if (typeFlag === 'g') {
        offset = next;
        continue;
      }
      const prefix = header.toString('utf8', 257, 262) === 'ustar' ? text(header, 345, 155) : '';
      const baseName = text(header, 0, 100);
      const name = pax.get('path') ?? longName ?? (prefix === '' ? baseName : `${prefix}/${baseName}`);
      const linkName = pax.get('linkpath') ?? longLink ?? text(header, 157, 100);
      members.push({ name: name.replace(/^\.\//, ''), offset: dataOffset, size, type: typeFlag, linkName });
      longName = undefined;
      longLink = undefined;
      pax = new Map();
      offset = next;
    }
    return members;
  } finally {
    await handle.close();
  }
}
