/** Without a tag, or with `latest`, the image a pod runs changes under it. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { parseImage } from './imageReference.js';

export const imageTag = containerCheck(
  {
    id: 'image-tag-mutable',
    title: 'Image has no tag or uses latest',
    category: 'images',
    description: 'The container’s image has no tag (so latest is pulled) or the tag latest, and no digest. Which code runs then depends on when each node pulled, rollbacks cannot restore the previous code, and a pushed image reaches production without review. Images pinned by digest pass.',
    remediation: 'Use an immutable version tag, or better a digest (image@sha256:…).',
    severity: { gain: 'hygiene', effort: 'none', reason: 'Mainly a reliability and traceability problem; the supply-chain risk is covered by the digest check.' },
    nsa: [NSA.images],
    mitre: [MITRE.implantImage],
    equivalents: ['kube-score:container-image-tag', 'polaris:tagNotSpecified', 'kube-linter:latest-tag', 'kubeaudit:ImageTagMissing', 'trivy:KSV013'],
  },
  (container) => {
    const image = container.raw.image;
    if (typeof image !== 'string' || image === '') return undefined;
    const reference = parseImage(image);
    if (reference.digest !== undefined) return undefined;
    if (reference.tag === undefined) return { predicate: `must use a tagged image, not ${JSON.stringify(image)}`, path: [...container.path, 'image'] };
    if (reference.tag === 'latest') return { predicate: `must not use the latest tag (${JSON.stringify(image)})`, path: [...container.path, 'image'] };
    return undefined;
  },
);
