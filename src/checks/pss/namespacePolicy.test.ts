/** Namespace labels → per-mode policy, with PSA's handling of invalid labels; and judging pods against them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadText } from '../../load/load.js';
import { ClusterIndex } from '../../model/clusterIndex.js';
import { PodTemplateFinder } from '../../model/podTemplates.js';
import { buildPodView } from '../../model/podView.js';
import { judgePod } from './evaluate.js';
import { namespacePolicy, type NamespacePolicy } from './namespacePolicy.js';

const label = (mode: string, suffix = ''): string => `pod-security.kubernetes.io/${mode}${suffix}`;

function modes(policy: NamespacePolicy | undefined): Record<string, string> {
  assert.ok(policy);
  return Object.fromEntries(Object.entries(policy.modes).map(([mode, value]) => [mode, `${value.level}:${value.version}`]));
}

describe('namespacePolicy', () => {
  test('no pod-security labels: the caller decides', () => {
    assert.equal(namespacePolicy('ns', {}), undefined);
    assert.equal(namespacePolicy('ns', { 'app.kubernetes.io/name': 'x' }), undefined);
  });

  const cases: Array<{ name: string; labels: Record<string, string>; expect: Record<string, string>; problems: number }> = [
    { name: 'enforce only: warn follows enforce', labels: { [label('enforce')]: 'baseline' }, expect: { enforce: 'baseline:v1.37', audit: 'privileged:v1.37', warn: 'baseline:v1.37' }, problems: 0 },
    {
      name: 'enforce with version: warn follows both',
      labels: { [label('enforce')]: 'restricted', [label('enforce', '-version')]: 'v1.25' },
      expect: { enforce: 'restricted:v1.25', audit: 'privileged:v1.37', warn: 'restricted:v1.25' },
      problems: 0,
    },
    {
      name: 'enforce and warn-version: warn takes the enforce level and its own version',
      labels: { [label('enforce')]: 'baseline', [label('warn', '-version')]: 'v1.23' },
      expect: { enforce: 'baseline:v1.37', audit: 'privileged:v1.37', warn: 'baseline:v1.23' },
      problems: 0,
    },
    {
      name: 'explicit warn privileged is kept',
      labels: { [label('enforce')]: 'baseline', [label('warn')]: 'privileged' },
      expect: { enforce: 'baseline:v1.37', audit: 'privileged:v1.37', warn: 'privileged:v1.37' },
      problems: 0,
    },
    {
      name: 'fully specified',
      labels: { [label('enforce')]: 'baseline', [label('enforce', '-version')]: 'v1.20', [label('warn')]: 'restricted', [label('warn', '-version')]: 'v1.21', [label('audit')]: 'restricted', [label('audit', '-version')]: 'v1.22' },
      expect: { enforce: 'baseline:v1.20', audit: 'restricted:v1.22', warn: 'restricted:v1.21' },
      problems: 0,
    },
    { name: 'invalid enforce level fails closed', labels: { [label('enforce')]: 'strict' }, expect: { enforce: 'restricted:v1.37', audit: 'privileged:v1.37', warn: 'privileged:v1.37' }, problems: 1 },
    { name: 'invalid audit level fails open', labels: { [label('audit')]: 'Restricted' }, expect: { enforce: 'privileged:v1.37', audit: 'privileged:v1.37', warn: 'privileged:v1.37' }, problems: 1 },
    { name: 'invalid warn level fails open', labels: { [label('enforce')]: 'baseline', [label('warn')]: 'loud' }, expect: { enforce: 'baseline:v1.37', audit: 'privileged:v1.37', warn: 'privileged:v1.37' }, problems: 1 },
    { name: 'invalid version means latest', labels: { [label('enforce')]: 'baseline', [label('enforce', '-version')]: 'v1.01' }, expect: { enforce: 'baseline:v1.37', audit: 'privileged:v1.37', warn: 'baseline:v1.37' }, problems: 1 },
    { name: 'a future version evaluates as the newest', labels: { [label('enforce')]: 'baseline', [label('enforce', '-version')]: 'v1.99' }, expect: { enforce: 'baseline:v1.37', audit: 'privileged:v1.37', warn: 'baseline:v1.37' }, problems: 0 },
    { name: 'a version label alone keeps the level at privileged', labels: { [label('enforce', '-version')]: 'v1.30' }, expect: { enforce: 'privileged:v1.30', audit: 'privileged:v1.37', warn: 'privileged:v1.37' }, problems: 0 },
  ];
  for (const entry of cases) {
    test(entry.name, () => {
      const policy = namespacePolicy('ns', entry.labels);
      assert.deepEqual(modes(policy), entry.expect);
      assert.equal(policy?.problems.length, entry.problems);
    });
  }
});

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: plain
  labels: {team: a}
---
apiVersion: v1
kind: Namespace
metadata:
  name: broken
  labels:
    pod-security.kubernetes.io/enforce: maximum
---
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels:
    pod-security.kubernetes.io/audit: baseline
`;

function judge(namespace: string | undefined, spec: string, defaults: { level: 'baseline' | 'restricted'; minor: number } = { level: 'restricted', minor: 37 }): ReturnType<typeof judgePod> {
  const cluster = new ClusterIndex();
  for (const object of loadText(NAMESPACES, 'ns.yaml').objects) cluster.addObject(object);
  const metadata = namespace === undefined ? 'metadata: {name: p}' : `metadata: {name: p, namespace: ${namespace}}`;
  const [object] = loadText(`apiVersion: v1\nkind: Pod\n${metadata}\nspec:\n${spec}`, 'pod.yaml').objects;
  assert.ok(object);
  const template = new PodTemplateFinder().find(object);
  assert.equal(template.kind, 'template');
  return judgePod(object, buildPodView(template.template), cluster, defaults);
}

const PRIVILEGED = '  containers: [{name: app, securityContext: {privileged: true}}]\n';
const UNHARDENED = '  containers: [{name: app}]\n';

describe('judging pods against their namespace', () => {
  test('a baseline violation hits enforce and the warn mode that follows it', () => {
    const judgement = judge('prod', PRIVILEGED);
    assert.equal(judgement.allowed, false);
    const privileged = judgement.violations.find((violation) => violation.check.id === 'privileged');
    assert.deepEqual(privileged?.modes, ['enforce', 'warn']);
  });

  test('restricted-only violations hit warn and leave the pod allowed', () => {
    const judgement = judge('prod', UNHARDENED);
    assert.equal(judgement.allowed, true);
    assert.ok(judgement.violations.length > 0);
    assert.ok(judgement.violations.every((violation) => violation.modes.length === 1 && violation.modes[0] === 'warn'));
    assert.deepEqual(judgement.policy?.modes.enforce.version, 'v1.30');
  });

  test('a namespace without pod-security labels uses the defaults', () => {
    const judgement = judge('plain', UNHARDENED, { level: 'baseline', minor: 37 });
    assert.equal(judgement.policy, undefined);
    assert.equal(judgement.allowed, true);
    assert.equal(judge('plain', UNHARDENED).allowed, false, 'default restricted');
  });

  test('a namespace missing from the input uses the defaults', () => {
    const judgement = judge('elsewhere', PRIVILEGED, { level: 'baseline', minor: 37 });
    assert.equal(judgement.policy, undefined);
    assert.equal(judgement.allowed, false);
    assert.deepEqual(judgement.violations[0]?.modes, []);
  });

  test('an invalid enforce level is enforced as restricted', () => {
    const judgement = judge('broken', UNHARDENED);
    assert.equal(judgement.allowed, false);
    assert.equal(judgement.policy?.modes.enforce.level, 'restricted');
    assert.equal(judgement.policy?.problems[0]?.label, 'pod-security.kubernetes.io/enforce');
  });

  test('a pod without metadata.namespace is judged in the default namespace', () => {
    const judgement = judge(undefined, PRIVILEGED);
    assert.equal(judgement.namespace, 'default');
    assert.equal(judgement.allowed, true, 'audit never denies');
    assert.deepEqual(judgement.violations.map((violation) => [violation.check.id, violation.modes]), [['privileged', ['audit']]]);
  });
});
