/**
 * Image references as workloads write them ("nginx",
 * "registry.example/team/app:1.2@sha256:..."), parsed with Docker's
 * defaults. Pure and free of I/O, so exceptions and the admission webhook
 * can compare references without loading the registry client.
 */

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface ImageReference {
  /** Host[:port] of the registry as written ("docker.io" when none is). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses "registry/repo:tag@sha256:..." with Docker's defaults (docker.io, library/, latest). */
export function parseImageReference(text: string): ImageReference | undefined {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let registry: string;
  let repository: string;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = rest.slice(slash + 1);
  } else {
    registry = 'docker.io';
    repository = slash < 0 ? `library/${rest}` : rest;
  }
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) return undefined;
  return { registry, repository, ...(tag === undefined && digest === undefined ? { tag: 'latest' } : tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

export function formatReference(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** "nginx" and "docker.io/library/nginx:latest" name the same image. */
export function canonicalReference(reference: string): string | undefined {
  const parsed = parseImageReference(reference);
  return parsed === undefined ? undefined : formatReference(parsed);
}

/**
 * Whether `image` is the image `pattern` names. A pattern with a tag or a
 * digest names exactly that image; a pattern without either
 * ("registry.example/team/app") names every tag and digest of the repository.
 */
export function imageMatches(pattern: string, image: string): boolean {
  const wanted = parseImageReference(pattern);
  const actual = parseImageReference(image);
  if (wanted === undefined || actual === undefined) return false;
  if (wanted.registry !== actual.registry || wanted.repository !== actual.repository) return false;
  const name = pattern.trim().split('@')[0] ?? '';
  const hasTag = name.slice(name.lastIndexOf('/') + 1).includes(':');
  if (wanted.digest !== undefined) return actual.digest === wanted.digest;
  if (!hasTag) return true;
  return actual.tag === wanted.tag;
}

/** The same image on another registry (a mirror): "nginx:1" on 127.0.0.1:5000 is 127.0.0.1:5000/library/nginx:1. */
export function onRegistry(reference: string, registry: string): string | undefined {
  const parsed = parseImageReference(reference);
  return parsed === undefined ? undefined : formatReference({ ...parsed, registry });
}
