/**
 * A pod as checks see it: its containers of every kind, each with its
 * effective security context (pod-level settings inherited where Kubernetes
 * inherits them). Inheritance is resolved here, once; checks read the result.
 *
 * Wrong types (`containers: "x"`, `runAsUser: "0"`) are recorded as problems
 * with their path and treated as unset, so one malformed field never hides
 * the rest of the pod from the checks.
 */
import { describeType } from '../load/objects.js';
import type { PodTemplate } from './podTemplates.js';
import { isJsonObject, type FieldPath, type JsonObject, type PathSegment } from './types.js';

export type ContainerKind = 'initContainers' | 'containers' | 'ephemeralContainers';
export const CONTAINER_KINDS: readonly ContainerKind[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** A resolved setting and where it came from. Paths are relative to the object root. */
export interface Setting<T> {
  readonly value: T;
  readonly path: FieldPath;
  readonly level: 'pod' | 'container' | 'annotation';
}

/** Pod-level security settings as written on the pod, before containers override them. */
export interface PodLevelSecurityContext {
  readonly runAsUser?: Setting<number>;
  readonly runAsGroup?: Setting<number>;
  readonly runAsNonRoot?: Setting<boolean>;
  readonly seccompProfileType?: Setting<string>;
  readonly seccompLocalhostProfile?: Setting<string>;
  readonly seLinuxOptions?: Setting<JsonObject>;
  readonly appArmorProfileType?: Setting<string>;
  readonly windowsHostProcess?: Setting<boolean>;
}

/**
 * The settings a container runs with: the pod-level ones (the container's own
 * value wins; for `appArmorProfileType` the container field, then the
 * container's beta annotation, then the pod field) plus the container-only ones.
 */
export interface EffectiveSecurityContext extends PodLevelSecurityContext {
  readonly privileged?: Setting<boolean>;
  readonly allowPrivilegeEscalation?: Setting<boolean>;
  readonly readOnlyRootFilesystem?: Setting<boolean>;
  readonly procMount?: Setting<string>;
  readonly capabilitiesAdd: readonly Setting<string>[];
  readonly capabilitiesDrop: readonly Setting<string>[];
}

/** A pod volume and the keys of the sources it sets (`hostPath`, `emptyDir`, …; null entries are ignored). */
export interface VolumeView {
  readonly name: string;
  readonly index: number;
  /** Path of the volume inside the object. */
  readonly path: FieldPath;
  readonly sources: readonly string[];
}

export interface ContainerView {
  readonly name: string;
  readonly kind: ContainerKind;
  readonly index: number;
  /** Path of the container inside the object. */
  readonly path: FieldPath;
  readonly raw: JsonObject;
  /** The container's own securityContext, when it is a mapping. */
  readonly securityContext: JsonObject | undefined;
  readonly effective: EffectiveSecurityContext;
  /** `ports[*].hostPort`, for every port that sets one (including 0). */
  readonly hostPorts: readonly Setting<number>[];
}

export interface FieldProblem {
  readonly path: FieldPath;
  readonly message: string;
}

export interface PodView {
  readonly metadataPath: FieldPath;
  readonly specPath: FieldPath;
  readonly metadata: JsonObject;
  readonly spec: JsonObject;
  /** The pod-level securityContext, when it is a mapping. */
  readonly securityContext: JsonObject | undefined;
  /** The pod-level settings on their own, for rules that judge the pod and each container separately. */
  readonly podLevel: PodLevelSecurityContext;
  readonly hostNetwork?: Setting<boolean>;
  readonly hostPID?: Setting<boolean>;
  readonly hostIPC?: Setting<boolean>;
  /** `spec.hostUsers`; false runs the pod in its own user namespace. */
  readonly hostUsers?: Setting<boolean>;
  /** `spec.os.name` (`linux` or `windows`). */
  readonly osName?: Setting<string>;
  /** Names of `spec.securityContext.sysctls[*]`; each path points at the `name` field. */
  readonly sysctls: readonly Setting<string>[];
  readonly volumes: readonly VolumeView[];
  readonly containers: readonly ContainerView[];
  readonly problems: readonly FieldProblem[];
}

export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/**
 * Paths inside a pod template repeat from pod to pod (every Deployment's first container has its
 * `runAsUser` at the same path), and a large scan keeps its pod views until the end: the views'
 * paths are taken from this tree of shared arrays, one per distinct path, rather than copied per
 * pod. Paths are never modified (FieldPath is read-only). Bounded: past SHARED_PATH_LIMIT
 * distinct paths (a long-running webhook fed odd shapes), new paths are plain copies.
 */
const sharedChildren = new Map<FieldPath, Map<PathSegment, FieldPath>>();
let sharedPathCount = 0;
const SHARED_PATH_LIMIT = 50_000;

/** `[...parent, segment]`, shared with every equal path built from the same parent array. */
export function childPath(parent: FieldPath, segment: PathSegment): FieldPath {
  let children = sharedChildren.get(parent);
  const known = children?.get(segment);
  if (known !== undefined) return known;
  const path = [...parent, segment];
  if (sharedPathCount < SHARED_PATH_LIMIT) {
    if (children === undefined) {
      children = new Map();
      sharedChildren.set(parent, children);
    }
    children.set(segment, path);
    sharedPathCount++;
  }
  return path;
}

/** Reads typed fields and records wrong types. */
class FieldReader {
  readonly problems: FieldProblem[] = [];

  mapping(parent: JsonObject | undefined, key: string, path: FieldPath): JsonObject | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) return undefined;
    if (isJsonObject(value)) return value;
    this.problems.push({ path: [...path, key], message: `${key} must be a mapping, found ${describeType(value)}` });
    return undefined;
  }

  list(parent: JsonObject | undefined, key: string, path: FieldPath): unknown[] {
    const value = parent?.[key];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.problems.push({ path: [...path, key], message: `${key} must be a list, found ${describeType(value)}` });
    return [];
  }

  typed<T>(parent: JsonObject | undefined, key: string, path: FieldPath, level: Setting<T>['level'], type: 'string' | 'boolean' | 'integer'): Setting<T> | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) return undefined;
    const ok = type === 'integer' ? typeof value === 'number' && Number.isInteger(value) : typeof value === type;
    if (!ok) {
      this.problems.push({ path: [...path, key], message: `${key} must be ${type === 'integer' ? 'an integer' : `a ${type}`}, found ${describeType(value)}` });
      return undefined;
    }
    return { value: value as T, path: childPath(path, key), level };
  }
}

