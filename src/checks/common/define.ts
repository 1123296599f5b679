/**
 * Building blocks of the hardening catalogue (every family beyond PSS): a
 * check is declared with its metadata and its severity basis, and one small
 * function. Severity is never written by hand: it follows from what an
 * attacker gains and what it takes (see docs/severity.md and `severityOf`).
 */
import { namespaceOf } from '../../model/clusterIndex.js';
import { childPath, type ContainerKind, type ContainerView, type PodView } from '../../model/podView.js';
import type { FieldPath, FixEdit, FrameworkMapping, KubeObject, Severity } from '../../model/types.js';
import { documentationLink, type Check, type CheckContext, type CheckReport } from '../types.js';

/** What an attacker gains when the weakness is used. */
export type Gain = 'control' | 'access' | 'weakening' | 'hygiene';
/** What the attacker needs before the weakness pays off. */
export type Effort = 'none' | 'foothold' | 'chained';

export const GAIN_DESCRIPTIONS: Readonly<Record<Gain, string>> = {
  control: 'control of a node or of the cluster (escape to the host, cluster-admin, the power to run anything anywhere)',
  access: 'credentials, data or an identity beyond the workload’s own, or a path to other workloads',
  weakening: 'a defence removed or a blast radius widened, without new access on its own',
  hygiene: 'availability, reliability or operational clarity; no security gain by itself',
};

export const EFFORT_DESCRIPTIONS: Readonly<Record<Effort, string>> = {
  none: 'nothing beyond what the manifest grants: anyone who reaches the object, the network or the API can use it',
  foothold: 'code execution in the workload (a vulnerable app, a compromised image or dependency)',
  chained: 'a foothold plus a second weakness (a kernel bug, another misconfiguration)',
};

const MATRIX: Readonly<Record<Gain, Readonly<Record<Effort, Severity>>>> = {
  control: { none: 'critical', foothold: 'high', chained: 'medium' },
  access: { none: 'high', foothold: 'medium', chained: 'low' },
  weakening: { none: 'medium', foothold: 'low', chained: 'low' },
  hygiene: { none: 'low', foothold: 'info', chained: 'info' },
};

export function severityOf(gain: Gain, effort: Effort): Severity {
  return MATRIX[gain][effort];
}

export interface SeverityBasis {
  readonly gain: Gain;
  readonly effort: Effort;
  /** One sentence: why this gain and this effort. */
  readonly reason: string;
}

export interface CheckSpec {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  readonly description: string;
  readonly remediation: string;
  readonly severity: SeverityBasis;
  readonly cis?: readonly string[];
  readonly nsa?: readonly string[];
  readonly mitre?: readonly string[];
  readonly equivalents?: readonly string[];
  /** The check's reports may carry a fix (see src/fix). */
  readonly fixable?: boolean;
}

/** The severity basis of every catalogue check, for docs/severity.md and its test. */
export const SEVERITY_BASES = new Map<string, SeverityBasis>();

function metaOf(spec: CheckSpec): Check['meta'] {
  SEVERITY_BASES.set(spec.id, spec.severity);
  const frameworks: FrameworkMapping[] = [
    ...(spec.cis ?? []).map((id): FrameworkMapping => ({ framework: 'CIS', id })),
    ...(spec.nsa ?? []).map((id): FrameworkMapping => ({ framework: 'NSA-CISA', id })),
    ...(spec.mitre ?? []).map((id): FrameworkMapping => ({ framework: 'MITRE-ATTACK', id })),
  ];
  return {
    id: spec.id,
    title: spec.title,
    severity: severityOf(spec.severity.gain, spec.severity.effort),
    category: spec.category,
    description: spec.description,
    remediation: spec.remediation,
    frameworks,
    documentation: documentationLink(spec.id),
    equivalents: spec.equivalents ?? [],
    ...(spec.fixable === true ? { fixable: true } : {}),
  };
}

export interface Options {
  /** Run after the whole input is read (cross-object checks). */
  readonly afterInput?: boolean;
}

/** A check of the whole pod. */
export function podCheck(spec: CheckSpec, run: (pod: PodView, context: CheckContext) => CheckReport[], options: Options = {}): Check {
  return {
    meta: metaOf(spec),
    needsPod: true,
    ...(options.afterInput === true ? { afterInput: true } : {}),
    run: (context) => (context.pod === undefined ? [] : run(context.pod, context)),
  };
}

/**
 * `container "name" `, built once per container and shared by the messages of every check that
 * reports it: each message is then one concatenation of two shared strings, not a fresh copy of the
 * container's quoted name plus a chain of concatenations, for every one of a large scan's findings.
 */
const subjects = new WeakMap<ContainerView, string>();

function containerSubject(container: ContainerView): string {
  let subject = subjects.get(container);
  if (subject === undefined) {
    subject = `container ${JSON.stringify(container.name)} `;
    subjects.set(container, subject);
  }
  return subject;
}

const ALL_CONTAINERS: readonly ContainerKind[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** A check of each container; `judge` returns the offending field's predicate, or undefined when the container passes. */
export function containerCheck(
  spec: CheckSpec,
  judge: (container: ContainerView, pod: PodView, context: CheckContext) => Offense | Offense[] | undefined,
  kinds: readonly ContainerKind[] = ALL_CONTAINERS,
): Check {
  const allKinds = kinds.length === ALL_CONTAINERS.length;
  return podCheck(spec, (pod, context) => {
    const reports: CheckReport[] = [];
    for (const container of pod.containers) {
      if (!allKinds && !kinds.includes(container.kind)) continue;
      const offenses = judge(container, pod, context);
      if (offenses === undefined) continue;
      for (const offense of Array.isArray(offenses) ? offenses : [offenses]) {
        reports.push({
          message: containerSubject(container) + offense.predicate,
          path: offense.path,
          container: container.name,
          ...(offense.fix !== undefined ? { fix: offense.fix } : {}),
        });
      }
    }
    return reports;
  });
}

export interface Offense {
  /** `must set securityContext.readOnlyRootFilesystem=true`. */
  readonly predicate: string;
  readonly path: FieldPath;
  /** Edits that fix the offense (paths relative to the object root). */
  readonly fix?: readonly FixEdit[];
}

/** A check of objects of the given kinds (by kind, any API group unless `group` is given). */
export function objectCheck(spec: CheckSpec, kinds: readonly string[], run: (object: KubeObject, context: CheckContext) => CheckReport[], options: Options & { group?: string } = {}): Check {
  const kindSet = new Set(kinds);
  return {
    meta: metaOf(spec),
    ...(options.afterInput === true ? { afterInput: true } : {}),
    appliesTo: (object) => kindSet.has(object.kind) && (options.group === undefined || groupOf(object.apiVersion) === options.group),
    run: (context) => run(context.object, context),
  };
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export { namespaceOf };

/** Main containers and init containers; ephemeral containers are debugging sessions, not part of the workload's design. */
export const WORKLOAD_CONTAINERS: readonly ContainerKind[] = ['initContainers', 'containers'];
export const MAIN_CONTAINERS: readonly ContainerKind[] = ['containers'];

export function contextPath(container: ContainerView): FieldPath {
  return childPath(container.path, 'securityContext');
}
