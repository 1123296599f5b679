/**
 * Create-time checks of policy expressions (typeCheck.ts, vap/lint.ts,
 * `rampart policy lint`), with the policies of the Kubernetes documentation
 * on ValidatingAdmissionPolicy ("Validating Admission Policy": parameter
 * resources, message expressions, audit annotations, type checking) and the
 * errors the API server gives when a field's result type is wrong.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadText } from '../load/load.js';
import { CLI } from '../testing/paths.js';
import { compile, parseKubernetesVersion, type KubernetesVersion } from './environment.js';
import { exportPssPolicies } from './export/vap.js';
import { lintPolicies } from './vap/lint.js';

function version(text = 'latest'): KubernetesVersion {
  const parsed = parseKubernetesVersion(text);
  assert.ok(parsed !== undefined);
  return parsed;
}

const VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer'];

function outputType(source: string): string {
  const result = compile(source, version(), { variables: VARIABLES });
  if (!result.ok) return `error: ${result.errors.map((error) => error.message).join('; ')}`;
  return result.program.outputType;
}

/** A policy whose fields are given as YAML lines under `spec:`. */
function policy(name: string, specLines: string): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
${specLines}`;
}

function lint(yaml: string, at = 'latest'): string[] {
  const batch = loadText(yaml, 'policy.yaml');
  assert.deepEqual(batch.diagnostics, []);
  return lintPolicies(batch.objects, version(at)).diagnostics.map((diagnostic) => `${diagnostic.line}: ${diagnostic.message}`);
}

describe('inferred result types', () => {
  it('types literals, operators, conversions, methods and macros, and leaves data-dependent values dyn', () => {
    const cases: [string, string][] = [
      ['true', 'bool'],
      ["'a'", 'string'],
      ['1 + 2', 'int'],
      ['1u * 2u', 'uint'],
      ['2.0 / 4.0', 'double'],
      ['object.spec.replicas <= params.maxReplicas', 'bool'],
      ["'object.spec.replicas must be no greater than ' + string(params.maxReplicas)", 'string'],
      ["'replicas: ' + object.spec.replicas", 'string'],
      ['size(object.spec.containers)', 'int'],
      ['object.spec.containers.all(c, has(c.image))', 'bool'],
      ['object.spec.containers.exists_one(c, c.name == "a")', 'bool'],
      ['object.spec.containers.map(c, c.name)', 'list'],
      ['object.spec.containers.map(c, c.name).join(", ")', 'string'],
      ["['a', 'b'][0]", 'string'],
      ["'a,b'.split(',')[0]", 'string'],
      ['has(object.spec.replicas) ? 1 : 2', 'int'],
      ['has(object.spec.replicas) ? 1 : "two"', 'dyn'],
      ['object.spec.replicas', 'dyn'],
      ['object.spec.replicas + 1', 'dyn'],
      ['params.limits[0]', 'dyn'],
      ["timestamp('2024-01-01T00:00:00Z') - timestamp('2023-01-01T00:00:00Z')", 'duration'],
      ['type(object) == map', 'bool'],
    ];
    for (const [source, expected] of cases) assert.equal(outputType(source), expected, source);
  });

  it('rejects arithmetic no overload accepts, at the operator', () => {
    const result = compile("object.metadata.name == 'a' + 1", version(), { variables: VARIABLES });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((error) => `${error.position.column} ${error.message}`),
      ["28 found no matching overload for '_+_' applied to '(string, int)'"],
    );
    for (const source of ['1 + 1.0', '[1] + 1', "duration('1h') * 2", 'null + 1', "2 % 2.0"]) assert.match(outputType(source), /^error: found no matching overload/, source);
  });
});

describe('rampart policy lint rules (what the API server rejects at create time)', () => {
  it('accepts the documentation policies: params, messageExpression, auditAnnotations, variables', () => {
    const documented = policy(
      'deploy-replica-policy.example.com',
      `  paramKind:
    apiVersion: rules.example.com/v1
    kind: ReplicaLimit
  variables:
  - name: replicas
    expression: object.spec.replicas
  - name: tooMany
    expression: variables.replicas > params.maxReplicas
  validations:
  - expression: "object.spec.replicas <= params.maxReplicas"
    messageExpression: "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)"
    reason: Invalid
  - expression: "!variables.tooMany"
  auditAnnotations:
  - key: "high-replica-count"
    valueExpression: "object.spec.replicas > 50 ? 'Deployment spec.replicas set to ' + string(object.spec.replicas) : null"
