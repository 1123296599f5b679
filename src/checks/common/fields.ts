/** Small typed readers shared by the catalogue checks. */
import { childPath, type ContainerView, type PodView, type VolumeView } from '../../model/podView.js';
import { isJsonObject, type FieldPath, type JsonObject } from '../../model/types.js';

export function mapping(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function specOf(raw: JsonObject): JsonObject {
  return mapping(raw.spec) ?? {};
}

export function annotationsOf(metadata: unknown): Record<string, unknown> {
  return mapping(mapping(metadata)?.annotations) ?? {};
}

/** `resources.<section>.<name>` of a container, when set to a non-empty value. */
export function resourceOf(container: ContainerView, section: 'requests' | 'limits', name: string): unknown {
  const value = mapping(mapping(container.raw.resources)?.[section])?.[name];
  return value === undefined || value === null || value === '' ? undefined : value;
}

export function resourcePath(container: ContainerView, section: 'requests' | 'limits', name: string): FieldPath {
  return [...container.path, 'resources', section, name];
}

/** The raw volume mapping of a volume view. */
export function volumeRaw(pod: PodView, volume: VolumeView): JsonObject {
  return mapping(list(pod.spec.volumes)[volume.index]) ?? {};
}

const hostPathsCache = new WeakMap<PodView, Map<string, string>>();

/** hostPath volumes of the pod by name, with their normalised paths (`''` when unreadable). */
export function hostPathVolumes(pod: PodView): Map<string, string> {
  return cached(hostPathsCache, pod, () => new Map(pod.volumes.filter((volume) => volume.sources.includes('hostPath')).map((volume) => [volume.name, hostPathOf(pod, volume) ?? ''])));
}

/** `hostPath.path` of a volume, normalised (no trailing slash, `//` collapsed). */
export function hostPathOf(pod: PodView, volume: VolumeView): string | undefined {
  if (!volume.sources.includes('hostPath')) return undefined;
  const path = mapping(volumeRaw(pod, volume).hostPath)?.path;
  if (typeof path !== 'string') return undefined;
  const normalised = path.replace(/\/+/g, '/');
  return normalised.length > 1 ? normalised.replace(/\/$/, '') : normalised;
}

export interface MountView {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly subPath: boolean;
  readonly path: FieldPath;
}

/**
 * Derived views are computed once per container (or pod) and shared by every
 * check that needs them: the catalogue runs dozens of checks on each pod.
 */
const mountsCache = new WeakMap<ContainerView, MountView[]>();
const envCache = new WeakMap<ContainerView, EnvView[]>();
const portsCache = new WeakMap<ContainerView, PortView[]>();

function cached<K extends object, V>(cache: WeakMap<K, V>, key: K, compute: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}

export function mountsOf(container: ContainerView): MountView[] {
  return cached(mountsCache, container, () => computeMounts(container));
}

function computeMounts(container: ContainerView): MountView[] {
  return list(container.raw.volumeMounts).flatMap((entry, index) => {
    const mount = mapping(entry);
    if (mount === undefined || typeof mount.name !== 'string') return [];
    const subPath = (typeof mount.subPath === 'string' && mount.subPath !== '') || (typeof mount.subPathExpr === 'string' && mount.subPathExpr !== '');
    return [{ name: mount.name, mountPath: typeof mount.mountPath === 'string' ? mount.mountPath : '', readOnly: mount.readOnly === true, subPath, path: childPath(childPath(container.path, 'volumeMounts'), index) }];
  });
}

export interface EnvView {
  readonly name: string;
  readonly value: unknown;
  readonly valueFrom: JsonObject | undefined;
  readonly path: FieldPath;
}

export function envOf(container: ContainerView): EnvView[] {
  return cached(envCache, container, () => computeEnv(container));
}

function computeEnv(container: ContainerView): EnvView[] {
  return list(container.raw.env).flatMap((entry, index) => {
    const env = mapping(entry);
    if (env === undefined || typeof env.name !== 'string') return [];
    return [{ name: env.name, value: env.value, valueFrom: mapping(env.valueFrom), path: childPath(childPath(container.path, 'env'), index) }];
  });
}

export interface PortView {
  readonly containerPort: number;
  readonly protocol: string;
  readonly path: FieldPath;
}

/** `ports[*]` of a container with their containerPort. */
export function portsOf(container: ContainerView): PortView[] {
  return list(container.raw.ports).length === 0 ? [] : cached(portsCache, container, () => computePorts(container));
}

function computePorts(container: ContainerView): PortView[] {
  return list(container.raw.ports).flatMap((entry, index) => {
    const port = mapping(entry);
    if (port === undefined || typeof port.containerPort !== 'number') return [];
    return [{ containerPort: port.containerPort, protocol: typeof port.protocol === 'string' ? port.protocol : 'TCP', path: childPath(childPath(container.path, 'ports'), index) }];
  });
}

/** The capability name without the `CAP_` prefix some manifests use, upper-cased as the runtime reads it. */
export function capabilityName(value: string): string {
  const upper = value.toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

export function drops(container: ContainerView, capability: string): boolean {
  return container.effective.capabilitiesDrop.some((setting) => {
    const name = capabilityName(setting.value);
    return name === 'ALL' || name === capability;
  });
}

export function dropsAll(container: ContainerView): boolean {
  return container.effective.capabilitiesDrop.some((setting) => capabilityName(setting.value) === 'ALL');
}

export function isWindows(pod: PodView): boolean {
  return pod.osName?.value === 'windows';
}
