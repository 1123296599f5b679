/** A NodePort opens the service on every node’s address. */
import { objectCheck } from '../common/define.js';
import { mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const serviceNodePort = objectCheck(
  {
    id: 'service-node-port',
    title: 'Service of type NodePort',
    category: 'network',
    description: 'The Service has type NodePort: its port opens on every node of the cluster, reachable by anything that reaches a node, usually outside the control of NetworkPolicies on the node’s address.',
    remediation: 'Use type ClusterIP and expose the application through an Ingress or Gateway with TLS and authentication, or a LoadBalancer restricted by loadBalancerSourceRanges.',
    severity: { gain: 'weakening', effort: 'none', reason: 'Widens exposure to the node network without any foothold; the service itself decides what that grants.' },
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.exploitPublicFacing],
    equivalents: ['kube-score:service-type', 'kube-linter:exposed-services'],
  },
  ['Service'],
  (object) => (mapping(object.raw.spec)?.type === 'NodePort' ? [{ message: `Service ${object.name} has type NodePort`, path: ['spec', 'type'] }] : []),
  { group: '' },
);
