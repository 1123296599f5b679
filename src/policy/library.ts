/** A named set of CEL functions that Kubernetes added to its CEL environment in one release. */
import type { CelFunc } from '@bufbuild/cel';

export interface CelLibrary {
  /** As Kubernetes names it in docs and in `k8s.io/apiserver/pkg/cel/environment/base.go`. */
  readonly name: string;
  /** Kubernetes minor version (1.N) from which the base environment includes the library. */
  readonly introducedIn: number;
  /** Minor version from which it is gone (replaced by a newer version of the same library). */
  readonly removedIn?: number;
  readonly functions: readonly CelFunc[];
  /** Macros (expanded before evaluation) the library brings, by name. */
  readonly macros?: readonly string[];
}

export function isAvailable(library: CelLibrary, minor: number): boolean {
  return minor >= library.introducedIn && (library.removedIn === undefined || minor < library.removedIn);
}
