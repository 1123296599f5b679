/** Valid and invalid cases for the network checks; cross-object cases put the policy or Service before and after the pods. */
import { describe } from 'node:test';
import { checkCases, deployment, withContainer } from '../common/testing.js';
import { allowAllPolicy } from './allowAllPolicy.js';
import { ingressBackend } from './ingressBackend.js';
import { ingressTls } from './ingressTls.js';
import { namespaceDefaultDenyEgress } from './namespaceDefaultDenyEgress.js';
import { namespaceDefaultDenyIngress } from './namespaceDefaultDenyIngress.js';
import { podNotIsolated } from './podNotIsolated.js';
import { podNotSelected } from './podNotSelected.js';
import { policyWithoutPods } from './policyWithoutPods.js';
import { serviceLoadBalancer } from './serviceLoadBalancer.js';
import { serviceNodePort } from './serviceNodePort.js';
import { serviceWithoutPods } from './serviceWithoutPods.js';

const app = deployment(withContainer());
const policy = (spec: Record<string, unknown>, namespace = 'app') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace }, spec });
const denyAll = policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const service = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'app' }, spec: { ports: [{ port: 80 }], ...spec } });
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } };
const ingress = (spec: Record<string, unknown>, apiVersion = 'networking.k8s.io/v1') => ({ apiVersion, kind: 'Ingress', metadata: { name: 'ing', namespace: 'app' }, spec });

describe('network checks', () => {
  checkCases(podNotSelected, {
    valid: [
      { name: 'default deny after the pod', objects: [app, denyAll] },
      { name: 'label selector', objects: [policy({ podSelector: { matchLabels: { app: 'd' } }, policyTypes: ['Ingress'] }), app] },
      { name: 'host network', objects: [deployment(withContainer({}, { hostNetwork: true }))] },
      { name: 'Cilium clusterwide policy', objects: [app, { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'c' }, spec: { endpointSelector: {}, ingress: [{}] } }] },
    ],
    invalid: [
      { name: 'no policy', objects: [app] },
      { name: 'policy in another namespace', objects: [app, policy({ podSelector: {} }, 'other')] },
      { name: 'selector does not match', objects: [app, policy({ podSelector: { matchLabels: { app: 'x' } } })] },
    ],
  });
  checkCases(podNotIsolated, {
    valid: [{ name: 'both directions', objects: [app, denyAll] }, { name: 'not selected at all is the other check’s', objects: [app] }, { name: 'egress implied by egress rules', objects: [app, policy({ podSelector: {}, ingress: [], egress: [{ to: [{ podSelector: {} }] }] })] }],
    invalid: [{ name: 'ingress only', objects: [app, policy({ podSelector: {} })], message: 'egress' }],
  });
  checkCases(namespaceDefaultDenyIngress, {
    valid: [{ name: 'deny all', objects: [namespace, denyAll] }],
    invalid: [{ name: 'none', objects: [namespace] }, { name: 'policy with rules is not a default deny', objects: [namespace, policy({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })] }],
  });
  checkCases(namespaceDefaultDenyEgress, {
    valid: [{ name: 'deny all', objects: [denyAll, namespace] }],
    invalid: [{ name: 'ingress-only default deny', objects: [namespace, policy({ podSelector: {}, policyTypes: ['Ingress'] })] }],
  });
  checkCases(allowAllPolicy, {
    valid: [{ name: 'peers listed', objects: [policy({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })] }],
    invalid: [{ name: 'empty rule', objects: [policy({ podSelector: {}, ingress: [{}] })] }],
  });
  checkCases(serviceNodePort, { valid: [{ name: 'ClusterIP', objects: [service({})] }], invalid: [{ name: 'NodePort', objects: [service({ type: 'NodePort' })] }] });
  checkCases(serviceLoadBalancer, {
    valid: [{ name: 'source ranges', objects: [service({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'] })] }],
    invalid: [{ name: 'open', objects: [service({ type: 'LoadBalancer' })] }],
  });
  checkCases(ingressTls, { valid: [{ name: 'tls', objects: [ingress({ tls: [{ hosts: ['a'] }] })] }], invalid: [{ name: 'no tls', objects: [ingress({})] }] });
  checkCases(serviceWithoutPods, {
    valid: [{ name: 'matches, Service first', objects: [service({ selector: { app: 'd' } }), app] }, { name: 'Service alone is not judged', objects: [service({ selector: { app: 'x' } })] }],
    invalid: [{ name: 'matches nothing', objects: [app, service({ selector: { app: 'x' } })] }],
  });
  checkCases(policyWithoutPods, {
    valid: [{ name: 'matches', objects: [policy({ podSelector: { matchLabels: { app: 'd' } } }), app] }, { name: 'selects every pod', objects: [denyAll] }],
    invalid: [{ name: 'matches nothing', objects: [app, policy({ podSelector: { matchLabels: { app: 'x' } } })] }],
  });
  const backend = (name: string) => ({ rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }] });
  checkCases(ingressBackend, {
    valid: [{ name: 'Service exists, defined later', objects: [ingress(backend('svc')), service({})] }, { name: 'v1beta1 serviceName', objects: [service({}), ingress({ backend: { serviceName: 'svc', servicePort: 80 } }, 'networking.k8s.io/v1beta1')] }],
    invalid: [{ name: 'missing Service', objects: [ingress(backend('nope'))] }, { name: 'v1 with the beta field names no Service', objects: [service({}), ingress({ rules: [{ http: { paths: [{ backend: { serviceName: 'svc', servicePort: 80 } }] } }] })] }],
  });
});
