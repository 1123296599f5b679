/**
 * Pod Security Admission's check of existing pods when a Namespace's enforce
 * level is tightened. The namespace itself is allowed (only invalid labels
 * are refused, see Decider); the response warns about the pods already
 * running there that the new level would reject, so the user learns it now
 * and not when a pod is next recreated.
 *
 * Semantics as Kubernetes' PSA: only UPDATE (a new namespace has no pods);
 * nothing to check when enforce is unchanged, when the new level is
 * privileged, or when the version stayed and the level did not get stricter;
 * exempt namespaces and pods with an exempt runtime class are not checked.
 * At most 3,000 pods and about a second are spent; pods that are not the
 * first of their controller go last, so a cut-off leaves out replicas rather
 * than whole workloads. Pods with the same reasons share one warning, named
 * by the lexically first pod and a count.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { effectiveLabels } from './decide.js';
import { pssCheckId } from '../checks/pss/catalogue.js';
import { evaluatePod, NEWEST_POLICY_MINOR } from '../checks/pss/registry.js';
import { namespacePolicy, type ModePolicy, type PolicyLevel } from '../checks/pss/namespacePolicy.js';
import type { PssCheck, PssLevel } from '../checks/pss/types.js';
import type { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView } from '../model/podView.js';
import { isJsonObject, type JsonObject } from '../model/types.js';
import type { AdmissionConfig } from './config.js';
import { PodListError, PodListTimeout, type PodSource } from './pods.js';
import type { AdmissionRequest } from './review.js';

/** Kubernetes' bounds on the work done for one namespace update. */
export const MAX_PODS_TO_CHECK = 3000;
export const POD_CHECK_TIMEOUT_MS = 1000;

export interface NamespacePodCheck {
  readonly namespace: string;
  readonly level: PssLevel;
  /** The resolved policy version evaluated. */
  readonly minor: number;
  /** The version as the labels give it (`latest`, `v1.30`). */
  readonly version: string;
  /** `restricted:latest`, `baseline:v1.30`: the level and version as PSA names them. */
  readonly policy: string;
}

const STRICTNESS: Record<PolicyLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

function stringLabels(object: JsonObject | null): Record<string, string> {
  const metadata = object !== null && isJsonObject(object.metadata) ? object.metadata : {};
  const labels: Record<string, string> = {};
  if (isJsonObject(metadata.labels)) for (const [key, value] of Object.entries(metadata.labels)) if (typeof value === 'string') labels[key] = value;
  return labels;
}

/**
 * Whether a request tightens a namespace's enforce policy so that its existing pods must be checked, and
 * against what; undefined when nothing is to be checked (or when the Decider refuses the labels anyway).
 */
export function namespacePodCheck(request: AdmissionRequest, admission: AdmissionConfig): NamespacePodCheck | undefined {
  if (request.kind.group !== '' || request.kind.kind !== 'Namespace' || request.subResource !== undefined) return undefined;
  if (request.operation !== 'UPDATE' || request.object === null || request.oldObject === null) return undefined;
  const metadata = isJsonObject(request.object.metadata) ? request.object.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : (request.name ?? request.namespace ?? '');
  if (name === '') return undefined;
  const read = (object: JsonObject): { enforce: ModePolicy | undefined; problems: string } => {
    const policy = namespacePolicy(name, effectiveLabels(stringLabels(object), admission));
    return { enforce: policy?.modes.enforce, problems: JSON.stringify(policy?.problems ?? []) };
  };
  const now = read(request.object);
  const before = read(request.oldObject);
  // New label problems are refused by the Decider; nothing to check for a request that is refused.
  if (now.problems !== '[]' && now.problems !== before.problems) return undefined;
  const level = now.enforce?.level ?? 'privileged';
  const version = now.enforce?.requestedVersion ?? 'latest';
  const oldLevel = before.enforce?.level ?? 'privileged';
  const oldVersion = before.enforce?.requestedVersion ?? 'latest';
  if (level === oldLevel && version === oldVersion) return undefined;
  if (level === 'privileged') return undefined;
  if (version === oldVersion && STRICTNESS[level] <= STRICTNESS[oldLevel]) return undefined;
  if (admission.podSecurity.exemptions.namespaces.includes(name)) return undefined;
  return { namespace: name, level, minor: now.enforce?.minor ?? NEWEST_POLICY_MINOR, version, policy: `${level}:${version}` };
}

export interface ExistingPodOptions {
  readonly templates: PodTemplateFinder;
  readonly exemptRuntimeClasses: readonly string[];
  /** PSS checks the configuration disables. */
  readonly skip?: (check: PssCheck) => boolean;
  readonly maxPods?: number;
  readonly timeoutMs?: number;
  /**
   * For a pod that exceptions may cover (an exceptions annotation, or exceptions in the config), the
   * IDs of the PSS checks (`PSS-<id>`) that still deny it under the new policy once exceptions are
   * applied, as a pod CREATE would be judged; undefined when no exception can apply.
   */
  readonly stillDenying?: (pod: JsonObject, check: NamespacePodCheck) => ReadonlySet<string> | undefined;
}

interface Tally {
  /** The lexically first pod name with these reasons. */
  name: string;
  count: number;
}

function controllerOf(pod: JsonObject): string | undefined {
  const metadata = isJsonObject(pod.metadata) ? pod.metadata : {};
  if (!Array.isArray(metadata.ownerReferences)) return undefined;
  for (const owner of metadata.ownerReferences) {
    if (isJsonObject(owner) && owner.controller === true) return typeof owner.uid === 'string' ? owner.uid : `${String(owner.kind)}/${String(owner.name)}`;
  }
  return undefined;
}

