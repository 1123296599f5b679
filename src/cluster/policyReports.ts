/**
 * Findings as `wgpolicyk8s.io/v1alpha2` PolicyReports (one per namespace) and
 * a ClusterPolicyReport (cluster-scoped objects), where Kubernetes users and
 * their dashboards look. Each report is bounded: at most `maxResults`
 * results, the most severe first; the summary still counts every finding and
 * an annotation says how many results were left out, so a noisy cluster
 * cannot fill etcd (objects there are limited to about 1.5 MB).
 *
 * `buildPolicyReports` is pure; `PolicyReportWriter` writes only what changed.
 */
import { createHash } from 'node:crypto';
import { severityRank, type Finding, type JsonObject } from '../model/types.js';
import { ClusterError, statusMessage, type ApiReply, type ClusterConnection } from './connection.js';

export const REPORT_NAME = 'rampart';
export const GROUP_VERSION = 'wgpolicyk8s.io/v1alpha2';
export const DEFAULT_MAX_RESULTS = 300;
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'rampart' };
const TRUNCATED = 'rampart.dev/results-left-out';

export interface PolicyReportOptions {
  readonly maxResults?: number;
  readonly now?: Date;
  readonly category?: (checkId: string) => string | undefined;
}

/** Namespace ('' for the ClusterPolicyReport) → the report object. */
export function buildPolicyReports(findings: readonly Finding[], options: PolicyReportOptions = {}): Map<string, JsonObject> {
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  const seconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const byNamespace = new Map<string, Finding[]>();
  for (const finding of findings) {
    const namespace = finding.object.namespace ?? '';
    const list = byNamespace.get(namespace);
    if (list === undefined) byNamespace.set(namespace, [finding]);
    else list.push(finding);
  }
  const reports = new Map<string, JsonObject>();
  for (const [namespace, list] of byNamespace) {
    const ordered = [...list].sort(
      (a, b) => severityRank(b.severity) - severityRank(a.severity) || compare(a.checkId, b.checkId) || compare(a.object.kind, b.object.kind) || compare(a.object.name, b.object.name) || compare(a.message, b.message),
    );
    const kept = ordered.slice(0, maxResults);
    const leftOut = ordered.length - kept.length;
    const results = kept.map((finding) => {
      const category = options.category?.(finding.checkId);
      return {
        source: 'rampart',
        policy: finding.checkId,
        ...(category !== undefined ? { category } : {}),
        severity: finding.severity,
        result: 'fail',
        scored: true,
        message: finding.message,
        timestamp: { seconds, nanos: 0 },
        resources: [{ apiVersion: finding.object.apiVersion, kind: finding.object.kind, name: finding.object.name, ...(finding.object.namespace !== undefined ? { namespace: finding.object.namespace } : {}) }],
      };
    });
    const metadata: JsonObject = { name: REPORT_NAME, labels: { ...MANAGED_BY } };
    if (namespace !== '') metadata.namespace = namespace;
    if (leftOut > 0) metadata.annotations = { [TRUNCATED]: String(leftOut) };
    reports.set(namespace, {
      apiVersion: GROUP_VERSION,
      kind: namespace === '' ? 'ClusterPolicyReport' : 'PolicyReport',
      metadata,
      summary: { pass: 0, fail: list.length, warn: 0, error: 0, skip: 0 },
      results,
    });
  }
  return reports;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function reportPath(namespace: string, withName: boolean): string {
  const base = namespace === '' ? `/apis/${GROUP_VERSION}/clusterpolicyreports` : `/apis/${GROUP_VERSION}/namespaces/${encodeURIComponent(namespace)}/policyreports`;
  return withName ? `${base}/${REPORT_NAME}` : base;
}

/** The content that decides whether a report must be written again (timestamps left out). */
function fingerprint(report: JsonObject): string {
  const results = Array.isArray(report.results) ? report.results.map((result) => ({ ...(result as JsonObject), timestamp: undefined })) : [];
  return createHash('sha256').update(JSON.stringify([report.metadata, report.summary, results])).digest('hex');
}

export class PolicyReportWriter {
  /** Namespace → fingerprint of what this process last wrote there. */
  private readonly written = new Map<string, string>();

  constructor(private readonly connection: ClusterConnection) {}

  /** Fails when the PolicyReport CRDs are not installed; remembers reports an earlier run left, so they are cleaned up. */
  async prepare(): Promise<void> {
    const reply = await this.connection.request(`/apis/${GROUP_VERSION}`);
    if (reply.status !== 200 || !reply.body.includes('"policyreports"') || !reply.body.includes('"clusterpolicyreports"')) {
      throw new ClusterError(`--policy-reports needs the ${GROUP_VERSION} PolicyReport and ClusterPolicyReport CRDs on context "${this.connection.context}" (GET /apis/${GROUP_VERSION} answered ${reply.status === 200 ? 'without them' : statusMessage(reply)})`);
    }
    for (const collection of [`/apis/${GROUP_VERSION}/policyreports`, `/apis/${GROUP_VERSION}/clusterpolicyreports`]) {
      const list = await this.connection.request(collection);
      if (list.status !== 200) continue;
      const items = (JSON.parse(list.body) as { items?: Array<{ metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } }> }).items ?? [];
      for (const item of items) {
        if (item.metadata?.name === REPORT_NAME && item.metadata.labels?.['app.kubernetes.io/managed-by'] === 'rampart') this.written.set(item.metadata.namespace ?? '', 'left by an earlier run');
      }
    }
  }

  /** Creates the report, or replaces it with the resourceVersion it has (custom resources take no unconditional update); one retry on a conflict. */
  private async write(namespace: string, report: JsonObject): Promise<ApiReply> {
    let reply: ApiReply | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await this.connection.request(reportPath(namespace, true));
      if (current.status === 404) {
        reply = await this.connection.request(reportPath(namespace, false), { method: 'POST', body: JSON.stringify(report) });
      } else if (current.status === 200) {
        const resourceVersion = (JSON.parse(current.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
        const metadata = { ...(report.metadata as JsonObject), ...(resourceVersion !== undefined ? { resourceVersion } : {}) };
        reply = await this.connection.request(reportPath(namespace, true), { method: 'PUT', body: JSON.stringify({ ...report, metadata }) });
      } else {
        return current;
      }
      if (reply.status !== 409) return reply;
    }
    return reply as ApiReply;
  }

  /** Writes the reports that changed and deletes the ones with no findings left; returns problems as messages. */
  async apply(desired: Map<string, JsonObject>): Promise<string[]> {
    const problems: string[] = [];
    for (const [namespace, report] of desired) {
      const print = fingerprint(report);
      if (this.written.get(namespace) === print) continue;
      const reply = await this.write(namespace, report);
      if (reply.status === 200 || reply.status === 201) this.written.set(namespace, print);
      else problems.push(`writing the ${report.kind as string} of ${namespace === '' ? 'the cluster' : `namespace ${namespace}`} failed: ${statusMessage(reply)}`);
    }
    for (const namespace of [...this.written.keys()]) {
      if (desired.has(namespace)) continue;
      const reply = await this.connection.request(reportPath(namespace, true), { method: 'DELETE' });
      if (reply.status === 200 || reply.status === 404) this.written.delete(namespace);
      else problems.push(`deleting the report of ${namespace === '' ? 'the cluster' : `namespace ${namespace}`} failed: ${statusMessage(reply)}`);
    }
    return problems;
  }
}
