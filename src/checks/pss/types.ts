/**
 * The shape of a Pod Security Standards check, modelled on Kubernetes'
 * pod-security-admission policy package: an ID, a level, and one
 * implementation per policy version that changed the rule. A new policy
 * version adds an implementation; it never adds an `if` to an old one.
 */
import type { PodView } from '../../model/podView.js';
import type { FieldPath, Severity } from '../../model/types.js';

export type PssLevel = 'baseline' | 'restricted';

/** A policy version as written in namespace labels and flags: `v1.0` … `v1.37`. */
export type PolicyVersion = `v1.${number}`;

/** Who breaks the rule; messages name it, findings attach the container. */
export type Subject =
  | { readonly kind: 'pod' }
  | { readonly kind: 'container'; readonly name: string }
  | { readonly kind: 'volume'; readonly name: string }
  | { readonly kind: 'annotation'; readonly key: string };

/** One offending (or missing) setting. */
export interface PssOffense {
  readonly subject: Subject;
  /** What the subject must (not) do, naming the field: `must set securityContext.runAsNonRoot=true`. */
  readonly predicate: string;
  /** The offending field relative to the object root; for a missing field, where it belongs. */
  readonly path: FieldPath;
}

/** Judges one pod; an empty list means the pod passes. */
export type PssCheckFunction = (pod: PodView) => readonly PssOffense[];

export interface VersionedPssCheck {
  /** The first policy version this implementation applies to; it applies until the next one. */
  readonly minimumVersion: PolicyVersion;
  readonly check: PssCheckFunction;
  /** Baseline checks this restricted implementation replaces at the versions it covers. */
  readonly overrides?: readonly string[];
}

export interface PssCheck {
  /** The check ID Pod Security Admission uses, e.g. `runAsNonRoot`. */
  readonly id: string;
  readonly level: PssLevel;
  /** Ordered by `minimumVersion`, strictly increasing. */
  readonly versions: readonly VersionedPssCheck[];
  /** Short reason, like PSA's forbidden reason: `privileged`, `runAsNonRoot != true`. */
  readonly reason: string;
  /** Catalogue metadata, written once here. */
  readonly title: string;
  readonly severity: Severity;
  /** Why the severity is what it is, for docs/pss.md. */
  readonly severityReason: string;
  readonly description: string;
  readonly remediation: string;
  /** Renders the one-sentence detail from the offenses; the default groups subjects that share a predicate. */
  readonly detail?: (offenses: readonly PssOffense[]) => string;
}

/** A check that failed: PSA's reason and detail, plus every offending field. */
export interface PssViolation {
  readonly check: PssCheck;
  readonly reason: string;
  readonly detail: string;
  readonly offenses: readonly PssOffense[];
}
