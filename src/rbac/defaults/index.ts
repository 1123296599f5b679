/**
 * The default roles and bindings of the Kubernetes bootstrap policy
 * (`--with-defaults`), read from the generated data file beside this module.
 * Objects keep positions in that file, so answers can cite its lines.
 */
import { readFileSync } from 'node:fs';
import { loadText } from '../../load/load.js';
import type { Diagnostic, KubeObject } from '../../model/types.js';
// A type-only import: it makes tsc copy the data file next to the compiled module, and types its metadata.
import type bootstrapData from './bootstrap-rbac.json';
import { distFile } from '../../distFiles.js';

export type BootstrapMetadata = (typeof bootstrapData)['rampart'];

/** How answers name the data file. */
export const BOOTSTRAP_FILE_LABEL = 'defaults:bootstrap-rbac.json';

const DATA_FILE = distFile('rbac', 'defaults', 'bootstrap-rbac.json');

let cachedText: string | undefined;
function dataText(): string {
  cachedText ??= readFileSync(DATA_FILE, 'utf8');
  return cachedText;
}

export interface BootstrapPolicy {
  readonly metadata: BootstrapMetadata;
  readonly objects: readonly KubeObject[];
  /** Always empty for the shipped file; a test keeps it so. */
  readonly diagnostics: readonly Diagnostic[];
}

export function loadBootstrapPolicy(): BootstrapPolicy {
  const text = dataText();
  const batch = loadText(text, BOOTSTRAP_FILE_LABEL);
  const metadata = (JSON.parse(text) as typeof bootstrapData).rampart;
  return { metadata, objects: batch.objects, diagnostics: batch.diagnostics };
}

/** Names of the default ClusterRoles, without building the whole policy. */
export function defaultClusterRoleNames(): Set<string> {
  const data = JSON.parse(dataText()) as { items: Array<{ kind?: string; metadata?: { name?: string } }> };
  const names = new Set<string>();
  for (const item of data.items) if (item.kind === 'ClusterRole' && typeof item.metadata?.name === 'string') names.add(item.metadata.name);
  return names;
}
