/**
 * Kubernetes IP and CIDR libraries (1.30+). Parsing follows Go's netip as
 * Kubernetes uses it: no IPv4 leading zeros, no zones, and IPv4-mapped IPv6
 * addresses are refused. Canonical text is RFC 5952 for IPv6.
 */
import { celFunc, celMethod, CelScalar } from '@bufbuild/cel';
import type { CelLibrary } from '../library.js';
import { expect, noOverload, OpaqueValue } from './opaque.js';

const { DYN, STRING, BOOL, INT } = CelScalar;

export class IpAddress extends OpaqueValue {
  readonly celTypeName = 'net.IP';
  constructor(readonly bytes: Uint8Array) {
    super();
  }
  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }
  celString(): string {
    return formatIp(this.bytes);
  }
  protected equalityKey(): string {
    return this.celString();
  }
}

export class Cidr extends OpaqueValue {
  readonly celTypeName = 'net.IPNet';
  constructor(
    readonly address: IpAddress,
    readonly prefixLength: number,
  ) {
    super();
  }
  celString(): string {
    return `${this.address.celString()}/${this.prefixLength}`;
  }
  protected equalityKey(): string {
    return this.celString();
  }
  masked(): Cidr {
    return new Cidr(new IpAddress(mask(this.address.bytes, this.prefixLength)), this.prefixLength);
  }
  contains(address: IpAddress): boolean {
    if (address.family !== this.address.family) return false;
    const a = mask(address.bytes, this.prefixLength);
    const b = mask(this.address.bytes, this.prefixLength);
    return a.every((byte, index) => byte === b[index]);
  }
}