`,
    );
    assert.deepEqual(lint(documented), []);
  });

  it('accepts the type-checking example (a schema warning in Kubernetes, not a create-time error)', () => {
    // "object.replicas > 1" should be "object.spec.replicas > 1"; Kubernetes creates the policy and warns in
    // status.typeChecking from the Deployment schema. Rampart has no schemas, so it says nothing either way.
    assert.deepEqual(lint(policy('deploy-replica-policy.example.com', `  validations:\n  - expression: "object.replicas > 1"\n    message: "must be replicated"\n    reason: Invalid\n`)), []);
  });

  it('reports result types the API server refuses, on the line of the field', () => {
    const yaml = policy(
      'wrong-types',
      `  variables:
  - name: count
    expression: size(object.spec.template.spec.containers)
  - name: name
    expression: object.metadata.name
  matchConditions:
  - name: named
    expression: "'yes'"
  validations:
  - expression: "'replicas must be small'"
  - expression: variables.count
  - expression: variables.name
  - expression: object.spec.replicas < 5
    messageExpression: object.spec.replicas > 1
  auditAnnotations:
  - key: count
    valueExpression: variables.count
`,
    );
    const lines = yaml.split('\n');
    const lineOf = (text: string): number => lines.findIndex((line) => line.includes(text)) + 1;
    assert.deepEqual(lint(yaml), [
      `${lineOf(`expression: "'yes'"`)}: ValidatingAdmissionPolicy "wrong-types": spec.matchConditions[0].expression: expression does not compile on Kubernetes 1.34 (line 1, column 1 of the expression): must evaluate to bool but got string`,
      `${lineOf(`expression: "'replicas must be small'"`)}: ValidatingAdmissionPolicy "wrong-types": spec.validations[0].expression: expression does not compile on Kubernetes 1.34 (line 1, column 1 of the expression): must evaluate to bool but got string`,
      `${lineOf('expression: variables.count')}: ValidatingAdmissionPolicy "wrong-types": spec.validations[1].expression: expression does not compile on Kubernetes 1.34 (line 1, column 1 of the expression): must evaluate to bool but got int`,
      `${lineOf('messageExpression: object.spec.replicas > 1')}: ValidatingAdmissionPolicy "wrong-types": spec.validations[3].messageExpression: expression does not compile on Kubernetes 1.34 (line 1, column 1 of the expression): must evaluate to string but got bool`,
      `${lineOf('valueExpression: variables.count')}: ValidatingAdmissionPolicy "wrong-types": spec.auditAnnotations[0].valueExpression: expression does not compile on Kubernetes 1.34 (line 1, column 1 of the expression): must evaluate to one of [string null_type] but got int`,
    ]);
  });

  it('reports undeclared identifiers, undefined variables and functions the version lacks', () => {
    const yaml = policy(
      'references',
      `  variables:
  - name: replicas
    expression: object.spec.replicas
  validations:
  - expression: objct.spec.replicas > 1
  - expression: variables.replica > 1
  - expression: "ip('10.0.0.1').family() == 4"