/** Pods that are the first of their controller (or have none) first, the other replicas after them. */
function prioritise(pods: readonly JsonObject[], seenControllers: Set<string>): JsonObject[] {
  const first: JsonObject[] = [];
  const replicas: JsonObject[] = [];
  for (const pod of pods) {
    const controller = controllerOf(pod);
    if (controller === undefined) first.push(pod);
    else if (seenControllers.has(controller)) replicas.push(pod);
    else {
      seenControllers.add(controller);
      first.push(pod);
    }
  }
  return first.concat(replicas);
}

/**
 * The warnings for a tightened namespace: a line when not every pod was checked, a headline when any
 * pod violates the new level, then one line per distinct set of reasons naming the pods. The work is
 * cut in slices that give the event loop back, so other reviews are not held up meanwhile.
 */
export async function existingPodWarnings(source: PodSource | undefined, check: NamespacePodCheck, options: ExistingPodOptions): Promise<string[]> {
  const quotedPolicy = JSON.stringify(check.policy);
  const quotedNamespace = JSON.stringify(check.namespace);
  if (source === undefined) return [`existing pods in namespace ${quotedNamespace} were not checked against the new PodSecurity enforce level ${quotedPolicy}: the webhook has no pod source`];
  const maxPods = options.maxPods ?? MAX_PODS_TO_CHECK;
  const deadline = Date.now() + (options.timeoutMs ?? POD_CHECK_TIMEOUT_MS);
  const tallies = new Map<string, Tally>();
  // Pods with the same spec and annotations (the replicas of one controller) are judged once.
  const verdicts = new Map<string, string>();
  const seenControllers = new Set<string>();
  let checked = 0;
  let total: number | undefined;
  let stoppedEarly = false;
  let failure: string | undefined;
  let sliceStarted = Date.now();
  try {
    pages: for await (const page of source.pods(check.namespace, { limit: maxPods, deadline })) {
      if (page.total !== undefined) total = page.total;
      for (const pod of prioritise(page.pods, seenControllers)) {
        if (checked >= maxPods) {
          stoppedEarly = true;
          break pages;
        }
        checked++;
        const reasons = podReasons(pod, check, options, verdicts);
        if (reasons !== '') {
          const metadata = isJsonObject(pod.metadata) ? pod.metadata : {};
          const name = typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
          const tally = tallies.get(reasons);
          if (tally === undefined) tallies.set(reasons, { name, count: 1 });
          else {
            tally.count++;
            if (name < tally.name) tally.name = name;
          }
        }
        const now = Date.now();
        if (now > deadline) {
          stoppedEarly = true;
          break pages;
        }
        if (now - sliceStarted >= 5) {
          await nextTurn();
          sliceStarted = Date.now();
        }
      }
    }
  } catch (error) {
    if (!(error instanceof PodListError)) throw error;
    failure = error instanceof PodListTimeout ? `listing the pods took longer than ${options.timeoutMs ?? POD_CHECK_TIMEOUT_MS} ms` : error.message;
  }
  const warnings: string[] = [];
  if (failure !== undefined && checked === 0) {
    return [`existing pods in namespace ${quotedNamespace} were not checked against the new PodSecurity enforce level ${quotedPolicy}: ${failure}`];
  }
  if (failure !== undefined) warnings.push(`the new PodSecurity enforce level ${quotedPolicy} was checked against only ${checked} existing pods of namespace ${quotedNamespace}: ${failure}`);
  else if (total !== undefined ? checked < total : stoppedEarly) {
    warnings.push(`the new PodSecurity enforce level ${quotedPolicy} was checked against only the first ${checked} of ${total ?? 'more'} existing pods of namespace ${quotedNamespace}`);
  }
  if (tallies.size > 0) warnings.push(`existing pods in namespace ${quotedNamespace} violate the new PodSecurity enforce level ${quotedPolicy}`);
  const perPod = [...tallies].map(([reasons, { name, count }]) => `${name}${count === 1 ? '' : count === 2 ? ' (and 1 other pod)' : ` (and ${count - 1} other pods)`}: ${reasons}`);
  perPod.sort();
  return warnings.concat(perPod);
}

/** The pod's forbidden reasons at the new level, comma-separated; '' when it passes or is exempt. */
function podReasons(pod: JsonObject, check: NamespacePodCheck, options: ExistingPodOptions, verdicts: Map<string, string>): string {
  const found = options.templates.find({ apiVersion: 'v1', kind: 'Pod', raw: pod });
  if (found.kind !== 'template') return '';
  const { spec, metadata } = found.template;
  if (typeof spec.runtimeClassName === 'string' && options.exemptRuntimeClasses.includes(spec.runtimeClassName)) return '';
  const key = JSON.stringify([spec, metadata.annotations ?? null]);
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  let violations = evaluatePod(buildPodView(found.template), check.level, check.minor, options.skip);
  // Exceptions can name a pod or its labels: such a pod is judged on its own, not by its spec alone.
  const denying = violations.length === 0 ? undefined : options.stillDenying?.(pod, check);
  if (denying !== undefined) violations = violations.filter((violation) => denying.has(pssCheckId(violation.check)));
  const reasons = [...new Set(violations.map((violation) => violation.reason))].join(', ');
  if (denying === undefined) verdicts.set(key, reasons);
  return reasons;
}
