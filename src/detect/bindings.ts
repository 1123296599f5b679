/**
 * The CEL variables a rule sees for one event (docs/detect.md lists them).
 * The pod, its containers and their effective security context come from
 * Rampart's one pod resolver (src/model/podView.ts).
 */
import { buildPodView, type ContainerView, type EffectiveSecurityContext, type Setting } from '../model/podView.js';
import { isJsonObject, type JsonObject } from '../model/types.js';
import { jsonToCel } from '../policy/values.js';
import type { PodFact } from './rules.js';
import { dig, objectAfterRequest, POD_TEMPLATE_PATHS, type AuditEvent, type AuditUser } from './event.js';

export const RULE_VARIABLES = [
  'event',
  'verb',
  'stage',
  'user',
  'impersonatedUser',
  'sourceIP',
  'sourceIPs',
  'userAgent',
  'target',
  'code',
  'decision',
  'authzReason',
  'uri',
  'object',
  'partial',
  'patchOperations',
  'requestObject',
  'responseObject',
  'pod',
  'containers',
  'hostPaths',
  'images',
  'lists',
  'action',
] as const;

function settingValue<T>(setting: Setting<T> | undefined): T | null {
  return setting === undefined ? null : setting.value;
}

function effectiveJson(effective: EffectiveSecurityContext): JsonObject {
  return {
    runAsUser: settingValue(effective.runAsUser),
    runAsNonRoot: settingValue(effective.runAsNonRoot),
    privileged: settingValue(effective.privileged),
    allowPrivilegeEscalation: settingValue(effective.allowPrivilegeEscalation),
    readOnlyRootFilesystem: settingValue(effective.readOnlyRootFilesystem),
    procMount: settingValue(effective.procMount),
    seccompProfileType: settingValue(effective.seccompProfileType),
    capabilitiesAdd: effective.capabilitiesAdd.map((setting) => setting.value),
  };
}

/** `registry.example.com:5000/team/app:1.2@sha256:…` → repository `registry.example.com:5000/team/app`, registry `registry.example.com:5000`. */
export function splitImage(image: string): { repository: string; registry: string } {
  let repository = image;
  const at = repository.indexOf('@');
  if (at >= 0) repository = repository.slice(0, at);
  const slash = repository.lastIndexOf('/');
  const colon = repository.lastIndexOf(':');
  if (colon > slash) repository = repository.slice(0, colon);
  const first = repository.split('/')[0] ?? '';
  const hasRegistry = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return { repository, registry: hasRegistry ? first : 'docker.io' };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function limitsRemoved(raw: JsonObject): boolean {
  if (!('resources' in raw)) return false;
  const resources = raw.resources;
  if (resources === null) return true;
  if (!isJsonObject(resources) || !('limits' in resources)) return false;
  const limits = resources.limits;
  if (limits === null) return true;
  return isJsonObject(limits) && Object.values(limits).some((value) => value === null);
}

function containerJson(container: ContainerView): JsonObject {
  const raw = container.raw;
  const image = typeof raw.image === 'string' ? raw.image : '';
  const { repository, registry } = splitImage(image);
  const env = Array.isArray(raw.env) ? raw.env.filter(isJsonObject) : [];
  const resources = isJsonObject(raw.resources) ? raw.resources : {};
  const commandLine = [...strings(raw.command), ...strings(raw.args)].join(' ');
  const envValues = env.map((item) => (typeof item.value === 'string' ? item.value : ''));
  return {
    name: container.name,
    kind: container.kind,
    image,
    repository,
    registry,
    command: strings(raw.command),
    args: strings(raw.args),
    commandLine,
    // Command line and environment values in lower case, for the text searches of the crypto-mining rules.
    argText: [commandLine, ...envValues].join(' ').toLowerCase(),
    env: env.map((item) => ({ name: typeof item.name === 'string' ? item.name : '', value: typeof item.value === 'string' ? item.value : '' })),
    hasLimits: isJsonObject(resources.limits) && Object.keys(resources.limits).length > 0,
    limitsRemoved: limitsRemoved(raw),
    raw,
    effective: effectiveJson(container.effective),
  };
}

function userJson(user: AuditUser | undefined): JsonObject | null {
  if (user === undefined) return null;
  return { name: user.username, uid: user.uid, groups: user.groups, extra: user.extra };
}

function normalizeHostPath(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.replace(/\/{2,}/g, '/');
}

export interface PodFacts {
  readonly metadata: JsonObject;
  readonly spec: JsonObject;
  readonly containers: JsonObject[];
  readonly hostPaths: string[];
}

/** The pod a workload object carries (the object itself for a Pod), with its containers' effective settings. */
export function podFacts(resource: string, object: JsonObject | undefined): PodFacts | undefined {
  const paths = POD_TEMPLATE_PATHS[resource];
  if (paths === undefined || object === undefined) return undefined;
  const spec = dig(object, paths[1]);
  if (!isJsonObject(spec)) return undefined;
  const metadataValue = dig(object, paths[0]);
  const metadata = isJsonObject(metadataValue) ? metadataValue : {};
  const view = buildPodView({ metadata, spec, metadataPath: paths[0], specPath: paths[1] });
  const hostPaths: string[] = [];
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (isJsonObject(volume) && isJsonObject(volume.hostPath) && typeof volume.hostPath.path === 'string') hostPaths.push(normalizeHostPath(volume.hostPath.path));
  }
  return { metadata, spec, containers: view.containers.map(containerJson), hostPaths };
}

