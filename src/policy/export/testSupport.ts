/** Test and benchmark helper: an exported PSS policy and binding, loaded as Rampart's VAP evaluator loads them. */
import { loadText } from '../../load/load.js';
import type { KubernetesVersion } from '../environment.js';
import type { PolicySet } from '../vap/evaluate.js';
import { buildPolicySet } from '../vap/index.js';
import { exportPssPolicies, type ExportOptions, type PssTarget } from './vap.js';

export function exportedPolicySet(target: PssTarget, version: KubernetesVersion, options: Partial<ExportOptions> = {}): PolicySet {
  const exported = exportPssPolicies({ ...options, targets: [target], kubernetesVersion: version });
  if (exported.problems.length > 0) throw new Error(exported.problems.join('\n'));
  const batch = loadText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: exported.objects }), 'exported.json');
  if (batch.diagnostics.length > 0) throw new Error(batch.diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
  const built = buildPolicySet({ policyObjects: batch.objects, resources: [], namespaceObjects: [], version });
  if (built.diagnostics.length > 0 || built.notes.length > 0) throw new Error([...built.diagnostics.map((diagnostic) => diagnostic.message), ...built.notes].join('\n'));
  return built.set;
}
