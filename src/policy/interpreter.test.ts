/**
 * The closure compiler (interpreter.ts) against @bufbuild/cel's planner: the
 * same expression, compiled both ways, must give the same value, or the same
 * error at the same position with the same cost, on hand-written edge cases
 * and on every expression of the exported PSS policies over the official PSA
 * fixtures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { celMap, type CelValue } from '@bufbuild/cel';
import { PSA_FIXTURES } from '../corpus/psa.js';
import { loadText } from '../load/load.js';
import { CostBudget } from './cost.js';
import { compile, parseKubernetesVersion, type EvalResult, type KubernetesVersion, type Program } from './environment.js';
import { exportPssPolicies } from './export/vap.js';
import { celToJson, jsonToCel } from './values.js';

function latest(): KubernetesVersion {
  const version = parseKubernetesVersion('latest');
  assert.ok(version !== undefined);
  return version;
}

function both(source: string, variables: readonly string[], variableNames?: readonly string[]): { closures: Program; planner: Program } {
  const compileWith = (planner: boolean): Program => {
    const result = compile(source, latest(), { variables, ...(variableNames !== undefined ? { variableNames } : {}), planner });
    if (!result.ok) throw new Error(`${source}: ${result.errors.map((error) => error.message).join('; ')}`);
    return result.program;
  };
  return { closures: compileWith(false), planner: compileWith(true) };
}

/** What a caller can observe of a result. */
function observed(result: EvalResult): unknown {
  return result.ok
    ? { value: celToJson(result.value), type: typeof result.value, cost: result.cost }
    : { error: result.error, position: result.position, costExceeded: result.costExceeded, cost: result.cost };
}

const OBJECT = {
  spec: {
    replicas: 3,
    ratio: 0.5,
    containers: [
      { name: 'app', image: 'a:1', ports: [{ containerPort: 80 }], securityContext: { runAsUser: 0, capabilities: { add: ['NET_ADMIN'] } } },
      { name: 'side', image: 'b:2' },
    ],
    labels: { 'app.kubernetes.io/name': 'shop', tier: 'web' },
  },
  metadata: { name: 'web', annotations: { 'a-b': 'c', __ok__: 'kw' }, 'x-y': 1 },
};

