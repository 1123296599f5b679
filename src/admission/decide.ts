/**
 * The decision core: an admission request, its namespace's labels and the
 * configuration in, an AdmissionResponse out. Pure apart from the clock
 * (exception expiry and timings). The checks are the scanner's own: the
 * object goes through `Scanner` with the per-object catalogue, PSS is judged
 * with `judgePod` and turned into findings with `judgementFindings` exactly
 * as `rampart scan` does, and exceptions are applied with `applyExceptions`.
 * What is admission-specific is only what to do with each finding: Pod
 * Security Admission's modes for PSS, the config's rules for the rest.
 */
import { performance } from 'node:perf_hooks';
import { hardeningChecks } from '../checks/index.js';
import { pssCheckId } from '../checks/pss/catalogue.js';
import { judgePod, modeBit, type PodJudgement } from '../checks/pss/evaluate.js';
import { judgementFindings, resolvePssMinor } from '../checks/pss/index.js';
import { offenseMessage } from '../checks/pss/messages.js';
import { hasPodSecurityLabels, namespacePolicy, PSS_LABEL_PREFIX, PSS_MODES, type LabelProblem } from '../checks/pss/namespacePolicy.js';
import type { Check } from '../checks/types.js';
import { podTemplateFinderFor } from '../cli/common.js';
import { Scanner, withFindings, type DeferredPodCheck } from '../engine/scan.js';
import { applyExceptions, ExceptionCollector, type ExceptionRule } from '../exceptions/exceptions.js';
import { ClusterIndex } from '../model/clusterIndex.js';
import type { PodTemplateFinder } from '../model/podTemplates.js';
import { formatPath, isJsonObject, severityRank, type Finding, type JsonObject, type KubeObject, type PositionIndex } from '../model/types.js';
import type { AdmissionConfig, FindingAction, WebhookConfig } from './config.js';
import type { AdmissionRequest, AdmissionResponse, StatusCause } from './review.js';
import { IMAGE_CHECK_ID, judgeImages, type ImageLookup } from './images.js';
import { evaluateVap, type VapPolicies } from './vap.js';
import type { ExistingPodOptions, NamespacePodCheck } from './existingPods.js';
import { CONTAINER_EXCEPTIONS_PREFIX, EXCEPTIONS_ANNOTATION } from '../exceptions/exceptions.js';

/** Kubernetes' limits on warnings, in UTF-8 bytes. */
export const MAX_WARNING_CHARS = 256;
export const MAX_WARNINGS_TOTAL_CHARS = 4096;
/** A denial names at most this many causes, and its message is cut at this many bytes. */
export const MAX_CAUSES = 50;
export const MAX_STATUS_MESSAGE_BYTES = 8192;
/** Audit annotation values are stored in every audit event: keep them short. */
export const MAX_AUDIT_VALUE_CHARS = 2048;

/** Pod subresources Pod Security Admission ignores; any other pod subresource (ephemeralcontainers) is evaluated. */
export const IGNORED_POD_SUBRESOURCES: ReadonlySet<string> = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** The workload controllers Pod Security Admission warns and audits on. */
const PSA_CONTROLLERS: ReadonlySet<string> = new Set([
  '/ReplicationController',
  '/PodTemplate',
  'apps/ReplicaSet',
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  'batch/CronJob',
]);

export const MUTATE_LABEL = 'rampart.dev/mutate';

/** PSS defaults for judgePod where the namespace's labels always carry a policy (they are never used). */
const LABELLED_DEFAULTS = { level: 'restricted' as const, minor: resolvePssMinor('latest') };

export type CheckFamily = 'pss' | 'catalogue' | 'exceptions' | 'vap' | 'images';

export interface DecidedFinding {
  readonly finding: Finding;
  readonly action: FindingAction;
}

