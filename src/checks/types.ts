/**
 * A check is metadata plus a pure function. The catalogue (`rampart checks
 * list`, docs/checks.md) and the SARIF rule descriptors are generated from the
 * metadata, so it is written once, here.
 */
import type { ClusterIndex } from '../model/clusterIndex.js';
import type { PodView } from '../model/podView.js';
import type { FieldPath, FixEdit, FrameworkMapping, KubeObject, Severity } from '../model/types.js';

export interface CheckMeta {
  /** Stable ID, e.g. `PSS-privileged`. Never reused for another meaning. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Domain used to group the catalogue: `pod-security`, `workload`, `network`, … */
  readonly category: string;
  /** What the check looks for and why it matters, in a few sentences. */
  readonly description: string;
  /** What to change in the manifest. */
  readonly remediation: string;
  readonly frameworks: readonly FrameworkMapping[];
  /** Link to Rampart's documentation of the check. */
  readonly documentation: string;
  /** IDs of the matching checks in other tools, `tool:id` (e.g. `trivy:KSV014`, `kubescape:C-0017`). */
  readonly equivalents?: readonly string[];
  /** True when the check's reports may carry a `fix` (like ESLint's `meta.fixable`). */
  readonly fixable?: boolean;
}

export interface CheckContext {
  readonly object: KubeObject;
  /** The object's pod, for kinds that carry one; undefined otherwise. */
  readonly pod: PodView | undefined;
  /** Read-only view of the rest of the input. */
  readonly cluster: ClusterIndex;
}

/** What a check reports; the engine adds object, location and metadata. */
export interface CheckReport {
  readonly message: string;
  /** Path of the offending field, relative to the object root. */
  readonly path?: FieldPath;
  readonly container?: string;
  /** The edits that fix this report; only fixable checks set it, and only when the fix is unambiguous. */
  readonly fix?: readonly FixEdit[];
}

export interface Check {
  readonly meta: CheckMeta;
  /** Checks that only look at pods set this, so the engine skips other objects. */
  readonly needsPod?: boolean;
  /** Optional filter by object; default: every object. */
  readonly appliesTo?: (object: KubeObject) => boolean;
  /**
   * Cross-object checks set this: the engine runs them once the whole input
   * has been read, so the cluster index holds every object (a Service may
   * come before the pods it selects).
   */
  readonly afterInput?: boolean;
  readonly run: (context: CheckContext) => readonly CheckReport[];
}

export const DOCS_BASE = 'https://github.com/rampart-security/rampart/blob/main/docs/checks.md';

export function documentationLink(id: string): string {
  return `${DOCS_BASE}#${id.toLowerCase()}`;
}
