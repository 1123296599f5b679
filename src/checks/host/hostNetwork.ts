/** The pod uses the node’s network stack. */
import { MITRE, NSA } from '../common/frameworks.js';
import { hostNamespaceCheck } from './hostNamespace.js';

export const hostNetwork = hostNamespaceCheck(
  {
    id: 'pod-host-network',
    title: 'Pod shares the host network',
    category: 'host',
    description: 'spec.hostNetwork is true: the pod sees every interface of the node, can bind and sniff on them, reaches services listening only on the node’s loopback (the kubelet’s, for example), and bypasses NetworkPolicies.',
    remediation: 'Remove hostNetwork: true and expose the workload through a Service.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold reaches node-local services and other pods’ traffic, and network policy no longer applies.' },
    cis: ['5.2.5'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.networkSniffing, MITRE.networkDiscovery],
    equivalents: ['kubescape:C-0041', 'trivy:KSV009', 'polaris:hostNetworkSet', 'kubesec:HostNetwork', 'kube-linter:host-network', 'kubeaudit:NamespaceHostNetworkTrue'],
  },
  'hostNetwork',
);