export interface Decision {
  readonly response: AdmissionResponse;
  /** Why nothing was evaluated (`subresource`, `operation`, `unchanged`), or undefined when the object was judged. */
  readonly skipped?: string;
  /** Every finding left after exceptions, with the action taken. */
  readonly findings: readonly DecidedFinding[];
  /** Seconds spent per check family. */
  readonly timings: Partial<Record<CheckFamily, number>>;
  /** The object as a KubeObject, for mutation. */
  readonly object?: KubeObject;
}

/** Positions are meaningless for a request body: every path points at the start. */
const NO_POSITIONS: PositionIndex = { locate: () => ({ line: 1, column: 1, exact: false }) };
export const REQUEST_FILE = '<admission request>';

export function requestObject(request: AdmissionRequest, raw: JsonObject): KubeObject {
  const metadata = isJsonObject(raw.metadata) ? raw.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : (request.name ?? (typeof metadata.generateName === 'string' ? `${metadata.generateName}*` : '<unnamed>'));
  const namespace = request.namespace ?? (typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined);
  return {
    apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
    kind: typeof raw.kind === 'string' ? raw.kind : '',
    name,
    namespace,
    raw,
    source: { file: REQUEST_FILE, documentIndex: 0, pathInDocument: [], positions: NO_POSITIONS },
  };
}

/** The labels PSA evaluates: the namespace's own, and the configured defaults for modes it has no label for. */
export function effectiveLabels(labels: Readonly<Record<string, string>>, admission: AdmissionConfig): Readonly<Record<string, string>> {
  if (Object.keys(admission.podSecurity.defaults).length === 0) return labels;
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(admission.podSecurity.defaults)) {
    if (value !== undefined) merged[`${PSS_LABEL_PREFIX}${key}`] = value;
  }
  const ownModes = PSS_MODES.filter((mode) => `${PSS_LABEL_PREFIX}${mode}` in labels || `${PSS_LABEL_PREFIX}${mode}-version` in labels);
  for (const mode of ownModes) {
    // A mode the namespace labels is the namespace's alone: a default version must not mix in.
    delete merged[`${PSS_LABEL_PREFIX}${mode}`];
    delete merged[`${PSS_LABEL_PREFIX}${mode}-version`];
  }
  return { ...merged, ...labels };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

/**
 * Pod Security Admission's rule for pod updates: only a change of image,
 * of a seccomp annotation, of the number of containers, or a new ephemeral
 * container can change the verdict (everything else in a running pod's spec
 * is immutable).
 */
export function isSignificantPodUpdate(pod: JsonObject, oldPod: JsonObject): boolean {
  const annotations = field(pod.metadata, 'annotations');
  const oldAnnotations = field(oldPod.metadata, 'annotations');
  const annotation = (source: unknown, key: string): unknown => field(source, key);
  if (annotation(annotations, 'seccomp.security.alpha.kubernetes.io/pod') !== annotation(oldAnnotations, 'seccomp.security.alpha.kubernetes.io/pod')) return true;
  const spec = field(pod, 'spec');
  const oldSpec = field(oldPod, 'spec');
  const containerChanged = (container: unknown, old: unknown): boolean => {
    if (field(container, 'image') !== field(old, 'image')) return true;
    const key = `container.seccomp.security.alpha.kubernetes.io/${String(field(container, 'name'))}`;
    return annotation(annotations, key) !== annotation(oldAnnotations, key);
  };
  for (const kind of ['containers', 'initContainers']) {
    const now = list(field(spec, kind));
    const before = list(field(oldSpec, kind));
    if (now.length !== before.length) return true;
    for (let index = 0; index < now.length; index++) if (containerChanged(now[index], before[index])) return true;
  }
  const oldEphemeral = list(field(oldSpec, 'ephemeralContainers'));
  for (const container of list(field(spec, 'ephemeralContainers'))) {
    const old = oldEphemeral.find((entry) => field(entry, 'name') === field(container, 'name'));
    if (old === undefined || containerChanged(container, old)) return true;
  }
  return false;
}