export function buildPodView(template: PodTemplate): PodView {
  const reader = new FieldReader();
  const { spec, metadata, specPath, metadataPath } = template;
  const podContextPath = childPath(specPath, 'securityContext');
  const podContext = reader.mapping(spec, 'securityContext', specPath);
  const podSeccomp = reader.mapping(podContext, 'seccompProfile', podContextPath);
  const podAppArmor = reader.mapping(podContext, 'appArmorProfile', podContextPath);
  const podWindows = reader.mapping(podContext, 'windowsOptions', podContextPath);
  const annotations = reader.mapping(metadata, 'annotations', metadataPath);

  const pod: PodLevelSecurityContext = {
    runAsUser: reader.typed<number>(podContext, 'runAsUser', podContextPath, 'pod', 'integer'),
    runAsGroup: reader.typed<number>(podContext, 'runAsGroup', podContextPath, 'pod', 'integer'),
    runAsNonRoot: reader.typed<boolean>(podContext, 'runAsNonRoot', podContextPath, 'pod', 'boolean'),
    seccompProfileType: reader.typed<string>(podSeccomp, 'type', childPath(podContextPath, 'seccompProfile'), 'pod', 'string'),
    seccompLocalhostProfile: reader.typed<string>(podSeccomp, 'localhostProfile', childPath(podContextPath, 'seccompProfile'), 'pod', 'string'),
    seLinuxOptions: settingOf(reader.mapping(podContext, 'seLinuxOptions', podContextPath), childPath(podContextPath, 'seLinuxOptions'), 'pod'),
    appArmorProfileType: reader.typed<string>(podAppArmor, 'type', childPath(podContextPath, 'appArmorProfile'), 'pod', 'string'),
    windowsHostProcess: reader.typed<boolean>(podWindows, 'hostProcess', childPath(podContextPath, 'windowsOptions'), 'pod', 'boolean'),
  };

  const containers: ContainerView[] = [];
  for (const kind of CONTAINER_KINDS) {
    const list = reader.list(spec, kind, specPath);
    list.forEach((entry, index) => {
      const path = childPath(childPath(specPath, kind), index);
      if (!isJsonObject(entry)) {
        reader.problems.push({ path, message: `${kind}[${index}] must be a mapping, found ${describeType(entry)}` });
        return;
      }
      const name = typeof entry.name === 'string' ? entry.name : `${kind}[${index}]`;
      const contextPath = childPath(path, 'securityContext');
      const context = reader.mapping(entry, 'securityContext', path);
      const seccomp = reader.mapping(context, 'seccompProfile', contextPath);
      const appArmor = reader.mapping(context, 'appArmorProfile', contextPath);
      const windows = reader.mapping(context, 'windowsOptions', contextPath);
      const capabilities = reader.mapping(context, 'capabilities', contextPath);
      const capabilitiesPath = childPath(contextPath, 'capabilities');
      const capabilityList = (key: 'add' | 'drop'): Setting<string>[] =>
        reader.list(capabilities, key, capabilitiesPath).flatMap((capability, capabilityIndex) => {
          const capabilityPath = childPath(childPath(capabilitiesPath, key), capabilityIndex);
          if (typeof capability !== 'string') {
            reader.problems.push({ path: capabilityPath, message: `capabilities.${key}[${capabilityIndex}] must be a string, found ${describeType(capability)}` });
            return [];
          }
          return [{ value: capability, path: capabilityPath, level: 'container' as const }];
        });
      const annotationKey = `${APPARMOR_ANNOTATION_PREFIX}${name}`;
      const annotationValue = annotations?.[annotationKey];
      const appArmorFromAnnotation: Setting<string> | undefined =
        typeof annotationValue === 'string' ? { value: appArmorAnnotationType(annotationValue), path: [...metadataPath, 'annotations', annotationKey], level: 'annotation' } : undefined;

      const effective: EffectiveSecurityContext = {
        runAsUser: reader.typed<number>(context, 'runAsUser', contextPath, 'container', 'integer') ?? pod.runAsUser,
        runAsGroup: reader.typed<number>(context, 'runAsGroup', contextPath, 'container', 'integer') ?? pod.runAsGroup,
        runAsNonRoot: reader.typed<boolean>(context, 'runAsNonRoot', contextPath, 'container', 'boolean') ?? pod.runAsNonRoot,
        ...seccompOf(reader, seccomp, childPath(contextPath, 'seccompProfile'), pod),
        seLinuxOptions: settingOf(reader.mapping(context, 'seLinuxOptions', contextPath), childPath(contextPath, 'seLinuxOptions'), 'container') ?? pod.seLinuxOptions,
        appArmorProfileType: reader.typed<string>(appArmor, 'type', childPath(contextPath, 'appArmorProfile'), 'container', 'string') ?? appArmorFromAnnotation ?? pod.appArmorProfileType,
        windowsHostProcess: reader.typed<boolean>(windows, 'hostProcess', childPath(contextPath, 'windowsOptions'), 'container', 'boolean') ?? pod.windowsHostProcess,
        privileged: reader.typed<boolean>(context, 'privileged', contextPath, 'container', 'boolean'),
        allowPrivilegeEscalation: reader.typed<boolean>(context, 'allowPrivilegeEscalation', contextPath, 'container', 'boolean'),
        readOnlyRootFilesystem: reader.typed<boolean>(context, 'readOnlyRootFilesystem', contextPath, 'container', 'boolean'),
        procMount: reader.typed<string>(context, 'procMount', contextPath, 'container', 'string'),
        capabilitiesAdd: capabilityList('add'),
        capabilitiesDrop: capabilityList('drop'),
      };
      const hostPorts = reader.list(entry, 'ports', path).flatMap((port, portIndex) => {
        const portPath = childPath(childPath(path, 'ports'), portIndex);
        if (!isJsonObject(port)) {
          reader.problems.push({ path: portPath, message: `ports[${portIndex}] must be a mapping, found ${describeType(port)}` });
          return [];
        }
        const hostPort = reader.typed<number>(port, 'hostPort', portPath, 'container', 'integer');
        return hostPort === undefined ? [] : [hostPort];
      });
      containers.push({ name, kind, index, path, raw: entry, securityContext: context, effective, hostPorts });
    });
  }

  const sysctls = reader.list(podContext, 'sysctls', podContextPath).flatMap((sysctl, sysctlIndex) => {
    const sysctlPath = childPath(childPath(podContextPath, 'sysctls'), sysctlIndex);
    if (!isJsonObject(sysctl)) {
      reader.problems.push({ path: sysctlPath, message: `sysctls[${sysctlIndex}] must be a mapping, found ${describeType(sysctl)}` });
      return [];
    }
    const name = reader.typed<string>(sysctl, 'name', sysctlPath, 'pod', 'string');
    return name === undefined ? [] : [name];
  });
  const volumes = reader.list(spec, 'volumes', specPath).flatMap((volume, index): VolumeView[] => {
    const path = childPath(childPath(specPath, 'volumes'), index);
    if (!isJsonObject(volume)) {
      reader.problems.push({ path, message: `volumes[${index}] must be a mapping, found ${describeType(volume)}` });
      return [];
    }
    const name = typeof volume.name === 'string' ? volume.name : `volumes[${index}]`;
    const sources = Object.keys(volume).filter((key) => key !== 'name' && volume[key] !== null && volume[key] !== undefined);
    return [{ name, index, path, sources }];
  });
  const os = reader.mapping(spec, 'os', specPath);
  return {
    metadataPath,
    specPath,
    metadata,
    spec,
    securityContext: podContext,
    podLevel: pod,
    hostNetwork: reader.typed<boolean>(spec, 'hostNetwork', specPath, 'pod', 'boolean'),
    hostPID: reader.typed<boolean>(spec, 'hostPID', specPath, 'pod', 'boolean'),
    hostIPC: reader.typed<boolean>(spec, 'hostIPC', specPath, 'pod', 'boolean'),
    hostUsers: reader.typed<boolean>(spec, 'hostUsers', specPath, 'pod', 'boolean'),
    osName: reader.typed<string>(os, 'name', childPath(specPath, 'os'), 'pod', 'string'),
    sysctls,
    volumes,
    containers,
    problems: reader.problems,
  };
}

