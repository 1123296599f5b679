/**
 * Reads the body of an audit webhook request (an `EventList`) item by item.
 *
 * An API server posts up to 400 events per request, about 300 kB of JSON.
 * `JSON.parse` of the whole body needs it as one string first; a string of
 * that size goes to V8's large-object space, which is only swept by a full
 * collection, so at 30 requests a second the dead bodies pile up between
 * collections (tens of MB of RSS), and allocating and decoding it cost about
 * 2 ms a request (BENCHMARKS.md (k.4)). Here the body's top level is walked
 * byte by byte to find where each item of `items` starts and ends, and each
 * item is decoded and parsed on its own: small strings that die young.
 *
 * Written here rather than taken from npm: streaming JSON parsers (which do
 * the same split) parse every value in JavaScript and are several times
 * slower than `JSON.parse`; this only finds boundaries and leaves the parsing
 * to `JSON.parse`.
 *
 * The result is what `JSON.parse` of the whole body gives, or `undefined`
 * when the body is not an object with an `items` array, or is malformed
 * anywhere: the caller then parses the whole body, which gives the same
 * verdict and error as before. Structural bytes (`{}[]",:`) are ASCII and
 * never occur inside a multi-byte UTF-8 sequence, so cutting at them keeps
 * every character whole.
 */

import { hash } from 'node:crypto';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

