/**
 * Table-driven tests of every PSS check and of each version boundary,
 * including the semantics newer than the official fixtures (v1.35 user
 * namespace relaxations, procMount_restricted, the v1.37 sysctls).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPodView, type PodView } from '../../model/podView.js';
import type { JsonObject } from '../../model/types.js';
import { activeChecks, evaluatePod, NEWEST_POLICY_MINOR, PSS_CHECKS } from './registry.js';
import type { PssLevel } from './types.js';
import { policyMinor } from './versions.js';
import { resolvePssVersion } from './index.js';

function podView(spec: JsonObject, metadata: JsonObject = {}): PodView {
  return buildPodView({ metadataPath: ['metadata'], specPath: ['spec'], metadata, spec });
}

/** A pod that passes restricted at every version; cases change one thing. */
function restrictedPod(overrides: { pod?: JsonObject; container?: JsonObject; spec?: JsonObject } = {}): JsonObject {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...overrides.pod },
    containers: [{ name: 'app', image: 'app:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...overrides.container } }],
    ...overrides.spec,
  };
}

interface Case {
  readonly name: string;
  readonly spec: JsonObject;
  readonly metadata?: JsonObject;
  readonly level: PssLevel;
  readonly version: number;
  /** PSA check IDs that must fail, exactly. */
  readonly fails: readonly string[];
}

function failing(spec: JsonObject, level: PssLevel, version: number, metadata?: JsonObject): string[] {
  return evaluatePod(podView(spec, metadata), level, version).map((violation) => violation.check.id);
}

function runCases(cases: readonly Case[]): void {
  for (const entry of cases) {
    test(`${entry.name} (${entry.level} v1.${entry.version})`, () => {
      assert.deepEqual(failing(entry.spec, entry.level, entry.version, entry.metadata).sort(), [...entry.fails].sort());
    });
  }
}

const container = (securityContext: JsonObject, extra: JsonObject = {}): JsonObject => ({ containers: [{ name: 'app', image: 'app:1', securityContext, ...extra }] });

