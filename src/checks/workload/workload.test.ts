/** Valid and invalid cases for workload placement checks. */
import { describe } from 'node:test';
import { checkCases, deployment, pod, withContainer } from '../common/testing.js';
import { defaultNamespace } from './defaultNamespace.js';
import { nakedPod } from './nakedPod.js';

describe('workload checks', () => {
  checkCases(nakedPod, {
    valid: [{ name: 'Deployment', objects: [deployment(withContainer())] }, { name: 'owned Pod', objects: [pod(withContainer(), { ownerReferences: [{ kind: 'ReplicaSet', name: 'r', apiVersion: 'apps/v1', uid: 'u' }] })] }],
    invalid: [{ name: 'bare Pod', objects: [pod(withContainer())] }],
  });
  checkCases(defaultNamespace, {
    valid: [{ name: 'own namespace', objects: [deployment(withContainer())] }],
    invalid: [{ name: 'explicit default', objects: [deployment(withContainer(), {}, 'default')] }, { name: 'no namespace', objects: [{ ...pod(withContainer()), metadata: { name: 'p' } }] }],
  });
});
