/** Splits an image reference the way the container runtimes do (docker.io is the implied registry). */
export interface ImageReference {
  readonly registry: string;
  /** Repository path without the registry: `library/nginx`. */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const REGISTERED_DIGEST = /^(sha256|sha512|blake3):/;
const VALID_REGISTERED_DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}|blake3:[a-f0-9]{64})$/;
/** The OCI digest grammar for algorithms outside the registered ones. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Whether a digest is well formed per the OCI image spec: registered algorithms need lower-case hex of their exact length. */
export function isValidDigest(digest: string): boolean {
  return REGISTERED_DIGEST.test(digest) ? VALID_REGISTERED_DIGEST.test(digest) : DIGEST_GRAMMAR.test(digest);
}

export function parseImage(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  const explicitRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = explicitRegistry ? first : 'docker.io';
  let repository = explicitRegistry ? rest.slice(slash + 1) : rest;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, tag, digest };
}