const CASES = [
  // values and operators
  "object.spec.replicas + 1 == 4 && object.metadata.name == 'web'",
  "object.spec.replicas * 2.0",
  "object.spec.ratio == 0.5 && 1 == 1.0 && 1u == 1",
  "'a' + 'b' + object.metadata.name",
  "[1, 2] + [3] + object.spec.containers.map(c, c.name)",
  "!(object.spec.replicas > 2) || 'x' in ['y', 'x']",
  "true in [1, 'a', true] && !(false in [true]) && 2 in [1.0, 2.0] && 'tier' in object.spec.labels",
  "object.spec.replicas == '3' || null == null || [1] == [1] || {'a': 1} == {'a': 1}",
  "{'a': 1, 2: 'b', true: [1]}[2] + string({'a': 1}.a)",
  "{1: 'x'}[1.0] + {1: 'y'}[1u]",
  // selection, presence, escaping, indexes
  "has(object.spec.containers) && !has(object.spec.volumes) && has(object.metadata.x__dash__y)",
  "object.metadata.annotations['a-b'] + object.metadata.annotations.a__dash__b",
  'has(object.spec.labels.tier) ? object.spec.labels.tier : "none"',
  'object.spec.containers[0].securityContext.capabilities.add[0]',
  'object.spec.containers[1].securityContext.runAsUser',
  'object.spec.containers[5]',
  'object.spec.containers[1.5]',
  "object.spec.containers['x']",
  'object.spec.containers[true]',
  'object.spec.containers[null]',
  'has(object.spec.missing.deeper)',
  "object.metadata.name.foo",
  "has(object.metadata.name.foo)",
  // errors and their absorption
  '1 / 0 == 1 || true',
  '1 / 0 == 1 && false',
  'true && 1 / 0 == 1',
  "1 / 0 == 1 || 'x'",
  "'x' || false",
  "'x' && true",
  "(1 / 0 == 1) ? 1 : 2",
  "'a' ? 1 : 2",
  'object.spec.replicas + 9223372036854775807',
  "size('héllo') + size(object.spec.containers) + size(object.spec.labels)",
  "int('x')",
  "'abc'.substring(1) + 'A,B'.lowerAscii().split(',').join('-')",
  // comprehensions and macros
  "object.spec.containers.all(c, has(c.image)) && object.spec.containers.exists(c, c.name == 'side')",
  "object.spec.containers.exists_one(c, has(c.securityContext))",
  "object.spec.containers.filter(c, has(c.ports)).map(c, c.ports.map(p, p.containerPort))",
  "object.spec.labels.filter(k, k.startsWith('app')).map(k, object.spec.labels[k])",
  "object.spec.containers.map(c, c.securityContext.runAsUser)",
  "object.spec.containers.exists(c, c.securityContext.runAsUser == 0)",
  "object.spec.containers.all(c, c.securityContext.runAsUser == 0)",
  '[1, 2, 3].all(x, [x, x + 1].exists(x, x == 4))',
  '[[1], [2, 3]].map(x, x.map(x, x * 10))',
  "object.spec.containers.all(i, c, i < 5 && c.name != '')",
  "object.spec.labels.transformMap(k, v, v + '!')",
  "[1, 2].transformList(i, v, i * v)",
  '5.exists(x, true)',
  // optionals, Kubernetes libraries, types
  "object.?spec.?missing.orValue('none') + object.spec.?labels.tier.orValue('?')",
  "optional.of(1).optMap(x, x + 1).value()",
  "quantity('1.5Gi') == quantity('1536Mi') && quantity('1Gi').isGreaterThan(quantity('1Mi'))",
  "ip('10.0.0.1').family() + cidr('::1/128').prefixLength()",
  "'abc'.matches('^a') && 'a1b2'.findAll('[0-9]').size() == 2",
  'type(object.spec.replicas) == int && type(object.spec) == map && type(1u) == uint',
  "timestamp('2024-01-01T00:00:00Z') == timestamp('2024-01-01T00:00:00Z') && duration('1h') > duration('1m')",
  "timestamp('2024-01-01T00:00:00Z') + duration('24h') == timestamp('2024-01-02T00:00:00Z')",
  "dyn(object.spec.replicas) == 3 && 'abc'.indexOf('c') == 2 && optional.none().orValue(7) == 7",
  "sets.contains([1, 2], [2]) && [3, 1].sort() == [1, 3] && [1, 2].sum() == 3",
  "[1, 2].join(',')",
  "[].join() + ['a'].join() + ['a', 'b'].join('') + ['x', 'y'].join(', ')",
  '1 < 2 && 2 >= 2 && !(3 <= 2) && 1 < 1.5 && 2u > 1u && 1 > 2.0',
  "[] + [] == [] && size([] + [1]) == 1 && ([1] + [])[0] == 1 && ([1] + [2])[1] == 2 && ([1] + [2])[2] == 3",
  "[[1, 2]].map(l, l + l)[0] == [1, 2, 1, 2] && [[1, 2]].map(l, (l + l)[3]) == [2] && [[1, 2]].map(l, l + l + l)[0][4] == 1",
  "size('héllo') == 5 && 'abc'.size() == 3 && size({'a': 1}) == 1",
  'lists.range(3000).map(x, x * 2).filter(x, x % 3 == 0).map(x, x + 1).size()',
  'lists.range(2000).filter(x, x > 5).map(x, [x]).filter(l, l[0] < 10)',
  "lists.range(3000).map(x, string(x)).join(',').size() + (lists.range(3000).map(x, string(x))[2999] == '2999' ? 1 : 0)",
  "'2999' in lists.range(3000).map(x, string(x)) && !('x' in lists.range(3000).map(x, string(x))) && lists.range(3000).map(x, x) == lists.range(3000)",
  'missing == null',
  'has(missing.field)',
  'missing.field',
  '[missing]',
];