export interface EventListBody {
  /** Every top-level member except `items`, parsed. */
  readonly members: Record<string, unknown>;
  readonly items: unknown[];
  /** Where each item's bytes start and end in the body: start, end, start, end, … */
  readonly spans: number[];
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(body: Buffer, at: number): number {
  while (at < body.length && isSpace(body[at]!)) at++;
  return at;
}

/** The index after the string that starts at `at` (a quote), or -1. */
function stringEnd(body: Buffer, at: number): number {
  for (let index = at + 1; index < body.length; index++) {
    const byte = body[index]!;
    if (byte === BACKSLASH) index++;
    else if (byte === QUOTE) return index + 1;
  }
  return -1;
}

/**
 * The index after the value that starts at `at`, or -1. Nesting and strings
 * are followed; what is inside is checked later by `JSON.parse`.
 */
function valueEnd(body: Buffer, at: number): number {
  const first = body[at];
  if (first === QUOTE) return stringEnd(body, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number or a literal: up to the next structural byte or space.
    let index = at;
    while (index < body.length) {
      const byte = body[index]!;
      if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) break;
      index++;
    }
    return index > at ? index : -1;
  }
  let depth = 0;
  for (let index = at; index < body.length; index++) {
    const byte = body[index]!;
    if (byte === QUOTE) {
      index = stringEnd(body, index) - 1;
      if (index < 0) return -1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

function parseSlice(body: Buffer, start: number, end: number): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8', start, end)) };
  } catch {
    return { ok: false };
  }
}

/** The items of `[...]` at `at`, each parsed on its own, and the index after the array; undefined if malformed. */
function parseItems(body: Buffer, at: number): { items: unknown[]; spans: number[]; end: number } | undefined {
  const items: unknown[] = [];
  const spans: number[] = [];
  let index = skipSpace(body, at + 1);
  if (body[index] === CLOSE_BRACKET) return { items, spans, end: index + 1 };
  for (;;) {
    const end = valueEnd(body, index);
    if (end < 0) return undefined;
    const item = parseSlice(body, index, end);
    if (!item.ok) return undefined;
    items.push(item.value);
    spans.push(index, end);
    index = skipSpace(body, end);
    if (body[index] === CLOSE_BRACKET) return { items, spans, end: index + 1 };
    if (body[index] !== COMMA) return undefined;
    index = skipSpace(body, index + 1);
  }
}

/** Splits an EventList body; see the module comment. */
export function readEventList(body: Buffer): EventListBody | undefined {
  let index = skipSpace(body, 0);
  // A UTF-8 byte order mark is not JSON: JSON.parse refuses it, and so does the fallback.
  if (body[index] !== OPEN_BRACE) return undefined;
  const members: Record<string, unknown> = {};
  let items: unknown[] | undefined;
  let spans: number[] = [];
  index = skipSpace(body, index + 1);
  if (body[index] === CLOSE_BRACE) return undefined;
  for (;;) {
    if (body[index] !== QUOTE) return undefined;
    const keyEnd = stringEnd(body, index);
    if (keyEnd < 0) return undefined;
    const key = parseSlice(body, index, keyEnd);
    if (!key.ok || typeof key.value !== 'string') return undefined;
    index = skipSpace(body, keyEnd);
    if (body[index] !== COLON) return undefined;
    index = skipSpace(body, index + 1);
    if (index >= body.length) return undefined;
    if (key.value === 'items' && body[index] === OPEN_BRACKET) {
      const parsed = parseItems(body, index);
      if (parsed === undefined) return undefined;
      items = parsed.items;
      spans = parsed.spans;
      // A later duplicate key wins in JSON.parse: so it does here.
      delete members.items;
      index = parsed.end;
    } else {
      const end = valueEnd(body, index);
      if (end < 0) return undefined;
      const value = parseSlice(body, index, end);
      if (!value.ok) return undefined;
      if (key.value === 'items') items = undefined;
      // defineProperty, as JSON.parse does: a member named __proto__ is an own property, not the prototype.
      Object.defineProperty(members, key.value, { value: value.value, enumerable: true, writable: true, configurable: true });
      index = end;
    }
    index = skipSpace(body, index);
    if (body[index] === CLOSE_BRACE) break;
    if (body[index] !== COMMA) return undefined;
    index = skipSpace(body, index + 1);
  }
  if (skipSpace(body, index + 1) !== body.length) return undefined;
  return items === undefined ? undefined : { members, items, spans };
}

/**
 * The key of an event: the first 128 bits of the SHA-256 of its bytes, as
 * 32 hex digits. A retry of a batch by the API server sends the same bytes
 * again, so it has the same keys and is not processed twice. The key is not
 * the event's `auditID`: an API server takes the audit ID from the request's
 * `Audit-ID` header when the client sends one, so any client could give its
 * request the ID of an earlier event and, with a key of the ID alone, have
 * its own event dropped as a retry.
 */
export function eventKey(bytes: Buffer): string {
  // From the digest's bytes, not a slice of its 64-digit hex: a sliced string would keep the whole one alive.
  return hash('sha256', bytes, 'buffer').toString('hex', 0, 16);
}

export type RequestEvents =
  | { readonly ok: true; readonly items: unknown[]; readonly keys: string[] }
  | { readonly ok: false; readonly error: 'json'; readonly message: string }
  | { readonly ok: false; readonly error: 'kind' };

/**
 * The events of a webhook request body (an EventList, or one Event) with
 * their keys. The spool calls it again on the bytes it stored, so the keys of
 * replayed events are the keys they had when they were received.
 */
export function readRequest(body: Buffer): RequestEvents {
  const list = readEventList(body);
  if (list !== undefined && list.members.kind === 'EventList') {
    const keys: string[] = [];
    for (let index = 0; index < list.spans.length; index += 2) keys.push(eventKey(body.subarray(list.spans[index], list.spans[index + 1])));
    return { ok: true, items: list.items, keys };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, error: 'json', message: error instanceof Error ? error.message : String(error) };
  }
  const record = parsed as { kind?: unknown; items?: unknown } | null;
  if (record !== null && typeof record === 'object' && record.kind === 'Event') return { ok: true, items: [record], keys: [eventKey(body)] };
  if (record !== null && typeof record === 'object' && record.kind === 'EventList' && Array.isArray(record.items)) {
    // Not reached for a body JSON.parse takes (readEventList reads every such list); kept so a list is never refused here.
    const whole = eventKey(body);
    return { ok: true, items: record.items, keys: record.items.map((_, index) => `${whole.slice(0, 24)}${index.toString(16).padStart(8, '0')}`) };
  }
  return { ok: false, error: 'kind' };
}
