/** YAML documents → Kubernetes objects with provenance. `List` kinds are expanded into their items. */
import { isJsonObject, type Diagnostic, type FieldPath, type KubeObject } from '../model/types.js';
import type { ParsedDocument } from './yamlDocuments.js';

export interface ExtractedObjects {
  readonly objects: KubeObject[];
  readonly diagnostics: Diagnostic[];
}

export function objectsFromDocument(document: ParsedDocument, file: string): ExtractedObjects {
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const value = document.value;
  if (value === null || value === undefined) return { objects, diagnostics };

  const diagnose = (path: FieldPath, code: string, message: string, severity: Diagnostic['severity'] = 'warning'): void => {
    const position = document.positions.locate(path);
    diagnostics.push({ severity, code, message, file, documentIndex: document.index, line: position.line, column: position.column });
  };

  const take = (candidate: unknown, path: FieldPath): void => {
    if (!isJsonObject(candidate)) {
      diagnose(path, 'not-kubernetes-object', `expected a Kubernetes object (a mapping with apiVersion and kind), found ${describeType(candidate)}; skipped`);
      return;
    }
    const { apiVersion, kind } = candidate;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
      const missing = [typeof apiVersion === 'string' && apiVersion !== '' ? undefined : 'apiVersion', typeof kind === 'string' && kind !== '' ? undefined : 'kind']
        .filter((field) => field !== undefined)
        .join(' and ');
      diagnose(path, 'not-kubernetes-object', `not a Kubernetes object: ${missing} missing or not a string; skipped`);
      return;
    }
    // `kind: List` (kubectl's generic list) and typed lists (`PodList`, `ConfigMapList`, …) hold objects in `items`.
    // A custom kind that merely ends in "List" and has no `items` is an object.
    if (kind === 'List' || (kind.endsWith('List') && 'items' in candidate)) {
      const items = candidate.items;
      if (items === undefined || items === null) return;
      if (!Array.isArray(items)) {
        diagnose([...path, 'items'], 'invalid-field', `${kind}: items must be a list, found ${describeType(items)}; skipped`, 'error');
        return;
      }
      items.forEach((item, index) => take(item, [...path, 'items', index]));
      return;
    }
    const metadata = candidate.metadata;
    if (metadata !== undefined && metadata !== null && !isJsonObject(metadata)) {
      diagnose([...path, 'metadata'], 'invalid-field', `${kind}: metadata must be a mapping, found ${describeType(metadata)}; skipped`, 'error');
      return;
    }
    const name = isJsonObject(metadata) ? metadata.name : undefined;
    const generateName = isJsonObject(metadata) ? metadata.generateName : undefined;
    const namespace = isJsonObject(metadata) ? metadata.namespace : undefined;
    if (name !== undefined && name !== null && typeof name !== 'string') {
      diagnose([...path, 'metadata', 'name'], 'invalid-field', `${kind}: metadata.name must be a string, found ${describeType(name)}`, 'error');
    }
    if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
      diagnose([...path, 'metadata', 'namespace'], 'invalid-field', `${kind}: metadata.namespace must be a string, found ${describeType(namespace)}`, 'error');
    }
    objects.push({
      apiVersion,
      kind,
      name: typeof name === 'string' && name !== '' ? name : typeof generateName === 'string' && generateName !== '' ? `${generateName}*` : '<unnamed>',
      namespace: typeof namespace === 'string' && namespace !== '' ? namespace : undefined,
      raw: candidate,
      source: { file, documentIndex: document.index, pathInDocument: path, positions: document.positions },
    });
  };

  if (Array.isArray(value)) {
    // A top-level sequence (a JSON array of objects, say) is no Kubernetes object and kubectl refuses it,
    // but whatever it holds could still be applied one by one: scan the items, and say so.
    diagnose([], 'top-level-list', `the document is a list, not a Kubernetes object (kubectl rejects it); its ${value.length} item(s) are scanned as objects`);
    value.forEach((item, index) => take(item, [index]));
  } else {
    take(value, []);
  }
  return { objects, diagnostics };
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `a ${typeof value} (${String(value)})`;
}
