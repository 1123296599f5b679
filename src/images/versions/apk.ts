/**
 * Alpine (apk) version ordering:
 *   digits{.digits}[letter]{_suffix[digits]}[~hash][-r<revision>]
 * Pre-release suffixes (alpha, beta, pre, rc) sort before the bare version,
 * post-release ones (cvs, svn, git, hg, p) after it. A component with
 * leading zeros after a dot compares by its zeros first ("1.02" < "1.1").
 * A version apk cannot parse compares by its tokens up to the bad part, which
 * then counts as "more" than any token; two versions bad at the same place
 * compare as strings.
 */
type Kind = 'invalid' | 'digit' | 'letter' | 'suffix' | 'suffixNumber' | 'hash' | 'revision' | 'end';

/** Rank of each token kind: when one version runs on, the kinds decide. */
const KIND_RANK: Record<Kind, number> = { invalid: 0, digit: 1, letter: 2, suffix: 3, suffixNumber: 4, hash: 5, revision: 6, end: 7 };
const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

interface Token {
  readonly kind: Kind;
  readonly value: number;
}

/** Tokens of a version; an unparsable rest becomes one final 'invalid' token. */
export function apkTokens(version: string): Token[] {
  const tokens: Token[] = [];
  const valid = readTokens(version, tokens);
  if (!valid) tokens.push({ kind: 'invalid', value: 0 });
  return tokens;
}

function readTokens(version: string, tokens: Token[]): boolean {
  let index = 0;
  const digits = (): string => {
    const start = index;
    while (index < version.length && version[index]! >= '0' && version[index]! <= '9') index++;
    return version.slice(start, index);
  };
  const first = digits();
  if (first === '') return false;
  tokens.push({ kind: 'digit', value: Number(first) });
  let state: 'numbers' | 'letter' | 'suffix' | 'hash' | 'revision' = 'numbers';
  while (index < version.length) {
    const char = version[index]!;
    if (char === '.' && state === 'numbers') {
      index++;
      let zeros = 0;
      while (version[index] === '0') {
        zeros++;
        index++;
      }
      if (zeros > 0) {
        tokens.push({ kind: 'digit', value: -zeros });
        // apk reads a (possibly empty) number after the zeros unless the version ends there.
        if (index < version.length) tokens.push({ kind: 'digit', value: Number(digits() || '0') });
      } else {
        const more = digits();
        if (more === '') return false;
        tokens.push({ kind: 'digit', value: Number(more) });
      }
    } else if (char >= 'a' && char <= 'z' && state === 'numbers') {
      tokens.push({ kind: 'letter', value: char.charCodeAt(0) });
      index++;
      state = 'letter';
    } else if (char === '_' && (state === 'numbers' || state === 'letter' || state === 'suffix')) {
      index++;
      const rest = version.slice(index);
      const pre = PRE_SUFFIXES.findIndex((suffix) => rest.startsWith(suffix));
      const post = pre >= 0 ? -1 : POST_SUFFIXES.findIndex((suffix) => rest.startsWith(suffix));
      if (pre < 0 && post < 0) return false;
      const name = pre >= 0 ? PRE_SUFFIXES[pre]! : POST_SUFFIXES[post]!;
      tokens.push({ kind: 'suffix', value: pre >= 0 ? pre - PRE_SUFFIXES.length : post });
      index += name.length;
      const number = digits();
      if (number !== '') tokens.push({ kind: 'suffixNumber', value: Number(number) });
      state = 'suffix';
    } else if (char === '~' && state !== 'hash' && state !== 'revision') {
      index++;
      const start = index;
      while (index < version.length && /[0-9a-f]/.test(version[index]!)) index++;
      if (index === start) return false;
      tokens.push({ kind: 'hash', value: 0 });
      state = 'hash';
    } else if (char === '-' && version[index + 1] === 'r' && state !== 'revision') {
      index += 2;
      const number = digits();
      if (number === '') return false;
      tokens.push({ kind: 'revision', value: Number(number) });
      state = 'revision';
    } else {
      return false;
    }
  }
  return true;
}

export function isValidApkVersion(version: string): boolean {
  return apkTokens(version).every((token) => token.kind !== 'invalid');
}

export function compareApk(left: string, right: string): number {
  const a = apkTokens(left);
  const b = apkTokens(right);
  const count = Math.min(a.length, b.length);
  for (let index = 0; index < count; index++) {
    const x = a[index]!;
    const y = b[index]!;
    if (x.kind !== y.kind) return tailOrder(x, y);
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
    if (x.kind === 'invalid') return left === right ? 0 : left < right ? -1 : 1;
  }
  const x = a[count] ?? { kind: 'end', value: 0 };
  const y = b[count] ?? { kind: 'end', value: 0 };
  if (x.kind === y.kind) return 0;
  return tailOrder(x, y);
}

/** Equal so far, then different kinds of token: a pre-release suffix loses, else the earlier kind wins. */
function tailOrder(x: Token, y: Token): number {
  if (x.kind === 'suffix' && x.value < 0) return -1;
  if (y.kind === 'suffix' && y.value < 0) return 1;
  return KIND_RANK[x.kind] < KIND_RANK[y.kind] ? 1 : -1;
}
