import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG, parseConfig } from '../config/config.js';
import { DEFAULT_ADMISSION_CONFIG, parseWebhookConfig } from './config.js';
import { boundedWarnings, Decider, effectiveLabels, isSignificantPodUpdate, MAX_WARNING_CHARS, MAX_WARNINGS_TOTAL_CHARS } from './decide.js';
import type { JsonObject } from '../model/types.js';
import { deployment, ENFORCE, pod, privilegedPod, request, restrictedPod, webhookConfig } from './testSupport.js';

const baseline = { [ENFORCE]: 'baseline' };
const restricted = { [ENFORCE]: 'restricted' };

describe('decision core: Pod Security Admission semantics', () => {
  const decider = new Decider(webhookConfig());

  it('denies a Pod that violates the enforce level, naming check, container and field', () => {
    const decision = decider.decide(request(privilegedPod()), baseline);
    assert.equal(decision.response.allowed, false);
    assert.equal(decision.response.status?.code, 403);
    const causes = decision.response.status?.details?.causes ?? [];
    assert.deepEqual(
      causes.map((cause) => [cause.reason, cause.field]),
      [['PSS-privileged', 'spec.containers[0].securityContext.privileged']],
    );
    assert.match(decision.response.status?.message ?? '', /^Pod "bad" is forbidden by Rampart: \[PSS-privileged\] container "app" must not set securityContext\.privileged=true/);
    assert.equal(decision.response.warnings, undefined, 'no warnings on a denied request, as PSA');
    assert.equal(decision.response.auditAnnotations?.['pod-security-enforce-policy'], 'baseline:latest');
  });

  it('allows the same Pod in a namespace without Pod Security labels, returning the catalogue as warnings', () => {
    const decision = decider.decide(request(privilegedPod()), {});
    assert.equal(decision.response.allowed, true);
    const warnings = decision.response.warnings ?? [];
    assert.ok(warnings.some((warning) => warning.startsWith('[container-privileged] ')), warnings.join('\n'));
    assert.ok(!warnings.some((warning) => warning.startsWith('[PSS-')), 'no PSS without labels or defaults');
  });

  it('only warns on a Deployment that would violate enforce, unless enforceOnControllers is set', () => {
    const bad = deployment('web', privilegedPod().spec as Record<string, unknown>);
    const warned = decider.decide(request(bad), baseline);
    assert.equal(warned.response.allowed, true);
    assert.ok(warned.response.warnings?.some((warning) => warning.startsWith('[PSS-privileged] container "app"')));
    // With warn explicitly privileged, PSA says nothing about controllers.
    const quiet = decider.decide(request(bad), { ...baseline, 'pod-security.kubernetes.io/warn': 'privileged' });
    assert.equal(quiet.response.allowed, true);
    assert.ok(!quiet.response.warnings?.some((warning) => warning.startsWith('[PSS-')));
    assert.ok(quiet.findings.some((entry) => entry.finding.checkId === 'PSS-privileged' && entry.action === 'ignore'));
    const strict = new Decider(webhookConfig({ podSecurity: { ...DEFAULT_ADMISSION_CONFIG.podSecurity, enforceOnControllers: true } }));
    const denied = strict.decide(request(bad), baseline);
    assert.equal(denied.response.allowed, false);
    assert.deepEqual(denied.response.status?.details?.causes.map((cause) => cause.field), ['spec.template.spec.containers[0].securityContext.privileged']);
  });

  it('puts audit-mode violations in audit annotations and warn-mode violations in warnings', () => {
    const decision = decider.decide(request(privilegedPod()), { 'pod-security.kubernetes.io/audit': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' });
    assert.equal(decision.response.allowed, true);
    assert.match(decision.response.auditAnnotations?.['pod-security-audit-violations'] ?? '', /\[PSS-privileged\]/);
    assert.ok(decision.response.warnings?.some((warning) => warning.startsWith('[PSS-runAsNonRoot]')));
    assert.ok(!(decision.response.auditAnnotations?.['pod-security-audit-violations'] ?? '').includes('PSS-runAsNonRoot'), 'runAsNonRoot is restricted only, audit is baseline');
  });

  it('evaluates the version the label names: runAsUser=0 is allowed by restricted v1.22 and denied from v1.23', () => {
    const root = restrictedPod('root');
    ((root.spec as { securityContext: Record<string, unknown> }).securityContext).runAsUser = 0;
    assert.equal(decider.decide(request(root), { ...restricted, 'pod-security.kubernetes.io/enforce-version': 'v1.22' }).response.allowed, true);
    const denied = decider.decide(request(root), { ...restricted, 'pod-security.kubernetes.io/enforce-version': 'v1.23' });
    assert.equal(denied.response.allowed, false);
    assert.deepEqual(denied.response.status?.details?.causes.map((cause) => cause.reason), ['PSS-runAsUser']);
    assert.equal(denied.response.auditAnnotations?.['pod-security-enforce-policy'], 'restricted:v1.23');
  });

  it('applies the configured defaults to namespaces without labels, and a namespace label wins over them', () => {
    const defaulted = new Decider(webhookConfig({ podSecurity: { ...DEFAULT_ADMISSION_CONFIG.podSecurity, defaults: { enforce: 'baseline' } } }));
    assert.equal(defaulted.decide(request(privilegedPod()), {}).response.allowed, false);
    assert.equal(defaulted.decide(request(privilegedPod()), { [ENFORCE]: 'privileged' }).response.allowed, true);
    assert.deepEqual(effectiveLabels({ 'pod-security.kubernetes.io/warn': 'restricted' }, { ...DEFAULT_ADMISSION_CONFIG, podSecurity: { ...DEFAULT_ADMISSION_CONFIG.podSecurity, defaults: { warn: 'baseline', 'warn-version': 'v1.20', enforce: 'baseline' } } }), {
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('exempts by username, namespace and runtime class, and says so in the audit annotations', () => {
    const exempting = new Decider(
      webhookConfig({ podSecurity: { ...DEFAULT_ADMISSION_CONFIG.podSecurity, exemptions: { usernames: ['system:serviceaccount:ci:deployer'], namespaces: ['tools'], runtimeClasses: ['kata'] } } }),
    );
    const byUser = exempting.decide(request(privilegedPod(), { username: 'system:serviceaccount:ci:deployer' }), baseline);
    assert.equal(byUser.response.allowed, true);
    assert.equal(byUser.response.auditAnnotations?.['pod-security-exempt'], 'username');
    const inTools = privilegedPod();
    (inTools.metadata as Record<string, unknown>).namespace = 'tools';
    assert.equal(exempting.decide(request(inTools), baseline).response.auditAnnotations?.['pod-security-exempt'], 'namespace');
    const kata = pod('kata', { runtimeClassName: 'kata', containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] });
    const byRuntime = exempting.decide(request(kata), baseline);
    assert.equal(byRuntime.response.allowed, true);
    assert.equal(byRuntime.response.auditAnnotations?.['pod-security-exempt'], 'runtimeClass');
    // Exempt from PSS only: the rest of the catalogue still warns.
    assert.ok(byRuntime.response.warnings?.some((warning) => warning.startsWith('[container-privileged]')));
    // Another user is not exempt.
    assert.equal(exempting.decide(request(privilegedPod(), { username: 'bob' }), baseline).response.allowed, false);
  });

  it('re-evaluates a Pod UPDATE only when an image, a seccomp annotation or the containers change', () => {
    const old = privilegedPod();
    const relabelled = privilegedPod();
    (relabelled.metadata as Record<string, unknown>).labels = { team: 'a' };
    const unchanged = decider.decide(request(relabelled, { operation: 'UPDATE', oldObject: old }), baseline);
    assert.equal(unchanged.skipped, 'unchanged');
    assert.equal(unchanged.response.allowed, true);
    const newImage = privilegedPod();
    ((newImage.spec as { containers: Array<Record<string, unknown>> }).containers[0] as Record<string, unknown>).image = 'nginx:1.28';
    assert.equal(decider.decide(request(newImage, { operation: 'UPDATE', oldObject: old }), baseline).response.allowed, false);
    assert.equal(isSignificantPodUpdate(pod('p', { containers: [{ name: 'a', image: 'x' }], ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }), pod('p', { containers: [{ name: 'a', image: 'x' }] })), true);
    assert.equal(
      isSignificantPodUpdate(pod('p', { containers: [{ name: 'a', image: 'x' }] }, { annotations: { 'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined' } }), pod('p', { containers: [{ name: 'a', image: 'x' }] })),
      true,
    );
  });

  it('ignores exec, log and status subresources and evaluates ephemeralcontainers', () => {
    for (const subResource of ['exec', 'log', 'status', 'binding', 'eviction']) {
      const decision = decider.decide(request(privilegedPod(), { subResource, operation: 'UPDATE', oldObject: restrictedPod('bad') }), baseline);
      assert.equal(decision.skipped, 'subresource', subResource);
    }
    const before = restrictedPod('debugged');
    const after = restrictedPod('debugged');
    (after.spec as Record<string, unknown>).ephemeralContainers = [{ name: 'shell', image: 'busybox', securityContext: { privileged: true } }];
    const decision = decider.decide(request(after, { subResource: 'ephemeralcontainers', operation: 'UPDATE', oldObject: before }), baseline);
    assert.equal(decision.response.allowed, false);
    assert.deepEqual(decision.response.status?.details?.causes.map((cause) => cause.field), ['spec.ephemeralContainers[0].securityContext.privileged']);
  });

  it("refuses a Namespace with invalid Pod Security labels on CREATE, and on UPDATE only when the problem is new", () => {
    const namespace = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
    const bad = namespace({ [ENFORCE]: 'strict', 'pod-security.kubernetes.io/warn-version': 'v2' });
    const created = decider.decide(request(bad), undefined);
    assert.equal(created.response.allowed, false);
    assert.equal(created.response.status?.code, 422);
    assert.deepEqual(created.response.status?.details?.causes.map((cause) => cause.field), [
      'metadata.labels[pod-security.kubernetes.io/enforce]',
      'metadata.labels[pod-security.kubernetes.io/warn-version]',
    ]);
    // An unrelated edit of a namespace that already had the bad label goes through; a new bad label does not.
    const relabelled = namespace({ [ENFORCE]: 'strict', 'pod-security.kubernetes.io/warn-version': 'v2', team: 'a' });
    assert.equal(decider.decide(request(relabelled, { operation: 'UPDATE', oldObject: bad }), undefined).response.allowed, true);
    const worse = namespace({ [ENFORCE]: 'strict', 'pod-security.kubernetes.io/warn-version': 'v2', 'pod-security.kubernetes.io/audit': 'max' });
    assert.equal(decider.decide(request(worse, { operation: 'UPDATE', oldObject: bad }), undefined).response.allowed, false);
    assert.equal(decider.decide(request(namespace({ [ENFORCE]: 'restricted' })), undefined).response.allowed, true);
  });

  it('allows DELETE and CONNECT without evaluation', () => {
    const deleted = { ...request(privilegedPod()), operation: 'DELETE' as const, object: null, oldObject: privilegedPod() };
    assert.equal(decider.decide(deleted, baseline).skipped, 'operation');
  });

  it('notes a namespace the source does not know in the audit annotations', () => {
    const decision = decider.decide(request(restrictedPod()), undefined);
    assert.match(decision.response.auditAnnotations?.['namespace-unknown'] ?? '', /namespace "shop" is not in the namespace source/);
  });
});

describe('decision core: the config decides deny, warn, audit or ignore', () => {
  it('denies by check ID, by severity and per namespace; first matching rule wins', async () => {
    const { admission } = await parseWebhookConfig(
      [
        'admission:',
        '  defaultAction: ignore',
        '  rules:',
        '    - {action: warn, checks: [image-tag-mutable], namespaces: [dev]}',
        '    - {action: deny, checks: [image-tag-mutable]}',
        '    - {action: audit, minSeverity: high}',
      ].join('\n'),
      'rampart.yaml',
    );
    const decider = new Decider({ scan: DEFAULT_CONFIG, admission });
    const tagged = restrictedPod('tagged', 'nginx:latest');
    const denied = decider.decide(request(tagged), {});
    assert.equal(denied.response.allowed, false);
    assert.deepEqual(denied.response.status?.details?.causes.map((cause) => cause.reason), ['image-tag-mutable']);
    (tagged.metadata as Record<string, unknown>).namespace = 'dev';
    const inDev = decider.decide(request(tagged), {});
    assert.equal(inDev.response.allowed, true);
    assert.deepEqual(inDev.response.warnings?.map((warning) => warning.split(']')[0]), ['[image-tag-mutable']);
    const privileged = decider.decide(request(privilegedPod()), {});
    assert.equal(privileged.response.allowed, true);
    assert.equal(privileged.response.warnings, undefined, 'everything else is ignored');
    assert.match(privileged.response.auditAnnotations?.['audit-findings'] ?? '', /\[container-privileged\]/);
    assert.ok(!(privileged.response.auditAnnotations?.['audit-findings'] ?? '').includes('[container-cpu-limit-missing]'), 'low findings fall to the default action');
  });

  it('applies the scanner config: disabled checks do not run, central and inline exceptions suppress', async () => {
    const scan = await parseConfig(
      ['checks:', '  disabled: [container-privileged]', 'exceptions:', '  - checks: [PSS-privileged]', '    match: {kind: Pod, name: allowed}', '    reason: node agent', '    owner: platform'].join('\n'),
      'rampart.yaml',
    );
    const decider = new Decider({ scan, admission: DEFAULT_ADMISSION_CONFIG });
    const excepted = decider.decide(request(privilegedPod('allowed')), baseline);
    assert.equal(excepted.response.allowed, true);
    assert.equal(excepted.response.auditAnnotations?.['exceptions-applied'], 'PSS-privileged');
    assert.ok(!excepted.response.warnings?.some((warning) => warning.startsWith('[container-privileged]')));
    assert.equal(decider.decide(request(privilegedPod('other')), baseline).response.allowed, false);
    const inline = privilegedPod('inline');
    (inline.metadata as Record<string, unknown>).annotations = { 'rampart.dev/exceptions': JSON.stringify([{ checks: ['PSS-privileged'], reason: 'debug image' }]) };
    assert.equal(decider.decide(request(inline), baseline).response.allowed, true);
  });

  it('refuses a bad admission section with the path of each problem', async () => {
    await assert.rejects(parseWebhookConfig('admission:\n  defaultAction: block\n  rules: [{action: deny, minSeverity: huge}]\n  extra: 1\n', 'bad.yaml'), (error: Error) => {
      assert.match(error.message, /admission\.defaultAction must be one of deny, warn, audit, ignore/);
      assert.match(error.message, /admission\.rules\[0\]\.minSeverity/);
      assert.match(error.message, /unknown key "extra"/);
      return true;
    });
  });
});

describe('warnings stay within Kubernetes limits', () => {
  it('cuts each warning at 256 characters and all at 4,096, saying how many were left out', () => {
    const messages = Array.from({ length: 40 }, (_, index) => `[check-${index}] ${'x'.repeat(300)}`);
    const warnings = boundedWarnings(messages);
    assert.ok(warnings.every((warning) => warning.length <= MAX_WARNING_CHARS));
    assert.ok(warnings.reduce((sum, warning) => sum + warning.length, 0) <= MAX_WARNINGS_TOTAL_CHARS);
    assert.match(warnings[warnings.length - 1] ?? '', /^\.\.\. and (\d+) more finding\(s\)/);
    const left = Number(/\.\.\. and (\d+)/.exec(warnings[warnings.length - 1] ?? '')?.[1]);
    assert.equal(left + warnings.length - 1, messages.length);
  });

  it('counts UTF-8 bytes, as Kubernetes does, and never splits a character', () => {
    const [warning] = boundedWarnings([`[check] ${'é'.repeat(300)}`]);
    assert.ok(Buffer.byteLength(warning ?? '', 'utf8') <= MAX_WARNING_CHARS);
    assert.match(warning ?? '', /^\[check\] é+\.\.\.$/);
    const [emoji] = boundedWarnings([`${'🔒'.repeat(100)}`]);
    assert.ok(Buffer.byteLength(emoji ?? '', 'utf8') <= MAX_WARNING_CHARS);
    assert.doesNotMatch(emoji ?? '', /\ufffd/);
    assert.equal(Buffer.from(emoji ?? '', 'utf8').toString('utf8'), emoji);
  });

  it('denies a pod with more containers than the limit before any check runs, and bounds causes and message of a big denial', () => {
    const containers = (count: number) => Array.from({ length: count }, (_, index) => ({ name: `c${index}`, image: 'nginx:1.27', securityContext: { privileged: true } }));
    const limited = new Decider(webhookConfig()).decide(request(pod('huge', { containers: containers(101) })), baseline);
    assert.equal(limited.response.allowed, false);
    assert.equal(limited.response.status?.details?.causes[0]?.reason, 'TooManyContainers');
    assert.match(limited.response.status?.message ?? '', /has 101 containers, more than the admission webhook's limit of 100 \(admission\.limits\.maxContainers\)/);
    assert.deepEqual(limited.findings, [], 'no check ran');
    const raised = new Decider(webhookConfig({ limits: { ...DEFAULT_ADMISSION_CONFIG.limits, maxContainers: 500 } }));
    const big = raised.decide(request(pod('big', { containers: containers(300) })), baseline);
    assert.equal(big.response.allowed, false);
    const causes = big.response.status?.details?.causes ?? [];
    assert.equal(causes.length, 51);
    assert.match(causes[50]?.message ?? '', /^250 more denying finding\(s\)/);
    assert.ok(Buffer.byteLength(big.response.status?.message ?? '') <= 8192);
    assert.ok(JSON.stringify(big.response).length < 32 * 1024, 'the whole response stays small');
  });

  it('holds for a real pod with many containers', () => {
    const containers = Array.from({ length: 30 }, (_, index) => ({ name: `c${index}-${'n'.repeat(40)}`, image: 'nginx', securityContext: { privileged: true } }));
    const decision = new Decider(webhookConfig()).decide(request(pod('many', { containers })), {});
    const warnings = decision.response.warnings ?? [];
    assert.ok(warnings.length > 5);
    assert.ok(warnings.every((warning) => warning.length <= MAX_WARNING_CHARS));
    assert.ok(warnings.reduce((sum, warning) => sum + warning.length, 0) <= MAX_WARNINGS_TOTAL_CHARS);
  });
});

describe('decision core: the namespace index kept per labels object', () => {
  it('judges each namespace and each labels object on its own: a reused object, a replaced one, two namespaces sharing one', () => {
    const decider = new Decider(webhookConfig());
    const inNamespace = (namespace: string) => request(pod('bad', privilegedPod().spec as JsonObject, { namespace }));
    const fresh = new Decider(webhookConfig());
    const strict = { [ENFORCE]: 'restricted' };
    const first = decider.decide(inNamespace('shop'), strict);
    assert.equal(first.response.allowed, false);
    assert.match(first.response.status?.message ?? '', /\[namespace "shop": enforce restricted/);
    // The same object again: the same answer as a Decider that never saw it.
    assert.deepEqual(decider.decide(inNamespace('shop'), strict).response, fresh.decide(inNamespace('shop'), { [ENFORCE]: 'restricted' }).response);
    // The same object for another namespace: that namespace's name, not the first's.
    const other = decider.decide(inNamespace('billing'), strict);
    assert.match(other.response.status?.message ?? '', /\[namespace "billing": enforce restricted/);
    assert.deepEqual(other.response, fresh.decide(inNamespace('billing'), { [ENFORCE]: 'restricted' }).response);
    // The source replaced the Namespace's labels (a new object): the new level applies.
    const relaxed = decider.decide(inNamespace('shop'), { [ENFORCE]: 'privileged' });
    assert.equal(relaxed.response.allowed, true);
    assert.equal(decider.decide(inNamespace('shop'), strict).response.allowed, false);
  });
});
