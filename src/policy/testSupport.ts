/** Test helpers: compile and run one expression, failing loudly on compile errors. */
import { compile, parseKubernetesVersion, type EvalOptions, type EvalResult } from './environment.js';
import { celToJson, jsonToCel } from './values.js';

export function run(expression: string, options: { version?: string; object?: unknown; evalOptions?: EvalOptions } = {}): EvalResult {
  const version = parseKubernetesVersion(options.version ?? 'latest');
  if (version === undefined) throw new Error(`bad version ${options.version}`);
  const compiled = compile(expression, version, { variables: ['object'] });
  if (!compiled.ok) throw new Error(`does not compile: ${expression}: ${compiled.errors.map((error) => error.message).join('; ')}`);
  return compiled.program.evaluate({ object: jsonToCel(options.object ?? {}) }, options.evalOptions);
}

/** The JSON form of the value, or `{ error }`. */
export function value(expression: string, options: { version?: string; object?: unknown } = {}): unknown {
  const result = run(expression, options);
  return result.ok ? celToJson(result.value) : { error: result.error };
}
