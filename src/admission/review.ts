/**
 * The AdmissionReview wire format (admission.k8s.io/v1) and the parsing of
 * a request body. A body comes from the network: its size is bounded before
 * it is read, its nesting depth before it is parsed, and every field the
 * decision reads is checked for type. A bad body is a value (`ReviewProblem`)
 * that the server turns into a 400; it is never an exception.
 */
import { isJsonObject, type JsonObject } from '../model/types.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export interface UserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: Operation;
  readonly userInfo: UserInfo;
  readonly object: JsonObject | null;
  readonly oldObject: JsonObject | null;
  readonly dryRun: boolean;
}

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface ResponseStatus {
  readonly code: number;
  readonly reason?: string;
  readonly message: string;
  readonly details?: { readonly causes: readonly StatusCause[] };
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: ResponseStatus;
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly patchType?: 'JSONPatch';
  /** Base64 of the JSON Patch document. */
  readonly patch?: string;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

export interface ReviewProblem {
  readonly problem: string;
  /** The request uid when it could be read, for the log line. */
  readonly uid?: string;
}

export interface ReviewLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Deepest nesting of objects and arrays accepted in the body. */
  readonly maxJsonDepth: number;
}

export const DEFAULT_REVIEW_LIMITS: ReviewLimits = { maxBodyBytes: 6 * 1024 * 1024, maxJsonDepth: 100 };

/**
 * The nesting depth of a JSON text, without parsing it: brackets outside
 * strings are counted. Linear time, constant memory; stops at `limit + 1`.
 * Strings (most of a body) are skipped with `indexOf` to their closing quote,
 * one not preceded by an odd run of backslashes; each backslash is looked at
 * at most once, so the scan stays linear whatever the escapes.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      let end = index;
      for (;;) {
        end = text.indexOf('"', end + 1);
        // Unterminated: nothing after it is structure (JSON.parse refuses the text anyway).
        if (end === -1) return deepest;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      index = end;
    } else if (code === 0x7b || code === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return deepest;
}

function stringField(value: JsonObject, key: string): string | undefined {
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}

/** Reads a body into a request, or names what is wrong with it. */
export function parseReview(body: string, limits: ReviewLimits = DEFAULT_REVIEW_LIMITS): AdmissionRequest | ReviewProblem {
  const depth = jsonDepth(body, limits.maxJsonDepth);
  if (depth > limits.maxJsonDepth) return { problem: `the body nests deeper than the limit of ${limits.maxJsonDepth} levels` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { problem: `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isJsonObject(parsed)) return { problem: 'the body must be a JSON object (an AdmissionReview)' };
  if (parsed.kind !== 'AdmissionReview') return { problem: `kind must be AdmissionReview, got ${JSON.stringify(parsed.kind ?? null)}` };
  if (parsed.apiVersion !== ADMISSION_API_VERSION) {
    return { problem: `apiVersion must be ${ADMISSION_API_VERSION}, got ${JSON.stringify(parsed.apiVersion ?? null)} (list only v1 in admissionReviewVersions)` };
  }
  const request = parsed.request;
  if (!isJsonObject(request)) return { problem: 'request is missing or not an object' };
  const uid = stringField(request, 'uid');
  if (uid === undefined || uid === '') return { problem: 'request.uid is missing: the response must echo it' };
  const fail = (problem: string): ReviewProblem => ({ problem, uid });
  const kind = request.kind;
  if (!isJsonObject(kind) || typeof kind.kind !== 'string' || typeof kind.version !== 'string' || (kind.group !== undefined && typeof kind.group !== 'string')) {
    return fail('request.kind must be an object with group, version and kind');
  }
  const resource = request.resource;
  if (!isJsonObject(resource) || typeof resource.resource !== 'string') return fail('request.resource must be an object with group, version and resource');
  const operation = request.operation;
  if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) return fail(`request.operation must be one of ${OPERATIONS.join(', ')}`);
  for (const key of ['subResource', 'name', 'namespace'] as const) {
    if (request[key] !== undefined && request[key] !== null && typeof request[key] !== 'string') return fail(`request.${key} must be a string`);
  }
  const object = request.object ?? null;
  const oldObject = request.oldObject ?? null;
  if (object !== null && !isJsonObject(object)) return fail('request.object must be an object');
  if (oldObject !== null && !isJsonObject(oldObject)) return fail('request.oldObject must be an object');
  if ((operation === 'CREATE' || operation === 'UPDATE') && object === null) return fail(`request.object is required for ${operation}`);
  if (operation === 'UPDATE' && oldObject === null) return fail('request.oldObject is required for UPDATE');
  const group = typeof kind.group === 'string' ? kind.group : '';
  const expectedApiVersion = group === '' ? kind.version : `${group}/${kind.version}`;
  for (const [name, value] of [['object', object], ['oldObject', oldObject]] as const) {
    if (value === null) continue;
    // Subresource requests may carry another kind (a Scale for deployments/scale); the kind field then describes that object.
    if (value.kind !== kind.kind || value.apiVersion !== expectedApiVersion) {
      return fail(`request.${name} is ${JSON.stringify(value.apiVersion ?? null)} ${JSON.stringify(value.kind ?? null)}, but request.kind says ${expectedApiVersion} ${kind.kind}`);
    }
    if (value.metadata !== undefined && !isJsonObject(value.metadata)) return fail(`request.${name}.metadata must be an object`);
  }
  const userInfo = isJsonObject(request.userInfo) ? request.userInfo : {};
  const groups = Array.isArray(userInfo.groups) ? userInfo.groups.filter((entry): entry is string => typeof entry === 'string') : undefined;
  const subResource = stringField(request, 'subResource');
  const name = stringField(request, 'name');
  const namespace = stringField(request, 'namespace');
  return {
    uid,
    kind: { group, version: kind.version, kind: kind.kind },
    resource: { group: typeof resource.group === 'string' ? resource.group : '', version: typeof resource.version === 'string' ? resource.version : '', resource: resource.resource },
    ...(subResource !== undefined && subResource !== '' ? { subResource } : {}),
    ...(name !== undefined && name !== '' ? { name } : {}),
    ...(namespace !== undefined && namespace !== '' ? { namespace } : {}),
    operation: operation as Operation,
    userInfo: {
      ...(typeof userInfo.username === 'string' ? { username: userInfo.username } : {}),
      ...(typeof userInfo.uid === 'string' ? { uid: userInfo.uid } : {}),
      ...(groups !== undefined ? { groups } : {}),
    },
    object,
    oldObject,
    dryRun: request.dryRun === true,
  };
}

export function isReviewProblem(value: AdmissionRequest | ReviewProblem): value is ReviewProblem {
  return 'problem' in value;
}

export function reviewResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}