/** The seccomp profile is replaced as a whole: a container's profile hides the pod's, type and localhost path together. */
function seccompOf(
  reader: FieldReader,
  containerSeccomp: JsonObject | undefined,
  path: FieldPath,
  pod: { seccompProfileType?: Setting<string>; seccompLocalhostProfile?: Setting<string> },
): Pick<EffectiveSecurityContext, 'seccompProfileType' | 'seccompLocalhostProfile'> {
  if (containerSeccomp !== undefined) {
    return {
      seccompProfileType: reader.typed<string>(containerSeccomp, 'type', path, 'container', 'string'),
      seccompLocalhostProfile: reader.typed<string>(containerSeccomp, 'localhostProfile', path, 'container', 'string'),
    };
  }
  return { seccompProfileType: pod.seccompProfileType, seccompLocalhostProfile: pod.seccompLocalhostProfile };
}

function settingOf<T>(value: T | undefined, path: FieldPath, level: Setting<T>['level']): Setting<T> | undefined {
  return value === undefined ? undefined : { value, path, level };
}

/** Maps the beta annotation's values to the field's profile types. */
export function appArmorAnnotationType(value: string): string {
  if (value === 'runtime/default') return 'RuntimeDefault';
  if (value === 'unconfined') return 'Unconfined';
  if (value.startsWith('localhost/')) return 'Localhost';
  return value;
}
