/** File locations the controls share: where a component's manifest, kubeconfig or config lives on this node. */
import type { EffectiveNode } from '../effective.js';
import { lastFlag } from '../flags.js';
import type { ComponentName } from '../model.js';
import { KUBELET_DROP_IN_DIRECTORIES, KUBELET_UNIT_FILES, MANIFESTS_DIRECTORY } from '../collect.js';
import type { FileRequirement } from './helpers.js';

export function manifestOf(node: EffectiveNode, name: ComponentName, what: string): FileRequirement[] | string {
  const component = node.component(name);
  if (component?.facts.origin === 'static-pod') return [{ path: component.facts.file, what }];
  const conventional = `${MANIFESTS_DIRECTORY}/${name}.yaml`;
  if (node.file(conventional)?.exists === true) return [{ path: conventional, what }];
  if (component === undefined) return `${name} was not found on this node; no ${conventional}`;
  return `${name} runs as a process (${component.facts.file}), not from a static pod manifest`;
}

/** A kubeconfig a component names with --kubeconfig, or kubeadm's conventional one. */
export function kubeconfigOf(node: EffectiveNode, name: ComponentName, conventional: string, what: string): FileRequirement[] | string {
  const component = node.component(name);
  const flag = component === undefined ? undefined : lastFlag(component.facts.flags, 'kubeconfig');
  if (flag !== undefined) return [{ path: flag.value, what }];
  if (node.file(conventional)?.exists === true) return [{ path: conventional, what }];
  if (component === undefined) return `${name} was not found on this node; no ${conventional}`;
  return [{ path: conventional, what }];
}

export function kubeletUnitFiles(node: EffectiveNode): FileRequirement[] {
  const out: FileRequirement[] = [];
  for (const path of KUBELET_UNIT_FILES) if (node.file(path)?.exists === true) out.push({ path, what: 'kubelet unit file' });
  for (const directory of KUBELET_DROP_IN_DIRECTORIES) {
    for (const entry of node.file(directory)?.entries ?? []) if (entry.endsWith('.conf')) out.push({ path: `${directory}/${entry}`, what: 'kubelet unit drop-in' });
  }
  return out;
}
