/**
 * Runs the CEL conformance suite shipped in @bufbuild/cel-spec through
 * Rampart's compile-and-evaluate path (the latest Kubernetes environment),
 * and counts results per section (one section per upstream .textproto file).
 */
import { isCelList, isCelMap, isCelType, isCelUint } from '@bufbuild/cel';
import type { Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import type { ExprValue } from '@bufbuild/cel-spec/cel/expr/eval_pb.js';
import { getTestRegistry } from '@bufbuild/cel-spec/testdata/registry.js';
import { getConformanceSuite, type IncrementalTest, type IncrementalTestSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { equals as equalsMessage, type Registry } from '@bufbuild/protobuf';
import { isReflectMessage, reflect } from '@bufbuild/protobuf/reflect';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { compile, parseKubernetesVersion } from '../environment.js';
import { OpaqueValue } from '../libraries/opaque.js';

export interface SectionResult {
  readonly section: string;
  readonly passed: number;
  readonly failed: number;
  /** Tests that need a feature no evaluator-only implementation can have (type-check-only tests, unknowns). */
  readonly skipped: number;
  readonly failures: readonly string[];
}

type Comparable = { kind: 'error' } | { kind: 'value'; value: unknown };

function expectedValue(value: Value, registry: Registry): unknown {
  const kind = value.kind;
  switch (kind.case) {
    case 'nullValue':
      return null;
    case 'boolValue':
    case 'stringValue':
    case 'doubleValue':
    case 'int64Value':
    case 'bytesValue':
      return kind.value;
    case 'uint64Value':
      return { uint: kind.value };
    case 'enumValue':
      return BigInt(kind.value.value);
    case 'typeValue':
      return { type: kind.value };
    case 'listValue':
      return kind.value.values.map((item) => expectedValue(item, registry));
    case 'mapValue':
      return new Map(kind.value.entries.map((entry) => [normalize(expectedValue(entry.key as Value, registry)), expectedValue(entry.value as Value, registry)]));
    case 'objectValue': {
      const message = anyUnpack(kind.value, registry);
      if (message === undefined) return { unresolved: kind.value.typeUrl };
      const desc = registry.getMessage(message.$typeName);
      return desc === undefined ? { unresolved: message.$typeName } : reflect(desc, message);
    }
    default:
      return undefined;
  }
}

/** Map keys compared by value: ints and uints as the same bigint. */
function normalize(key: unknown): unknown {
  if (typeof key === 'object' && key !== null && 'uint' in key) return (key as { uint: bigint }).uint;
  return key;
}

function actualValue(value: unknown): unknown {
  if (isCelUint(value)) return { uint: value.value };
  if (isCelType(value)) return { type: value.name };
  if (value instanceof OpaqueValue) return value.celString();
  if (isCelList(value)) return Array.from(value, (item) => actualValue(item));
  if (isCelMap(value)) return new Map(Array.from(value.entries(), ([key, item]) => [normalize(actualValue(key)), actualValue(item)]));
  return value;
}

function same(expected: unknown, actual: unknown, registry: Registry): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') return (Number.isNaN(expected) && Number.isNaN(actual)) || Object.is(expected, actual) || expected === actual;
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) return expected === actual;
  if (expected instanceof Uint8Array) return actual instanceof Uint8Array && expected.length === actual.length && expected.every((byte, index) => byte === actual[index]);
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length === actual.length && expected.every((item, index) => same(item, actual[index], registry));
  if (expected instanceof Map) {
    if (!(actual instanceof Map) || expected.size !== actual.size) return false;
    for (const [key, item] of expected) if (!actual.has(key) || !same(item, actual.get(key), registry)) return false;
    return true;
  }
  if (isReflectMessage(expected)) {
    if (!isReflectMessage(actual) || expected.desc.typeName !== actual.desc.typeName) return false;
    return equalsMessage(expected.desc, expected.message, actual.message, { registry, unpackAny: true, unknown: true, extensions: true });
  }
  if ('uint' in expected) return 'uint' in actual && (expected as { uint: bigint }).uint === (actual as { uint: bigint }).uint;
  if ('type' in expected) return 'type' in actual && (expected as { type: string }).type === (actual as { type: string }).type;
  return false;
}

function bindingValue(value: ExprValue, registry: Registry): unknown {
  if (value.kind.case !== 'value') return undefined;
  return toInput(expectedValue(value.kind.value, registry));
}

/** Expected-value form → CEL input. */
function toInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toInput);
  if (value instanceof Map) return new Map(Array.from(value, ([key, item]) => [key, toInput(item)]));
  return value;
}

function runTest(test: IncrementalTest, registry: Registry): 'pass' | 'fail' | 'skip' {
  const original = test.original;
  const matcher = original.resultMatcher;
  if (original.checkOnly || matcher.case === 'unknown' || matcher.case === 'anyUnknowns') return 'skip';
  const version = parseKubernetesVersion('latest');
  if (version === undefined) throw new Error('no latest version');
  const bindings: Record<string, unknown> = {};
  for (const [name, bound] of Object.entries(original.bindings)) bindings[name] = bindingValue(bound, registry);
  const variables = [...Object.keys(original.bindings), ...original.typeEnv.map((decl) => decl.name)];
  const compiled = compile(original.expr, version, { variables, protobuf: { registry, container: original.container } });
  let outcome: Comparable;
  if (!compiled.ok) outcome = { kind: 'error' };
  else {
    const result = compiled.program.evaluate(bindings);
    outcome = result.ok ? { kind: 'value', value: actualValue(result.value) } : { kind: 'error' };
  }
  switch (matcher.case) {
    case 'evalError':
    case 'anyEvalErrors':
      return outcome.kind === 'error' ? 'pass' : 'fail';
    case 'typedResult':
      if (matcher.value.result === undefined) return 'skip';
      return outcome.kind === 'value' && same(expectedValue(matcher.value.result, registry), outcome.value, registry) ? 'pass' : 'fail';
    case 'value':
      return outcome.kind === 'value' && same(expectedValue(matcher.value, registry), outcome.value, registry) ? 'pass' : 'fail';
    default:
      // No matcher means the expression must evaluate to true.
      return outcome.kind === 'value' && outcome.value === true ? 'pass' : 'fail';
  }
}

function collect(suite: IncrementalTestSuite, path: string, registry: Registry, counts: { passed: number; failed: number; skipped: number; failures: string[] }): void {
  for (const test of suite.tests) {
    let outcome: 'pass' | 'fail' | 'skip';
    try {
      outcome = runTest(test, registry);
    } catch {
      outcome = 'fail';
    }
    if (outcome === 'pass') counts.passed++;
    else if (outcome === 'skip') counts.skipped++;
    else {
      counts.failed++;
      counts.failures.push(`${path}/${test.name}: ${test.original.expr}`);
    }
  }
  for (const child of suite.suites) collect(child, `${path}/${child.name}`, registry, counts);
}

export function runConformance(): SectionResult[] {
  const registry = getTestRegistry();
  const root = getConformanceSuite();
  return root.suites.map((section) => {
    const counts = { passed: 0, failed: 0, skipped: 0, failures: [] as string[] };
    collect(section, section.name, registry, counts);
    return { section: section.name, ...counts };
  });
}
