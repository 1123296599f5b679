/**
 * The scan engine: objects in, findings out. Every front-end (files, stdin,
 * later a cluster or an admission request) feeds objects through `Scanner`,
 * so the same object always gets the same verdict.
 */
import type { Check, CheckContext, CheckReport } from '../checks/types.js';
import { ClusterIndex } from '../model/clusterIndex.js';
import { definedKind, isBuiltinKind } from '../model/knownKinds.js';
import { apiGroup, PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView, type PodView } from '../model/podView.js';
import { locate, objectRef, severityRank, type Diagnostic, type FieldPath, type Finding, type KubeObject, type ObjectRef, type Severity, type SourceLocation } from '../model/types.js';

export interface ScannerOptions {
  readonly checks: readonly Check[];
  readonly podTemplates?: PodTemplateFinder;
  /**
   * Checks that need the whole input before they can judge a pod (Pod
   * Security Standards read their namespace's labels). Called once per
   * pod-bearing object after every object has been seen.
   */
  readonly deferredPodChecks?: readonly DeferredPodCheck[];
  /** Checks that judge the input as a whole (RBAC: a binding means nothing without its role, wherever it is). */
  readonly wholeInputChecks?: readonly WholeInputCheck[];
  /**
   * Share equal paths, fixes and messages between findings (default true):
   * large inputs repeat them thousands of times. A Scanner that judges one
   * object (the admission webhook, one per review) gains nothing and would pay
   * a table lookup (a hash of the whole message) and an entry per finding, so
   * it turns this off. The findings are equal either way.
   */
  readonly shareParts?: boolean;
}

export interface WholeInputCheck {
  /** Sees every object once, in input order (keep only what is needed); returns the IDs of the checks that will judge it. */
  readonly observe: (object: KubeObject, pod: PodView | undefined) => readonly string[];
  /** Called once after the last object. */
  readonly finish: () => readonly Finding[];
}

export interface DeferredPodCheck {
  readonly run: (object: KubeObject, pod: PodView, cluster: ClusterIndex) => DeferredPodResult;
}

export interface DeferredPodResult {
  readonly findings: readonly Finding[];
  /** IDs of the checks that judged the pod, whether or not they reported. */
  readonly checks: readonly string[];
}

/** An object the scan looked at, with or without findings: reporters list clean objects too. */
export interface ScannedObject {
  readonly object: ObjectRef;
  /** Where the object starts (its document, or its item in a List). */
  readonly location: SourceLocation;
  /** IDs of the checks that judged this object. */
  readonly checks: readonly string[];
}

export interface ScanSummary {
  readonly files: number;
  readonly objects: number;
  readonly findings: number;
  readonly bySeverity: Record<Severity, number>;
  readonly diagnostics: { readonly errors: number; readonly warnings: number };
}

export interface ScanResult {
  readonly findings: Finding[];
  /** Every object scanned, in input order. */
  readonly objects: ScannedObject[];
  readonly diagnostics: Diagnostic[];
  readonly summary: ScanSummary;
}

interface PendingCheck {
  readonly check: Check;
  readonly context: CheckContext;
  readonly ref: ObjectRef;
  readonly group: string;
}

interface PendingPod {
  readonly object: KubeObject;
  readonly pod: PodView;
  /** The object's index in `Scanner.scanned`. */
  readonly index: number;
  readonly group: string;
}

/** What a Scanner still holds for later judgement (see `Scanner.held`). */
export interface HeldWork {
  /** After-input check runs waiting, each holding its object (and pod view). */
  readonly checks: number;
  /** Pod-bearing objects waiting for the deferred pod checks. */
  readonly pods: number;
  /** Distinct objects those hold. */
  readonly objects: number;
}

/**
 * Group of objects cluster-scoped objects belong to: judged at `finish` only.
 * Not a valid namespace name.
 */
const WHOLE_INPUT = '*';

