/**
 * RPM version ordering (rpmvercmp) for [epoch:]version[-release]. Separators
 * other than `~` and `^` only split segments; `~` sorts before anything
 * (pre-releases), `^` after the end but before any further segment
 * (post-release snapshots); numeric segments beat alphabetic ones.
 */
export function compareRpmSegments(left: string, right: string): number {
  if (left === right) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < left.length && !isAlnum(left[i]!) && left[i] !== '~' && left[i] !== '^') i++;
    while (j < right.length && !isAlnum(right[j]!) && right[j] !== '~' && right[j] !== '^') j++;
    const leftTilde = left[i] === '~';
    const rightTilde = right[j] === '~';
    if (leftTilde || rightTilde) {
      if (!leftTilde) return 1;
      if (!rightTilde) return -1;
      i++;
      j++;
      continue;
    }
    const leftCaret = left[i] === '^';
    const rightCaret = right[j] === '^';
    if (leftCaret || rightCaret) {
      if (i >= left.length) return -1;
      if (j >= right.length) return 1;
      if (!leftCaret) return 1;
      if (!rightCaret) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= left.length || j >= right.length) break;
    const numeric = isDigit(left[i]!);
    const leftStart = i;
    const rightStart = j;
    const inSegment = numeric ? isDigit : isAlpha;
    while (i < left.length && inSegment(left[i]!)) i++;
    while (j < right.length && inSegment(right[j]!)) j++;
    let leftSegment = left.slice(leftStart, i);
    let rightSegment = right.slice(rightStart, j);
    // A numeric segment against an alphabetic one: the numeric one is newer.
    if (rightSegment.length === 0) return numeric ? 1 : -1;
    if (numeric) {
      leftSegment = leftSegment.replace(/^0+/, '');
      rightSegment = rightSegment.replace(/^0+/, '');
      if (leftSegment.length !== rightSegment.length) return leftSegment.length > rightSegment.length ? 1 : -1;
    }
    if (leftSegment !== rightSegment) return leftSegment < rightSegment ? -1 : 1;
  }
  if (i >= left.length && j >= right.length) return 0;
  return i >= left.length ? -1 : 1;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}
function isAlpha(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z');
}
function isAlnum(char: string): boolean {
  return isDigit(char) || isAlpha(char);
}

export interface RpmEvr {
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
}

export function parseRpmEvr(text: string): RpmEvr {
  const colon = text.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(text.slice(0, colon)) ? Number(text.slice(0, colon)) : 0;
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest, release: '' };
}

export function compareRpm(left: string, right: string): number {
  const a = parseRpmEvr(left);
  const b = parseRpmEvr(right);
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const byVersion = compareRpmSegments(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  // A missing release matches any release (as rpm does for requirements).
  if (a.release === '' || b.release === '') return 0;
  return compareRpmSegments(a.release, b.release);
}