describe('the closure compiler evaluates like @bufbuild/cel', () => {
  it('gives the same value or error for every case', () => {
    const variables = ['object', 'missing'];
    for (const source of CASES) {
      const { closures, planner } = both(source, variables);
      assert.equal(closures.engine, 'closures', source);
      assert.equal(planner.engine, 'planner', source);
      const bindings = { object: jsonToCel(OBJECT) };
      assert.deepEqual(observed(closures.evaluate(bindings)), observed(planner.evaluate(bindings)), source);
    }
  });

  it('stops a hostile comprehension at the same cost', () => {
    const source = '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(a, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(b, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(c, a + b + c > 0)))';
    const { closures, planner } = both(source, ['object']);
    const fromClosures = closures.evaluate({}, { perCallLimit: 500 });
    const fromPlanner = planner.evaluate({}, { perCallLimit: 500 });
    assert.equal(fromClosures.ok, false);
    assert.deepEqual(observed(fromClosures), observed(fromPlanner));
    const budgets = [new CostBudget(700), new CostBudget(700)];
    assert.deepEqual(observed(closures.evaluate({}, { budget: budgets[0] })), observed(planner.evaluate({}, { budget: budgets[1] })));
    assert.equal(budgets[0]?.spent, budgets[1]?.spent);
  });

  it('evaluates every expression of the exported PSS policies like the planner on the PSA fixtures', (t) => {
    const version = latest();
    const index = JSON.parse(readFileSync(path.join(PSA_FIXTURES, 'index.json'), 'utf8')) as { fixtures: { path: string; version: string }[] };
    // The newest policy version of each level checks every control; a fixture of each version and level is a pod to judge.
    const exported = exportPssPolicies({ targets: [{ level: 'baseline', minor: 34, requested: 'v1.34' }, { level: 'restricted', minor: 34, requested: 'v1.34' }], kubernetesVersion: version });
    assert.deepEqual(exported.problems, []);
    const policies = exported.objects.filter((object) => object.kind === 'ValidatingAdmissionPolicy') as unknown as { spec: { variables: { name: string; expression: string }[]; validations: { expression: string; messageExpression?: string }[] } }[];
    assert.equal(policies.length, 2);
    const topLevel = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer'];
    let compared = 0;
    for (const policy of policies) {
      const names = policy.spec.variables.map((variable) => variable.name);
      const variables = policy.spec.variables.map((variable) => ({ name: variable.name, ...both(variable.expression, topLevel, names) }));
      const expressions = policy.spec.validations.flatMap((validation) => [validation.expression, ...(validation.messageExpression !== undefined ? [validation.messageExpression] : [])]).map((source) => both(source, topLevel, names));
      for (const program of [...variables, ...expressions]) assert.equal(program.closures.engine, 'closures', program.closures.source);
      for (const fixture of index.fixtures) {
        const pod = loadText(readFileSync(path.join(PSA_FIXTURES, fixture.path), 'utf8'), fixture.path).objects[0];
        assert.ok(pod !== undefined, fixture.path);
        const bindingsFor = (engine: 'closures' | 'planner'): Record<string, unknown> => {
          const bindings: Record<string, unknown> = { object: jsonToCel(pod.raw), oldObject: null, request: jsonToCel({ operation: 'CREATE' }), params: null, namespaceObject: null };
          const values = new Map<string, CelValue>();
          for (const variable of variables) {
            const result = variable[engine].evaluate({ ...bindings, variables: celMap(new Map(values)) });
            if (result.ok) values.set(variable.name, result.value);
          }
          return { ...bindings, variables: celMap(values) };
        };
        const fromClosures = bindingsFor('closures');
        const fromPlanner = bindingsFor('planner');
        for (const program of expressions) {
          assert.deepEqual(observed(program.closures.evaluate(fromClosures)), observed(program.planner.evaluate(fromPlanner)), `${fixture.path}: ${program.closures.source}`);
          compared++;
        }
      }
    }
    t.diagnostic(`${compared} evaluations compared`);
    assert.ok(compared > 4000 * 20, `${compared}`);
  });
});