/**
 * The namespace whose completion an object's deferred checks wait for: its
 * own, or for a Namespace the one it names (its checks read that namespace's
 * policies and quotas); objects without a namespace wait for the whole input.
 */
function groupOf(object: KubeObject): string {
  if (object.kind === 'Namespace' && object.apiVersion === 'v1') return object.name;
  return object.namespace === undefined || object.namespace === '' ? WHOLE_INPUT : object.namespace;
}

/** The checks in run order, per checks array, so scanners built for the same catalogue share the work. */
const PLANS = new WeakMap<readonly Check[], { readonly all: readonly Check[]; readonly objectChecks: readonly Check[] }>();

/** Distinct locations of one object's findings that the scanner compares a new one with (see Scanner.locationOf). */
const LOCATIONS_PER_OBJECT = 16;

/** Distinct finding messages the scanner shares between findings (see Scanner.keep). */
const MESSAGE_TABLE_LIMIT = 200_000;

/**
 * How often (in message lookups) the scanner asks whether sharing messages pays: it stops once
 * fewer than half of the lookups so far found an equal message (see Scanner.shared).
 */
const MESSAGE_SHARING_REVIEW = 10_000;

export class Scanner {
  private readonly findings: Finding[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly cluster = new ClusterIndex();
  /** Pod-bearing objects waiting for the deferred pod checks; `group` is the namespace whose completion they wait for. */
  private pending: PendingPod[] = [];
  /** Cross-object checks (`afterInput`) wait here until `finish` (or their namespace's `finishNamespace`), when what they read is complete. */
  private afterInput: PendingCheck[] = [];
  /** Namespaces judged by `finishNamespace`; an object of one arriving later is reported. */
  private readonly finishedNamespaces = new Set<string>();
  private readonly lateNamespaces = new Set<string>();
  private readonly scanned: Array<ScannedObject & { checks: readonly string[] }> = [];
  /** Each scanned object's check IDs so far (index-aligned with `scanned`), as a node of the `checkLists` tree. */
  private checkListOf: CheckList[] = [];
  private readonly podTemplates: PodTemplateFinder;
  private readonly allChecks: readonly Check[];
  private readonly objectChecks: readonly Check[];
  private files = new Set<string>();
  private objects = 0;
  /** Kinds neither built in, configured, nor defined by a CRD so far: group/kind → first object and count. */
  private readonly unknownKinds = new Map<string, { object: KubeObject; count: number }>();
  private readonly definedKinds = new Set<string>();
  private readonly messages = new Map<string, string>();
  /** Whether equal messages are still shared, and the lookups and hits that decide it (see `shared`). */
  private sharingMessages = true;
  private messageLookups = 0;
  private messageHits = 0;
  /** Paths shared between findings that have equal ones (every pod's memory-limit finding has the same path), as a tree of segments. */
  private readonly paths: PathNode = { children: undefined, path: undefined };
  private pathNodes = 0;
  /** Fixes shared the same way, by their JSON text. */
  private readonly fixes = new Map<string, FindingFix>();
  /** The object whose findings were made last, and the distinct locations they have (up to LOCATIONS_PER_OBJECT). */
  private locationsOf: KubeObject | undefined;
  private readonly locations: SourceLocation[] = [];
  /** Objects judged by the same checks in the same order (most pods of a cluster) share one node of this tree, and one list of IDs. */
  private checkLists = new CheckList(undefined, '');

  constructor(private readonly options: ScannerOptions) {
    this.podTemplates = options.podTemplates ?? new PodTemplateFinder();
    this.sharePart = options.shareParts === false ? copyPart : this.keepPart;
    if (options.shareParts === false) this.sharingMessages = false;
    let plan = PLANS.get(options.checks);
    if (plan === undefined) {
      // Checks run in ID order, so each object's list of check IDs is built nearly sorted and
      // sorting it in `finish` is one pass (the admission webhook builds a Scanner per request).
      const ordered = [...options.checks].sort((a, b) => compare(a.meta.id, b.meta.id));
      plan = { all: ordered, objectChecks: ordered.filter((check) => check.needsPod !== true) };
      PLANS.set(options.checks, plan);
    }
    this.allChecks = plan.all;
    this.objectChecks = plan.objectChecks;
  }

  addDiagnostics(diagnostics: readonly Diagnostic[]): void {
    this.diagnostics.push(...diagnostics);
  }

  noteFile(file: string): void {
    this.files.add(file);
  }

  /** Scans one object: per-object checks run now, deferred pod checks at `finish`. */
  add(object: KubeObject): void {
    this.objects++;
    this.files.add(object.source.file);
    this.noteKind(object);
    let pod: PodView | undefined;
    const template = this.podTemplates.find(object);
    this.cluster.addObject(object, template.kind === 'template' ? template.template : undefined);
    if (template.kind === 'invalid') {
      this.diagnostic(object, template.path, 'invalid-field', `${object.kind} ${object.name}: ${template.message}; pod checks skipped`, 'error');
    } else if (template.kind === 'template') {
      pod = buildPodView(template.template);
      for (const problem of pod.problems) {
        this.diagnostic(object, problem.path, 'invalid-field', `${object.kind} ${object.name}: ${problem.message}; the field is ignored`, 'error');
      }
    }
    const context = { object, pod, cluster: this.cluster };
    const scanned = { object: objectRef(object), location: locate(object), checks: NO_CHECKS };
    const index = this.scanned.push(scanned) - 1;
    let checks = this.checkLists;
    const group = groupOf(object);
    if (this.finishedNamespaces.has(group)) this.late(object, group);
    for (const check of pod === undefined ? this.objectChecks : this.allChecks) {
      if (check.appliesTo !== undefined && !check.appliesTo(object)) continue;
      checks = checks.with(check.meta.id);
      if (check.afterInput === true) this.afterInput.push({ check, context, ref: scanned.object, group });
      else this.runCheck(check, context, scanned.object);
    }
    for (const check of this.options.wholeInputChecks ?? []) for (const id of check.observe(object, pod)) checks = checks.with(id);
    this.checkListOf.push(checks);
    if (pod !== undefined && (this.options.deferredPodChecks?.length ?? 0) > 0) this.pending.push({ object, pod, index, group });
  }

  /**
   * Judges a namespace whose objects have all been added: its after-input
   * checks and deferred pod checks run now, and the Scanner (and its cluster
   * index) let go of its objects, pod views and contexts. Findings are those
   * `finish` would give, provided that
   * - every object of the namespace (metadata.namespace set), its Namespace,
   *   and every cluster-scoped object were added before this call, and
   * - no object of the namespace comes later (one that does is reported with
   *   a warning and judged at `finish` against what is left).
   * Only front-ends that know a namespace is complete call this (a cluster
   * read in namespace order, src/cluster/read.ts); file scans do not, and
   * whole-input checks (RBAC) still see every object and report at `finish`.
   */
  finishNamespace(namespace: string): void {
    if (namespace === WHOLE_INPUT || this.finishedNamespaces.has(namespace)) return;
    // "Does the input hold pods at all" (service-selects-no-pods) is not known while no pod has
    // been seen: such a namespace (it has no pods of its own) is left for `finish`, objects and all.
    if (!this.cluster.hasPods()) return;
    this.finishedNamespaces.add(namespace);
    const checks = this.afterInput;
    this.afterInput = checks.filter((entry) => entry.group !== namespace);
    for (const entry of checks) if (entry.group === namespace) this.runCheck(entry.check, entry.context, entry.ref);
    const pods = this.pending;
    this.pending = pods.filter((entry) => entry.group !== namespace);
    for (const entry of pods) if (entry.group === namespace) this.runDeferred(entry);
    // Objects without metadata.namespace are indexed under default and judged at `finish`: keep default's index.
    if (namespace !== 'default') this.cluster.releaseNamespace(namespace);
    this.locationsOf = undefined;
    this.locations.length = 0;
  }

  /** How much deferred work (and so how many objects) the Scanner holds right now. */
  held(): HeldWork {
    const objects = new Set<KubeObject>();
    for (const entry of this.afterInput) objects.add(entry.context.object);
    for (const entry of this.pending) objects.add(entry.object);
    return { checks: this.afterInput.length, pods: this.pending.length, objects: objects.size };
  }

  finish(): ScanResult {
    for (const [key, { object, count }] of this.unknownKinds) {
      if (this.definedKinds.has(key)) continue;
      const others = count > 1 ? ` (${count} objects of this kind; this is the first)` : '';
      this.diagnostic(
        object,
        ['kind'],
        'unknown-kind',
        `kind ${object.kind} (${object.apiVersion}) is not a built-in Kubernetes kind and no CustomResourceDefinition for it is in the input${others}; only checks that apply to every object ran. If it carries a pod template, add it to podTemplates in the config file`,
        'warning',
      );
    }
    this.unknownKinds.clear();
    for (const { check, context, ref } of this.afterInput) this.runCheck(check, context, ref);
    this.afterInput = [];
    for (const entry of this.pending) this.runDeferred(entry);
    this.pending = [];
    for (const check of this.options.wholeInputChecks ?? []) this.findings.push(...check.finish());
    sortFindings(this.findings);
    for (let index = 0; index < this.scanned.length; index++) (this.scanned[index] as { checks: readonly string[] }).checks = (this.checkListOf[index] as CheckList).sortedIds();
    this.checkListOf = [];
    this.checkLists = new CheckList(undefined, '');
    return {
      findings: this.findings,
      objects: this.scanned,
      diagnostics: this.diagnostics,
      summary: summaryOf(this.files.size, this.objects, this.findings, this.diagnostics),
    };
  }

  private runDeferred({ object, pod, index }: PendingPod): void {
    let checks = this.checkListOf[index] as CheckList;
    for (const deferred of this.options.deferredPodChecks ?? []) {
      const result = deferred.run(object, pod, this.cluster);
      for (const finding of result.findings) this.keep(finding);
      for (const id of result.checks) checks = checks.with(id);
    }
    this.checkListOf[index] = checks;
  }

  /** An object of a namespace already judged: its cross-object verdicts (and its neighbours') may miss it. */
  private late(object: KubeObject, namespace: string): void {
    if (this.lateNamespaces.has(namespace)) return;
    this.lateNamespaces.add(namespace);
    this.diagnostic(object, [], 'namespace-reopened', `${object.kind} ${object.name} of namespace ${namespace} arrived after that namespace was judged; cross-object checks in it (network policies, quotas, Pod Security) may not have seen it`, 'warning');
  }

  /** Runs one check on one object; `ref` is the object's reference, shared by its findings. */
  private runCheck(check: Check, context: CheckContext, ref: ObjectRef): void {
    let reports: readonly CheckReport[];
    try {
      reports = check.run(context);
    } catch (error) {
      // A throwing check is a Rampart bug; report it and keep scanning.
      this.diagnostic(context.object, [], 'internal-error', `check ${check.meta.id} failed on ${context.object.kind} ${context.object.name}: ${error instanceof Error ? error.message : String(error)}`, 'error');
      return;
    }
    for (const report of reports) {
      this.findings.push(toFinding(check, context.object, report, ref, this.shared(report.message), this.locationOf(context.object, report.path ?? []), this.sharePart));
    }
  }

  /**
   * Where a path of an object is; findings of one object at the same place share one location
   * (several checks point at one container's securityContext; every finding of an object read from
   * a cluster is at its line 1).
   */
  private locationOf(object: KubeObject, path: FieldPath): SourceLocation {
    const location = locate(object, path);
    const known = this.locations;
    if (this.locationsOf !== object) {
      this.locationsOf = object;
      known.length = 0;
    }
    for (const candidate of known) if (candidate.line === location.line && candidate.column === location.column) return candidate;
    if (known.length < LOCATIONS_PER_OBJECT) known.push(location);
    return location;
  }

  /**
   * Keeps a finding until the report. Messages repeat across objects (every
   * pod of a large cluster gets "container app has no memory limit"), so equal
   * messages share one string; the table stops growing at MESSAGE_TABLE_LIMIT
   * distinct messages.
   */
  private keep(finding: Finding): void {
    // Strings compare by content, so whether an equal message was kept before is asked of the table, not of `===`.
    const known = this.knownMessage(finding.message);
    // An equal message seen before: the finding takes that string, and its own (usually built by concatenation) is freed.
    this.findings.push(this.compact(known === undefined ? finding : { ...finding, message: known }));
  }

  /** The finding with its path and fix replaced by equal ones kept before (a finding's parts are never changed after it is made). */
  private compact(finding: Finding): Finding {
    if ((finding.path === undefined && finding.fix === undefined) || this.sharePart === copyPart) return finding;
    const path = finding.path === undefined ? undefined : this.sharePart('path', finding.path);
    const fix = finding.fix === undefined ? undefined : this.sharePart('fix', finding.fix);
    if (path === finding.path && fix === finding.fix) return finding;
    return { ...finding, ...(path === undefined ? {} : { path }), ...(fix === undefined ? {} : { fix }) };
  }

  /** Shares equal paths and fixes (`keepPart`), or only copies them when `shareParts` is false; chosen once. */
  private readonly sharePart: PartSharer;

  /**
   * A path or fix equal to `part` kept before, or an exact-size copy of it, kept while the tables have room.
   * Paths are looked up segment by segment in a tree (no key string per finding); fixes, rarer, by their JSON text.
   */
  private readonly keepPart = ((kind: 'path' | 'fix', part: FieldPath | NonNullable<CheckReport['fix']>): FindingPath | FindingFix => {
    if (kind === 'path') return this.keepPath(part as FieldPath);
    const key = JSON.stringify(part);
    const known = this.fixes.get(key);
    if (known !== undefined) return known;
    const copy = copyPart('fix', part as NonNullable<CheckReport['fix']>);
    if (this.fixes.size < MESSAGE_TABLE_LIMIT) this.fixes.set(key, copy);
    return copy;
  }) as PartSharer;

  private keepPath(path: FieldPath): FindingPath {
    let node = this.paths;
    for (const segment of path) {
      let child = node.children?.get(segment);
      if (child === undefined) {
        if (this.pathNodes >= MESSAGE_TABLE_LIMIT) return path.slice();
        child = { children: undefined, path: undefined };
        (node.children ??= new Map()).set(segment, child);
        this.pathNodes++;
      }
      node = child;
    }
    return (node.path ??= path.slice());
  }

  /**
   * An equal message kept before, or this one, now kept. Sharing pays where messages repeat (every
   * pod whose container `app` has no memory limit: 199 against 267 bytes per finding in
   * bench/findingMemory.mjs) and costs where they do not: a lookup hashes the whole message and a
   * miss adds an entry. Where most messages name their object (88% distinct on the 100,000
   * generated objects), the table cost 0.6–0.9 s of a 10 s scan and saved no memory, so the
   * scanner stops looking once fewer than half of its lookups have found an equal message, asked
   * every MESSAGE_SHARING_REVIEW lookups. The output is the same either way.
   */
  private shared(message: string): string {
    return this.knownMessage(message) ?? message;
  }

  /** An equal message kept before; undefined when there is none (the message is then kept, while sharing pays). */
  private knownMessage(message: string): string | undefined {
    if (!this.sharingMessages) return undefined;
    const known = this.messages.get(message);
    this.messageLookups++;
    if (known !== undefined) this.messageHits++;
    if (this.messageLookups % MESSAGE_SHARING_REVIEW === 0 && this.messageHits * 2 < this.messageLookups) {
      this.sharingMessages = false;
      this.messages.clear();
    }
    if (known === undefined && this.sharingMessages && this.messages.size < MESSAGE_TABLE_LIMIT) this.messages.set(message, message);
    return known;
  }

  private noteKind(object: KubeObject): void {
    const defined = definedKind(object);
    if (defined !== undefined) this.definedKinds.add(defined);
    if (isBuiltinKind(object.apiVersion, object.kind) || this.podTemplates.bearsPods(object)) return;
    const key = `${apiGroup(object.apiVersion)}/${object.kind}`;
    const seen = this.unknownKinds.get(key);
    if (seen !== undefined) seen.count++;
    else this.unknownKinds.set(key, { object, count: 1 });
  }

  private diagnostic(object: KubeObject, path: readonly (string | number)[], code: string, message: string, severity: Diagnostic['severity']): void {
    const location = locate(object, path);
    this.diagnostics.push({ severity, code, message, file: location.file, documentIndex: location.documentIndex, line: location.line, column: location.column });
  }
}

const NO_CHECKS: readonly string[] = [];

/**
 * A list of check IDs as a node of a tree: the list is the IDs on the way from the root, and
 * adding an ID moves to a child. Objects judged by the same checks end at the same node, so a
 * scan holds one node per distinct list rather than an array per object, and sorts each distinct
 * list once.
 */
class CheckList {
  /** The first child, kept apart: most nodes have one, and a Scanner that judges one object (the webhook's) then makes no Map. */
  private firstId: string | undefined;
  private firstChild: CheckList | undefined;
  private others: Map<string, CheckList> | undefined;
  private sorted: string[] | undefined;

