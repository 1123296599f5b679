/**
 * Known Kubernetes CVEs (src/bench/data/kubernetes-cves.json) matched against
 * the versions of the components on the node. Versions come from the static
 * pod images, the components' binaries, or --kubernetes-version for everything.
 */
import { readFileSync } from 'node:fs';
import type { Severity } from '../model/types.js';
import type cveData from './data/kubernetes-cves.json';
import type { EffectiveNode } from './effective.js';
import type { ComponentName, ControlResult } from './model.js';
import { distFile } from '../distFiles.js';

export interface KubernetesCve {
  readonly id: string;
  readonly title: string;
  readonly components: readonly string[];
  readonly severity: Severity;
  readonly fixed?: readonly string[];
  readonly affectedOnly?: readonly string[];
  readonly unfixed?: boolean;
  readonly mitigation?: string;
  readonly platform?: string;
}

let loaded: readonly KubernetesCve[] | undefined;

export function kubernetesCves(): readonly KubernetesCve[] {
  if (loaded === undefined) {
    const data = JSON.parse(readFileSync(distFile('bench', 'data', 'kubernetes-cves.json'), 'utf8')) as typeof cveData;
    loaded = data.cves as readonly KubernetesCve[];
  }
  return loaded;
}

type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Whether `version` is affected: its minor has a later fix, or it is older than every fixed minor. */
export function isAffected(cve: KubernetesCve, version: Version): { affected: boolean; upgradeTo?: string } {
  if (cve.unfixed === true) return { affected: true };
  if (cve.affectedOnly !== undefined) {
    const hit = cve.affectedOnly.some((text) => {
      const affected = parseVersion(text);
      return affected !== undefined && affected[0] === version[0] && affected[1] === version[1] && affected[2] === version[2];
    });
    if (!hit) return { affected: false };
  }
  const fixes = (cve.fixed ?? []).map((text) => ({ text, version: parseVersion(text) })).filter((fix): fix is { text: string; version: Version } => fix.version !== undefined);
  if (fixes.length === 0) return { affected: false };
  const sameMinor = fixes.find((fix) => fix.version[0] === version[0] && fix.version[1] === version[1]);
  if (sameMinor !== undefined) return version[2] < sameMinor.version[2] ? { affected: true, upgradeTo: sameMinor.text } : { affected: false };
  const lowestMinor = Math.min(...fixes.map((fix) => fix.version[1]));
  if (version[0] === 1 && version[1] < lowestMinor) return { affected: true, upgradeTo: fixes.map((fix) => fix.text).join(', ') };
  return { affected: false };
}

/** Version of each component on the node: its image tag or the version linked into its binary, else the cluster version from --kubernetes-version or the API server image. */
function componentVersion(node: EffectiveNode, name: ComponentName): { text: string; source: string } | undefined {
  const component = node.component(name);
  if (component === undefined) return undefined;
  if (node.version.source === '--kubernetes-version' && node.version.text !== undefined) return { text: node.version.text, source: '--kubernetes-version' };
  const tag = component.facts.image?.split('@')[0]?.split(':').pop();
  if (tag !== undefined && parseVersion(tag) !== undefined && name !== 'etcd') return { text: tag, source: `image ${component.facts.image}` };
  const binary = component.facts.binary;
  if (binary?.version !== undefined && parseVersion(binary.version) !== undefined) return { text: binary.version, source: `binary ${binary.path}` };
  if (node.version.text !== undefined) return { text: node.version.text, source: `assumed from the ${node.version.source}` };
  return undefined;
}

export function evaluateCves(node: EffectiveNode): ControlResult[] {
  const base = { section: 'cve', automated: true, automatedByRampart: false } as const;
  const names = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'] as const;
  const present = names.filter((name) => node.component(name) !== undefined);
  if (present.length === 0) return [{ ...base, id: 'cve', title: 'Known Kubernetes CVEs', status: 'INFO', details: ['no Kubernetes component found on this node'], remediation: '' }];
  const results: ControlResult[] = [];
  const unknown: string[] = [];
  let checked = 0;
  for (const cve of kubernetesCves()) {
    const components = cve.components.filter((name): name is ComponentName => (present as readonly string[]).includes(name));
    if (components.length === 0) continue;
    checked++;
    for (const name of components) {
      const version = componentVersion(node, name);
      const parsed = version === undefined ? undefined : parseVersion(version.text);
      if (version === undefined || parsed === undefined) {
        if (!unknown.includes(name)) unknown.push(name);
        continue;
      }
      const verdict = isAffected(cve, parsed);
      if (!verdict.affected) continue;
      const platform = cve.platform === undefined ? '' : ` (${cve.platform} nodes only)`;
      results.push({
        ...base,
        id: cve.id,
        title: `${cve.title}${platform}`,
        status: cve.unfixed === true || cve.platform !== undefined ? 'WARN' : 'FAIL',
        details: [`${name} ${version.text} (${version.source}) is affected${cve.unfixed === true ? '; no release fixes it' : ''}`],
        remediation: cve.unfixed === true ? `Mitigate: ${cve.mitigation ?? 'see the Kubernetes security announcement'}.` : `Upgrade ${name} to ${verdict.upgradeTo ?? 'a fixed release'} or later.`,
      });
      break;
    }
  }
  if (unknown.length > 0) results.push({ ...base, id: 'cve-version', title: 'Component versions for CVE matching', status: 'WARN', details: [`the version of ${unknown.join(', ')} is not visible on the node; pass --kubernetes-version`], remediation: 'Run with --kubernetes-version vX.Y.Z.' });
  results.push({ ...base, id: 'cve-summary', title: 'Known Kubernetes CVEs checked', status: 'INFO', details: [`${checked} of ${kubernetesCves().length} CVEs in Rampart's data concern components on this node; ${results.filter((result) => result.id.startsWith('CVE-')).length} apply`], remediation: '' });
  return results;
}
