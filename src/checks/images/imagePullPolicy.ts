/**
 * imagePullPolicy other than Always lets a pod reuse an image already on the
 * node, without the registry checking the pod’s pull credentials.
 */
import { containerCheck, MAIN_CONTAINERS } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { parseImage } from './imageReference.js';

export const imagePullPolicy = containerCheck(
  {
    id: 'image-pull-policy-not-always',
    title: 'Image pull policy is not Always',
    category: 'images',
    description:
      'The container’s imagePullPolicy is IfNotPresent or Never, explicitly or by default (the API defaults it to IfNotPresent for any tag other than latest). A cached image is then started without asking the registry, so a pod without pull credentials can run a private image another pod pulled, and a moved tag is not picked up.',
    remediation: 'Set imagePullPolicy: Always (pulls are cheap when the layers are cached), or pin images by digest and enable the AlwaysPullImages admission plugin on multi-tenant clusters.',
    severity: { gain: 'access', effort: 'chained', reason: 'Abuse needs a tenant able to create pods on the same node that knows the image name.' },
    nsa: [NSA.images],
    mitre: [MITRE.implantImage],
    fixable: true,
    equivalents: ['kube-score:container-image-pull-policy', 'polaris:pullPolicyNotAlways', 'kubescape:C-0075'],
  },
  (container) => {
    const policy = container.raw.imagePullPolicy;
    if (policy === 'Always') return undefined;
    const path = [...container.path, 'imagePullPolicy'];
    const fix = [{ op: 'set' as const, path, value: 'Always' }];
    if (typeof policy === 'string') return { predicate: `must set imagePullPolicy=Always (is ${policy})`, path, fix };
    const image = typeof container.raw.image === 'string' ? parseImage(container.raw.image) : undefined;
    // The API defaults an unset policy to Always for latest or untagged images without a digest.
    if (image !== undefined && image.digest === undefined && (image.tag === undefined || image.tag === 'latest')) return undefined;
    return { predicate: 'must set imagePullPolicy=Always (defaults to IfNotPresent)', path, fix };
  },
  MAIN_CONTAINERS,
);
