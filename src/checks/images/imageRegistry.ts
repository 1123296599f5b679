/**
 * Images must come from the registries the config file allows
 * (`images.allowedRegistries`). Without that setting the check has nothing to
 * enforce and passes every image.
 */
import type { Check } from '../types.js';
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { parseImage } from './imageReference.js';

/** An entry allows a registry (`ghcr.io`) or a path prefix within one (`ghcr.io/acme`); `docker.io` names Docker Hub. */
export function registryAllowed(image: string, allowed: readonly string[]): boolean {
  const reference = parseImage(image);
  const full = `${reference.registry}/${reference.repository}`;
  return allowed.some((entry) => {
    const prefix = entry.replace(/\/+$/, '');
    return full === prefix || full.startsWith(`${prefix}/`);
  });
}

export function createImageRegistryCheck(allowedRegistries: readonly string[] | undefined): Check {
  const allowed = allowedRegistries ?? [];
  return containerCheck(
    {
      id: 'image-registry-not-allowed',
      title: 'Image from a registry outside the allow-list',
      category: 'images',
      description:
        'The container’s image comes from a registry (or a path within one) that the config file’s images.allowedRegistries does not list. Images from unreviewed registries bypass the organisation’s scanning, signing and provenance controls. Without an allow-list the check passes every image.',
      remediation: 'Mirror the image into an allowed registry and reference it there, or add the registry to images.allowedRegistries after review.',
      severity: { gain: 'control', effort: 'chained', reason: 'Harm needs a malicious or compromised upstream image; then it runs with the workload’s privileges wherever it is deployed.' },
      nsa: [NSA.images],
      mitre: [MITRE.supplyChain, MITRE.implantImage],
      equivalents: ['kubescape:C-0078', 'kubescape:C-0001'],
    },
    (container) => {
      const image = container.raw.image;
      if (allowed.length === 0 || typeof image !== 'string' || image === '' || registryAllowed(image, allowed)) return undefined;
      const reference = parseImage(image);
      return { predicate: `must use an image from an allowed registry (${reference.registry} is not in images.allowedRegistries)`, path: [...container.path, 'image'] };
    },
  );
}

/** The registered instance, without an allow-list; the CLI builds one from the config file. */
export const imageRegistry = createImageRegistryCheck(undefined);
