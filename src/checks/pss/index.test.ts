/** The PSS family inside the scan engine: findings, locations, modes, disabled checks. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../testing/paths.js';
import { allCheckMetas } from '../index.js';
import { Scanner } from '../../engine/scan.js';
import { loadText } from '../../load/load.js';
import type { Finding } from '../../model/types.js';
import { PSS_CHECK_METAS } from './catalogue.js';
import { PSS_CHECKS } from './registry.js';
import { createPssDeferredCheck, resolvePssVersion, type PssScanOptions } from './index.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: app
          image: app:1
          securityContext:
            privileged: true
            runAsUser: 0
`;

const NAMESPACE = `---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/audit: restricted
    pod-security.kubernetes.io/audit-version: v1.22
`;

function scan(text: string, options: PssScanOptions = { level: 'restricted', version: 'latest' }): Finding[] {
  const scanner = new Scanner({ checks: [], deferredPodChecks: [createPssDeferredCheck(options)] });
  for (const object of loadText(text, 'app.yaml').objects) scanner.add(object);
  return scanner.finish().findings;
}

test('findings: PSS-<id>, severity, container, field path and file:line', () => {
  const findings = scan(DEPLOYMENT);
  const privileged = findings.find((finding) => finding.checkId === 'PSS-privileged');
  assert.ok(privileged);
  assert.equal(privileged.severity, 'critical');
  assert.equal(privileged.container, 'app');
  assert.equal(privileged.message, 'container "app" must not set securityContext.privileged=true');
  assert.deepEqual(privileged.path, ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged']);
  assert.deepEqual([privileged.location.file, privileged.location.line], ['app.yaml', 14]);
  assert.deepEqual(privileged.frameworks, [{ framework: 'PSS', id: 'privileged', level: 'baseline' }]);
  const hostNetwork = findings.find((finding) => finding.checkId === 'PSS-hostNamespaces');
  assert.equal(hostNetwork?.location.line, 9);
  const runAsUser = findings.find((finding) => finding.checkId === 'PSS-runAsUser');
  assert.equal(runAsUser?.location.line, 15);
  assert.deepEqual(runAsUser?.frameworks, [{ framework: 'PSS', id: 'runAsUser', level: 'restricted' }]);
});

test('the default level decides which checks run', () => {
  const ids = new Set(scan(DEPLOYMENT, { level: 'baseline', version: 'latest' }).map((finding) => finding.checkId));
  assert.deepEqual([...ids].sort(), ['PSS-hostNamespaces', 'PSS-privileged']);
});

test('namespace labels: findings name the modes they hit', () => {
  const findings = scan(DEPLOYMENT + NAMESPACE);
  const privileged = findings.find((finding) => finding.checkId === 'PSS-privileged');
  assert.match(privileged?.message ?? '', /\[namespace "shop": enforce baseline v1\.37, audit restricted v1\.22, warn baseline v1\.37\]$/);
  const runAsNonRoot = findings.find((finding) => finding.checkId === 'PSS-runAsNonRoot');
  assert.match(runAsNonRoot?.message ?? '', /\[namespace "shop": audit restricted v1\.22\]$/);
  assert.ok(!findings.some((finding) => finding.checkId === 'PSS-runAsUser'), 'runAsUser starts at v1.23, after the audit version');
});

test('disabled checks are not reported', () => {
  const findings = scan(DEPLOYMENT, { level: 'restricted', version: 'latest', disabledChecks: new Set(['PSS-privileged', 'PSS-runAsNonRoot']) });
  assert.ok(!findings.some((finding) => finding.checkId === 'PSS-privileged' || finding.checkId === 'PSS-runAsNonRoot'));
  assert.ok(findings.some((finding) => finding.checkId === 'PSS-hostNamespaces'));
});

test('versions resolve to a concrete policy version', () => {
  assert.equal(resolvePssVersion('latest'), 'v1.37');
  assert.equal(resolvePssVersion('v1.40'), 'v1.37');
  assert.equal(resolvePssVersion('v1.25'), 'v1.25');
});

test('the catalogue has one documented entry per PSA check', () => {
  assert.equal(PSS_CHECK_METAS.length, 19);
  for (const meta of PSS_CHECK_METAS) {
    assert.match(meta.id, /^PSS-/);
    assert.equal(meta.category, 'pod-security');
    assert.ok(meta.description.length > 40 && meta.remediation.length > 20, meta.id);
    assert.equal(meta.frameworks[0]?.framework, 'PSS');
    assert.ok(meta.documentation.endsWith(`#${meta.id.toLowerCase()}`));
  }
  assert.ok(allCheckMetas().some((meta) => meta.id === 'PSS-procMount_restricted'));
});

test('docs/pss.md states the severity of every check as the code does', () => {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs', 'pss.md'), 'utf8');
  const section = docs.slice(docs.indexOf('### Severity'), docs.indexOf('## `rampart pss`'));
  const documented = new Map([...section.matchAll(/^\| `([A-Za-z_]+)` \| (critical|high|medium|low|info) \|/gm)].map((match) => [match[1], match[2]]));
  assert.deepEqual(Object.fromEntries([...documented].sort()), Object.fromEntries(PSS_CHECKS.map((check) => [check.id, check.severity]).sort()));
});

test('at restricted, the more severe baseline checks that restricted replaces are reported too, at their own severity', () => {
  const pod = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      securityContext: {allowPrivilegeEscalation: false, procMount: Unmasked, capabilities: {drop: [ALL], add: [SYS_ADMIN]}}
  volumes: [{name: root, hostPath: {path: /}}, {name: share, nfs: {server: s, path: /}}]
`;
  const findings = scan(pod);
  const summary = findings.map((finding) => `${finding.checkId} ${finding.severity}`).sort();
  assert.deepEqual(summary, [
    'PSS-capabilities_baseline high',
    'PSS-capabilities_restricted medium',
    'PSS-hostPathVolumes critical',
    'PSS-procMount_restricted high',
    'PSS-restrictedVolumes medium',
    'PSS-restrictedVolumes medium',
  ]);
  const metas = new Map(PSS_CHECK_METAS.map((meta) => [meta.id, meta.severity]));
  for (const finding of findings) assert.equal(finding.severity, metas.get(finding.checkId), 'a finding has its check’s severity');
  assert.deepEqual(scan(pod, { level: 'baseline', version: 'latest' }).map((finding) => finding.checkId).sort(), ['PSS-capabilities_baseline', 'PSS-hostPathVolumes', 'PSS-procMount']);
});
