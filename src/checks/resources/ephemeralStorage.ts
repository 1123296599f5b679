/** Logs, emptyDir and the writable layer count as ephemeral storage; without a limit they fill the node’s disk. */
import { containerCheck, WORKLOAD_CONTAINERS } from '../common/define.js';
import { resourceOf, resourcePath } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const ephemeralStorage = containerCheck(
  {
    fixable: true,
    id: 'container-ephemeral-storage-unbounded',
    title: 'Ephemeral storage request or limit not set',
    category: 'resources',
    description: 'The container does not set both resources.requests.ephemeral-storage and resources.limits.ephemeral-storage. Its logs, writable layer and emptyDir volumes can then fill the node’s disk, which evicts other pods and can stall the kubelet.',
    remediation: 'Set resources.requests and resources.limits for ephemeral-storage.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'A foothold can fill the node’s disk and disrupt its other pods.' },
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: ['kube-score:container-ephemeral-storage-request-and-limit'],
  },
  (container) => {
    for (const section of ['limits', 'requests'] as const) {
      if (resourceOf(container, section, 'ephemeral-storage') !== undefined) continue;
      const path = resourcePath(container, section, 'ephemeral-storage');
      return { predicate: `must set resources.${section}.ephemeral-storage`, path, fix: [{ op: 'setDefault', path, setting: `${section}.ephemeral-storage` }] };
    }
    return undefined;
  },
  WORKLOAD_CONTAINERS,
);
