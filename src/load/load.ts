/** Paths → batches of Kubernetes objects, one file at a time, so memory follows the largest file, not the whole input. */
import type { Diagnostic, KubeObject } from '../model/types.js';
import { DEFAULT_LIMITS, type InputLimits } from './limits.js';
import { objectsFromDocument } from './objects.js';
import { manifestFiles, readSource, readStdin, STDIN_PATH, type ReadResult } from './sources.js';
import { parseYamlFile } from './yamlDocuments.js';

export interface FileBatch {
  readonly file: string;
  readonly objects: KubeObject[];
  readonly diagnostics: Diagnostic[];
}

export async function* loadFiles(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): AsyncGenerator<FileBatch> {
  for (const entry of manifestFiles(paths)) {
    if ('diagnostic' in entry) {
      yield { file: entry.file, objects: [], diagnostics: [entry.diagnostic] };
      continue;
    }
    const source: ReadResult = entry.file === STDIN_PATH ? await readStdin(limits) : readSource(entry.file, limits);
    if ('diagnostic' in source) {
      yield { file: source.file, objects: [], diagnostics: [source.diagnostic] };
      continue;
    }
    yield loadText(source.text, source.file, limits);
  }
}

/** Parses one text (a file's or a request's) into objects and diagnostics. */
export function loadText(text: string, file: string, limits: InputLimits = DEFAULT_LIMITS): FileBatch {
  if (text.length > limits.maxFileBytes || (text.length * 3 > limits.maxFileBytes && Buffer.byteLength(text, 'utf8') > limits.maxFileBytes)) {
    const size = Buffer.byteLength(text, 'utf8');
    return {
      file,
      objects: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'file-too-large',
          message: `input is ${size} bytes, larger than the limit of ${limits.maxFileBytes} bytes (limits.maxFileBytes in the config file); skipped`,
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const parsed = parseYamlFile(text, file, limits);
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = parsed.diagnostics;
  for (const document of parsed.documents) {
    const extracted = objectsFromDocument(document, file);
    for (const object of extracted.objects) objects.push(object);
    for (const diagnostic of extracted.diagnostics) diagnostics.push(diagnostic);
  }
  if (parsed.documents.length === 0 && diagnostics.length === 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'no-documents',
      message: text.trim() === '' ? 'file is empty' : 'file holds no YAML document, only comments, blank lines or document markers',
      file,
      line: 1,
      column: 1,
    });
  }
  return { file, objects, diagnostics };
}