`,
    );
    const diagnostics = lint(yaml, '1.29');
    const lines = yaml.split('\n');
    const lineOf = (text: string): number => lines.findIndex((line) => line.includes(text)) + 1;
    assert.equal(diagnostics.length, 4, diagnostics.join('\n'));
    assert.match(diagnostics[0] ?? '', new RegExp(`^${lineOf('objct')}: .*spec\\.validations\\[0\\]\\.expression: .*\\(line 1, column 1 of the expression\\): undeclared reference to 'objct'$`));
    assert.match(diagnostics[1] ?? '', new RegExp(`^${lineOf('variables.replica >')}: .*spec\\.validations\\[1\\]\\.expression: .*column 10 .*undefined field 'replica': no variable of that name is declared in spec\\.variables$`));
    assert.match(diagnostics[2] ?? '', new RegExp(`^${lineOf('family')}: .*spec\\.validations\\[2\\]\\.expression: expression does not compile on Kubernetes 1\\.29 .*function 'ip' is not available in Kubernetes 1\\.29: the Kubernetes IP library was added in 1\\.30$`));
    assert.match(diagnostics[3] ?? '', /column 15 of the expression\): function 'family' is not available in Kubernetes 1\.29/);
    assert.deepEqual(lint(yaml.replace(/ {2}- expression: objct.*\n {2}- expression: variables.replica > 1\n/, ''), '1.30'), []);
  });

  it('checks CelChecks among the files: expression bool, messageExpression string', () => {
    const yaml = `apiVersion: rampart.dev/v1alpha1
kind: CelCheck
metadata: {name: count}
spec:
  id: CUSTOM-count
  title: Counts containers
  severity: low
  expression: "size(containers)"
  messageExpression: "size(containers) > 1"
  message: too many
`;
    assert.deepEqual(lint(yaml), [
      '8: CelCheck "count": spec.expression: expression does not compile: must evaluate to bool but got int; the check is not run',
      '9: CelCheck "count": spec.messageExpression: expression does not compile: must evaluate to string but got bool; the check is not run',
    ]);
  });

  it('finds nothing to report in the exported PSS policies of every level and version', () => {
    const exported = exportPssPolicies({
      targets: ['baseline', 'restricted'].flatMap((level) => [23, 25, 30, 34].map((minor) => ({ level: level as 'baseline' | 'restricted', minor, requested: `v1.${minor}` }))),
      workloads: true,
      kubernetesVersion: version('1.30'),
    });
    assert.deepEqual(exported.problems, []);
    const batch = loadText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: exported.objects }), 'exported.json');
    const result = lintPolicies(batch.objects, version('1.30'));
    assert.equal(result.policies, 16);
    assert.deepEqual(result.diagnostics, []);
  });
});

describe('rampart policy lint (command)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-lint-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function runLint(file: string, content: string, ...extra: string[]): { status: number | null; stdout: string; stderr: string } {
    writeFileSync(path.join(dir, file), content);
    const child = spawnSync(process.execPath, [CLI, 'policy', 'lint', '--policies', path.join(dir, file), ...extra], { encoding: 'utf8', timeout: 60_000 });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
  }

  it('exits 1 and names file and line when a policy would be rejected, 0 when it is clean', () => {
    const bad = runLint('bad.yaml', policy('bad', `  validations:\n  - expression: "'a' + 1 == 'a1'"\n`));
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, new RegExp(`${path.join(dir, 'bad.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:13:\\d+: error: .*found no matching overload for '_\\+_' applied to '\\(string, int\\)'`));
    assert.match(bad.stdout, /1 ValidatingAdmissionPolicies, 0 bindings, 0 CelChecks on the Kubernetes 1\.34 CEL environment: 1 error, 0 warnings/);
    const good = runLint('good.yaml', policy('good', `  validations:\n  - expression: "object.spec.replicas <= 5"\n`));
    assert.equal(good.status, 0, good.stdout + good.stderr);
    const json = runLint('good.yaml', policy('good', `  validations:\n  - expression: "object.spec.replicas <= 5"\n`), '--format', 'json');
    assert.equal((JSON.parse(json.stdout) as { policies: number }).policies, 1);
  });

  it('exits 2 for a path that does not exist', () => {
    const child = spawnSync(process.execPath, [CLI, 'policy', 'lint', '--policies', path.join(dir, 'nope')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 2, child.stdout + child.stderr);
  });
});