describe('registry', () => {
  test('check IDs are unique and versions strictly increase', () => {
    const ids = PSS_CHECKS.map((check) => check.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const check of PSS_CHECKS) {
      const minors = check.versions.map((version) => policyMinor(version.minimumVersion));
      assert.ok(minors.length > 0, check.id);
      minors.forEach((minor, index) => index === 0 || assert.ok(minor > (minors[index - 1] ?? -1), `${check.id} versions increase`));
    }
  });

  test('only restricted checks override, and only baseline checks', () => {
    for (const check of PSS_CHECKS) {
      for (const version of check.versions) {
        for (const id of version.overrides ?? []) {
          assert.equal(check.level, 'restricted', `${check.id} may not override`);
          assert.equal(PSS_CHECKS.find((candidate) => candidate.id === id)?.level, 'baseline', `${check.id} overrides baseline ${id}`);
        }
      }
    }
  });

  test('every PSA check ID is registered with its level', () => {
    const expected: Record<string, PssLevel> = {
      hostNamespaces: 'baseline',
      privileged: 'baseline',
      capabilities_baseline: 'baseline',
      hostPathVolumes: 'baseline',
      hostPorts: 'baseline',
      appArmorProfile: 'baseline',
      seLinuxOptions: 'baseline',
      procMount: 'baseline',
      seccompProfile_baseline: 'baseline',
      sysctls: 'baseline',
      windowsHostProcess: 'baseline',
      hostProbesAndHostLifecycle: 'baseline',
      restrictedVolumes: 'restricted',
      allowPrivilegeEscalation: 'restricted',
      runAsNonRoot: 'restricted',
      runAsUser: 'restricted',
      seccompProfile_restricted: 'restricted',
      capabilities_restricted: 'restricted',
      procMount_restricted: 'restricted',
    };
    assert.deepEqual(Object.fromEntries(PSS_CHECKS.map((check) => [check.id, check.level])), expected);
  });

  test('latest is v1.37, and newer versions evaluate as v1.37', () => {
    assert.equal(NEWEST_POLICY_MINOR, 37);
    assert.equal(resolvePssVersion('latest'), 'v1.37');
    assert.equal(resolvePssVersion('v1.99'), 'v1.37');
    assert.equal(resolvePssVersion('v1.30'), 'v1.30');
    assert.equal(resolvePssVersion('v1.0'), 'v1.0');
  });

  test('restricted drops the baseline checks its checks override, only from the version that overrides', () => {
    const ids = (level: PssLevel, minor: number): string[] => activeChecks(level, minor).map((entry) => entry.check.id);
    const latest = ids('restricted', 37);
    for (const overridden of ['hostPathVolumes', 'capabilities_baseline', 'seccompProfile_baseline', 'procMount']) assert.ok(!latest.includes(overridden), overridden);
    for (const present of ['restrictedVolumes', 'capabilities_restricted', 'seccompProfile_restricted', 'procMount_restricted', 'hostNamespaces', 'sysctls']) assert.ok(latest.includes(present), present);
    assert.ok(ids('restricted', 34).includes('procMount') && !ids('restricted', 34).includes('procMount_restricted'));
    assert.ok(ids('restricted', 21).includes('capabilities_baseline') && !ids('restricted', 21).includes('capabilities_restricted'));
    assert.ok(ids('restricted', 18).includes('seccompProfile_baseline') && !ids('restricted', 18).includes('seccompProfile_restricted'));
    assert.ok(!ids('baseline', 37).some((id) => ['restrictedVolumes', 'runAsNonRoot', 'procMount_restricted'].includes(id)));
    assert.ok(!ids('baseline', 33).includes('hostProbesAndHostLifecycle') && ids('baseline', 34).includes('hostProbesAndHostLifecycle'));
  });

  test('the restricted base pod passes at every version, at both levels', () => {
    for (let minor = 0; minor <= 40; minor++) {
      assert.deepEqual(failing(restrictedPod(), 'restricted', minor), [], `restricted v1.${minor}`);
      assert.deepEqual(failing(restrictedPod(), 'baseline', minor), [], `baseline v1.${minor}`);
    }
  });
});

