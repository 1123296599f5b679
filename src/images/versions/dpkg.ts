/**
 * Debian version ordering (deb-version(7)): [epoch:]upstream[-revision].
 * Letters sort before non-letters, `~` sorts before everything including the
 * end of the string, digit runs compare as numbers.
 */
export interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

export function parseDpkgVersion(text: string): DpkgVersion {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  let epoch = 0;
  let rest = trimmed;
  if (colon >= 0) {
    const epochText = trimmed.slice(0, colon);
    epoch = /^\d+$/.test(epochText) ? Number(epochText) : 0;
    rest = trimmed.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** The weight of one non-digit character; 0 stands for the end of the string. */
function weight(text: string, index: number): number {
  if (index >= text.length) return 0;
  const code = text.charCodeAt(index);
  if (isDigit(code)) return 0;
  if (isLetter(code)) return code;
  if (code === 126 /* ~ */) return -1;
  return code + 256;
}

/** Compares an upstream version or a revision, part by part. */
export function compareDpkgPart(left: string, right: string): number {
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    // Non-digit prefix, character by character.
    while ((i < left.length && !isDigit(left.charCodeAt(i))) || (j < right.length && !isDigit(right.charCodeAt(j)))) {
      const difference = weight(left, i) - weight(right, j);
      if (difference !== 0) return Math.sign(difference);
      i++;
      j++;
    }
    // Digit run, as a number (leading zeros ignored, any length).
    while (left.charCodeAt(i) === 48) i++;
    while (right.charCodeAt(j) === 48) j++;
    let leftEnd = i;
    while (leftEnd < left.length && isDigit(left.charCodeAt(leftEnd))) leftEnd++;
    let rightEnd = j;
    while (rightEnd < right.length && isDigit(right.charCodeAt(rightEnd))) rightEnd++;
    const lengthDifference = leftEnd - i - (rightEnd - j);
    if (lengthDifference !== 0) return Math.sign(lengthDifference);
    const leftDigits = left.slice(i, leftEnd);
    const rightDigits = right.slice(j, rightEnd);
    if (leftDigits !== rightDigits) return leftDigits < rightDigits ? -1 : 1;
    i = leftEnd;
    j = rightEnd;
  }
  return 0;
}

export function compareDpkg(left: string, right: string): number {
  const a = parseDpkgVersion(left);
  const b = parseDpkgVersion(right);
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return compareDpkgPart(a.upstream, b.upstream) || compareDpkgPart(a.revision, b.revision);
}
