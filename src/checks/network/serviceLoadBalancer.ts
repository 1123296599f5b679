/** A LoadBalancer without source ranges is usually on the internet. */
import { objectCheck } from '../common/define.js';
import { list, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const serviceLoadBalancer = objectCheck(
  {
    id: 'service-load-balancer-unrestricted',
    title: 'LoadBalancer Service open to any source',
    category: 'network',
    description: 'The Service has type LoadBalancer and no spec.loadBalancerSourceRanges, so the cloud load balancer accepts connections from any address, usually the internet. Annotated internal load balancers still count: the annotation is provider specific.',
    remediation: 'Set loadBalancerSourceRanges to the networks that need access, or publish through an Ingress or Gateway with TLS and authentication.',
    severity: { gain: 'weakening', effort: 'none', reason: 'Exposes the service to the internet with no foothold; what that grants depends on the service.' },
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.exploitPublicFacing, MITRE.externalRemoteServices],
    equivalents: ['kube-linter:exposed-services'],
  },
  ['Service'],
  (object) => {
    const spec = mapping(object.raw.spec) ?? {};
    return spec.type === 'LoadBalancer' && list(spec.loadBalancerSourceRanges).length === 0 ? [{ message: `Service ${object.name} is a LoadBalancer without loadBalancerSourceRanges`, path: ['spec', 'type'] }] : [];
  },
  { group: '' },
);
