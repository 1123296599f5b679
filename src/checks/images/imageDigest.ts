/** A tag can be moved; only a digest names exactly one image. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { isValidDigest, parseImage } from './imageReference.js';

export const imageDigest = containerCheck(
  {
    id: 'image-not-pinned-by-digest',
    title: 'Image is not pinned by digest',
    category: 'images',
    description: 'The container’s image is referenced by tag only, or by a malformed digest (unknown algorithm, upper-case or short hex). Whoever can push to the repository (or compromise it) can replace the image behind the tag, and every node that pulls afterwards runs the new code.',
    remediation: 'Reference the image as name@sha256:<digest> (a tag may stay in front for readability: name:1.2.3@sha256:…), and update digests with a bot.',
    severity: { gain: 'control', effort: 'chained', reason: 'Exploiting it needs push access to the registry (a separate compromise); then it runs attacker code wherever the image is pulled.' },
    nsa: [NSA.images],
    mitre: [MITRE.supplyChain, MITRE.implantImage],
    equivalents: ['kubescape:image-not-pinned-to-digest'],
  },
  (container) => {
    const image = container.raw.image;
    if (typeof image !== 'string' || image === '') return undefined;
    const { digest } = parseImage(image);
    if (digest === undefined) return { predicate: `must pin the image by digest (${JSON.stringify(image)})`, path: [...container.path, 'image'] };
    if (!isValidDigest(digest)) return { predicate: `must pin the image by a well-formed digest (${JSON.stringify(image)} is not)`, path: [...container.path, 'image'] };
    return undefined;
  },
);
