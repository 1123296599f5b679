import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scanner } from '../../engine/scan.js';
import { loadText } from '../../load/load.js';
import { celChecksFrom } from './celChecks.js';

const CHECKS = `
apiVersion: rampart.dev/v1alpha1
kind: CelCheck
metadata: {name: no-latest}
spec:
  id: CUSTOM-no-latest
  title: Images are pinned to a tag other than latest
  severity: high
  frameworks: [{framework: NSA-CISA, id: "Image scanning"}]
  forEachContainer: true
  expression: "container.image.contains(':') && !container.image.endsWith(':latest')"
  messageExpression: "'container ' + container.name + ' uses image ' + container.image"
  message: unpinned image
---
apiVersion: rampart.dev/v1alpha1
kind: CelCheck
metadata: {name: replicas}
spec:
  id: CUSTOM-replicas
  title: Deployments run at least two replicas
  severity: low
  kinds: [Deployment]
  expression: "has(object.spec.replicas) && object.spec.replicas >= 2"
  message: a single replica is not highly available
---
apiVersion: rampart.dev/v1alpha1
kind: CelCheck
metadata: {name: non-root}
spec:
  id: CUSTOM-non-root
  title: Every container runs as non-root (effective security context)
  severity: medium
  expression: "containers.all(c, c.effective.runAsNonRoot == true)"
  message: a container may run as root
`;

const RESOURCES = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
      - {name: app, image: "nginx:latest"}
      - {name: sidecar, image: "envoy:1.30"}
---
apiVersion: v1
kind: Pod
metadata: {name: root-pod, namespace: shop}
spec:
  containers:
  - {name: main, image: "busybox:1.36"}
`;

function scan(checksYaml: string, resourcesYaml: string) {
  const loaded = celChecksFrom(loadText(checksYaml, 'checks.yaml').objects);
  const scanner = new Scanner({ checks: loaded.checks });
  for (const object of loadText(resourcesYaml, 'resources.yaml').objects) scanner.add(object);
  return { loaded, result: scanner.finish() };
}

describe('custom CEL checks', () => {
  const { loaded, result } = scan(CHECKS, RESOURCES);
  it('load without diagnostics', () => {
    assert.deepEqual(loaded.diagnostics, []);
    assert.deepEqual(
      loaded.checks.map((check) => check.meta.id),
      ['CUSTOM-no-latest', 'CUSTOM-replicas', 'CUSTOM-non-root'],
    );
  });
  it('forEachContainer names the container and its line', () => {
    const findings = result.findings.filter((finding) => finding.checkId === 'CUSTOM-no-latest');
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.container, 'app');
    assert.equal(findings[0]?.message, 'container app uses image nginx:latest');
    assert.equal(findings[0]?.location.line, 13);
    assert.equal(findings[0]?.severity, 'high');
    assert.deepEqual(findings[0]?.frameworks, [{ framework: 'NSA-CISA', id: 'Image scanning' }]);
  });
  it('kinds restricts the objects', () => {
    const findings = result.findings.filter((finding) => finding.checkId === 'CUSTOM-replicas');
    assert.deepEqual(
      findings.map((finding) => finding.object.name),
      ['web'],
    );
  });
  it('containers carry the effective security context (pod-level runAsNonRoot inherited)', () => {
    const findings = result.findings.filter((finding) => finding.checkId === 'CUSTOM-non-root');
    assert.deepEqual(
      findings.map((finding) => finding.object.name),
      ['root-pod'],
    );
  });
  it('a check that does not compile is a diagnostic at the field, and is left out', () => {
    const broken = CHECKS.replace('object.spec.replicas >= 2"', 'object.spec.replicas >="').replace('severity: low', 'severity: urgent');
    const { loaded: bad } = scan(broken, RESOURCES);
    assert.deepEqual(
      bad.checks.map((check) => check.meta.id),
      ['CUSTOM-no-latest', 'CUSTOM-non-root'],
    );
    assert.equal(bad.diagnostics.length, 2);
    assert.match(bad.diagnostics[0]?.message ?? '', /CelCheck "replicas": spec\.severity: must be one of/);
    assert.match(bad.diagnostics[1]?.message ?? '', /CelCheck "replicas": spec\.expression: expression does not compile \(line 1, column \d+\): Syntax error/);
    assert.equal(bad.diagnostics[1]?.line, 23);
  });
  it('a runtime error reports the object rather than passing it', () => {
    const erroring = CHECKS.replace('has(object.spec.replicas) && object.spec.replicas >= 2', "object.spec.replicas >= 'two'");
    const { result: errored } = scan(erroring, RESOURCES);
    const finding = errored.findings.find((candidate) => candidate.checkId === 'CUSTOM-replicas');
    assert.match(finding?.message ?? '', /the check's expression failed, so Rampart reports the object: .*no matching overload/);
  });
});
