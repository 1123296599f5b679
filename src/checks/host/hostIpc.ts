/** The pod shares System V IPC and POSIX shared memory with the node. */
import { MITRE, NSA } from '../common/frameworks.js';
import { hostNamespaceCheck } from './hostNamespace.js';

export const hostIpc = hostNamespaceCheck(
  {
    id: 'pod-host-ipc',
    title: 'Pod shares the host IPC namespace',
    category: 'host',
    description: 'spec.hostIPC is true: the pod can read and write the shared memory segments and message queues of every process on the node, and /dev/shm is the node’s.',
    remediation: 'Remove hostIPC: true.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold reads or tampers with other processes’ shared memory on the node.' },
    cis: ['5.2.4'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.credentialsInFiles],
    equivalents: ['kubescape:C-0038', 'kubescape:host-ipc-privileges', 'trivy:KSV008', 'polaris:hostIPCSet', 'kubesec:HostIPC', 'kube-linter:host-ipc', 'kubeaudit:NamespaceHostIPCTrue'],
  },
  'hostIPC',
);
