/**
 * Seccomp as a container ends up with it: the container’s profile, else the
 * pod’s (both resolved by PodView). The alpha annotations
 * (seccomp.security.alpha.kubernetes.io/…) are not read: kubelets ignore them
 * from 1.25 and the API server stopped copying them into the fields in 1.27.
 */
import type { ContainerView, PodView } from '../../model/podView.js';
import type { FieldPath } from '../../model/types.js';

export interface SeccompSetting {
  readonly type: string;
  readonly path: FieldPath;
}

export function effectiveSeccomp(container: ContainerView, _pod: PodView): SeccompSetting | undefined {
  const field = container.effective.seccompProfileType;
  return field === undefined ? undefined : { type: field.value, path: field.path };
}