  constructor(
    private readonly parent: CheckList | undefined,
    private readonly id: string,
  ) {}

  with(id: string): CheckList {
    if (this.firstChild !== undefined && this.firstId === id) return this.firstChild;
    let child = this.others?.get(id);
    if (child === undefined) {
      child = new CheckList(this, id);
      if (this.firstChild === undefined) {
        this.firstId = id;
        this.firstChild = child;
      } else {
        (this.others ??= new Map()).set(id, child);
      }
    }
    return child;
  }

  /** The IDs in code-unit order (`Array.prototype.sort`'s default), one array per node. */
  sortedIds(): string[] {
    if (this.sorted === undefined) {
      const ids: string[] = [];
      if (this.parent !== undefined) {
        ids.push(this.id);
        for (let node = this.parent; node.parent !== undefined; node = node.parent) ids.push(node.id);
      }
      this.sorted = ids.sort();
    }
    return this.sorted;
  }
}

/**
 * A check's report as a finding. A large scan holds hundreds of thousands of
 * findings until its report is written, so each one is kept small: findings of
 * one object share its `ref`, and paths (the finding's and its fix's) are
 * copied into arrays of exactly their length (paths built with spread syntax
 * carry twice their size in spare capacity).
 */
export function toFinding(
  check: Check,
  object: KubeObject,
  report: CheckReport,
  ref: ObjectRef = objectRef(object),
  message = report.message,
  location: SourceLocation = locate(object, report.path ?? []),
  /** Returns a kept path or fix equal to the one given, or an exact-size copy of it (the Scanner shares equal ones between findings). */
  share: PartSharer = copyPart,
): Finding {
  // The optional fields are added after the others, in this order (the key order of every report
  // format); no object is made and spread per optional field.
  const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
    checkId: check.meta.id,
    severity: check.meta.severity,
    title: check.meta.title,
    message,
    object: ref,
    location,
    frameworks: check.meta.frameworks,
  };
  if (report.container !== undefined) finding.container = report.container;
  if (report.path !== undefined) finding.path = share('path', report.path);
  if (report.fix !== undefined && report.fix.length > 0) finding.fix = share('fix', report.fix);
  return finding;
}