describe('baseline checks', () => {
  runCases([
    { name: 'hostNetwork', spec: { hostNetwork: true, containers: [{ name: 'a' }] }, level: 'baseline', version: 0, fails: ['hostNamespaces'] },
    { name: 'hostPID and hostIPC', spec: { hostPID: true, hostIPC: true, containers: [{ name: 'a' }] }, level: 'baseline', version: 37, fails: ['hostNamespaces'] },
    { name: 'host namespaces false', spec: { hostNetwork: false, hostPID: false, hostIPC: false, containers: [{ name: 'a' }] }, level: 'baseline', version: 37, fails: [] },
    { name: 'privileged container', spec: container({ privileged: true }), level: 'baseline', version: 0, fails: ['privileged'] },
    { name: 'privileged ephemeral container', spec: { containers: [{ name: 'a' }], ephemeralContainers: [{ name: 'debug', securityContext: { privileged: true } }] }, level: 'baseline', version: 37, fails: ['privileged'] },
    { name: 'privileged false', spec: container({ privileged: false }), level: 'baseline', version: 37, fails: [] },
    { name: 'add NET_RAW', spec: container({ capabilities: { add: ['NET_RAW'] } }), level: 'baseline', version: 37, fails: ['capabilities_baseline'] },
    { name: 'add default capabilities', spec: container({ capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE', 'SYS_CHROOT'] } }), level: 'baseline', version: 37, fails: [] },
    { name: 'hostPath volume', spec: { containers: [{ name: 'a' }], volumes: [{ name: 'root', hostPath: { path: '/' } }] }, level: 'baseline', version: 0, fails: ['hostPathVolumes'] },
    { name: 'nfs volume is fine at baseline', spec: { containers: [{ name: 'a' }], volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }, level: 'baseline', version: 37, fails: [] },
    { name: 'hostPort', spec: container({}, { ports: [{ containerPort: 80, hostPort: 8080 }] }), level: 'baseline', version: 0, fails: ['hostPorts'] },
    { name: 'hostPort 0', spec: container({}, { ports: [{ containerPort: 80, hostPort: 0 }] }), level: 'baseline', version: 37, fails: [] },
    { name: 'AppArmor field Unconfined on the pod', spec: { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] }, level: 'baseline', version: 0, fails: ['appArmorProfile'] },
    { name: 'AppArmor field Unconfined on a container', spec: container({ appArmorProfile: { type: 'Unconfined' } }), level: 'baseline', version: 37, fails: ['appArmorProfile'] },
    { name: 'AppArmor field Localhost', spec: container({ appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }), level: 'baseline', version: 37, fails: [] },
    {
      name: 'AppArmor annotation unconfined, even for a container that does not exist',
      spec: { containers: [{ name: 'a' }] },
      metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/other': 'unconfined' } },
      level: 'baseline',
      version: 37,
      fails: ['appArmorProfile'],
    },
    {
      name: 'AppArmor annotations runtime/default, localhost/*, empty',
      spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
      metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'runtime/default', 'container.apparmor.security.beta.kubernetes.io/b': 'localhost/p', 'container.apparmor.security.beta.kubernetes.io/c': '' } },
      level: 'baseline',
      version: 0,
      fails: [],
    },
    { name: 'SELinux type spc_t', spec: container({ seLinuxOptions: { type: 'spc_t' } }), level: 'baseline', version: 37, fails: ['seLinuxOptions'] },
    { name: 'SELinux user', spec: { securityContext: { seLinuxOptions: { user: 'system_u' } }, containers: [{ name: 'a' }] }, level: 'baseline', version: 37, fails: ['seLinuxOptions'] },
    { name: 'SELinux role', spec: container({ seLinuxOptions: { role: 'system_r' } }), level: 'baseline', version: 37, fails: ['seLinuxOptions'] },
    { name: 'SELinux level and container_t', spec: container({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } }), level: 'baseline', version: 0, fails: [] },
    { name: 'SELinux container_engine_t before v1.31', spec: container({ seLinuxOptions: { type: 'container_engine_t' } }), level: 'baseline', version: 30, fails: ['seLinuxOptions'] },
    { name: 'SELinux container_engine_t from v1.31', spec: container({ seLinuxOptions: { type: 'container_engine_t' } }), level: 'baseline', version: 31, fails: [] },
    { name: 'procMount Unmasked', spec: container({ procMount: 'Unmasked' }), level: 'baseline', version: 37, fails: ['procMount'] },
    { name: 'procMount Default', spec: container({ procMount: 'Default' }), level: 'baseline', version: 37, fails: [] },
    { name: 'windows hostProcess on the pod', spec: { securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: 'a' }] }, level: 'baseline', version: 0, fails: ['windowsHostProcess'] },
    { name: 'windows hostProcess on a container', spec: container({ windowsOptions: { hostProcess: true } }), level: 'baseline', version: 37, fails: ['windowsHostProcess'] },
    { name: 'unsafe sysctl', spec: { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, containers: [{ name: 'a' }] }, level: 'baseline', version: 37, fails: ['sysctls'] },
    { name: 'safe v1.0 sysctls', spec: { securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }, { name: 'kernel.shm_rmid_forced', value: '1' }] }, containers: [{ name: 'a' }] }, level: 'baseline', version: 0, fails: [] },
  ]);
});