function mask(bytes: Uint8Array, prefixLength: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let index = 0; index < bytes.length; index++) {
    const bits = Math.max(0, Math.min(8, prefixLength - index * 8));
    out[index] = (bytes[index] ?? 0) & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

function parseIpv4(text: string): Uint8Array | string {
  const parts = text.split('.');
  if (parts.length !== 4) return 'IPv4 address must have four parts';
  const bytes = new Uint8Array(4);
  for (let index = 0; index < 4; index++) {
    const part = parts[index] ?? '';
    if (!/^[0-9]{1,3}$/.test(part)) return `invalid IPv4 field ${JSON.stringify(part)}`;
    if (part.length > 1 && part.startsWith('0')) return 'IPv4 field has octet with leading zero';
    const value = Number(part);
    if (value > 255) return 'IPv4 field has value >255';
    bytes[index] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | string {
  if (text.includes('%')) return 'IP address with zone value is not allowed';
  const halves = text.split('::');
  if (halves.length > 2) return 'multiple :: in address';
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const words: number[] = [];
  const all = [...head, ...tail];
  let tailIpv4: Uint8Array | undefined;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    const parsed = parseIpv4(last);
    if (typeof parsed === 'string') return parsed;
    tailIpv4 = parsed;
    if (tail.length > 0) tail.pop();
    else head.pop();
  }
  const toWords = (list: string[]): number[] | string => {
    const out: number[] = [];
    for (const group of list) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return `invalid IPv6 group ${JSON.stringify(group)}`;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const headWords = toWords(head);
  const tailWords = toWords(tail);
  if (typeof headWords === 'string') return headWords;
  if (typeof tailWords === 'string') return tailWords;
  const needed = tailIpv4 === undefined ? 8 : 6;
  const present = headWords.length + tailWords.length;
  if (halves.length === 2) {
    if (present >= needed) return 'invalid use of ::';
    words.push(...headWords, ...new Array<number>(needed - present).fill(0), ...tailWords);
  } else {
    if (present !== needed) return 'IPv6 address has the wrong number of groups';
    words.push(...headWords);
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  if (tailIpv4 !== undefined) bytes.set(tailIpv4, 12);
  return bytes;
}

export function parseIp(text: string): IpAddress | string {
  const bytes = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (typeof bytes === 'string') return `IP Address ${JSON.stringify(text)} parse error during conversion from string: ${bytes}`;
  if (bytes.length === 16 && bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return 'IPv4-mapped IPv6 address is not allowed';
  }
  return new IpAddress(bytes);
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const words: number[] = [];
  for (let index = 0; index < 16; index += 2) words.push(((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    if (words[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && words[end] === 0) end++;
    if (end - start > bestLength && end - start >= 2) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `network address parse error during conversion from string: no '/' in ${JSON.stringify(text)}`;
  const address = parseIp(text.slice(0, slash));
  if (typeof address === 'string') return address;
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(prefixText)) return `network address parse error during conversion from string: bad bits after slash: ${JSON.stringify(prefixText)}`;
  const prefixLength = Number(prefixText);
  if (prefixLength > address.bytes.length * 8) return `network address parse error during conversion from string: prefix length ${prefixLength} too large for IPv${address.family}`;
  return new Cidr(address, prefixLength);
}

function orThrow<T>(parsed: T | string): T {
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

function isMulticast(ip: IpAddress): boolean {
  return ip.family === 4 ? ((ip.bytes[0] ?? 0) & 0xf0) === 0xe0 : ip.bytes[0] === 0xff;
}
function isLoopback(ip: IpAddress): boolean {
  return ip.family === 4 ? ip.bytes[0] === 127 : ip.bytes.every((byte, index) => byte === (index === 15 ? 1 : 0));
}
function isUnspecified(ip: IpAddress): boolean {
  return ip.bytes.every((byte) => byte === 0);
}
function isLinkLocalUnicast(ip: IpAddress): boolean {
  return ip.family === 4 ? ip.bytes[0] === 169 && ip.bytes[1] === 254 : ip.bytes[0] === 0xfe && ((ip.bytes[1] ?? 0) & 0xc0) === 0x80;
}
function isLinkLocalMulticast(ip: IpAddress): boolean {
  return ip.family === 4 ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0 : ip.bytes[0] === 0xff && ((ip.bytes[1] ?? 0) & 0x0f) === 0x02;
}
function isGlobalUnicast(ip: IpAddress): boolean {
  if (ip.family === 4 && ip.bytes.every((byte) => byte === 255)) return false;
  return !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip);
}

function ipPredicate(name: string, predicate: (ip: IpAddress) => boolean) {
  return celMethod(name, DYN, [], BOOL, function () {
    return predicate(expect(this, IpAddress, name, this));
  });
}

function toIp(value: unknown, name: string, self: unknown): IpAddress {
  if (value instanceof IpAddress) return value;
  if (typeof value === 'string') return orThrow(parseIp(value));
  throw noOverload(name, self, value);
}

function toCidr(value: unknown, name: string, self: unknown): Cidr {
  if (value instanceof Cidr) return value;
  if (typeof value === 'string') return orThrow(parseCidr(value));
  throw noOverload(name, self, value);
}

export const ipLibrary: CelLibrary = {
  name: 'Kubernetes IP',
  introducedIn: 30,
  functions: [
    celFunc('ip', [STRING], DYN, (text) => orThrow(parseIp(text))),
    celFunc('isIP', [STRING], BOOL, (text) => typeof parseIp(text) !== 'string'),
    celFunc('ip.isCanonical', [STRING], BOOL, (text) => orThrow(parseIp(text)).celString() === text),
    celMethod('family', DYN, [], INT, function () {
      return BigInt(expect(this, IpAddress, 'family', this).family);
    }),
    ipPredicate('isUnspecified', isUnspecified),
    ipPredicate('isLoopback', isLoopback),
    ipPredicate('isLinkLocalMulticast', isLinkLocalMulticast),
    ipPredicate('isLinkLocalUnicast', isLinkLocalUnicast),
    ipPredicate('isGlobalUnicast', isGlobalUnicast),
  ],
};

export const cidrLibrary: CelLibrary = {
  name: 'Kubernetes CIDR',
  introducedIn: 30,
  functions: [
    celFunc('cidr', [STRING], DYN, (text) => orThrow(parseCidr(text))),
    celFunc('isCIDR', [STRING], BOOL, (text) => typeof parseCidr(text) !== 'string'),
    celMethod('containsIP', DYN, [DYN], BOOL, function (other) {
      return expect(this, Cidr, 'containsIP', this, other).contains(toIp(other, 'containsIP', this));
    }),
    celMethod('containsCIDR', DYN, [DYN], BOOL, function (other) {
      const self = expect(this, Cidr, 'containsCIDR', this, other);
      const inner = toCidr(other, 'containsCIDR', this);
      return inner.prefixLength >= self.prefixLength && self.contains(inner.address);
    }),
    celMethod('ip', DYN, [], DYN, function () {
      return expect(this, Cidr, 'ip', this).address;
    }),
    celMethod('masked', DYN, [], DYN, function () {
      return expect(this, Cidr, 'masked', this).masked();
    }),
    celMethod('prefixLength', DYN, [], INT, function () {
      return BigInt(expect(this, Cidr, 'prefixLength', this).prefixLength);
    }),
  ],
};
