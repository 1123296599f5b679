/**
 * Generates builtin-rules.json from the YAML rule files in this directory.
 * The YAML files are the source; the bundle exists so that tsc copies the
 * rules into dist/ (data files are found beside the compiled module, as
 * src/rbac/defaults does). A test fails when the bundle is out of date.
 *
 *   npx tsc -p . && node dist/detect/rules/bundle.js
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RULES_SOURCE_DIRECTORY = path.join('src', 'detect', 'rules');

export function bundleText(directory: string): string {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(directory, name), 'utf8') }));
  return `${JSON.stringify({ generatedBy: 'node dist/detect/rules/bundle.js', files }, null, 1)}\n`;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const directory = path.join(root, RULES_SOURCE_DIRECTORY);
  writeFileSync(path.join(directory, 'builtin-rules.json'), bundleText(directory));
}
