import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from './config.js';

test('an empty config file gives the defaults', async () => {
  const config = await parseConfig('', 'empty.yaml');
  assert.deepEqual(config.pss, DEFAULT_CONFIG.pss);
  assert.equal(config.failOn, undefined);
  assert.equal(config.limits.maxAliasCount, 100);
});

test('settings are read, with pod-template paths split into segments', async () => {
  const config = await parseConfig(
    [
      'kind: RampartConfig',
      'pss: {level: baseline, version: v1.29}',
      'failOn: medium',
      'checks: {disabled: [PSS-hostPorts]}',
      'limits: {maxDepth: 64}',
      'podTemplates:',
      '  - apiVersion: example.com/v1',
      '    kind: WebApp',
      '    templatePath: spec.workload.template',
    ].join('\n'),
    'rampart.yaml',
  );
  assert.deepEqual(config.pss, { level: 'baseline', version: 'v1.29' });
  assert.equal(config.failOn, 'medium');
  assert.ok(config.disabledChecks.has('PSS-hostPorts'));
  assert.equal(config.limits.maxDepth, 64);
  assert.equal(config.limits.maxFileBytes, DEFAULT_CONFIG.limits.maxFileBytes);
  assert.deepEqual(config.podTemplates, [
    { group: 'example.com', kind: 'WebApp', metadataPath: ['spec', 'workload', 'template', 'metadata'], specPath: ['spec', 'workload', 'template', 'spec'] },
  ]);
});

test('an unknown key is an error naming file and line', async () => {
  await assert.rejects(parseConfig('pss:\n  level: baseline\n  levle: restricted\n', 'typo.yaml'), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /typo\.yaml:3: \/pss unknown key "levle"/);
    return true;
  });
});

test('a wrong value is an error naming the field', async () => {
  await assert.rejects(parseConfig('failOn: severe\n', 'bad.yaml'), /bad\.yaml:1: \/failOn must be equal to one of the allowed values/);
  await assert.rejects(parseConfig('pss: {version: "1.30"}\n', 'bad.yaml'), /\/pss\/version must match pattern/);
});

test('malformed YAML in the config is a ConfigError, not a crash', async () => {
  await assert.rejects(parseConfig('pss: [unclosed\n', 'broken.yaml'), (error: unknown) => error instanceof ConfigError && /broken\.yaml:\d+:/.test(error.message));
});

test('central exceptions are read with the line of each entry; owner and reason are required, dates must exist', async () => {
  const text = [
    'exceptions:',
    '  - checks: [PSS-privileged]',
    '    match: {kind: Pod, namespace: tools, labels: {app: debug}}',
    '    reason: break-glass debugging pod',
    '    owner: sre@example.com',
    '    expires: "2027-03-31"',
    '  - checks: [a, b]',
    '    match: {}',
    '    reason: r',
    '    owner: o',
    '',
  ].join('\n');
  const config = await parseConfig(text, 'rampart.yaml');
  assert.deepEqual(config.exceptions, [
    { checks: ['PSS-privileged'], match: { kind: 'Pod', namespace: 'tools', labels: { app: 'debug' } }, reason: 'break-glass debugging pod', owner: 'sre@example.com', expires: '2027-03-31', file: 'rampart.yaml', line: 2 },
    { checks: ['a', 'b'], match: {}, reason: 'r', owner: 'o', file: 'rampart.yaml', line: 7 },
  ]);
  assert.deepEqual(DEFAULT_CONFIG.exceptions, []);
  await assert.rejects(parseConfig('exceptions:\n  - {checks: [a], match: {}, reason: r}\n', 'c.yaml'), /c\.yaml:2: \/exceptions\/0 must have required property 'owner'/);
  await assert.rejects(parseConfig('exceptions:\n  - {checks: [a], match: {}, owner: o, reason: " "}\n', 'c.yaml'), /\/exceptions\/0\/reason must match/);
  await assert.rejects(parseConfig('exceptions:\n  - {checks: [a], match: {}, owner: o, reason: r, expires: "2027-02-30"}\n', 'c.yaml'), /c\.yaml:2: \/exceptions\/0\/expires is not a calendar date/);
  await assert.rejects(parseConfig('exceptions:\n  - {checks: [a], match: {team: x}, owner: o, reason: r}\n', 'c.yaml'), ConfigError);
});