/** For other kinds: an update matters unless only metadata other than labels and annotations (or status) changed. */
function isSignificantObjectUpdate(object: JsonObject, old: JsonObject): boolean {
  const strip = (value: JsonObject): unknown => ({ ...value, metadata: { labels: field(value.metadata, 'labels'), annotations: field(value.metadata, 'annotations') }, status: undefined });
  return !sameJson(strip(object), strip(old));
}

/** Cuts text to at most `limit` UTF-8 bytes (what Kubernetes counts), marking the cut with "...". */
function truncate(text: string, limit: number, size = text.length * 3 <= limit ? 0 : Buffer.byteLength(text, 'utf8')): string {
  if (size <= limit) return text;
  let end = Math.min(text.length, limit - 3);
  while (end > 0 && Buffer.byteLength(text.slice(0, end), 'utf8') > limit - 3) end--;
  // Never split a surrogate pair.
  if (end > 0 && /[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}...`;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Warnings within Kubernetes' limits: each at most 256 bytes, all together at most 4,096. */
export function boundedWarnings(messages: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] ?? '';
    const size = bytes(message);
    const warning = size <= MAX_WARNING_CHARS ? message : truncate(message, MAX_WARNING_CHARS, size);
    const warningSize = warning === message ? size : bytes(warning);
    const remaining = messages.length - index - 1;
    // Keep room for the line that says how many were left out.
    const reserve = remaining > 0 ? 64 : 0;
    if (total + warningSize + reserve > MAX_WARNINGS_TOTAL_CHARS) {
      out.push(`... and ${messages.length - index} more finding(s); rampart scan lists them all`);
      return out;
    }
    out.push(warning);
    total += warningSize;
  }
  return out;
}

function describe(finding: Finding): string {
  return `[${finding.checkId}] ${finding.message}`;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** The webhook's compiled configuration: check lists, pod-template finder and exceptions are built once, not per request. */
export class Decider {
  private readonly checks: readonly Check[];
  private readonly templates: PodTemplateFinder;
  private readonly centralExceptions: readonly ExceptionRule[];
  private readonly keepLabels: boolean;
  private readonly disabled: ReadonlySet<string>;
  private readonly skipPss: ((check: { id: string }) => boolean) | undefined;

  /**
   * `customChecks`: checks beyond the catalogue (custom CEL checks from `--policies`), run like the
   * built-in ones. `vap`: ValidatingAdmissionPolicies enforced with their own validationActions.
   * `images`: the image result cache for the image gate (`--image-cache`, src/admission/images.ts).
   */
  constructor(
    readonly config: WebhookConfig,
    readonly customChecks: readonly Check[] = [],
    readonly vap?: VapPolicies,
    readonly images?: ImageLookup,
  ) {
    const scan = config.scan;
    this.disabled = scan.disabledChecks;
    // Per-object checks only: cross-object checks (NetworkPolicies selecting a pod, quotas, service
    // accounts) and the whole-input RBAC checks need the rest of the cluster, which one request does not carry.
    this.checks = [...hardeningChecks({ allowedRegistries: scan.allowedRegistries }), ...customChecks].filter((check) => check.afterInput !== true && !scan.disabledChecks.has(check.meta.id));
    this.templates = podTemplateFinderFor(scan);
    this.centralExceptions = scan.exceptions.map((entry) => ({ ...entry, source: 'config' }));
    this.keepLabels = scan.exceptions.some((entry) => entry.match.labels !== undefined);
    this.skipPss = this.disabled.size === 0 ? undefined : (check) => this.disabled.has(pssCheckId(check));
  }

  /**
   * The cluster index PSS reads a namespace's labels from. For labels that come straight from the
   * namespace source (`shared`), one index per labels object and namespace is kept while that object
   * lives (the source replaces it when the Namespace changes): no index, Namespace object and label
   * copy per review, and PSS reads the policy once (src/checks/pss/evaluate.ts).
   */
  private namespaceIndex(request: AdmissionRequest, namespace: string, labels: Readonly<Record<string, string>>, shared: boolean): ClusterIndex {
    const byName = shared ? this.namespaceIndexes.get(labels) : undefined;
    const known = byName?.get(namespace);
    if (known !== undefined) return known;
    const cluster = new ClusterIndex();
    cluster.addObject(requestObject(request, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } }));
    if (shared) {
      if (byName === undefined) this.namespaceIndexes.set(labels, new Map([[namespace, cluster]]));
      else if (byName.size < 16) byName.set(namespace, cluster);
    }
    return cluster;
  }

  private readonly namespaceIndexes = new WeakMap<object, Map<string, ClusterIndex>>();

  /** The pod-template locations (built in and configured), for mutation. */
  podTemplates(): PodTemplateFinder {
    return this.templates;
  }

  /** IDs of the checks the webhook runs besides PSS. */
  checkIds(): string[] {
    return this.checks.map((check) => check.meta.id);
  }

  /** What the check of existing pods on a tightened namespace needs from the configuration (src/admission/existingPods.ts). */
  existingPodOptions(): ExistingPodOptions {
    const { podSecurity, limits } = this.config.admission;
    return {
      templates: this.templates,
      exemptRuntimeClasses: podSecurity.exemptions.runtimeClasses,
      maxPods: limits.maxExistingPods,
      timeoutMs: limits.existingPodsTimeoutMs,
      stillDenying: (pod, check) => this.stillDenying(pod, check),
      ...(this.skipPss !== undefined ? { skip: this.skipPss } : {}),
    };
  }

  /**
   * The PSS checks that deny an existing pod under a namespace's new enforce policy once exceptions
   * are applied: the pod is judged as its CREATE would be, in a namespace labelled with that policy.
   * Undefined (judge by PSS alone) when no exception can apply to it.
   */
  private stillDenying(pod: JsonObject, check: NamespacePodCheck): ReadonlySet<string> | undefined {
    const metadata = isJsonObject(pod.metadata) ? pod.metadata : {};
    const annotations = isJsonObject(metadata.annotations) ? metadata.annotations : {};
    const annotated = Object.keys(annotations).some((key) => key === EXCEPTIONS_ANNOTATION || key.startsWith(CONTAINER_EXCEPTIONS_PREFIX));
    if (!annotated && this.centralExceptions.length === 0) return undefined;
    const object: JsonObject = { ...pod, apiVersion: 'v1', kind: 'Pod' };
    const name = typeof metadata.name === 'string' ? metadata.name : undefined;
    const request: AdmissionRequest = {
      uid: 'existing-pod',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      ...(name !== undefined ? { name } : {}),
      namespace: check.namespace,
      operation: 'CREATE',
      userInfo: {},
      object,
      oldObject: null,
      dryRun: true,
    };
    const labels = { [`${PSS_LABEL_PREFIX}enforce`]: check.level, [`${PSS_LABEL_PREFIX}enforce-version`]: check.version };
    const { findings, response } = this.decide(request, labels);
    // Refused before any check ran (too many containers): judge it by PSS alone.
    if (findings.length === 0 && !response.allowed) return undefined;
    return new Set(findings.filter((entry) => entry.action === 'deny' && entry.finding.checkId.startsWith('PSS-')).map((entry) => entry.finding.checkId));
  }

  /**
   * `leadingWarnings` go before the findings' warnings (and count against the same limits): the
   * existing-pod warnings of a tightened namespace, which the server gathers before it decides.
   */
  decide(request: AdmissionRequest, namespaceLabels: Readonly<Record<string, string>> | undefined, now: Date = new Date(), leadingWarnings: readonly string[] = []): Decision {
    const allow = (skipped: string, auditAnnotations?: Record<string, string>): Decision => ({
      response: { uid: request.uid, allowed: true, ...(auditAnnotations !== undefined ? { auditAnnotations } : {}) },
      skipped,
      findings: [],
      timings: {},
    });
    const isPod = request.kind.group === '' && request.kind.kind === 'Pod';
    if (request.subResource !== undefined) {
      // Kubernetes' rule: pod subresources are evaluated unless known to be harmless; other subresources (scale, status) carry no pod spec.
      if (!isPod || IGNORED_POD_SUBRESOURCES.has(request.subResource)) return allow('subresource');
    }
    if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow('operation');
    const raw = request.object;
    if (raw === null) return allow('operation');
    if (request.operation === 'UPDATE' && request.oldObject !== null) {
      const significant = isPod ? isSignificantPodUpdate(raw, request.oldObject) : isSignificantObjectUpdate(raw, request.oldObject);
      if (!significant) return allow('unchanged');
    }
    if (request.kind.group === '' && request.kind.kind === 'Namespace') {
      const refused = this.invalidPodSecurityLabels(request, raw);
      if (refused !== undefined) return { response: refused, findings: [], timings: {} };
    }
    const object = requestObject(request, raw);
    const namespace = object.namespace ?? 'default';
    const admission = this.config.admission;
    const tooMany = this.tooManyContainers(request, object);
    if (tooMany !== undefined) return { response: tooMany, findings: [], timings: {} };
    const audit: Record<string, string> = {};
    const timings: Partial<Record<CheckFamily, number>> = {};

    // Pod Security: which modes apply, and whether this request is exempt from them.
    const labels = effectiveLabels(namespaceLabels ?? {}, admission);
    if (namespaceLabels === undefined && object.kind !== 'Namespace' && request.namespace !== undefined) {
      audit['namespace-unknown'] = `namespace ${JSON.stringify(namespace)} is not in the namespace source; Pod Security defaults applied`;
    }
    const exemptions = admission.podSecurity.exemptions;
    const template = this.templates.find(object);
    const runtimeClassName = template.kind === 'template' ? template.template.spec.runtimeClassName : undefined;
    let exemption: string | undefined;
    if (exemptions.namespaces.includes(namespace)) exemption = 'namespace';
    else if (request.userInfo.username !== undefined && exemptions.usernames.includes(request.userInfo.username)) exemption = 'username';
    else if (typeof runtimeClassName === 'string' && exemptions.runtimeClasses.includes(runtimeClassName)) exemption = 'runtimeClass';
    if (exemption !== undefined) audit['pod-security-exempt'] = exemption;
    const judgePss = exemption === undefined && hasPodSecurityLabels(labels);

    let judgement: PodJudgement | undefined;
    let pssSeconds = 0;
    const deferred: DeferredPodCheck[] = [];
    if (judgePss) {
      // Labels straight from the namespace source are one object per namespace version: its index is kept.
      const cluster = this.namespaceIndex(request, namespace, labels, labels === namespaceLabels);
      // The scan's defaults never apply here: the labels always carry a policy.
      const defaults = LABELLED_DEFAULTS;
      deferred.push({
        run: (pssObject, pod) => {
          const started = performance.now();
          judgement = judgePod(pssObject, pod, cluster, defaults, { skip: this.skipPss, supplementary: true });
          const findings = judgementFindings(pssObject, judgement);
          pssSeconds += (performance.now() - started) / 1000;
          return { findings, checks: [] };
        },
      });
    }
    const started = performance.now();
    const scanner = new Scanner({ checks: this.checks, podTemplates: this.templates, deferredPodChecks: deferred, shareParts: false });
    scanner.add(object);
    let scanned = scanner.finish();
    timings.catalogue = (performance.now() - started) / 1000 - pssSeconds;
    if (judgePss) timings.pss = pssSeconds;
    // The image gate: cached scan results only, so it goes through exceptions like every finding.
    const imageVerdict = this.images === undefined ? undefined : judgeImages(object, this.templates, this.images, admission.images.denyAtOrAbove);
    if (imageVerdict !== undefined) {
      scanned = withFindings(scanned, imageVerdict.findings, []);
      if (imageVerdict.misses.length > 0) audit['image-cache-miss'] = truncate(imageVerdict.missedImages.join(', '), MAX_AUDIT_VALUE_CHARS);
      timings.images = (performance.now() - started) / 1000 - (timings.catalogue ?? 0) - pssSeconds;
    }

    const exceptionsStarted = performance.now();
    const collector = new ExceptionCollector({ inline: true, keepLabels: this.keepLabels });
    collector.observe(object);
    // Without any exception there is nothing to apply (and nothing to report as stale or expired).
    const rules = collector.inline.length === 0 && this.centralExceptions.length === 0 ? [] : [...collector.inline, ...this.centralExceptions];
    const outcome = rules.length === 0 ? { result: scanned, suppressed: [] } : applyExceptions(scanned, rules, { now, labels: collector.labels, ...(imageVerdict === undefined ? {} : { imageFacts: imageVerdict.facts }) });
    timings.exceptions = (performance.now() - exceptionsStarted) / 1000;
    if (outcome.suppressed.length > 0) {
      const counts = new Map<string, number>();
      for (const { finding } of outcome.suppressed) counts.set(finding.checkId, (counts.get(finding.checkId) ?? 0) + 1);
      audit['exceptions-applied'] = truncate([...counts].map(([id, count]) => (count === 1 ? id : `${id} (${count})`)).join(', '), MAX_AUDIT_VALUE_CHARS);
    }
    const problems = outcome.result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error' || diagnostic.code.startsWith('exception-'));
    if (problems.length > 0) audit.diagnostics = truncate(problems.map((diagnostic) => diagnostic.message).join('; '), MAX_AUDIT_VALUE_CHARS);

    const pssModes = pssModesByFinding(judgement);
    const controller = PSA_CONTROLLERS.has(`${groupOf(object.apiVersion)}/${object.kind}`) || (!isPod && this.templates.bearsPods(object));
    const decided: DecidedFinding[] = [];
    const pssAudit: string[] = [];
    for (const finding of outcome.result.findings) {
      const modes = pssModes(finding);
      if (modes !== undefined) {
        if (modes.audit) pssAudit.push(describe(finding));
        const enforce = modes.enforce && !modes.supplementary && (isPod || (controller && admission.podSecurity.enforceOnControllers));
        // As PSA: controllers are only warned and audited (a namespace with enforce and no warn label
        // warns at the enforce level, see namespacePolicy); a violation of no active mode is dropped.
        decided.push({ finding, action: enforce ? 'deny' : modes.warn ? 'warn' : modes.audit ? 'audit' : 'ignore' });
      } else {
        // Image findings exist only at or above admission.images.denyAtOrAbove: that threshold is their rule.
        decided.push({ finding, action: finding.checkId === IMAGE_CHECK_ID ? 'deny' : this.actionFor(finding, namespace) });
      }
    }
    if (judgement?.policy !== undefined) {
      const enforcePolicy = judgement.policy.modes.enforce;
      if (isPod) audit['pod-security-enforce-policy'] = `${enforcePolicy.level}:${enforcePolicy.requestedVersion}`;
      if (judgement.policy.problems.length > 0) audit['pod-security-label-error'] = truncate(judgement.policy.problems.map((problem) => `${problem.label}=${problem.value}: ${problem.message}`).join('; '), MAX_AUDIT_VALUE_CHARS);
    }
    if (pssAudit.length > 0) audit['pod-security-audit-violations'] = truncate(pssAudit.join('; '), MAX_AUDIT_VALUE_CHARS);
    const audited = decided.filter((entry) => entry.action === 'audit' && !entry.finding.checkId.startsWith('PSS-'));
    if (audited.length > 0) audit['audit-findings'] = truncate(audited.map((entry) => describe(entry.finding)).join('; '), MAX_AUDIT_VALUE_CHARS);

    let vapVerdict: ReturnType<typeof evaluateVap> | undefined;
    if (this.vap !== undefined) {
      const vapStarted = performance.now();
      vapVerdict = evaluateVap(this.vap, request, namespaceLabels);
      timings.vap = (performance.now() - vapStarted) / 1000;
      Object.assign(audit, vapVerdict.auditAnnotations);
      if (vapVerdict.problem !== undefined) audit['vap-error'] = truncate(vapVerdict.problem, MAX_AUDIT_VALUE_CHARS);
    }

    const denied = decided.filter((entry) => entry.action === 'deny');
    const vapDenials = vapVerdict?.denials ?? [];
    const kindName = `${object.kind} ${JSON.stringify(object.name)}`;
    let response: AdmissionResponse;
    if (denied.length > 0 || vapDenials.length > 0) {
      audit.decision = 'denied';
      const allCauses: StatusCause[] = [
        ...denied.map(({ finding }) => ({ reason: finding.checkId, message: finding.message, ...(finding.path !== undefined ? { field: formatPath(finding.path) } : {}) })),
        ...vapDenials.map(({ policy, message }) => ({ reason: `ValidatingAdmissionPolicy/${policy}`, message })),
      ];
      // The response stays small whatever the object: the API server copies it into its own error.
      const causes = allCauses.length <= MAX_CAUSES ? allCauses : [...allCauses.slice(0, MAX_CAUSES), { reason: 'MoreCauses', message: `${allCauses.length - MAX_CAUSES} more denying finding(s); rampart scan lists them all` }];
      response = {
        uid: request.uid,
        allowed: false,
        status: {
          code: 403,
          reason: 'Forbidden',
          message: truncate(
            `${kindName} is forbidden by Rampart: ${[...denied.map(({ finding }) => describe(finding)), ...vapDenials.map(({ policy, message }) => `[ValidatingAdmissionPolicy ${policy}] ${message}`)].join('; ')}`,
            MAX_STATUS_MESSAGE_BYTES,
          ),
          details: { causes },
        },
        auditAnnotations: audit,
      };
    } else {
      audit.decision = 'allowed';
      const warned = [...leadingWarnings, ...decided.filter((entry) => entry.action === 'warn').map((entry) => describe(entry.finding)), ...(vapVerdict?.warnings ?? []), ...(imageVerdict?.misses ?? [])];
      response = { uid: request.uid, allowed: true, ...(warned.length > 0 ? { warnings: boundedWarnings(warned) } : {}), auditAnnotations: audit };
    }
    return { response, findings: decided, timings, object };
  }

  /**
   * PSA's check of a Namespace's own labels: invalid Pod Security labels are
   * refused on CREATE, and on UPDATE when they differ from the problems the
   * namespace already had (so an old mistake does not block unrelated edits).
   */
  private invalidPodSecurityLabels(request: AdmissionRequest, raw: JsonObject): AdmissionResponse | undefined {
    const metadataName = field(raw.metadata, 'name');
    const name = typeof metadataName === 'string' ? metadataName : (request.name ?? '');
    const problemsOf = (object: JsonObject | null): LabelProblem[] => {
      const labels = field(object?.metadata, 'labels');
      const strings: Record<string, string> = {};
      if (isJsonObject(labels)) for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') strings[key] = value;
      return [...(namespacePolicy(name, strings)?.problems ?? [])];
    };
    const problems = problemsOf(raw);
    if (problems.length === 0) return undefined;
    if (request.operation === 'UPDATE' && sameJson(problems, problemsOf(request.oldObject))) return undefined;
    const described = problems.map((problem) => `${problem.label}=${JSON.stringify(problem.value)}: ${problem.message}`);
    return {
      uid: request.uid,
      allowed: false,
      status: {
        code: 422,
        reason: 'Invalid',
        message: `Namespace ${JSON.stringify(name)} is invalid: ${described.join('; ')}`,
        details: { causes: problems.map((problem) => ({ reason: 'FieldValueInvalid', message: problem.message, field: `metadata.labels[${problem.label}]` })) },
      },
      auditAnnotations: { decision: 'denied', 'pod-security-label-error': truncate(described.join('; '), MAX_AUDIT_VALUE_CHARS) },
    };
  }

  /**
   * Check time and response size grow with the number of containers; one pod
   * with thousands of them would hold the event loop for seconds and stall
   * every other review. Such a pod is denied before any check runs.
   */
  private tooManyContainers(request: AdmissionRequest, object: KubeObject): AdmissionResponse | undefined {
    const template = this.templates.find(object);
    if (template.kind !== 'template') return undefined;
    const count = ['containers', 'initContainers', 'ephemeralContainers'].reduce((sum, kind) => sum + list(template.template.spec[kind]).length, 0);
    const limit = this.config.admission.limits.maxContainers;
    if (count <= limit) return undefined;
    const message = `${object.kind} ${JSON.stringify(object.name)} has ${count} containers, more than the admission webhook's limit of ${limit} (admission.limits.maxContainers); it was not evaluated`;
    return {
      uid: request.uid,
      allowed: false,
      status: { code: 422, reason: 'Invalid', message, details: { causes: [{ reason: 'TooManyContainers', message, field: formatPath(template.template.specPath) }] } },
      auditAnnotations: { decision: 'denied', 'limit-exceeded': `${count} containers > ${limit}` },
    };
  }

  /** The config's first matching rule, or the default action. */
  actionFor(finding: Finding, namespace: string): FindingAction {
    for (const rule of this.config.admission.rules) {
      if (rule.checks !== undefined && !rule.checks.includes(finding.checkId)) continue;
      if (rule.minSeverity !== undefined && severityRank(finding.severity) < severityRank(rule.minSeverity)) continue;
      if (rule.namespaces !== undefined && !rule.namespaces.includes(namespace)) continue;
      if (rule.kinds !== undefined && !rule.kinds.includes(finding.object.kind)) continue;
      return rule.action;
    }
    return this.config.admission.defaultAction;
  }

  /** Whether mutation applies to a namespace: globally, by name, or by the namespace's label. */
  mutates(namespace: string | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
    const mutation = this.config.admission.mutation;
    if (mutation.enabled) return true;
    if (namespace !== undefined && mutation.namespaces.includes(namespace)) return true;
    return labels?.[MUTATE_LABEL] === 'enabled';
  }
}

