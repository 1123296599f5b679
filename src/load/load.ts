/** Paths → batches of Kubernetes objects, one file at a time, so memory follows the largest file, not the whole input. */
import type { Diagnostic, KubeObject } from '../model/types.js';
import { DEFAULT_LIMITS, type InputLimits } from './limits.js';
import { objectsFromDocument } from './objects.js';
import { manifestFiles, readSource } from './sources.js';
import { parseYamlFile } from './yamlDocuments.js';

export interface FileBatch {
  readonly file: string;
  readonly objects: KubeObject[];
  readonly diagnostics: Diagnostic[];
}

export async function* loadFiles(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): AsyncGenerator<FileBatch> {
  for await (const entry of manifestFiles(paths)) {
    if ('diagnostic' in entry) {
      yield { file: entry.file, objects: [], diagnostics: [entry.diagnostic] };
      continue;
    }
    const source = await readSource(entry.file, limits);
    if ('diagnostic' in source) {
      yield { file: source.file, objects: [], diagnostics: [source.diagnostic] };
      continue;
    }
    yield loadText(source.text, source.file, limits);
  }
}

/** Parses one text (a file's or a request's) into objects and diagnostics. */
export function loadText(text: string, file: string, limits: InputLimits = DEFAULT_LIMITS): FileBatch {
  const parsed = parseYamlFile(text, file, limits);
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  for (const document of parsed.documents) {
    const extracted = objectsFromDocument(document, file);
    objects.push(...extracted.objects);
    diagnostics.push(...extracted.diagnostics);
  }
  return { file, objects, diagnostics };
}
