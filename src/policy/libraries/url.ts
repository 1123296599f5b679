/**
 * Kubernetes URL library (1.0+). Parsing follows Go's url.ParseRequestURI,
 * which Kubernetes uses: an absolute URI (`scheme:...`) or an absolute path;
 * relative references are not URLs.
 */
import { celFunc, celMethod, CelScalar, listType, mapType } from '@bufbuild/cel';
import type { CelLibrary } from '../library.js';
import { expect, OpaqueValue } from './opaque.js';

const { DYN, STRING, BOOL } = CelScalar;

export class Url extends OpaqueValue {
  readonly celTypeName = 'kubernetes.URL';
  constructor(
    readonly text: string,
    readonly scheme: string,
    readonly host: string,
    readonly path: string,
    readonly rawQuery: string,
  ) {
    super();
  }
  celString(): string {
    return this.text;
  }
  protected equalityKey(): string {
    return this.text;
  }
  get hostname(): string {
    if (this.host.startsWith('[')) {
      const close = this.host.indexOf(']');
      return close < 0 ? this.host : this.host.slice(1, close);
    }
    const colon = this.host.lastIndexOf(':');
    return colon < 0 ? this.host : this.host.slice(0, colon);
  }
  get port(): string {
    const close = this.host.lastIndexOf(']');
    const colon = this.host.lastIndexOf(':');
    return colon > close ? this.host.slice(colon + 1) : '';
  }
}

export function parseUrl(text: string): Url | string {
  if (text === '') return 'empty url';
  // Go rejects ASCII control characters anywhere in a URL.
  for (const character of text) if (character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f) return 'invalid control character in URL';
  const queryAt = text.indexOf('?');
  const beforeQuery = queryAt < 0 ? text : text.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : text.slice(queryAt + 1);
  if (beforeQuery.startsWith('/')) {
    if (beforeQuery.startsWith('//')) return parseAuthority(text, '', beforeQuery.slice(2), rawQuery);
    return new Url(text, '', '', decodePath(beforeQuery), rawQuery);
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(beforeQuery);
  if (scheme === null) return 'invalid URI for request';
  const rest = beforeQuery.slice(scheme[0].length);
  if (rest.startsWith('//')) return parseAuthority(text, scheme[1] ?? '', rest.slice(2), rawQuery);
  return new Url(text, scheme[1] ?? '', '', rest.startsWith('/') ? decodePath(rest) : '', rawQuery);
}

function parseAuthority(text: string, scheme: string, afterSlashes: string, rawQuery: string): Url | string {
  const slash = afterSlashes.indexOf('/');
  let authority = slash < 0 ? afterSlashes : afterSlashes.slice(0, slash);
  const path = slash < 0 ? '' : afterSlashes.slice(slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  if (/[\s<>"{}|\\^`]/.test(authority)) return `invalid character in host name`;
  const port = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority);
  if (port === null) return 'invalid host';
  if (port[2] !== undefined && !/^[0-9]*$/.test(port[2])) return `invalid port ${JSON.stringify(`:${port[2]}`)} after host`;
  return new Url(text, scheme, authority, decodePath(path), rawQuery);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Go's URL.EscapedPath: the path with characters outside the path set percent-encoded. */
function escapePath(path: string): string {
  return encodeURI(path).replace(/[?#]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%5B/g, '[').replace(/%5D/g, ']');
}

function parseQuery(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (rawQuery === '') return out;
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const decode = (part: string): string | undefined => {
      try {
        return decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const key = decode(equals < 0 ? pair : pair.slice(0, equals));
    const value = decode(equals < 0 ? '' : pair.slice(equals + 1));
    if (key === undefined || value === undefined) continue;
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

function orThrow(text: string): Url {
  const parsed = parseUrl(text);
  if (typeof parsed === 'string') throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(text)}: ${parsed}`);
  return parsed;
}

export const urlLibrary: CelLibrary = {
  name: 'Kubernetes URL',
  introducedIn: 0,
  functions: [
    celFunc('url', [STRING], DYN, (text) => orThrow(text)),
    celFunc('isURL', [STRING], BOOL, (text) => typeof parseUrl(text) !== 'string'),
    celMethod('getScheme', DYN, [], STRING, function () {
      return expect(this, Url, 'getScheme', this).scheme;
    }),
    celMethod('getHost', DYN, [], STRING, function () {
      return expect(this, Url, 'getHost', this).host;
    }),
    celMethod('getHostname', DYN, [], STRING, function () {
      return expect(this, Url, 'getHostname', this).hostname;
    }),
    celMethod('getPort', DYN, [], STRING, function () {
      return expect(this, Url, 'getPort', this).port;
    }),
    celMethod('getEscapedPath', DYN, [], STRING, function () {
      return escapePath(expect(this, Url, 'getEscapedPath', this).path);
    }),
    celMethod('getQuery', DYN, [], mapType(STRING, listType(STRING)), function () {
      return parseQuery(expect(this, Url, 'getQuery', this).rawQuery);
    }),
  ],
};
