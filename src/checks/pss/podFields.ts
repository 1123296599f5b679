/**
 * Small readers for the few PSA rules that need more than PodView's
 * resolved settings: a profile mapping that is present but has no type
 * still counts as "set" (with an empty type), as it does for the API.
 */
import type { ContainerView, PodView } from '../../model/podView.js';
import { isJsonObject, type FieldPath, type JsonObject } from '../../model/types.js';

/** Pods with `spec.os.name: windows` are exempt from Linux-only restricted rules from v1.25 on. */
export function isWindowsPod(pod: PodView): boolean {
  return pod.osName?.value === 'windows';
}

/** `spec.hostUsers: false`: the pod runs in its own user namespace. */
export function runsInUserNamespace(pod: PodView): boolean {
  return pod.hostUsers?.value === false;
}

export interface ProfileSetting {
  /** The profile's type, `''` when the mapping has none. */
  readonly type: string;
  /** Path of the `type` field. */
  readonly path: FieldPath;
}

/** `securityContext.seccompProfile` or `.appArmorProfile` of a context, when set. */
export function profileOf(context: JsonObject | undefined, contextPath: FieldPath, key: 'seccompProfile' | 'appArmorProfile'): ProfileSetting | undefined {
  const profile = context?.[key];
  if (!isJsonObject(profile)) return undefined;
  return { type: typeof profile.type === 'string' ? profile.type : '', path: [...contextPath, key, 'type'] };
}

export function podContextPath(pod: PodView): FieldPath {
  return [...pod.specPath, 'securityContext'];
}

export function containerContextPath(container: ContainerView): FieldPath {
  return [...container.path, 'securityContext'];
}

/** A string field of a mapping, `''` when absent or not a string (the API's zero value). */
export function stringField(mapping: JsonObject | undefined, key: string): string {
  const value = mapping?.[key];
  return typeof value === 'string' ? value : '';
}
