/**
 * Images from a registry through the Distribution HTTP API v2: bearer-token
 * and basic authentication, manifest lists and OCI indexes with a platform
 * choice, digests verified, retries for 429, 5xx and dropped connections.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ImageError } from '../errors.js';
import type { OpenedImage, Platform } from '../model.js';
import { parseImageReference, type ImageReference } from '../reference.js';
export { parseImageReference, type ImageReference } from '../reference.js';
import { DIGEST, MEDIA_TYPES, parseJson, resolveImage, sha256, verifyDigest, type BlobStore } from './oci.js';

const DOCKER_HUB = 'registry-1.docker.io';

export interface RegistryOptions {
  readonly platform: Platform;
  readonly username?: string;
  readonly password?: string;
  /** PEM file of extra certificate authorities to trust. */
  readonly caFile?: string;
  /** Talk plain HTTP (only for registries on loopback or a trusted network). */
  readonly plainHttp?: boolean;
  /** Attempts per request for 429, 5xx and network errors (default 4). */
  readonly attempts?: number;
  /** Base delay between attempts in milliseconds (doubles each time; default 500). */
  readonly retryDelayMs?: number;
  readonly timeoutMs?: number;
}

interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Readable;
}

const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(', ');
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function dockerConfigCredentials(registry: string): { username: string; password: string } | undefined {
  try {
    const file = path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> };
    const keys = registry === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io', DOCKER_HUB] : [registry, `https://${registry}`];
    for (const key of keys) {
      const auth = config.auths?.[key]?.auth;
      if (auth === undefined) continue;
      const decoded = Buffer.from(auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  } catch {
    // No docker config: anonymous.
  }
  return undefined;
}

/** Parses `Bearer realm="...",service="...",scope="..."`. */
export function parseChallenge(header: string): { scheme: string; params: Map<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params = new Map<string, string>();
  for (const match of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params.set(match[1]!.toLowerCase(), match[2]!);
  return { scheme, params };
}

async function readAll(body: Readable, limit: number, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      body.destroy();
      throw new ImageError(`${where}: response larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class RegistryClient {
  private authorization: string | undefined;
  private readonly base: string;
  private readonly ca: Buffer | undefined;
  private readonly credentials: { username: string; password: string } | undefined;

  constructor(
    readonly reference: ImageReference,
    private readonly options: RegistryOptions,
  ) {
    const host = reference.registry === 'docker.io' ? DOCKER_HUB : reference.registry;
    this.base = `${options.plainHttp === true ? 'http' : 'https'}://${host}`;
    this.ca = options.caFile === undefined ? undefined : readFileSync(options.caFile);
    this.credentials = options.username !== undefined ? { username: options.username, password: options.password ?? '' } : dockerConfigCredentials(reference.registry);
  }

  get name(): string {
    return `registry ${this.reference.registry}/${this.reference.repository}`;
  }

  private send(url: string, headers: Record<string, string>, redirects = 0): Promise<Response> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const client = target.protocol === 'http:' ? http : https;
      const request = client.request(
        target,
        { method: 'GET', headers, timeout: this.options.timeoutMs ?? 30_000, ...(this.ca === undefined ? {} : { ca: this.ca }) },
        (response) => {
          const status = response.statusCode ?? 0;
          const location = response.headers.location;
          if ([301, 302, 303, 307, 308].includes(status) && location !== undefined && redirects < 5) {
            response.resume();
            const next = new URL(location, target);
            // Blob redirects go to storage that must not see the registry's credentials.
            const nextHeaders = { ...headers };
            if (next.host !== target.host) delete nextHeaders.authorization;
            this.send(next.toString(), nextHeaders, redirects + 1).then(resolve, reject);
            return;
          }
          resolve({ status, headers: response.headers, body: response });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      request.end();
    });
  }

  /** GET with authentication and retries; returns a 2xx response or throws an ImageError. */
  async get(pathname: string, accept: string, what: string): Promise<Response> {
    const attempts = this.options.attempts ?? 4;
    const baseDelay = this.options.retryDelayMs ?? 500;
    let authenticated = false;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let response: Response;
      try {
        response = await this.send(`${this.base}${pathname}`, { accept, 'user-agent': 'rampart', ...(this.authorization === undefined ? {} : { authorization: this.authorization }) });
      } catch (error) {
        lastProblem = `cannot connect (${(error as Error).message})`;
        if (attempt < attempts) await delay(baseDelay * 2 ** (attempt - 1));
        continue;
      }
      const { status } = response;
      if (status >= 200 && status < 300) return response;
      response.body.resume();
      if (status === 401 && !authenticated) {
        authenticated = true;
        await this.authenticate(String(response.headers['www-authenticate'] ?? ''), what);
        attempt--; // the authenticated retry is not a failure
        continue;
      }
      if (status === 401 || status === 403) throw new ImageError(`${this.name}: ${what}: access denied (HTTP ${status})${this.credentials === undefined ? '; no credentials were given (--username/--password or ~/.docker/config.json)' : '; check the credentials'}`);
      if (status === 404) throw new ImageError(`${this.name}: ${what}: not found (HTTP 404)`);
      if (status === 429 || status >= 500) {
        lastProblem = `HTTP ${status}`;
        if (attempt < attempts) {
          const retryAfter = Number(response.headers['retry-after']);
          await delay(Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, 30_000) : baseDelay * 2 ** (attempt - 1));
        }
        continue;
      }
      throw new ImageError(`${this.name}: ${what}: unexpected HTTP ${status}`);
    }
    throw new ImageError(`${this.name}: ${what}: ${lastProblem} after ${attempts} attempts`, true);
  }

  private async authenticate(challengeHeader: string, what: string): Promise<void> {
    const challenge = parseChallenge(challengeHeader);
    const basic = this.credentials === undefined ? undefined : `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    if (challenge.scheme === 'basic') {
      if (basic === undefined) throw new ImageError(`${this.name}: ${what}: the registry asks for a username and password (--username/--password or ~/.docker/config.json)`);
      this.authorization = basic;
      return;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.has('realm')) throw new ImageError(`${this.name}: ${what}: unsupported authentication challenge ${JSON.stringify(challengeHeader)}`);
    const realm = new URL(challenge.params.get('realm')!);
    const service = challenge.params.get('service');
    if (service !== undefined) realm.searchParams.set('service', service);
    realm.searchParams.set('scope', challenge.params.get('scope') ?? `repository:${this.reference.repository}:pull`);
    let response: Response;
    try {
      response = await this.send(realm.toString(), { 'user-agent': 'rampart', ...(basic === undefined ? {} : { authorization: basic }) });
    } catch (error) {
      throw new ImageError(`${this.name}: token service ${realm.origin}: cannot connect (${(error as Error).message})`, true);
    }
    const body = await readAll(response.body, 1024 * 1024, `${this.name}: token service`);
    if (response.status === 401 || response.status === 403) throw new ImageError(`${this.name}: token service ${realm.origin} refused the credentials (HTTP ${response.status})`);
    if (response.status < 200 || response.status >= 300) throw new ImageError(`${this.name}: token service ${realm.origin} answered HTTP ${response.status}`, response.status === 429 || response.status >= 500);
    const token = parseJson(body, `${this.name}: token service answer`) as { token?: string; access_token?: string };
    const value = token.token ?? token.access_token;
    if (typeof value !== 'string' || value === '') throw new ImageError(`${this.name}: token service answer holds no token`);
    this.authorization = `Bearer ${value}`;
  }

  async manifest(reference: string): Promise<{ document: unknown; digest: string; mediaType?: string }> {
    const response = await this.get(`/v2/${this.reference.repository}/manifests/${reference}`, MANIFEST_ACCEPT, `manifest ${reference}`);
    const bytes = await readAll(response.body, MAX_MANIFEST_BYTES, `${this.name}: manifest ${reference}`);
    const digest = sha256(bytes);
    if (DIGEST.test(reference)) verifyDigest(bytes, reference, `${this.name}: manifest`);
    const announced = response.headers['docker-content-digest'];
    if (typeof announced === 'string' && DIGEST.test(announced) && announced !== digest) throw new ImageError(`${this.name}: manifest ${reference}: digest mismatch (the registry says ${announced}, the content hashes to ${digest})`);
    const contentType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim();
    return { document: parseJson(bytes, `${this.name}: manifest ${reference}`), digest, ...(contentType === '' || contentType === 'application/json' ? {} : { mediaType: contentType }) };
  }

  store(): BlobStore {
    return {
      name: this.name,
      readBlob: async (digest) => {
        if (!DIGEST.test(digest)) throw new ImageError(`${this.name}: unsupported or malformed digest ${JSON.stringify(digest)}`);
        const response = await this.get(`/v2/${this.reference.repository}/blobs/${digest}`, '*/*', `blob ${digest}`);
        const bytes = await readAll(response.body, MAX_MANIFEST_BYTES, `${this.name}: blob ${digest}`);
        verifyDigest(bytes, digest, this.name);
        return bytes;
      },
      openBlob: async (digest) => {
        const response = await this.get(`/v2/${this.reference.repository}/blobs/${digest}`, '*/*', `blob ${digest}`);
        const body = new PassThrough({ highWaterMark: 1024 * 1024 });
        response.body.on('error', (error) => body.destroy(new ImageError(`${this.name}: blob ${digest}: connection lost (${error.message})`)));
        return response.body.pipe(body);
      },
    };
  }
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export async function openRegistryImage(text: string, options: RegistryOptions): Promise<OpenedImage> {
  const reference = parseImageReference(text);
  if (reference === undefined) throw new ImageError(`${JSON.stringify(text)} is not an image reference`);
  const client = new RegistryClient(reference, options);
  const top = await client.manifest(reference.digest ?? reference.tag ?? 'latest');
  const resolved = await resolveImage(client.store(), top, options.platform);
  return {
    source: text,
    kind: 'registry',
    repoTags: reference.tag === undefined ? [] : [`${reference.registry}/${reference.repository}:${reference.tag}`],
    ...resolved,
    ...(top.digest === resolved.manifestDigest ? {} : { indexDigest: top.digest }),
  };
}
