/** Workloads in `default` share it with everything else nobody placed deliberately. */
import { namespaceOf, objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'];

export const defaultNamespace = objectCheck(
  {
    id: 'workload-in-default-namespace',
    title: 'Workload in the default namespace',
    category: 'workload',
    description: 'A workload is in the default namespace: explicitly, or by omitting metadata.namespace (taken as default, as Rampart’s Pod Security evaluation does; kubectl would use its context’s namespace). The default namespace usually has no Pod Security labels, quotas or network policies, and everything in it shares one scope for RBAC.',
    remediation: 'Create a namespace per application or team and deploy there.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'Widens the blast radius of a compromise; no access by itself.' },
    cis: ['5.7.4'],
    nsa: [NSA.namespaces],
    mitre: [MITRE.lateralToolTransfer],
    equivalents: ['kubescape:C-0061'],
  },
  WORKLOAD_KINDS,
  (object) => (namespaceOf(object) === 'default' ? [{ message: `${object.kind} ${object.name} is deployed in the default namespace${object.namespace === undefined ? ' (no metadata.namespace)' : ''}`, path: object.namespace === undefined ? ['metadata'] : ['metadata', 'namespace'] }] : []),
);
