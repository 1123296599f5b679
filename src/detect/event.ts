/**
 * Audit events as the rules see them. `parseAuditEvent` checks the shape of
 * one `audit.k8s.io` Event (v1 or v1beta1) and returns either the event or a
 * reason it is malformed; it never throws. `objectAfterRequest` decides which
 * object a rule judges: the request body of a create or update, the result
 * of a PATCH when the event carries it, and otherwise the patch applied to an
 * empty object (the fields the patch sets).
 */
import { isJsonObject, type JsonObject } from '../model/types.js';

export interface AuditUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export interface AuditObjectRef {
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
}

export interface AuditEvent {
  readonly raw: JsonObject;
  readonly auditID: string;
  readonly stage: string;
  readonly level: string;
  readonly verb: string;
  readonly requestURI: string;
  readonly user: AuditUser;
  /** The user the request impersonated, when there was one. */
  readonly impersonatedUser: AuditUser | undefined;
  readonly sourceIPs: readonly string[];
  readonly userAgent: string;
  readonly objectRef: AuditObjectRef;
  /** HTTP status code of the response; 0 when the stage has none yet. */
  readonly code: number;
  readonly annotations: Readonly<Record<string, string>>;
  readonly requestObject: unknown;
  readonly responseObject: unknown;
  /** Event time in milliseconds since the epoch (stageTimestamp, else requestReceivedTimestamp, else timestamp). */
  readonly time: number;
}

export type ParseResult = { readonly ok: true; readonly event: AuditEvent } | { readonly ok: false; readonly reason: string };

const STAGES = new Set(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']);

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function parseUser(value: unknown): AuditUser | undefined {
  if (!isJsonObject(value)) return undefined;
  const extra: Record<string, string[]> = {};
  if (isJsonObject(value.extra)) for (const [key, item] of Object.entries(value.extra)) extra[key] = stringList(item);
  return { username: text(value.username), uid: text(value.uid), groups: stringList(value.groups), extra };
}

function parseTime(event: JsonObject): number {
  for (const key of ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp']) {
    const value = event[key];
    if (typeof value === 'string') {
      const time = Date.parse(value);
      if (!Number.isNaN(time)) return time;
    }
  }
  return 0;
}

/** Checks one decoded JSON value; a malformed event gives a reason, not an exception. */
export function parseAuditEvent(value: unknown): ParseResult {
  if (!isJsonObject(value)) return { ok: false, reason: 'not a JSON object' };
  if (value.kind !== 'Event') return { ok: false, reason: `kind is ${JSON.stringify(value.kind)}, expected "Event"` };
  // Some writers (and Falco's test traces) leave apiVersion out; a wrong one is refused.
  if (value.apiVersion !== undefined && !text(value.apiVersion).startsWith('audit.k8s.io/')) return { ok: false, reason: `apiVersion is ${JSON.stringify(value.apiVersion)}, expected audit.k8s.io/v1` };
  if (typeof value.verb !== 'string' || value.verb === '') return { ok: false, reason: 'verb is missing' };
  const user = parseUser(value.user);
  if (user === undefined) return { ok: false, reason: 'user is missing' };
  // v1beta1 events written before stages existed have none; they describe completed requests.
  const stage = value.stage === undefined ? 'ResponseComplete' : text(value.stage);
  if (!STAGES.has(stage)) return { ok: false, reason: `stage ${JSON.stringify(value.stage)} is not an audit stage` };
  const ref = isJsonObject(value.objectRef) ? value.objectRef : {};
  const status = isJsonObject(value.responseStatus) ? value.responseStatus : {};
  const annotations: Record<string, string> = {};
  if (isJsonObject(value.annotations)) for (const [key, item] of Object.entries(value.annotations)) if (typeof item === 'string') annotations[key] = item;
  const apiGroup = text(ref.apiGroup);
  return {
    ok: true,
    event: {
      raw: value,
      auditID: text(value.auditID),
      stage,
      level: text(value.level),
      verb: value.verb,
      requestURI: text(value.requestURI),
      user,
      impersonatedUser: parseUser(value.impersonatedUser),
      sourceIPs: stringList(value.sourceIPs),
      userAgent: text(value.userAgent),
      objectRef: {
        resource: text(ref.resource),
        subresource: text(ref.subresource),
        namespace: text(ref.namespace),
        name: text(ref.name),
        apiGroup,
        apiVersion: text(ref.apiVersion),
      },
      code: typeof status.code === 'number' ? status.code : 0,
      annotations,
      requestObject: value.requestObject,
      responseObject: value.responseObject,
      time: parseTime(value),
    },
  };
}

/** Directives of a strategic merge patch; they are instructions, not fields of the object. */
function stripPatchDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripPatchDirectives);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    out[key] = stripPatchDirectives(item);
  }
  return out;
}