function metadataName(object: unknown): string {
  const name = dig(object, ['metadata', 'name']);
  return typeof name === 'string' ? name : '';
}

/** `verb resource[/subresource]`, or `verb /path` for a non-resource request: what an identity did, as one string. */
export function actionOf(event: AuditEvent): string {
  const ref = event.objectRef;
  if (ref.resource === '') return `${event.verb} ${event.requestURI.split('?')[0] ?? ''}`;
  return `${event.verb} ${ref.subresource === '' ? ref.resource : `${ref.resource}/${ref.subresource}`}`;
}

/** The pod facts rules pre-filter on (rules.ts POD_FACTS), from the same variables the CEL sees. */
export function podFactsOf(variables: Record<string, unknown>): Set<PodFact> {
  const facts = new Set<PodFact>();
  const pod = variables.pod as { spec: JsonObject } | null;
  if (pod === null) return facts;
  if (pod.spec.hostNetwork === true) facts.add('hostNetwork');
  if (pod.spec.hostPID === true) facts.add('hostPID');
  if (pod.spec.hostIPC === true) facts.add('hostIPC');
  if ((variables.hostPaths as string[]).length > 0) facts.add('hostPath');
  for (const container of variables.containers as { raw: JsonObject; effective: { privileged: unknown; capabilitiesAdd: string[] } }[]) {
    if (container.effective.privileged === true) facts.add('privileged');
    if (container.effective.capabilitiesAdd.length > 0) facts.add('addedCapabilities');
    if (Array.isArray(container.raw.ports) && container.raw.ports.some((port) => isJsonObject(port) && typeof port.hostPort === 'number' && port.hostPort > 0)) facts.add('hostPort');
  }
  return facts;
}

/** The variables of one event, as plain JSON (converted to CEL values by `celBindings`). */
export function eventVariables(event: AuditEvent): Record<string, unknown> {
  const judged = objectAfterRequest(event);
  const ref = event.objectRef;
  const pod = ref.subresource === '' || ref.subresource === 'ephemeralcontainers' ? podFacts(ref.resource, judged.object) : undefined;
  const patchOperations = event.verb === 'patch' && Array.isArray(event.requestObject) ? event.requestObject.filter(isJsonObject).map((op) => ({ op: typeof op.op === 'string' ? op.op : '', path: typeof op.path === 'string' ? op.path : '' })) : [];
  return {
    event: event.raw,
    verb: event.verb,
    stage: event.stage,
    user: userJson(event.user),
    impersonatedUser: userJson(event.impersonatedUser),
    sourceIP: event.sourceIPs[0] ?? '',
    sourceIPs: event.sourceIPs,
    userAgent: event.userAgent,
    target: { resource: ref.resource, subresource: ref.subresource, namespace: ref.namespace, name: ref.name || metadataName(event.responseObject) || metadataName(judged.object), apiGroup: ref.apiGroup },
    code: event.code,
    decision: event.annotations['authorization.k8s.io/decision'] ?? '',
    authzReason: event.annotations['authorization.k8s.io/reason'] ?? '',
    uri: event.requestURI,
    object: judged.object ?? null,
    partial: judged.partial,
    patchOperations,
    requestObject: event.requestObject ?? null,
    responseObject: event.responseObject ?? null,
    pod: pod === undefined ? null : { metadata: pod.metadata, spec: pod.spec },
    containers: pod?.containers ?? [],
    hostPaths: pod?.hostPaths ?? [],
    images: pod === undefined ? [] : pod.containers.map((container) => container.image),
    action: actionOf(event),
  };
}

/**
 * The CEL bindings of one event. One object literal with every variable, so
 * every event's bindings have the same shape (the CEL engine copies them per
 * evaluation; a fixed shape keeps that copy cheap).
 */
export function celBindings(variables: Record<string, unknown>, lists: unknown): Record<string, unknown> {
  const v = variables;
  return {
    event: jsonToCel(v.event),
    verb: v.verb,
    stage: v.stage,
    user: jsonToCel(v.user),
    impersonatedUser: jsonToCel(v.impersonatedUser),
    sourceIP: v.sourceIP,
    sourceIPs: jsonToCel(v.sourceIPs),
    userAgent: v.userAgent,
    target: jsonToCel(v.target),
    code: jsonToCel(v.code),
    decision: v.decision,
    authzReason: v.authzReason,
    uri: v.uri,
    object: jsonToCel(v.object),
    partial: v.partial,
    patchOperations: jsonToCel(v.patchOperations),
    requestObject: jsonToCel(v.requestObject),
    responseObject: jsonToCel(v.responseObject),
    pod: jsonToCel(v.pod),
    containers: jsonToCel(v.containers),
    hostPaths: jsonToCel(v.hostPaths),
    images: jsonToCel(v.images),
    lists,
    action: v.action,
  };
}
