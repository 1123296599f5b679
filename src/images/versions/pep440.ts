/**
 * PEP 440 version ordering (Python packages): epoch, release, pre-release,
 * post-release, development release and local label, with the normalisations
 * PEP 440 allows (case, separators, "alpha"/"a", "rev"/"post", implicit
 * numbers, a leading "v").
 */
import { VersionSyntaxError } from './semver.js';

export interface Pep440Version {
  readonly epoch: bigint;
  /** Release numbers with trailing zeros removed (1.0 == 1). */
  readonly release: readonly bigint[];
  readonly pre?: { readonly phase: 'a' | 'b' | 'rc'; readonly number: bigint };
  readonly post?: bigint;
  readonly dev?: bigint;
  readonly local: readonly (bigint | string)[];
}

const PATTERN = new RegExp(
  [
    '^\\s*v?',
    '(?:(?<epoch>[0-9]+)!)?',
    '(?<release>[0-9]+(?:\\.[0-9]+)*)',
    '(?<pre>[-_.]?(?<preLabel>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preNumber>[0-9]+)?)?',
    '(?<post>(?:-(?<postImplicit>[0-9]+))|(?:[-_.]?(?<postLabel>post|rev|r)[-_.]?(?<postNumber>[0-9]+)?))?',
    '(?<dev>[-_.]?dev[-_.]?(?<devNumber>[0-9]+)?)?',
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
  ].join(''),
  'i',
);

const PHASE: Record<string, 'a' | 'b' | 'rc'> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', preview: 'rc', pre: 'rc', c: 'rc', rc: 'rc' };

export function parsePep440(text: string): Pep440Version | undefined {
  const match = PATTERN.exec(text);
  const groups = match?.groups;
  if (groups === undefined) return undefined;
  const release = groups.release!.split('.').map((part) => BigInt(part));
  while (release.length > 1 && release[release.length - 1] === 0n) release.pop();
  if (release.length === 1 && release[0] === 0n) release.pop();
  const version: {
    epoch: bigint;
    release: bigint[];
    pre?: { phase: 'a' | 'b' | 'rc'; number: bigint };
    post?: bigint;
    dev?: bigint;
    local: (bigint | string)[];
  } = {
    epoch: BigInt(groups.epoch ?? '0'),
    release,
    local: groups.local === undefined ? [] : groups.local.toLowerCase().split(/[-_.]/).map((part) => (/^\d+$/.test(part) ? BigInt(part) : part)),
  };
  if (groups.pre !== undefined) version.pre = { phase: PHASE[groups.preLabel!.toLowerCase()]!, number: BigInt(groups.preNumber ?? '0') };
  if (groups.post !== undefined) version.post = BigInt(groups.postImplicit ?? groups.postNumber ?? '0');
  if (groups.dev !== undefined) version.dev = BigInt(groups.devNumber ?? '0');
  return version;
}

function compareBig(a: bigint, b: bigint): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

const PHASE_RANK = { a: 0, b: 1, rc: 2 };

/** The pre-release key: a bare dev release sorts before any pre-release; no pre-release sorts after all. */
function preKey(version: Pep440Version): [number, number, bigint] {
  if (version.pre !== undefined) return [1, PHASE_RANK[version.pre.phase], version.pre.number];
  if (version.post === undefined && version.dev !== undefined) return [0, 0, 0n];
  return [2, 0, 0n];
}

export function compareParsedPep440(a: Pep440Version, b: Pep440Version): number {
  let order = compareBig(a.epoch, b.epoch);
  if (order !== 0) return order;
  const length = Math.max(a.release.length, b.release.length);
  for (let index = 0; index < length; index++) {
    order = compareBig(a.release[index] ?? 0n, b.release[index] ?? 0n);
    if (order !== 0) return order;
  }
  const [aStage, aPhase, aNumber] = preKey(a);
  const [bStage, bPhase, bNumber] = preKey(b);
  order = Math.sign(aStage - bStage) || Math.sign(aPhase - bPhase) || compareBig(aNumber, bNumber);
  if (order !== 0) return order;
  // No post-release sorts before any post-release.
  if (a.post !== b.post) {
    if (a.post === undefined) return -1;
    if (b.post === undefined) return 1;
    return compareBig(a.post, b.post);
  }
  // No dev release sorts after any dev release.
  if (a.dev !== b.dev) {
    if (a.dev === undefined) return 1;
    if (b.dev === undefined) return -1;
    return compareBig(a.dev, b.dev);
  }
  // Local labels: none sorts first; numeric segments beat alphanumeric ones; a longer label wins a tie.
  const count = Math.min(a.local.length, b.local.length);
  for (let index = 0; index < count; index++) {
    const x = a.local[index]!;
    const y = b.local[index]!;
    if (typeof x !== typeof y) return typeof x === 'bigint' ? 1 : -1;
    order = typeof x === 'bigint' ? compareBig(x, y as bigint) : x === y ? 0 : x < (y as string) ? -1 : 1;
    if (order !== 0) return order;
  }
  return Math.sign(a.local.length - b.local.length);
}

export function comparePep440(left: string, right: string): number {
  const a = parsePep440(left);
  const b = parsePep440(right);
  if (a === undefined) throw new VersionSyntaxError('PEP 440', left);
  if (b === undefined) throw new VersionSyntaxError('PEP 440', right);
  return compareParsedPep440(a, b);
}