describe('seccomp: annotations before v1.19, fields from v1.19', () => {
  const unconfinedAnnotation = { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } };
  runCases([
    { name: 'pod annotation unconfined', spec: { containers: [{ name: 'a' }] }, metadata: unconfinedAnnotation, level: 'baseline', version: 18, fails: ['seccompProfile_baseline'] },
    { name: 'pod annotation unconfined is ignored', spec: { containers: [{ name: 'a' }] }, metadata: unconfinedAnnotation, level: 'baseline', version: 19, fails: [] },
    {
      name: 'container annotation unconfined',
      spec: { containers: [{ name: 'a' }] },
      metadata: { annotations: { 'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined' } },
      level: 'baseline',
      version: 0,
      fails: ['seccompProfile_baseline'],
    },
    { name: 'docker/default annotation', spec: { containers: [{ name: 'a' }] }, metadata: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'docker/default' } }, level: 'baseline', version: 10, fails: [] },
    { name: 'field Unconfined is ignored', spec: container({ seccompProfile: { type: 'Unconfined' } }), level: 'baseline', version: 18, fails: [] },
    { name: 'field Unconfined on a container', spec: container({ seccompProfile: { type: 'Unconfined' } }), level: 'baseline', version: 19, fails: ['seccompProfile_baseline'] },
    { name: 'field Unconfined on the pod', spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] }, level: 'baseline', version: 37, fails: ['seccompProfile_baseline'] },
    { name: 'restricted uses the baseline annotation check before v1.19', spec: restrictedPod(), metadata: unconfinedAnnotation, level: 'restricted', version: 18, fails: ['seccompProfile_baseline'] },
  ]);
});

describe('sysctls: the safe list grows by version', () => {
  const pod = (name: string): JsonObject => ({ securityContext: { sysctls: [{ name, value: '1' }] }, containers: [{ name: 'a' }] });
  const boundaries: Array<[string, number]> = [
    ['net.ipv4.ip_local_reserved_ports', 27],
    ['net.ipv4.tcp_keepalive_time', 29],
    ['net.ipv4.tcp_fin_timeout', 29],
    ['net.ipv4.tcp_keepalive_intvl', 29],
    ['net.ipv4.tcp_keepalive_probes', 29],
    ['net.ipv4.tcp_rmem', 32],
    ['net.ipv4.tcp_wmem', 32],
    ['net.ipv4.tcp_slow_start_after_idle', 37],
    ['net.ipv4.tcp_notsent_lowat', 37],
  ];
  runCases(
    boundaries.flatMap(([name, since]): Case[] => [
      { name: `${name} before it is safe`, spec: pod(name), level: 'baseline', version: since - 1, fails: ['sysctls'] },
      { name: `${name} once it is safe`, spec: pod(name), level: 'baseline', version: since, fails: [] },
      { name: `${name} at latest`, spec: pod(name), level: 'restricted', version: NEWEST_POLICY_MINOR, fails: ['runAsNonRoot', 'allowPrivilegeEscalation', 'seccompProfile_restricted', 'capabilities_restricted'] },
    ]),
  );
  test('the detail names every forbidden sysctl', () => {
    const [violation] = evaluatePod(podView({ securityContext: { sysctls: [{ name: 'kernel.msgmax' }, { name: 'net.ipv4.tcp_rmem' }, { name: 'vm.swappiness' }] }, containers: [{ name: 'a' }] }), 'baseline', 31);
    assert.equal(violation?.detail, 'pod must not set sysctls "kernel.msgmax", "net.ipv4.tcp_rmem", "vm.swappiness"');
    assert.deepEqual(violation?.offenses.map((offense) => offense.path), [
      ['spec', 'securityContext', 'sysctls', 0, 'name'],
      ['spec', 'securityContext', 'sysctls', 1, 'name'],
      ['spec', 'securityContext', 'sysctls', 2, 'name'],
    ]);
  });
});

