/** `sudo` in the command means the image carries a setuid path to root and expects to use it. */
import { containerCheck } from '../common/define.js';
import { list } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

const SUDO = /(^|[\s/;&|])sudo(\s|$)/;

export const sudoInEntrypoint = containerCheck(
  {
    id: 'container-sudo-in-command',
    title: 'Container command uses sudo',
    category: 'container',
    description: 'The container’s command or args invoke sudo. The image therefore ships a setuid route to root, and the workload relies on escalating privileges at run time.',
    remediation: 'Run the process as the user it needs from the start (runAsUser), remove sudo from the image and set allowPrivilegeEscalation: false.',
    severity: { gain: 'control', effort: 'chained', reason: 'Root inside the container is one step; the node needs another weakness.' },
    nsa: [NSA.nonRoot],
    mitre: [MITRE.sudo],
    equivalents: ['kubescape:C-0062'],
  },
  (container) => {
    for (const key of ['command', 'args'] as const) {
      const index = list(container.raw[key]).findIndex((word) => typeof word === 'string' && SUDO.test(word));
      if (index !== -1) return { predicate: `must not call sudo in ${key}`, path: [...container.path, key, index] };
    }
    return undefined;
  },
);
