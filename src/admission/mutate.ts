/**
 * Secure defaults as a JSON Patch: only `add` operations at paths the object
 * does not have, so a value the user set is never replaced, and applying
 * the patch then reviewing again yields an empty patch (reinvocation is
 * idempotent). Works on the pod template of every kind that carries one.
 */
import type { PodTemplateFinder } from '../model/podTemplates.js';
import { isJsonObject, type FieldPath, type JsonObject } from '../model/types.js';

export interface PatchOperation {
  readonly op: 'add';
  readonly path: string;
  readonly value: unknown;
}

export interface MutationOptions {
  /** Default resource requests (`cpu`, `memory`) for containers that set none. */
  readonly requests: Readonly<Record<string, string>>;
}

export function jsonPointer(path: FieldPath): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Builds add-only operations against a working copy, so later defaults see earlier ones. */
class PatchBuilder {
  readonly operations: PatchOperation[] = [];

  constructor(private readonly root: JsonObject) {}

  get(path: FieldPath): unknown {
    let node: unknown = this.root;
    for (const segment of path) {
      if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
      else if (isJsonObject(node) && typeof segment === 'string') node = node[segment];
      else return undefined;
    }
    return node;
  }

  /** Adds `value` at `path` unless something is there; missing mappings on the way are added in the same operation. */
  setDefault(path: FieldPath, value: unknown): void {
    let node: unknown = this.root;
    for (let index = 0; index < path.length; index++) {
      const segment = path[index] as string | number;
      if (typeof segment === 'number') {
        // Indexes only address items that exist (containers found by the caller).
        if (!Array.isArray(node) || node[segment] === undefined) return;
        node = node[segment];
        continue;
      }
      if (!isJsonObject(node)) return; // a wrong type on the way: leave it to validation
      if (!(segment in node) || node[segment] === undefined || node[segment] === null) {
        let nested: unknown = value;
        for (let inner = path.length - 1; inner > index; inner--) nested = { [path[inner] as string]: nested };
        node[segment] = structuredClone(nested);
        this.operations.push({ op: 'add', path: jsonPointer(path.slice(0, index + 1)), value: nested });
        return;
      }
      node = node[segment];
    }
  }
}

function containersAt(builder: PatchBuilder, specPath: FieldPath, kind: 'containers' | 'initContainers'): Array<{ path: FieldPath; container: JsonObject }> {
  const list = builder.get([...specPath, kind]);
  if (!Array.isArray(list)) return [];
  return list.flatMap((container, index) => (isJsonObject(container) ? [{ path: [...specPath, kind, index], container }] : []));
}

/**
 * The operations that bring an object's pod to the secure defaults:
 * runAsNonRoot and seccomp RuntimeDefault at pod level, and per container
 * drop ALL capabilities, allowPrivilegeEscalation false, imagePullPolicy
 * Always and default requests; automountServiceAccountToken false for pods
 * that run as the default service account (they have no use for its token).
 * Defaults that Kubernetes would reject or that would stop the pod from
 * starting are skipped: allowPrivilegeEscalation false beside privileged or
 * CAP_SYS_ADMIN, runAsNonRoot beside an explicit runAsUser 0.
 */
export function secureDefaultsPatch(raw: JsonObject, podTemplates: PodTemplateFinder, options: MutationOptions): PatchOperation[] {
  const location = podTemplates.locationFor(typeof raw.apiVersion === 'string' ? raw.apiVersion : '', typeof raw.kind === 'string' ? raw.kind : '');
  if (location === undefined) return [];
  const builder = new PatchBuilder(structuredClone(raw));
  const specPath = location.specPath;
  if (!isJsonObject(builder.get(specPath))) return [];
  const containers = [...containersAt(builder, specPath, 'initContainers'), ...containersAt(builder, specPath, 'containers')];
  const runsAsRoot = builder.get([...specPath, 'securityContext', 'runAsUser']) === 0 || containers.some(({ container }) => field(container.securityContext, 'runAsUser') === 0);
  if (!runsAsRoot) builder.setDefault([...specPath, 'securityContext', 'runAsNonRoot'], true);
  builder.setDefault([...specPath, 'securityContext', 'seccompProfile', 'type'], 'RuntimeDefault');
  const serviceAccount = builder.get([...specPath, 'serviceAccountName']) ?? builder.get([...specPath, 'serviceAccount']);
  if (serviceAccount === undefined || serviceAccount === 'default') builder.setDefault([...specPath, 'automountServiceAccountToken'], false);
  for (const { path, container } of containers) {
    builder.setDefault([...path, 'securityContext', 'capabilities', 'drop'], ['ALL']);
    const privileged = field(container.securityContext, 'privileged') === true;
    const added = field(field(container.securityContext, 'capabilities'), 'add');
    const sysAdmin = Array.isArray(added) && added.some((name) => name === 'SYS_ADMIN' || name === 'CAP_SYS_ADMIN');
    if (!privileged && !sysAdmin) builder.setDefault([...path, 'securityContext', 'allowPrivilegeEscalation'], false);
    builder.setDefault([...path, 'imagePullPolicy'], 'Always');
    for (const [resource, quantity] of Object.entries(options.requests)) builder.setDefault([...path, 'resources', 'requests', resource], quantity);
  }
  return builder.operations;
}

function field(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

/** Applies add operations (the only kind the webhook emits); for tests and for checking a patch before it is sent. */
export function applyPatch(raw: JsonObject, operations: readonly PatchOperation[]): JsonObject {
  const copy = structuredClone(raw);
  for (const operation of operations) {
    const segments = operation.path.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = copy;
    for (const segment of segments.slice(0, -1)) node = Array.isArray(node) ? node[Number(segment)] : isJsonObject(node) ? node[segment] : undefined;
    const last = segments[segments.length - 1];
    if (last === undefined || !isJsonObject(node)) throw new Error(`patch path ${operation.path} does not exist`);
    // JSON Patch's add replaces an existing member; the webhook only ever adds where the value is missing or null (unset).
    if (last in node && node[last] !== null && node[last] !== undefined) throw new Error(`patch would replace ${operation.path}`);
    node[last] = structuredClone(operation.value);
  }
  return copy;
}