describe('hostProbesAndHostLifecycle (v1.34+)', () => {
  runCases([
    { name: 'liveness httpGet host before v1.34', spec: container({}, { livenessProbe: { httpGet: { host: 'bad.host', port: 80 } } }), level: 'baseline', version: 33, fails: [] },
    { name: 'liveness httpGet host', spec: container({}, { livenessProbe: { httpGet: { host: 'bad.host', port: 80 } } }), level: 'baseline', version: 34, fails: ['hostProbesAndHostLifecycle'] },
    { name: 'startup tcpSocket host', spec: container({}, { startupProbe: { tcpSocket: { host: '10.0.0.1', port: 80 } } }), level: 'baseline', version: 37, fails: ['hostProbesAndHostLifecycle'] },
    { name: 'preStop tcpSocket host', spec: container({}, { lifecycle: { preStop: { tcpSocket: { host: '127.0.0.1', port: 80 } } } }), level: 'baseline', version: 37, fails: ['hostProbesAndHostLifecycle'] },
    { name: 'postStart httpGet host on an init container', spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i', lifecycle: { postStart: { httpGet: { host: 'x', port: 1 } } } }] }, level: 'baseline', version: 37, fails: ['hostProbesAndHostLifecycle'] },
    { name: 'empty host and grpc probes', spec: container({}, { readinessProbe: { httpGet: { host: '', port: 80 } }, livenessProbe: { grpc: { port: 9000 } } }), level: 'baseline', version: 37, fails: [] },
  ]);
});

describe('procMount and user namespaces (v1.35+)', () => {
  const unmasked = (hostUsers?: boolean): JsonObject => ({ ...(hostUsers !== undefined ? { hostUsers } : {}), containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }] });
  runCases([
    { name: 'baseline: hostUsers false does not relax procMount before v1.35', spec: unmasked(false), level: 'baseline', version: 34, fails: ['procMount'] },
    { name: 'baseline: hostUsers false relaxes procMount', spec: unmasked(false), level: 'baseline', version: 35, fails: [] },
    { name: 'baseline: hostUsers true keeps procMount', spec: unmasked(true), level: 'baseline', version: 35, fails: ['procMount'] },
    { name: 'baseline: hostUsers unset keeps procMount', spec: unmasked(), level: 'baseline', version: 37, fails: ['procMount'] },
    { name: 'restricted before v1.35 runs the baseline procMount', spec: restrictedPod({ container: { procMount: 'Unmasked' }, spec: { hostUsers: false } }), level: 'restricted', version: 34, fails: ['procMount'] },
    { name: 'restricted from v1.35: procMount_restricted replaces procMount', spec: restrictedPod({ container: { procMount: 'Unmasked' }, spec: { hostUsers: false } }), level: 'restricted', version: 35, fails: ['procMount_restricted'] },
    { name: 'restricted from v1.35 without user namespace', spec: restrictedPod({ container: { procMount: 'Unmasked' } }), level: 'restricted', version: 37, fails: ['procMount_restricted'] },
  ]);
});