/** A node of the tree of shared paths: the path ending here, once one has, and the segments that continue it. */
interface PathNode {
  children: Map<string | number, PathNode> | undefined;
  path: FindingPath | undefined;
}

type FindingPath = NonNullable<Finding['path']>;
type FindingFix = NonNullable<Finding['fix']>;

export interface PartSharer {
  (kind: 'path', part: FieldPath): FindingPath;
  (kind: 'fix', part: NonNullable<CheckReport['fix']>): FindingFix;
}

/** Exact-size copies: paths (the finding's and its fix's) built with spread syntax carry twice their size in spare capacity. */
function copyPart(kind: 'path', part: FieldPath): FindingPath;
function copyPart(kind: 'fix', part: NonNullable<CheckReport['fix']>): FindingFix;
function copyPart(kind: 'path' | 'fix', part: FieldPath | NonNullable<CheckReport['fix']>): FindingPath | FindingFix {
  return kind === 'path' ? (part as FieldPath).slice() : (part as NonNullable<CheckReport['fix']>).map((edit) => ({ ...edit, path: edit.path.slice() }));
}

/** Stable order: by file, line, then severity (most severe first), then check. */
export function sortFindings(findings: Finding[]): void {
  findings.sort(atOnePlace(findings) ? BY_SEVERITY_CHECK_MESSAGE : BY_PLACE_SEVERITY_CHECK);
}

