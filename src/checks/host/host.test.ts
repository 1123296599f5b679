/** Valid and invalid cases for the host-access checks. */
import { describe } from 'node:test';
import { checkCases, pod, withContainer } from '../common/testing.js';
import { hostAliases } from './hostAliases.js';
import { hostIpc } from './hostIpc.js';
import { hostNetwork } from './hostNetwork.js';
import { hostPathVolume } from './hostPathVolume.js';
import { hostPid } from './hostPid.js';
import { hostPort } from './hostPort.js';
import { runtimeSocket } from './runtimeSocket.js';
import { sensitiveHostPath } from './sensitiveHostPath.js';
import { writableHostPath } from './writableHostPath.js';

const hostVolume = (path: string, readOnly = false) => [
  pod(withContainer({ volumeMounts: [{ name: 'h', mountPath: '/h', ...(readOnly ? { readOnly: true } : {}) }] }, { volumes: [{ name: 'h', hostPath: { path } }] })),
];

describe('host checks', () => {
  for (const [check, field] of [[hostNetwork, 'hostNetwork'], [hostPid, 'hostPID'], [hostIpc, 'hostIPC']] as const) {
    checkCases(check, {
      valid: [{ name: 'false', objects: [pod(withContainer({}, { [field]: false }))] }, { name: 'unset', objects: [pod(withContainer())] }],
      invalid: [{ name: 'true', objects: [pod(withContainer({}, { [field]: true }))] }],
    });
  }
  checkCases(hostPort, {
    valid: [{ name: 'containerPort only', objects: [pod(withContainer({ ports: [{ containerPort: 80 }] }))] }, { name: 'hostPort 0', objects: [pod(withContainer({ ports: [{ containerPort: 80, hostPort: 0 }] }))] }],
    invalid: [{ name: 'hostPort', objects: [pod(withContainer({ ports: [{ containerPort: 80, hostPort: 8080 }] }))] }],
  });
  checkCases(hostAliases, {
    valid: [{ name: 'none', objects: [pod(withContainer())] }],
    invalid: [{ name: 'set', objects: [pod(withContainer({}, { hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }] }))] }],
  });
  checkCases(hostPathVolume, {
    valid: [{ name: 'emptyDir', objects: [pod(withContainer({}, { volumes: [{ name: 'e', emptyDir: {} }] }))] }],
    invalid: [{ name: 'hostPath', objects: hostVolume('/data') }],
  });
  checkCases(sensitiveHostPath, {
    valid: [{ name: '/data', objects: hostVolume('/data') }, { name: '/etcetera is not /etc', objects: hostVolume('/etcetera') }],
    invalid: [{ name: '/', objects: hostVolume('/') }, { name: '/etc/ssl', objects: hostVolume('/etc/ssl') }, { name: 'trailing slash', objects: hostVolume('/var/lib/kubelet/') }, { name: '/proc', objects: hostVolume('/proc') }],
  });
  checkCases(runtimeSocket, {
    valid: [{ name: '/var/run/secrets', objects: hostVolume('/var/run/secrets') }],
    invalid: [{ name: 'docker', objects: hostVolume('/var/run/docker.sock') }, { name: 'containerd', objects: hostVolume('/run/containerd/containerd.sock') }, { name: 'crio', objects: hostVolume('/var/run/crio/crio.sock') }],
  });
  checkCases(writableHostPath, {
    valid: [{ name: 'read-only', objects: hostVolume('/data', true) }],
    invalid: [{ name: 'writable', objects: hostVolume('/data') }],
  });
});
