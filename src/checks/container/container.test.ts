/** Valid and invalid cases for the container-hardening checks (inheritance has its own table). */
import { describe } from 'node:test';
import { checkCases, deployment, pod, withContainer } from '../common/testing.js';
import { appArmorMissing } from './appArmorMissing.js';
import { appArmorUnconfined } from './appArmorUnconfined.js';
import { capabilitiesNotDroppedAll } from './capabilitiesNotDroppedAll.js';
import { capabilityNetRaw } from './capabilityNetRaw.js';
import { capabilitySysAdmin } from './capabilitySysAdmin.js';
import { dangerousCapabilities } from './dangerousCapabilities.js';
import { privileged } from './privileged.js';
import { privilegedPorts } from './privilegedPorts.js';
import { privilegeEscalationAllowed } from './privilegeEscalationAllowed.js';
import { privilegeEscalationNotDisabled } from './privilegeEscalationNotDisabled.js';
import { noLinuxHardening } from './noLinuxHardening.js';
import { procMount } from './procMount.js';
import { readOnlyRootFilesystem } from './readOnlyRootFilesystem.js';
import { runAsNonRoot } from './runAsNonRoot.js';
import { seccompMissing } from './seccompMissing.js';
import { seccompUnconfined } from './seccompUnconfined.js';
import { seLinuxOptions } from './seLinuxOptions.js';
import { shareProcessNamespace } from './shareProcessNamespace.js';
import { sshPort } from './sshPort.js';
import { sudoInEntrypoint } from './sudoInEntrypoint.js';
import { unsafeSysctls } from './unsafeSysctls.js';
import { userNamespace } from './userNamespace.js';
import { windowsHostProcess } from './windowsHostProcess.js';

const sc = (securityContext: Record<string, unknown>, spec: Record<string, unknown> = {}) => [pod(withContainer({ securityContext }, spec))];

