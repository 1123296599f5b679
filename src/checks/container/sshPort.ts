/** An SSH server inside a container is a second, unmanaged way in. */
import { containerCheck, MAIN_CONTAINERS } from '../common/define.js';
import { portsOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const sshPort = containerCheck(
  {
    id: 'container-ssh-port',
    title: 'Container exposes SSH',
    category: 'container',
    description: 'The container declares TCP port 22. An SSH daemon in a container is a remote shell outside Kubernetes’ authentication and audit trail, and its keys or passwords live in the image or a Secret.',
    remediation: 'Remove the SSH server; use kubectl exec (audited, RBAC-controlled) for debugging.',
    severity: { gain: 'access', effort: 'foothold', reason: 'Needs credentials or a weak sshd configuration, then grants a shell beside Kubernetes’ controls.' },
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.sshRemote],
    equivalents: ['kube-linter:ssh-port'],
  },
  (container) =>
    portsOf(container)
      .filter((port) => port.containerPort === 22 && port.protocol === 'TCP')
      .map((port) => ({ predicate: 'must not expose SSH on port 22', path: [...port.path, 'containerPort'] })),
  MAIN_CONTAINERS,
);
