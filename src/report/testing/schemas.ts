/** JSON Schema validators for reporter tests: our JSON report schema and the official SARIF 2.1.0 schema. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { REPO_ROOT } from '../../testing/paths.js';

export const JSON_REPORT_SCHEMA_PATH = path.join(REPO_ROOT, 'docs', 'json-output.schema.json');
/** The OASIS SARIF 2.1.0 schema (rtm.5, the one schemastore and GitHub refer to), as shipped by @microsoft/jest-sarif. */
export const SARIF_SCHEMA_PATH = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

/**
 * `strict` is for schemas we write. The SARIF schema is not ours to lint: it
 * gets Ajv's default strictness, and its patterns are compiled without the
 * `u` flag, as plain ECMA-262 patterns: one of them (`language`) has a stray
 * `]`, a literal in that mode but a syntax error in unicode mode.
 */
function newAjv(strict: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, ...(strict ? { strict: true } : { unicodeRegExp: false }) });
  // ajv-formats is CommonJS; under NodeNext its plugin function is reached through `default`.
  ajvFormats.default(ajv);
  return ajv;
}

export function jsonReportValidator(): ValidateFunction {
  return newAjv(true).compile(JSON.parse(readFileSync(JSON_REPORT_SCHEMA_PATH, 'utf8')) as object);
}

/**
 * The SARIF schema is written in draft-04, which Ajv 8 does not load. Draft-04
 * and draft-07 differ only in the `id` keyword (renamed `$id`) and in boolean
 * `exclusiveMinimum`/`exclusiveMaximum` (numbers since draft-06). This function
 * proves the schema uses neither difference except the root `id`, renames
 * that one, and compiles the rest unchanged as draft-07: same constraints, so
 * the validation is the schema's own.
 */
export function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SARIF_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  if (schema.$schema !== 'http://json-schema.org/draft-04/schema#') throw new Error(`unexpected SARIF schema dialect ${String(schema.$schema)}`);
  assertNoDraft4Only(schema, true);
  const { $schema: _dialect, id, ...rest } = schema;
  if (typeof id !== 'string') throw new Error('the SARIF schema has no root id');
  return newAjv(false).compile({ $schema: 'http://json-schema.org/draft-07/schema#', $id: id, ...rest });
}

/** Walks schema positions (not property-name maps) looking for draft-04-only keyword forms. */
function assertNoDraft4Only(node: unknown, isRoot: boolean): void {
  if (Array.isArray(node)) {
    for (const item of node) assertNoDraft4Only(item, false);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (!isRoot && typeof schema.id === 'string') throw new Error(`nested draft-04 id ${schema.id}`);
  for (const keyword of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (typeof schema[keyword] === 'boolean') throw new Error(`draft-04 boolean ${keyword}`);
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' || key === 'definitions' || key === 'patternProperties') {
      for (const member of Object.values(value as Record<string, unknown>)) assertNoDraft4Only(member, false);
    } else if (key !== 'enum' && key !== 'default' && key !== 'required') {
      assertNoDraft4Only(value, false);
    }
  }
}

export function describeErrors(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors?.slice(0, 5), null, 2);
}
