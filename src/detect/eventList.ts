/**
 * Reads an `audit.k8s.io` EventList body item by item, without turning the
 * whole body into one string first. An API server batch is hundreds of
 * kilobytes: one string that large is allocated outside V8's young
 * generation, which costs milliseconds per request and is reclaimed only by a
 * full garbage collection. Here the bytes are scanned for the extent of each
 * value (strings, escapes and nesting followed; UTF-8 continuation bytes are
 * never ASCII, so they cannot be taken for structure), and each item is
 * decoded and parsed on its own, so every string is small.
 *
 * The scanner checks the structure between values; `JSON.parse` checks each
 * value. Anything it does not expect (another kind, a repeated key, a syntax
 * error anywhere) gives undefined, and the caller parses the whole body as
 * before, with the same result and error messages as always.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(data: Buffer, offset: number): number {
  while (offset < data.length && isSpace(data[offset]!)) offset++;
  return offset;
}

/** The end (exclusive) of the string starting at `offset` (a quote), or -1. */
function stringEnd(data: Buffer, offset: number): number {
  for (let index = offset + 1; index < data.length; index++) {
    const byte = data[index]!;
    if (byte === BACKSLASH) index++;
    else if (byte === QUOTE) return index + 1;
  }
  return -1;
}

/** The end (exclusive) of the value starting at `offset`, or -1; its content is checked later by JSON.parse. */
function valueEnd(data: Buffer, offset: number): number {
  const first = data[offset];
  if (first === QUOTE) return stringEnd(data, offset);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let index = offset; index < data.length; index++) {
      const byte = data[index]!;
      if (byte === QUOTE) {
        const end = stringEnd(data, index);
        if (end < 0) return -1;
        index = end - 1;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return index + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let index = offset;
  while (index < data.length) {
    const byte = data[index]!;
    if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) break;
    index++;
  }
  return index > offset ? index : -1;
}

function parseRange(data: Buffer, start: number, end: number): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(data.toString('utf8', start, end)) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The items of an EventList body, each parsed on its own; undefined when the body is anything else or not valid JSON. */
export function eventListItems(data: Buffer): unknown[] | undefined {
  let offset = skipSpace(data, 0);
  if (data[offset] !== OPEN_BRACE) return undefined;
  offset = skipSpace(data, offset + 1);
  const keys = new Set<string>();
  let kind: unknown;
  let items: unknown[] | undefined;
  if (data[offset] === CLOSE_BRACE) return undefined;
  for (;;) {
    if (data[offset] !== QUOTE) return undefined;
    const keyEnd = stringEnd(data, offset);
    if (keyEnd < 0) return undefined;
    const key = parseRange(data, offset, keyEnd);
    if (!key.ok || typeof key.value !== 'string' || keys.has(key.value)) return undefined;
    keys.add(key.value);
    offset = skipSpace(data, keyEnd);
    if (data[offset] !== COLON) return undefined;
    offset = skipSpace(data, offset + 1);
    if (key.value === 'items') {
      if (data[offset] !== OPEN_BRACKET) return undefined;
      items = [];
      offset = skipSpace(data, offset + 1);
      if (data[offset] === CLOSE_BRACKET) offset++;
      else
        for (;;) {
          const end = valueEnd(data, offset);
          if (end < 0) return undefined;
          const item = parseRange(data, offset, end);
          if (!item.ok) return undefined;
          items.push(item.value);
          offset = skipSpace(data, end);
          if (data[offset] === CLOSE_BRACKET) {
            offset++;
            break;
          }
          if (data[offset] !== COMMA) return undefined;
          offset = skipSpace(data, offset + 1);
        }
    } else {
      const end = valueEnd(data, offset);
      if (end < 0) return undefined;
      const value = parseRange(data, offset, end);
      if (!value.ok) return undefined;
      if (key.value === 'kind') kind = value.value;
      offset = end;
    }
    offset = skipSpace(data, offset);
    if (data[offset] === CLOSE_BRACE) break;
    if (data[offset] !== COMMA) return undefined;
    offset = skipSpace(data, offset + 1);
  }
  if (skipSpace(data, offset + 1) !== data.length) return undefined;
  return kind === 'EventList' && items !== undefined ? items : undefined;
}
