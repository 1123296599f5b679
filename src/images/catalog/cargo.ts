/**
 * Rust binaries built with cargo-auditable: a `.dep-v0` ELF section holds the
 * zlib-compressed JSON list of the crates compiled in. Read from 64-bit
 * little-endian ELF files held in memory (the caller keeps executables up to
 * a size limit while they stream).
 */
import { inflateSync } from 'node:zlib';
import type { Package } from '../model.js';

export const AUDITABLE_SECTION = '.dep-v0';

/** The bytes of a named section of a 64-bit little-endian ELF file, or undefined. */
export function elfSection(elf: Buffer, name: string): Buffer | undefined {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return undefined;
  const sectionOffset = Number(elf.readBigUInt64LE(40));
  const entrySize = elf.readUInt16LE(58);
  const count = elf.readUInt16LE(60);
  const namesIndex = elf.readUInt16LE(62);
  if (entrySize < 64 || sectionOffset + count * entrySize > elf.length || namesIndex >= count) return undefined;
  const header = (index: number): { name: number; offset: number; size: number } => {
    const at = sectionOffset + index * entrySize;
    return { name: elf.readUInt32LE(at), offset: Number(elf.readBigUInt64LE(at + 24)), size: Number(elf.readBigUInt64LE(at + 32)) };
  };
  const names = header(namesIndex);
  if (names.offset + names.size > elf.length) return undefined;
  for (let index = 0; index < count; index++) {
    const section = header(index);
    const start = names.offset + section.name;
    const end = elf.indexOf(0, start);
    if (end < 0 || end > names.offset + names.size) continue;
    if (elf.toString('latin1', start, end) !== name) continue;
    if (section.offset + section.size > elf.length) return undefined;
    return elf.subarray(section.offset, section.offset + section.size);
  }
  return undefined;
}

/** The crates of a cargo-auditable binary; undefined when it has no readable dependency section. */
export function parseAuditableBinary(elf: Buffer, location: string, layer: number): Package[] | undefined {
  const section = elfSection(elf, AUDITABLE_SECTION);
  if (section === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(inflateSync(section, { maxOutputLength: 8 * 1024 * 1024 }).toString('utf8'));
  } catch {
    return undefined;
  }
  const packages = (data as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(packages)) return undefined;
  return packages.flatMap((entry): Package[] => {
    const { name, version, source, kind } = entry as { name?: unknown; version?: unknown; source?: unknown; kind?: unknown };
    // Build-time dependencies are not in the binary; local path crates have no registry version to match.
    if (typeof name !== 'string' || typeof version !== 'string' || kind === 'build' || (source !== undefined && source !== 'crates.io')) return [];
    return [{ name, version, type: 'cargo', location, layer }];
  });
}
