/** The pod sees and can signal every process on the node. */
import { MITRE, NSA } from '../common/frameworks.js';
import { hostNamespaceCheck } from './hostNamespace.js';

export const hostPid = hostNamespaceCheck(
  {
    id: 'pod-host-pid',
    title: 'Pod shares the host PID namespace',
    category: 'host',
    description: 'spec.hostPID is true: processes in the pod see every process on the node, read their command lines and environment, and as root can enter their namespaces (nsenter) or ptrace them.',
    remediation: 'Remove hostPID: true.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Root in the container with hostPID enters the node’s namespaces in one command.' },
    cis: ['5.2.3'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost, MITRE.processDiscovery],
    equivalents: ['kubescape:C-0038', 'kubescape:host-pid-privileges', 'trivy:KSV010', 'polaris:hostPIDSet', 'kubesec:HostPID', 'kube-linter:host-pid', 'kubeaudit:NamespaceHostPIDTrue'],
  },
  'hostPID',
);