describe('restricted checks', () => {
  runCases([
    { name: 'hostPath at restricted is a restrictedVolumes failure', spec: restrictedPod({ spec: { volumes: [{ name: 'h', hostPath: { path: '/' } }] } }), level: 'restricted', version: 37, fails: ['restrictedVolumes'] },
    { name: 'nfs volume', spec: restrictedPod({ spec: { volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] } }), level: 'restricted', version: 0, fails: ['restrictedVolumes'] },
    {
      name: 'allowed volume types, image at every version, a volume without a source',
      spec: restrictedPod({
        spec: {
          volumes: [
            { name: 'a', configMap: { name: 'c' } },
            { name: 'b', secret: { secretName: 's' } },
            { name: 'c', emptyDir: {} },
            { name: 'd', projected: { sources: [] } },
            { name: 'e', persistentVolumeClaim: { claimName: 'p' } },
            { name: 'f', downwardAPI: { items: [] } },
            { name: 'g', csi: { driver: 'd' } },
            { name: 'h', ephemeral: { volumeClaimTemplate: {} } },
            { name: 'i', image: { reference: 'img:1' } },
            { name: 'j' },
          ],
        },
      }),
      level: 'restricted',
      version: 0,
      fails: [],
    },
    { name: 'allowPrivilegeEscalation not required before v1.8', spec: restrictedPod({ container: { allowPrivilegeEscalation: true } }), level: 'restricted', version: 7, fails: [] },
    { name: 'allowPrivilegeEscalation true', spec: restrictedPod({ container: { allowPrivilegeEscalation: true } }), level: 'restricted', version: 8, fails: ['allowPrivilegeEscalation'] },
    { name: 'allowPrivilegeEscalation unset', spec: restrictedPod({ container: { allowPrivilegeEscalation: null } }), level: 'restricted', version: 37, fails: ['allowPrivilegeEscalation'] },
    { name: 'runAsNonRoot unset', spec: restrictedPod({ pod: { runAsNonRoot: null } }), level: 'restricted', version: 0, fails: ['runAsNonRoot'] },
    { name: 'runAsNonRoot on the container only', spec: restrictedPod({ pod: { runAsNonRoot: null }, container: { runAsNonRoot: true } }), level: 'restricted', version: 37, fails: [] },
    { name: 'runAsNonRoot false on the pod, true on every container', spec: restrictedPod({ pod: { runAsNonRoot: false }, container: { runAsNonRoot: true } }), level: 'restricted', version: 37, fails: ['runAsNonRoot'] },
    { name: 'runAsNonRoot false on a container', spec: restrictedPod({ container: { runAsNonRoot: false } }), level: 'restricted', version: 37, fails: ['runAsNonRoot'] },
    { name: 'runAsUser 0 before v1.23', spec: restrictedPod({ container: { runAsUser: 0 } }), level: 'restricted', version: 22, fails: [] },
    { name: 'runAsUser 0 on a container', spec: restrictedPod({ container: { runAsUser: 0 } }), level: 'restricted', version: 23, fails: ['runAsUser'] },
    { name: 'runAsUser 0 on the pod, overridden by every container', spec: restrictedPod({ pod: { runAsUser: 0 }, container: { runAsUser: 1000 } }), level: 'restricted', version: 37, fails: ['runAsUser'] },
    { name: 'runAsUser 1000', spec: restrictedPod({ pod: { runAsUser: 1000 } }), level: 'restricted', version: 37, fails: [] },
    { name: 'seccomp not required before v1.19', spec: restrictedPod({ pod: { seccompProfile: null } }), level: 'restricted', version: 18, fails: [] },
    { name: 'seccomp unset', spec: restrictedPod({ pod: { seccompProfile: null } }), level: 'restricted', version: 19, fails: ['seccompProfile_restricted'] },
    { name: 'seccomp on the container only', spec: restrictedPod({ pod: { seccompProfile: null }, container: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } } }), level: 'restricted', version: 37, fails: [] },
    { name: 'seccomp Unconfined on a container overrides a good pod profile', spec: restrictedPod({ container: { seccompProfile: { type: 'Unconfined' } } }), level: 'restricted', version: 37, fails: ['seccompProfile_restricted'] },
    { name: 'seccomp profile without a type', spec: restrictedPod({ pod: { seccompProfile: {} } }), level: 'restricted', version: 37, fails: ['seccompProfile_restricted'] },
    { name: 'capabilities not dropped', spec: restrictedPod({ container: { capabilities: null } }), level: 'restricted', version: 22, fails: ['capabilities_restricted'] },
    { name: 'capabilities: only NET_BIND_SERVICE may be added', spec: restrictedPod({ container: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }), level: 'restricted', version: 37, fails: [] },
    { name: 'capabilities: CHOWN may not be added at restricted', spec: restrictedPod({ container: { capabilities: { drop: ['ALL'], add: ['CHOWN'] } } }), level: 'restricted', version: 22, fails: ['capabilities_restricted'] },
    { name: 'capabilities: before v1.22 restricted applies the baseline list', spec: restrictedPod({ container: { capabilities: { add: ['CHOWN'] } } }), level: 'restricted', version: 21, fails: [] },
    { name: 'capabilities: before v1.22 NET_RAW fails the baseline check', spec: restrictedPod({ container: { capabilities: { add: ['NET_RAW'] } } }), level: 'restricted', version: 21, fails: ['capabilities_baseline'] },
  ]);
});

