/**
 * Seccomp as a container ends up with it: the container’s profile, else the
 * pod’s (both resolved by PodView), else the deprecated annotations, which
 * the API server still copies into the fields of pods created without them.
 */
import type { ContainerView, PodView } from '../../model/podView.js';
import { SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION } from '../../model/podView.js';
import type { FieldPath } from '../../model/types.js';

export interface SeccompSetting {
  readonly type: string;
  readonly path: FieldPath;
}

function annotationType(value: string): string {
  if (value === 'runtime/default' || value === 'docker/default') return 'RuntimeDefault';
  if (value === 'unconfined') return 'Unconfined';
  if (value.startsWith('localhost/')) return 'Localhost';
  return value;
}

export function effectiveSeccomp(container: ContainerView, pod: PodView): SeccompSetting | undefined {
  const field = container.effective.seccompProfileType;
  if (field !== undefined) return { type: field.value, path: field.path };
  const annotations = pod.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return undefined;
  const values = annotations as Record<string, unknown>;
  const containerKey = `${SECCOMP_CONTAINER_ANNOTATION_PREFIX}${container.name}`;
  for (const key of [containerKey, SECCOMP_POD_ANNOTATION]) {
    const value = values[key];
    if (typeof value === 'string') return { type: annotationType(value), path: [...pod.metadataPath, 'annotations', key] };
  }
  return undefined;
}
