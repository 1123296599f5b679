/**
 * Maven version ordering (ComparableVersion): a version splits into items at
 * ".", "-" and digit/letter transitions; "-" and transitions open a sub-list.
 * Known qualifiers order alpha < beta < milestone < rc < snapshot < release <
 * sp; unknown ones sort after sp, alphabetically; numbers beat qualifiers;
 * trailing zeros and release qualifiers are dropped ("1.0-ga" == "1").
 */
type Item = { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'string'; readonly value: string } | { readonly kind: 'list'; readonly items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(text: string, followedByDigit: boolean): Item {
  let value = text;
  if (followedByDigit && value.length === 1) {
    value = value === 'a' ? 'alpha' : value === 'b' ? 'beta' : value === 'm' ? 'milestone' : value;
  }
  return { kind: 'string', value: ALIASES[value] ?? value };
}

function comparableQualifier(qualifier: string): string {
  const index = QUALIFIERS.indexOf(qualifier);
  return index === -1 ? `${QUALIFIERS.length}-${qualifier}` : String(index);
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', value: BigInt(text) } : stringItem(text, false);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.value === 0n;
  if (item.kind === 'string') return comparableQualifier(item.value) === RELEASE_INDEX;
  return item.items.length === 0;
}

function normalize(list: Item[]): void {
  for (let index = list.length - 1; index >= 0; index--) {
    const item = list[index]!;
    if (isNull(item)) list.splice(index, 1);
    else if (item.kind !== 'list') break;
  }
}

export function parseMaven(version: string): Item {
  const text = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const openList = (): void => {
    const child: Item[] = [];
    list.push({ kind: 'list', items: child });
    list = child;
    stack.push(child);
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '.' || char === '-') {
      list.push(index === start ? { kind: 'int', value: 0n } : parseItem(isDigit, text.slice(start, index)));
      start = index + 1;
      if (char === '-') openList();
    } else if (char >= '0' && char <= '9') {
      if (!isDigit && index > start) {
        list.push(stringItem(text.slice(start, index), true));
        start = index;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && index > start) {
        list.push(parseItem(true, text.slice(start, index)));
        start = index;
        openList();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    // Maven 3.9: a trailing ".qualifier" reads like "-qualifier" (1.0.0.X1 < 1.0.0-X2).
    if (!isDigit && list.length > 0) openList();
    list.push(parseItem(isDigit, text.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return { kind: 'list', items: root };
}

/** Compares an item with another or with nothing (the shorter version's padding). */
function compareItem(item: Item, other: Item | undefined): number {
  if (item.kind === 'int') {
    if (other === undefined) return item.value === 0n ? 0 : 1;
    if (other.kind === 'int') return item.value === other.value ? 0 : item.value < other.value ? -1 : 1;
    return 1;
  }
  if (item.kind === 'string') {
    if (other === undefined) return compareStrings(comparableQualifier(item.value), RELEASE_INDEX);
    if (other.kind === 'int' || other.kind === 'list') return -1;
    return compareStrings(comparableQualifier(item.value), comparableQualifier(other.value));
  }
  if (other === undefined) return item.items.length === 0 ? 0 : compareItem(item.items[0]!, undefined);
  if (other.kind === 'int') return -1;
  if (other.kind === 'string') return 1;
  const length = Math.max(item.items.length, other.items.length);
  for (let index = 0; index < length; index++) {
    const left = item.items[index];
    const right = other.items[index];
    const order = left === undefined ? (right === undefined ? 0 : -compareItem(right, undefined)) : compareItem(left, right);
    if (order !== 0) return order;
  }
  return 0;
}

function compareStrings(left: string, right: string): number {
  return left === right ? 0 : left < right ? -1 : 1;
}

export function compareMaven(left: string, right: string): number {
  return compareItem(parseMaven(left), parseMaven(right));
}