describe('container checks', () => {
  checkCases(readOnlyRootFilesystem, {
    valid: [{ name: 'read-only root', objects: sc({ readOnlyRootFilesystem: true }) }, { name: 'Windows pod', objects: sc({}, { os: { name: 'windows' } }) }],
    invalid: [
      { name: 'unset', objects: sc({}) },
      { name: 'false', objects: sc({ readOnlyRootFilesystem: false }) },
      { name: 'init and ephemeral containers count', objects: [pod({ ...withContainer({ securityContext: { readOnlyRootFilesystem: true } }), initContainers: [{ name: 'i', image: 'i:1' }], ephemeralContainers: [{ name: 'e', image: 'e:1' }] })], count: 2 },
    ],
  });
  checkCases(runAsNonRoot, {
    valid: [
      { name: 'runAsNonRoot on the pod', objects: sc({}, { securityContext: { runAsNonRoot: true } }) },
      { name: 'non-zero runAsUser', objects: sc({ runAsUser: 1000 }) },
      { name: 'user namespace', objects: sc({}, { hostUsers: false }) },
      { name: 'explicit UID 0 is the other check’s', objects: sc({ runAsUser: 0 }) },
    ],
    invalid: [
      { name: 'nothing set', objects: sc({}) },
      { name: 'container false overrides pod true', objects: sc({ runAsNonRoot: false }, { securityContext: { runAsNonRoot: true } }), message: 'runAsNonRoot=false' },
    ],
  });
  checkCases(privilegeEscalationNotDisabled, {
    valid: [{ name: 'false', objects: sc({ allowPrivilegeEscalation: false }) }, { name: 'windows pod', objects: sc({}, { os: { name: 'windows' } }) }],
    invalid: [{ name: 'unset', objects: sc({}) }, { name: 'true', objects: sc({ allowPrivilegeEscalation: true }) }],
  });
  checkCases(privilegeEscalationAllowed, {
    valid: [{ name: 'unset', objects: sc({}) }, { name: 'false', objects: sc({ allowPrivilegeEscalation: false }) }],
    invalid: [
      { name: 'true', objects: sc({ allowPrivilegeEscalation: true }) },
      { name: 'implied by privileged', objects: sc({ privileged: true }) },
      { name: 'implied by SYS_ADMIN', objects: sc({ capabilities: { add: ['SYS_ADMIN'] } }) },
    ],
  });
  checkCases(privileged, {
    valid: [{ name: 'unset', objects: sc({}) }, { name: 'false', objects: sc({ privileged: false }) }],
    invalid: [{ name: 'true', objects: sc({ privileged: true }) }, { name: 'in a Deployment', objects: [deployment(withContainer({ securityContext: { privileged: true } }))] }],
  });
  checkCases(capabilitiesNotDroppedAll, {
    valid: [
      { name: 'drop ALL', objects: sc({ capabilities: { drop: ['ALL'] } }) },
      { name: 'drop all (lower case)', objects: sc({ capabilities: { drop: ['all'] } }) },
      { name: 'each default dropped', objects: sc({ capabilities: { drop: ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'] } }) },
    ],
    invalid: [{ name: 'nothing dropped', objects: sc({}) }, { name: 'some dropped', objects: sc({ capabilities: { drop: ['NET_RAW'] } }) }],
  });
  checkCases(capabilitySysAdmin, {
    valid: [{ name: 'NET_BIND_SERVICE', objects: sc({ capabilities: { add: ['NET_BIND_SERVICE'] } }) }],
    invalid: [{ name: 'SYS_ADMIN', objects: sc({ capabilities: { add: ['SYS_ADMIN'] } }) }, { name: 'CAP_SYS_ADMIN spelling', objects: sc({ capabilities: { add: ['CAP_SYS_ADMIN'] } }) }, { name: 'ALL', objects: sc({ capabilities: { add: ['ALL'] } }) }],
  });
  checkCases(capabilityNetRaw, {
    valid: [{ name: 'drop ALL', objects: sc({ capabilities: { drop: ['ALL'] } }) }, { name: 'drop NET_RAW', objects: sc({ capabilities: { drop: ['NET_RAW'] } }) }],
    invalid: [{ name: 'kept', objects: sc({}) }, { name: 'dropped then added', objects: sc({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } }) }],
  });
  checkCases(dangerousCapabilities, {
    valid: [{ name: 'default capability added back', objects: sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }) }],
    invalid: [{ name: 'NET_ADMIN and SYS_PTRACE', objects: sc({ capabilities: { add: ['NET_ADMIN', 'SYS_PTRACE'] } }), count: 2 }],
  });
  checkCases(seccompUnconfined, {
    valid: [{ name: 'RuntimeDefault', objects: sc({ seccompProfile: { type: 'RuntimeDefault' } }) }, { name: 'unset', objects: sc({}) }],
    invalid: [{ name: 'Unconfined on the pod', objects: sc({}, { securityContext: { seccompProfile: { type: 'Unconfined' } } }) }],
  });
  checkCases(seccompMissing, {
    valid: [{ name: 'Localhost', objects: sc({ seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } }) }, { name: 'windows', objects: sc({}, { os: { name: 'windows' } }) }],
    invalid: [{ name: 'unset', objects: sc({}) }],
  });
  checkCases(appArmorUnconfined, {
    valid: [{ name: 'RuntimeDefault', objects: sc({ appArmorProfile: { type: 'RuntimeDefault' } }) }],
    invalid: [{ name: 'annotation unconfined', objects: [pod(withContainer(), { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } })] }],
  });
  checkCases(appArmorMissing, {
    valid: [{ name: 'pod-level profile', objects: sc({}, { securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } }) }],
    invalid: [{ name: 'unset', objects: sc({}) }],
  });
  checkCases(noLinuxHardening, {
    valid: [
      { name: 'seccomp from the pod', objects: sc({}, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }) },
      { name: 'capability drop', objects: sc({ capabilities: { drop: ['NET_RAW'] } }) },
      { name: 'SELinux level', objects: sc({ seLinuxOptions: { level: 's0:c1,c2' } }) },
      { name: 'AppArmor annotation', objects: [pod(withContainer(), { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' } })] },
    ],
    invalid: [
      { name: 'nothing', objects: sc({}) },
      { name: 'drop undone by adding ALL', objects: sc({ capabilities: { drop: ['NET_RAW'], add: ['ALL'] } }) },
      { name: 'seccomp Unconfined', objects: sc({ seccompProfile: { type: 'Unconfined' } }) },
    ],
  });
  checkCases(procMount, {
    valid: [{ name: 'Default', objects: sc({ procMount: 'Default' }) }],
    invalid: [{ name: 'Unmasked', objects: sc({ procMount: 'Unmasked' }) }],
  });
  checkCases(shareProcessNamespace, {
    valid: [{ name: 'false', objects: sc({}, { shareProcessNamespace: false }) }],
    invalid: [{ name: 'true', objects: sc({}, { shareProcessNamespace: true }) }],
  });
  checkCases(userNamespace, {
    valid: [{ name: 'hostUsers false', objects: sc({}, { hostUsers: false }) }],
    invalid: [{ name: 'unset', objects: sc({}) }],
  });
  checkCases(windowsHostProcess, {
    valid: [{ name: 'false', objects: sc({ windowsOptions: { hostProcess: false } }) }],
    invalid: [{ name: 'pod-level true', objects: sc({}, { securityContext: { windowsOptions: { hostProcess: true } } }) }],
  });
  checkCases(seLinuxOptions, {
    valid: [{ name: 'level only', objects: sc({ seLinuxOptions: { level: 's0:c1,c2' } }) }, { name: 'container_t', objects: sc({ seLinuxOptions: { type: 'container_t' } }) }],
    invalid: [{ name: 'spc_t', objects: sc({ seLinuxOptions: { type: 'spc_t' } }) }, { name: 'user', objects: sc({ seLinuxOptions: { user: 'system_u' } }) }],
  });
  checkCases(unsafeSysctls, {
    valid: [{ name: 'safe', objects: sc({}, { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] } }) }],
    invalid: [{ name: 'unsafe', objects: sc({}, { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }) }],
  });
  checkCases(sudoInEntrypoint, {
    valid: [{ name: 'pseudo is not sudo', objects: [pod(withContainer({ command: ['pseudo-run'] }))] }],
    invalid: [{ name: 'sudo in a shell line', objects: [pod(withContainer({ command: ['sh', '-c', 'sudo apt-get install x'] }))] }],
  });
  checkCases(privilegedPorts, {
    valid: [{ name: '8080', objects: [pod(withContainer({ ports: [{ containerPort: 8080 }] }))] }],
    invalid: [{ name: '80', objects: [pod(withContainer({ ports: [{ containerPort: 80 }] }))] }],
  });
  checkCases(sshPort, {
    valid: [{ name: '2222', objects: [pod(withContainer({ ports: [{ containerPort: 2222 }] }))] }],
    invalid: [{ name: '22', objects: [pod(withContainer({ ports: [{ containerPort: 22 }] }))] }],
  });
});
