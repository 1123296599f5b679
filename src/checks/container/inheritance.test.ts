/**
 * Pod-level versus container-level security context, for every field
 * Kubernetes inherits from the pod: a safe pod-level value must satisfy the
 * check (no false positive), an unsafe pod-level value must fail it unless the
 * container overrides it (no false negative), and a container value wins.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../model/types.js';
import type { Check } from '../types.js';
import { findings, pod } from '../common/testing.js';
import { appArmorMissing } from './appArmorMissing.js';
import { appArmorUnconfined } from './appArmorUnconfined.js';
import { lowGroupId } from './lowGroupId.js';
import { lowUserId } from './lowUserId.js';
import { runAsNonRoot } from './runAsNonRoot.js';
import { runAsRootGroup } from './runAsRootGroup.js';
import { runAsRootUser } from './runAsRootUser.js';
import { seccompMissing } from './seccompMissing.js';
import { seccompUnconfined } from './seccompUnconfined.js';
import { seLinuxOptions } from './seLinuxOptions.js';
import { windowsHostProcess } from './windowsHostProcess.js';

interface InheritedField {
  readonly field: string;
  readonly check: Check;
  /** The securityContext fragment with a value the check accepts, and one it rejects. */
  readonly safe: JsonObject;
  readonly unsafe: JsonObject;
}

const FIELDS: readonly InheritedField[] = [
  { field: 'runAsNonRoot', check: runAsNonRoot, safe: { runAsNonRoot: true }, unsafe: { runAsNonRoot: false } },
  { field: 'runAsUser (as non-root proof)', check: runAsNonRoot, safe: { runAsUser: 1000 }, unsafe: {} },
  { field: 'runAsUser', check: runAsRootUser, safe: { runAsUser: 1000 }, unsafe: { runAsUser: 0 } },
  { field: 'runAsUser (>= 10000)', check: lowUserId, safe: { runAsUser: 20000 }, unsafe: { runAsUser: 100 } },
  { field: 'runAsGroup', check: runAsRootGroup, safe: { runAsGroup: 3000 }, unsafe: { runAsGroup: 0 } },
  { field: 'runAsGroup (>= 10000)', check: lowGroupId, safe: { runAsGroup: 20000 }, unsafe: { runAsGroup: 10 } },
  { field: 'seccompProfile (missing)', check: seccompMissing, safe: { seccompProfile: { type: 'RuntimeDefault' } }, unsafe: {} },
  { field: 'seccompProfile (unconfined)', check: seccompUnconfined, safe: { seccompProfile: { type: 'RuntimeDefault' } }, unsafe: { seccompProfile: { type: 'Unconfined' } } },
  { field: 'seLinuxOptions', check: seLinuxOptions, safe: { seLinuxOptions: { level: 's0:c1,c2' } }, unsafe: { seLinuxOptions: { type: 'spc_t' } } },
  { field: 'appArmorProfile (missing)', check: appArmorMissing, safe: { appArmorProfile: { type: 'RuntimeDefault' } }, unsafe: {} },
  { field: 'appArmorProfile (unconfined)', check: appArmorUnconfined, safe: { appArmorProfile: { type: 'RuntimeDefault' } }, unsafe: { appArmorProfile: { type: 'Unconfined' } } },
  { field: 'windowsOptions.hostProcess', check: windowsHostProcess, safe: { windowsOptions: { hostProcess: false } }, unsafe: { windowsOptions: { hostProcess: true } } },
];

function podWith(podContext: JsonObject, containerContext: JsonObject | undefined): JsonObject {
  const container: JsonObject = { name: 'app', image: 'app:1' };
  if (containerContext !== undefined) container.securityContext = containerContext;
  return pod({ securityContext: podContext, containers: [container], initContainers: [{ ...container, name: 'init' }] });
}

function fails(check: Check, podContext: JsonObject, containerContext: JsonObject | undefined): number {
  return findings(check, [podWith(podContext, containerContext)]).length;
}

describe('security context inheritance', () => {
  for (const { field, check, safe, unsafe } of FIELDS) {
    const unsafeIsAbsence = Object.keys(unsafe).length === 0;
    test(`${field} (${check.meta.id}): safe on the pod only → no finding`, () => {
      assert.equal(fails(check, safe, undefined), 0);
      assert.equal(fails(check, safe, {}), 0);
    });
    test(`${field} (${check.meta.id}): safe on the container only → no finding`, () => {
      assert.equal(fails(check, {}, safe), 0);
    });
    test(`${field} (${check.meta.id}): unsafe on the pod, nothing on the containers → both containers fail`, () => {
      assert.equal(fails(check, unsafe, undefined), 2);
    });
    if (!unsafeIsAbsence) {
      test(`${field} (${check.meta.id}): unsafe on the pod, safe on the container → the container wins`, () => {
        assert.equal(fails(check, unsafe, safe), 0);
      });
      test(`${field} (${check.meta.id}): safe on the pod, unsafe on the container → the container wins`, () => {
        assert.equal(fails(check, safe, unsafe), 2);
      });
    }
  }

  test('a seccomp profile on the container replaces the pod’s as a whole', () => {
    assert.equal(fails(seccompUnconfined, { seccompProfile: { type: 'Unconfined' } }, { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }), 0);
  });

  test('the seccomp alpha annotations do not count (ignored since Kubernetes 1.27)', () => {
    const object = pod({ containers: [{ name: 'app', image: 'app:1' }] }, { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' } });
    assert.equal(findings(seccompMissing, [object]).length, 1);
  });

  test('runAsUser: 0 is reported once, by container-run-as-root-user', () => {
    const object = pod({ securityContext: { runAsUser: 0 }, containers: [{ name: 'app', image: 'app:1' }] });
    assert.equal(findings(runAsNonRoot, [object]).length, 0);
    assert.equal(findings(runAsRootUser, [object]).length, 1);
  });

  test('the AppArmor container annotation counts, and beats the pod field', () => {
    const object = pod(
      { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [{ name: 'app', image: 'app:1' }] },
      { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' } },
    );
    assert.equal(findings(appArmorUnconfined, [object]).length, 0);
  });

  test('hostUsers: false exempts root from runAsNonRoot and runAsRootUser', () => {
    const object = pod({ hostUsers: false, securityContext: { runAsUser: 0 }, containers: [{ name: 'app', image: 'app:1' }] });
    assert.equal(findings(runAsNonRoot, [object]).length, 0);
    assert.equal(findings(runAsRootUser, [object]).length, 0);
  });
});