function decodePointer(path: string): string[] | undefined {
  if (path === '') return [];
  if (!path.startsWith('/')) return undefined;
  return path
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const MAX_PATCH_INDEX = 1000;

/** Sets `value` at a JSON pointer inside `root`, creating what is missing: how an add or replace reads on an unknown object. */
function setAtPointer(root: JsonObject, segments: readonly string[], value: unknown): void {
  let node: unknown = root;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as string;
    const last = index === segments.length - 1;
    const nextIsIndex = !last && /^(\d+|-)$/.test(segments[index + 1] as string);
    if (Array.isArray(node)) {
      const position = segment === '-' ? node.length : Number(segment);
      if (!Number.isInteger(position) || position > MAX_PATCH_INDEX) return;
      if (last) {
        node[position] = value;
        return;
      }
      node[position] ??= nextIsIndex ? [] : {};
      node = node[position];
    } else if (isJsonObject(node)) {
      if (last) {
        node[segment] = value;
        return;
      }
      if (node[segment] === undefined || node[segment] === null || typeof node[segment] !== 'object') node[segment] = nextIsIndex ? [] : {};
      node = node[segment];
    } else {
      return;
    }
  }
}

/** The fields a JSON patch adds or replaces, as a partial object; removals, moves and tests are ignored. */
export function jsonPatchAsObject(operations: readonly unknown[]): JsonObject {
  const object: JsonObject = {};
  for (const operation of operations) {
    if (!isJsonObject(operation)) continue;
    if (operation.op !== 'add' && operation.op !== 'replace') continue;
    const segments = typeof operation.path === 'string' ? decodePointer(operation.path) : undefined;
    if (segments === undefined || segments.length === 0) continue;
    setAtPointer(object, segments, structuredClone(operation.value));
  }
  // Sparse arrays from patches at an index become dense with empty entries.
  return JSON.parse(JSON.stringify(object, (_key, item: unknown) => (item === undefined ? null : item))) as JsonObject;
}

export interface JudgedObject {
  readonly object: JsonObject | undefined;
  /** True when only the fields a patch sets are known. */
  readonly partial: boolean;
}

function isStatus(value: unknown): boolean {
  return isJsonObject(value) && value.kind === 'Status';
}

/**
 * The object a rule judges. Create and update: the request body (the
 * response when the policy logged only that). PATCH: the response, which is
 * the object after the patch, when the event carries it (level
 * RequestResponse); otherwise the patch itself read as a partial object.
 */
export function objectAfterRequest(event: AuditEvent): JudgedObject {
  const request = event.requestObject;
  const response = isStatus(event.responseObject) ? undefined : event.responseObject;
  switch (event.verb) {
    case 'create':
    case 'update':
      if (isJsonObject(request)) return { object: request, partial: false };
      if (isJsonObject(response)) return { object: response, partial: false };
      return { object: undefined, partial: false };
    case 'patch':
      if (isJsonObject(response)) return { object: response, partial: false };
      if (Array.isArray(request)) return { object: jsonPatchAsObject(request), partial: true };
      if (isJsonObject(request)) {
        // Server-side apply sends the whole intended object; merge patches send the changed fields.
        const complete = typeof request.kind === 'string' && typeof request.apiVersion === 'string';
        return { object: stripPatchDirectives(request) as JsonObject, partial: !complete };
      }
      return { object: undefined, partial: true };
    default:
      return { object: undefined, partial: false };
  }
}

/** Resources that carry a pod template, and where it is (`[metadata path, spec path]`). */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly [readonly string[], readonly string[]]>> = {
  pods: [['metadata'], ['spec']],
  podtemplates: [['template', 'metadata'], ['template', 'spec']],
  replicationcontrollers: [['spec', 'template', 'metadata'], ['spec', 'template', 'spec']],
  deployments: [['spec', 'template', 'metadata'], ['spec', 'template', 'spec']],
  replicasets: [['spec', 'template', 'metadata'], ['spec', 'template', 'spec']],
  daemonsets: [['spec', 'template', 'metadata'], ['spec', 'template', 'spec']],
  statefulsets: [['spec', 'template', 'metadata'], ['spec', 'template', 'spec']],
  jobs: [['spec', 'template', 'metadata'], ['spec', 'template', 'spec']],
  cronjobs: [['spec', 'jobTemplate', 'spec', 'template', 'metadata'], ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
};

export function dig(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (!isJsonObject(node)) return undefined;
    node = node[key];
  }
  return node;
}