interface FindingModes {
  readonly enforce: boolean;
  readonly audit: boolean;
  readonly warn: boolean;
  readonly supplementary: boolean;
}

/**
 * Maps a PSS finding back to the modes whose violation produced it. The
 * finding's message starts with its offense's message (the rest names the
 * modes), and its check and path are the offense's. Modes are kept as bits,
 * and each entry's answer is made once.
 */
function pssModesByFinding(judgement: PodJudgement | undefined): (finding: Finding) => FindingModes | undefined {
  interface Entry {
    readonly prefix: string;
    modes: number;
    supplementary: boolean;
    answer: FindingModes | undefined;
  }
  // Keyed by check and path, so a pod with many containers does not compare every offense with every other.
  const entries = new Map<string, Entry[]>();
  for (const violation of judgement?.violations ?? []) {
    const id = pssCheckId(violation.check);
    for (const offense of violation.offenses) {
      const key = `${id}\n${offense.path.join('\0')}`;
      const prefix = offenseMessage(offense);
      let bucket = entries.get(key);
      if (bucket === undefined) entries.set(key, (bucket = []));
      let entry = bucket.find((candidate) => candidate.prefix === prefix);
      if (entry === undefined) bucket.push((entry = { prefix, modes: 0, supplementary: violation.supplementary, answer: undefined }));
      for (const mode of violation.modes) entry.modes |= modeBit(mode);
      entry.supplementary = entry.supplementary && violation.supplementary;
    }
  }
  return (finding) => {
    if (!finding.checkId.startsWith('PSS-') || finding.path === undefined) return undefined;
    const entry = entries.get(`${finding.checkId}\n${finding.path.join('\0')}`)?.find((candidate) => finding.message.startsWith(candidate.prefix));
    if (entry === undefined) return undefined;
    const { modes } = entry;
    return (entry.answer ??= { enforce: (modes & modeBit('enforce')) !== 0, audit: (modes & modeBit('audit')) !== 0, warn: (modes & modeBit('warn')) !== 0, supplementary: entry.supplementary });
  };
}
