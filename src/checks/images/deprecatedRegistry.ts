/** k8s.gcr.io is frozen: images there get no security updates. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { parseImage } from './imageReference.js';

export const deprecatedRegistry = containerCheck(
  {
    id: 'image-deprecated-registry',
    title: 'Image from the frozen k8s.gcr.io registry',
    category: 'images',
    description: 'The container pulls from k8s.gcr.io, which Kubernetes froze in April 2023 in favour of registry.k8s.io. Images there receive no new versions or security fixes, and the registry may stop serving them.',
    remediation: 'Pull the same image from registry.k8s.io, at a current version.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'Stale images accumulate known vulnerabilities, but the registry itself grants nothing.' },
    nsa: [NSA.upgrading],
    mitre: [MITRE.exploitPublicFacing],
    equivalents: ['kubescape:rule-identify-old-k8s-registry'],
  },
  (container) => {
    const image = container.raw.image;
    if (typeof image !== 'string') return undefined;
    const registry = parseImage(image).registry;
    return registry === 'k8s.gcr.io' || registry.endsWith('.k8s.gcr.io') ? { predicate: `must not pull from ${registry} (use registry.k8s.io)`, path: [...container.path, 'image'] } : undefined;
  },
);
