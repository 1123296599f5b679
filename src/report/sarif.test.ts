import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allCheckMetas } from '../checks/index.js';
import { CLI, CORPORA } from '../testing/paths.js';
import type { JsonReport } from './json.js';
import {
  FINGERPRINT_KEY,
  SARIF_VERSION,
  SECURITY_SEVERITY,
  SOURCE_ROOT_ID,
  artifactLocator,
  renderSarif,
  ruleName,
  toSarifLog,
  type SarifLog,
  type SarifRun,
} from './sarif.js';
import { diagnostic, finding, meta, scanResult, TOOL } from './testing/fixtures.js';
import { describeErrors, sarifValidator } from './testing/schemas.js';
import { tempDir } from '../testing/tempDir.js';

const validate = sarifValidator();
const BADPODS = path.join(CORPORA, 'badpods', 'manifests');

function rampart(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertValid(log: unknown): void {
  assert.ok(validate(log), `SARIF schema violations: ${describeErrors(validate)}`);
}

function onlyRun(log: SarifLog): SarifRun {
  assert.equal(log.runs.length, 1);
  return log.runs[0];
}

/** Rules are unique, every result names an existing rule by ID and index, and agrees with its default level. */
function assertConsistent(run: SarifRun): void {
  const rules = run.tool.driver.rules;
  assert.equal(new Set(rules.map((rule) => rule.id)).size, rules.length, 'rule IDs are unique');
  for (const result of run.results) {
    const rule = rules[result.ruleIndex];
    assert.ok(rule !== undefined, `ruleIndex ${result.ruleIndex} exists`);
    assert.equal(rule.id, result.ruleId);
    assert.equal(result.level, rule.defaultConfiguration.level, `${result.ruleId}: the result level is the rule's level`);
    assert.equal(result.properties.severity, rule.properties.severity);
  }
}

const METAS = [
  meta({ id: 'TEST-privileged', severity: 'critical', title: 'Privileged containers', category: 'pod-security' }),
  meta({ id: 'TEST-hostPath', severity: 'high', title: 'hostPath volumes' }),
  meta({ id: 'TEST-seccomp', severity: 'medium', title: 'Seccomp profile' }),
  meta({ id: 'TEST-labels', severity: 'low', title: 'Recommended labels', category: 'workload', frameworks: [] }),
  meta({ id: 'TEST-info', severity: 'info', title: 'An informational note', frameworks: [{ framework: 'MITRE-ATTACK', id: 'T1611' }] }),
];

test('a real scan of the badPods corpus is valid SARIF 2.1.0 and agrees with the JSON report', () => {
  assert.ok(existsSync(BADPODS), `the badPods corpus is at ${BADPODS}`);
  // With a config-file exception, so suppressed findings are validated too.
  const config = path.join(tempDir('rampart-sarif-config-'), 'rampart.yaml');
  writeFileSync(
    config,
    'exceptions:\n  - checks: [PSS-privileged]\n    match: {}\n    reason: test clusters run privileged debug pods\n    owner: platform-team\n    expires: "2099-12-31"\n',
  );
  const sarif = rampart(['scan', 'badpods/manifests', '--format', 'sarif', '--config', config], CORPORA);
  assert.ok(sarif.status === 0 || sarif.status === 1, sarif.stderr);
  const log = JSON.parse(sarif.stdout) as SarifLog;
  assertValid(log);
  assert.equal(log.version, SARIF_VERSION);
  const run = onlyRun(log);
  assert.equal(run.tool.driver.name, 'rampart');
  assert.match(run.tool.driver.version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(
    run.tool.driver.rules.slice(0, allCheckMetas().length).map((rule) => rule.id),
    allCheckMetas().map((check) => check.id),
    'every check in the catalogue has a rule descriptor, in catalogue order',
  );
  assertConsistent(run);
  if (allCheckMetas().length > 0) assert.ok(run.results.length > 0, 'badPods pods break the Pod Security Standards');
  for (const result of run.results) {
    const artifact = result.locations[0]?.physicalLocation?.artifactLocation;
    assert.ok(artifact !== undefined);
    assert.equal(artifact.uriBaseId, SOURCE_ROOT_ID);
    assert.doesNotMatch(artifact.uri, /\\|^\//, 'relative, forward slashes');
    assert.ok(existsSync(path.join(CORPORA, decodeURIComponent(artifact.uri))), `${artifact.uri} resolves against the scan directory`);
  }
  const sourceRoot = run.originalUriBaseIds?.[SOURCE_ROOT_ID]?.uri;
  if (run.results.length > 0) assert.equal(sourceRoot !== undefined ? fileURLToPath(sourceRoot) : undefined, `${realpathSync(CORPORA)}${path.sep}`);

  const json = JSON.parse(rampart(['scan', 'badpods/manifests', '--format', 'json', '--config', config], CORPORA).stdout) as JsonReport;
  assert.ok((json.suppressed?.length ?? 0) > 0, 'badPods has privileged pods for the exception to suppress');
  assert.deepEqual(
    run.results.map((result) => [result.ruleId, result.message.text, result.locations[0]?.physicalLocation?.region?.startLine, result.suppressions !== undefined]),
    [...json.findings.map((entry) => [entry.checkId, entry.message, entry.location.line, false]), ...(json.suppressed ?? []).map((entry) => [entry.checkId, entry.message, entry.location.line, true])],
    'one SARIF result per finding, same order, then one per suppressed finding',
  );
  for (const result of run.results.filter((entry) => entry.suppressions !== undefined)) {
    assert.deepEqual(result.suppressions?.map((suppression) => [suppression.kind, suppression.status, suppression.justification, suppression.properties]), [
      ['external', 'accepted', 'test clusters run privileged debug pods (owner platform-team, expires 2099-12-31)', { source: 'config', owner: 'platform-team', expires: '2099-12-31' }],
    ]);
    assert.equal(result.suppressions?.[0]?.location?.physicalLocation?.region?.startLine, 2, 'the config entry starts on line 2');
  }
});

test('a real scan with unreadable input reports diagnostics as tool execution notifications', () => {
  const directory = tempDir('rampart-sarif-');
  copyFileSync(path.join(BADPODS, 'priv', 'pod', 'priv-exec-pod.yaml'), path.join(directory, 'priv pod.yaml'));
  writeFileSync(path.join(directory, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n');
  const args = ['scan', '.', 'missing.yaml'];
  const sarif = rampart([...args, '--format', 'sarif'], directory);
  assert.equal(sarif.status, 2, sarif.stderr);
  const log = JSON.parse(sarif.stdout) as SarifLog;
  assertValid(log);
  const run = onlyRun(log);
  assertConsistent(run);
  const invocation = run.invocations[0];
  assert.equal(invocation.executionSuccessful, false, 'a path that does not exist means the requested analysis did not happen');
  const json = JSON.parse(rampart([...args, '--format', 'json'], directory).stdout) as JsonReport;
  assert.ok(json.diagnostics.length >= 2);
  assert.deepEqual(
    invocation.toolExecutionNotifications.map((notification) => [notification.descriptor.id, notification.level, notification.message.text]),
    json.diagnostics.map((entry) => [entry.code, entry.severity, entry.message]),
  );
  const broken = invocation.toolExecutionNotifications.find((notification) => notification.locations?.[0]?.physicalLocation?.artifactLocation.uri === 'broken.yaml');
  assert.ok(broken, 'the syntax error points at broken.yaml');
  assert.ok((broken.locations?.[0]?.physicalLocation?.region?.startLine ?? 0) >= 1);
  for (const result of run.results) assert.equal(result.locations[0]?.physicalLocation?.artifactLocation.uri, 'priv%20pod.yaml');
});

test('rule descriptors are generated from check metadata', () => {
  const log = toSarifLog(scanResult(), { tool: TOOL }, METAS);
  assertValid(log);
  const rules = onlyRun(log).tool.driver.rules;
  assert.deepEqual(
    rules.map((rule) => [rule.id, rule.defaultConfiguration.level, rule.properties['security-severity']]),
    [
      ['TEST-privileged', 'error', '9.5'],
      ['TEST-hostPath', 'error', '8.0'],
      ['TEST-seccomp', 'warning', '5.5'],
      ['TEST-labels', 'note', '3.0'],
      ['TEST-info', 'note', '1.0'],
    ],
  );
  const [privileged] = rules;
  const source = METAS[0];
  assert.ok(privileged !== undefined && source !== undefined);
  assert.equal(privileged.name, 'PrivilegedContainers');
  assert.equal(privileged.shortDescription.text, source.title);
  assert.equal(privileged.fullDescription?.text, source.description);
  assert.equal(privileged.help?.text, source.remediation);
  assert.equal(privileged.helpUri, source.documentation);
  assert.deepEqual(privileged.properties.tags, ['security', 'kubernetes', 'pod-security', 'PSS', 'PSS/baseline']);
  assert.deepEqual(privileged.properties.frameworks, source.frameworks);
  for (const value of Object.values(SECURITY_SEVERITY)) {
    const score = Number(value);
    assert.ok(score >= 0 && score <= 10, 'GitHub reads a score between 0.0 and 10.0');
  }
});

test('rule names are identifiers derived from titles', () => {
  assert.equal(ruleName('hostPath volumes', 'X'), 'HostPathVolumes');
  assert.equal(ruleName('Running as root (UID 0)', 'X'), 'RunningAsRootUID0');
  assert.equal(ruleName('', 'PSS-procMount_restricted'), 'PSSprocMountrestricted');
});

test('results carry location, object, level and a rule index; unknown checks still get a descriptor', () => {
  const findings = [
    finding({ checkId: 'TEST-privileged', severity: 'critical', line: 21, column: 11, container: 'app', path: ['spec', 'containers', 0, 'securityContext', 'privileged'] }),
    finding({ checkId: 'TEST-unregistered', severity: 'medium', title: 'Something new', object: { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', namespace: undefined, name: 'wide' }, file: 'rbac.yaml', line: 2, column: 1 }),
  ];
  const log = toSarifLog(scanResult(findings), { tool: TOOL, baseDirectory: '/repo' }, METAS);
  assertValid(log);
  const run = onlyRun(log);
  assertConsistent(run);
  assert.equal(run.tool.driver.rules.length, METAS.length + 1);
  const unknown = run.tool.driver.rules.at(-1);
  assert.equal(unknown?.id, 'TEST-unregistered');
  assert.equal(unknown?.shortDescription.text, 'Something new');
  assert.equal(unknown?.defaultConfiguration.level, 'warning');

  const [privileged, rbac] = run.results;
  assert.ok(privileged !== undefined && rbac !== undefined);
  assert.equal(privileged.ruleIndex, 0);
  assert.equal(privileged.level, 'error');
  assert.deepEqual(privileged.locations[0]?.physicalLocation, {
    artifactLocation: { uri: 'manifests/api.yaml', uriBaseId: SOURCE_ROOT_ID },
    region: { startLine: 21, startColumn: 11 },
  });
  assert.deepEqual(privileged.locations[0]?.logicalLocations, [{ name: 'api', fullyQualifiedName: 'Deployment/shop/api', kind: 'resource' }]);
  assert.equal(privileged.properties.container, 'app');
  assert.equal(privileged.properties.path, 'spec.containers[0].securityContext.privileged');
  assert.equal(rbac.ruleIndex, METAS.length);
  assert.deepEqual(rbac.locations[0]?.logicalLocations?.[0]?.fullyQualifiedName, 'ClusterRole/wide');
  assert.deepEqual(run.originalUriBaseIds, { [SOURCE_ROOT_ID]: { uri: 'file:///repo/' } });
});

test('suppressed findings are results with an accepted suppression: inSource for annotations, external for the config file', () => {
  const reported = finding({ checkId: 'TEST-seccomp', severity: 'medium', line: 30 });
  const inline = { source: 'inline', checks: ['TEST-privileged'], reason: 'loads a kernel module', expires: '2027-03-31', file: 'manifests/api.yaml', line: 6 } as const;
  const central = { source: 'config', checks: ['TEST-unregistered'], reason: 'accepted for the migration', owner: 'platform-team', match: {}, file: '/elsewhere/rampart.yaml', line: 2 } as const;
  const suppressed = [
    { finding: finding({ checkId: 'TEST-privileged', severity: 'critical', line: 21, container: 'app' }), exception: inline },
    { finding: finding({ checkId: 'TEST-unregistered', severity: 'low', line: 25 }), exception: central },
  ];
  const log = toSarifLog(scanResult([reported]), { tool: TOOL, baseDirectory: '/repo', suppressed }, METAS);
  assertValid(log);
  const run = onlyRun(log);
  assertConsistent(run);
  assert.equal(run.tool.driver.rules.at(-1)?.id, 'TEST-unregistered', 'a suppressed finding of an unknown check still gets a descriptor');
  assert.deepEqual(
    run.results.map((result) => result.ruleId),
    ['TEST-seccomp', 'TEST-privileged', 'TEST-unregistered'],
  );
  const [first, annotated, configured] = run.results;
  assert.equal(first?.suppressions, undefined, 'reported findings have no suppressions');
  assert.deepEqual(annotated?.suppressions, [
    {
      kind: 'inSource',
      status: 'accepted',
      justification: 'loads a kernel module (expires 2027-03-31)',
      location: { physicalLocation: { artifactLocation: { uri: 'manifests/api.yaml', uriBaseId: SOURCE_ROOT_ID }, region: { startLine: 6 } } },
      properties: { source: 'inline', expires: '2027-03-31' },
    },
  ]);
  assert.deepEqual(configured?.suppressions, [
    {
      kind: 'external',
      status: 'accepted',
      justification: 'accepted for the migration (owner platform-team)',
      location: { physicalLocation: { artifactLocation: { uri: 'file:///elsewhere/rampart.yaml' }, region: { startLine: 2 } } },
      properties: { source: 'config', owner: 'platform-team' },
    },
  ]);
  assert.notEqual(annotated?.partialFingerprints[FINGERPRINT_KEY], undefined, 'suppressed results keep their fingerprint, so a code-scanning service can match them to earlier alerts');
});

test('artifact URIs are relative, forward-slashed and percent-encoded', () => {
  const locate = artifactLocator('/work/repo');
  assert.deepEqual(locate('manifests/my app/pod #1.yaml'), { uri: 'manifests/my%20app/pod%20%231.yaml', uriBaseId: SOURCE_ROOT_ID });
  assert.deepEqual(locate('./k8s/../k8s/100%.yaml'), { uri: 'k8s/100%25.yaml', uriBaseId: SOURCE_ROOT_ID });
  assert.deepEqual(locate('déploiement/ünïcode.yaml'), { uri: 'd%C3%A9ploiement/%C3%BCn%C3%AFcode.yaml', uriBaseId: SOURCE_ROOT_ID });
  assert.deepEqual(locate('a:b/c.yaml'), { uri: 'a%3Ab/c.yaml', uriBaseId: SOURCE_ROOT_ID }, 'a colon cannot turn the path into a scheme');
  assert.deepEqual(locate('/work/repo/deploy/app.yaml'), { uri: 'deploy/app.yaml', uriBaseId: SOURCE_ROOT_ID }, 'absolute paths under the base become relative');
  assert.deepEqual(locate('/etc/kubernetes/manifests/kube-apiserver.yaml'), { uri: 'file:///etc/kubernetes/manifests/kube-apiserver.yaml' });
  assert.deepEqual(locate('/work/repository/x.yaml'), { uri: 'file:///work/repository/x.yaml' }, 'a sibling with a common prefix is not under the base');
  assert.equal(locate('<stdin>'), undefined);
});

test('findings read from stdin keep their logical location but have no artifact', () => {
  const log = toSarifLog(scanResult([finding({ file: '<stdin>', line: 11 })]), { tool: TOOL, baseDirectory: '/repo' }, METAS);
  assertValid(log);
  const run = onlyRun(log);
  const [result] = run.results;
  assert.equal(result?.locations[0]?.physicalLocation, undefined);
  assert.equal(result?.locations[0]?.logicalLocations?.[0]?.fullyQualifiedName, 'Deployment/shop/api');
  assert.equal(run.originalUriBaseIds, undefined, 'no relative artifact, no base to declare');
});

test('fingerprints survive edits that move lines, and tell different findings apart', () => {
  const base = [
    finding({ checkId: 'TEST-privileged', line: 10, container: 'app', path: ['spec', 'containers', 0] }),
    finding({ checkId: 'TEST-privileged', line: 20, container: 'sidecar', path: ['spec', 'containers', 1] }),
    finding({ checkId: 'TEST-hostPath', line: 30, path: ['spec', 'volumes', 0] }),
    finding({ checkId: 'TEST-hostPath', line: 30, path: ['spec', 'volumes', 0], message: 'a second report on the same field' }),
  ];
  const moved = base.map((entry) => ({ ...entry, location: { ...entry.location, line: entry.location.line + 7 } }));
  const fingerprints = (findings: typeof base): string[] =>
    onlyRun(toSarifLog(scanResult(findings), { tool: TOOL }, METAS)).results.map((result) => result.partialFingerprints[FINGERPRINT_KEY] ?? '');
  const first = fingerprints(base);
  assert.deepEqual(fingerprints(base), first, 'the same input gives the same fingerprints');
  assert.deepEqual(fingerprints(moved), first, 'moving lines keeps the fingerprints');
  assert.equal(new Set(first).size, first.length, 'every result has its own fingerprint');
  assert.match(first[0] ?? '', /^[0-9a-f]{32}$/);
  assert.equal(first[3], `${first[2]}:2`, 'the second report on one field is numbered');
  const renamed = fingerprints([{ ...base[0]!, object: { ...base[0]!.object, name: 'other' } }]);
  assert.notEqual(renamed[0], first[0], 'another object is another finding');
});

test('an empty result is a valid log with every rule and no results', () => {
  const text = renderSarif(scanResult(), { tool: TOOL, pss: { level: 'restricted', version: 'v1.34', requestedVersion: 'latest' } }, METAS);
  assert.ok(text.endsWith('\n'));
  const log = JSON.parse(text) as SarifLog;
  assertValid(log);
  const run = onlyRun(log);
  assert.deepEqual(run.results, []);
  assert.equal(run.tool.driver.rules.length, METAS.length);
  assert.equal(run.invocations[0].executionSuccessful, true);
  assert.deepEqual(run.invocations[0].toolExecutionNotifications, []);
  assert.deepEqual(run.properties, { pss: { level: 'restricted', version: 'v1.34', requestedVersion: 'latest' } });
});

test('a diagnostics-only result lists notifications with their positions', () => {
  const diagnostics = [
    diagnostic({ file: 'broken.yaml', line: 3, column: 7 }),
    diagnostic({ severity: 'warning', code: 'not-kubernetes-object', message: 'document 2 has no kind', file: 'values.yaml', line: 1, column: undefined }),
    diagnostic({ code: 'unreadable', message: 'cannot read directory', file: 'secret', line: undefined, column: undefined }),
  ];
  const log = toSarifLog(scanResult([], diagnostics), { tool: TOOL }, METAS);
  assertValid(log);
  const invocation = onlyRun(log).invocations[0];
  assert.equal(invocation.executionSuccessful, true, 'a bad document is a user mistake, not a failed run');
  assert.deepEqual(invocation.toolExecutionNotifications, [
    {
      level: 'error',
      message: { text: 'unexpected end of the stream' },
      descriptor: { id: 'yaml-syntax' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'broken.yaml', uriBaseId: SOURCE_ROOT_ID }, region: { startLine: 3, startColumn: 7 } } }],
    },
    {
      level: 'warning',
      message: { text: 'document 2 has no kind' },
      descriptor: { id: 'not-kubernetes-object' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'values.yaml', uriBaseId: SOURCE_ROOT_ID }, region: { startLine: 1 } } }],
    },
    {
      level: 'error',
      message: { text: 'cannot read directory' },
      descriptor: { id: 'unreadable' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'secret', uriBaseId: SOURCE_ROOT_ID } } }],
    },
  ]);
  const crashed = onlyRun(toSarifLog(scanResult([], [diagnostic({ code: 'internal-error', message: 'check X failed' })]), { tool: TOOL }, METAS));
  assert.equal(crashed.invocations[0].executionSuccessful, false, 'a crashed check means the analysis is incomplete');
});
