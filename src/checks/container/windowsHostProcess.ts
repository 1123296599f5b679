/** A Windows HostProcess container runs directly on the node with its privileges. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const windowsHostProcess = containerCheck(
  {
    fixable: true,
    id: 'container-windows-host-process',
    title: 'Windows HostProcess container',
    category: 'container',
    description: 'The container’s effective windowsOptions.hostProcess (its own or the pod’s) is true: it runs as a process on the Windows node, with the node’s network and filesystem and the user it names, often SYSTEM.',
    remediation: 'Remove windowsOptions.hostProcess from the pod and its containers, or confine HostProcess workloads to a dedicated, tightly controlled namespace.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Code execution in a HostProcess container is code execution on the node.' },
    cis: ['5.2.11'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost],
    equivalents: ['polaris:hostProcess', 'kubescape:set-hostprocess-true'],
  },
  (container) => {
    const setting = container.effective.windowsHostProcess;
    // The default is false: the fix removes the field where it is written.
    return setting?.value === true ? { predicate: `must not set securityContext.windowsOptions.hostProcess=true${setting.level === 'pod' ? ' (inherited from the pod)' : ''}`, path: setting.path, fix: [{ op: 'delete', path: setting.path }] } : undefined;
  },
);