const BY_PLACE_SEVERITY_CHECK = (a: Finding, b: Finding): number =>
  compare(a.location.file, b.location.file) ||
  a.location.documentIndex - b.location.documentIndex ||
  a.location.line - b.location.line ||
  severityRank(b.severity) - severityRank(a.severity) ||
  compare(a.checkId, b.checkId) ||
  a.location.column - b.location.column ||
  compare(a.message, b.message);

/** The same order where every location is equal (the admission webhook's one object, whose fields are all at line 1). */
const BY_SEVERITY_CHECK_MESSAGE = (a: Finding, b: Finding): number => severityRank(b.severity) - severityRank(a.severity) || compare(a.checkId, b.checkId) || compare(a.message, b.message);

function atOnePlace(findings: readonly Finding[]): boolean {
  const first = findings[0]?.location;
  if (first === undefined) return true;
  for (const { location } of findings) {
    if (location !== first && (location.file !== first.file || location.documentIndex !== first.documentIndex || location.line !== first.line || location.column !== first.column)) return false;
  }
  return true;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const finding of findings) {
    if (worst === undefined || severityRank(finding.severity) > severityRank(worst)) worst = finding.severity;
  }
  return worst;
}

/** The summary's counts for these findings and diagnostics. */
export function summaryOf(files: number, objects: number, findings: readonly Finding[], diagnostics: readonly Diagnostic[]): ScanSummary {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of findings) bySeverity[finding.severity]++;
  return {
    files,
    objects,
    findings: findings.length,
    bySeverity,
    diagnostics: {
      errors: diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length,
      warnings: diagnostics.filter((diagnostic) => diagnostic.severity === 'warning').length,
    },
  };
}

/** The result with other findings and diagnostics (exceptions, a baseline, image findings), its summary counted again. */
export function withContents(result: ScanResult, findings: Finding[], diagnostics: Diagnostic[]): ScanResult {
  return { ...result, findings, diagnostics, summary: summaryOf(result.summary.files, result.summary.objects, findings, diagnostics) };
}

/** A result with more findings and diagnostics (from a front-end that judges more than objects, such as images), re-sorted and re-counted. */
export function withFindings(result: ScanResult, findings: readonly Finding[], diagnostics: readonly Diagnostic[]): ScanResult {
  if (findings.length === 0 && diagnostics.length === 0) return result;
  const all = [...result.findings, ...findings];
  sortFindings(all);
  return withContents(result, all, [...result.diagnostics, ...diagnostics]);
}