describe('Windows pods (spec.os.name=windows) from v1.25', () => {
  const windows = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'a' }] };
  const linux = { ...windows, os: { name: 'linux' } };
  runCases([
    { name: 'windows pod before v1.25', spec: windows, level: 'restricted', version: 24, fails: ['allowPrivilegeEscalation', 'seccompProfile_restricted', 'capabilities_restricted'] },
    { name: 'windows pod is exempt from the Linux-only checks', spec: windows, level: 'restricted', version: 25, fails: [] },
    { name: 'linux pod is not exempt', spec: linux, level: 'restricted', version: 37, fails: ['allowPrivilegeEscalation', 'seccompProfile_restricted', 'capabilities_restricted'] },
    { name: 'windows pod still needs runAsNonRoot', spec: { ...windows, securityContext: {} }, level: 'restricted', version: 37, fails: ['runAsNonRoot'] },
  ]);
});

describe('hostUsers: false relaxations (v1.35+)', () => {
  const root = restrictedPod({ pod: { runAsNonRoot: null, runAsUser: 0 }, spec: { hostUsers: false } });
  runCases([
    { name: 'user-namespaced root pod before v1.35', spec: root, level: 'restricted', version: 34, fails: ['runAsNonRoot', 'runAsUser'] },
    { name: 'user-namespaced root pod from v1.35', spec: root, level: 'restricted', version: 35, fails: [] },
    { name: 'user-namespaced root pod at latest', spec: root, level: 'restricted', version: 37, fails: [] },
    { name: 'hostUsers true gets no relaxation', spec: { ...root, hostUsers: true }, level: 'restricted', version: 37, fails: ['runAsNonRoot', 'runAsUser'] },
    { name: 'capabilities are not relaxed for user namespaces', spec: restrictedPod({ container: { capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] } }, spec: { hostUsers: false } }), level: 'restricted', version: 37, fails: ['capabilities_restricted'] },
    { name: 'privilege escalation is not relaxed for user namespaces', spec: restrictedPod({ container: { allowPrivilegeEscalation: true }, spec: { hostUsers: false } }), level: 'restricted', version: 37, fails: ['allowPrivilegeEscalation'] },
  ]);
});

describe('messages and paths', () => {
  test('offenses name the container and the field, with the field path', () => {
    const pod = podView({ securityContext: {}, containers: [{ name: 'app', securityContext: { runAsNonRoot: false } }, { name: 'sidecar' }] });
    const violation = evaluatePod(pod, 'restricted', 37).find((entry) => entry.check.id === 'runAsNonRoot');
    assert.ok(violation);
    assert.equal(violation.reason, 'runAsNonRoot != true');
    assert.match(violation.detail, /container "app" must not set securityContext\.runAsNonRoot=false/);
    assert.match(violation.detail, /container "sidecar" must set securityContext\.runAsNonRoot=true/);
    assert.deepEqual(
      violation.offenses.map((offense) => offense.path),
      [
        ['spec', 'containers', 0, 'securityContext', 'runAsNonRoot'],
        ['spec', 'containers', 1, 'securityContext', 'runAsNonRoot'],
      ],
    );
  });

  test('subjects that share a predicate are named together', () => {
    const pod = podView({ securityContext: { runAsUser: 0 }, containers: [{ name: 'a', securityContext: { runAsUser: 0 } }, { name: 'b', securityContext: { runAsUser: 0 } }] });
    const violation = evaluatePod(pod, 'restricted', 37).find((entry) => entry.check.id === 'runAsUser');
    assert.equal(violation?.detail, 'pod and containers "a", "b" must not set securityContext.runAsUser=0');
  });

  test('host namespaces are listed in one sentence', () => {
    const [violation] = evaluatePod(podView({ hostNetwork: true, hostPID: true, containers: [{ name: 'a' }] }), 'baseline', 37);
    assert.equal(violation?.detail, 'pod must not set hostNetwork=true, hostPID=true');
    assert.deepEqual(violation?.offenses[1]?.path, ['spec', 'hostPID']);
  });
});
