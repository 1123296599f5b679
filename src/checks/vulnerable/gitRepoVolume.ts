/** gitRepo volumes run git on the node as root, on a repository the pod author chooses (CVE-2024-10220). */
import { podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const gitRepoVolume = podCheck(
  {
    id: 'pod-git-repo-volume',
    title: 'gitRepo volume (CVE-2024-10220)',
    category: 'vulnerable',
    description: 'The pod declares a gitRepo volume. The kubelet clones the repository on the node; on kubelets before 1.28.12, 1.29.7 and 1.30.3 a crafted repository’s hooks run on the node outside the container (CVE-2024-10220). The volume type is deprecated and cannot be fixed in general.',
    remediation: 'Clone the repository in an init container into an emptyDir volume instead.',
    severity: { gain: 'control', effort: 'chained', reason: 'Needs an unpatched kubelet and a crafted repository; then it runs code on the node.' },
    nsa: [NSA.upgrading],
    mitre: [MITRE.escapeToHost, MITRE.exploitPublicFacing],
    equivalents: [],
  },
  (pod) =>
    pod.volumes
      .filter((volume) => volume.sources.includes('gitRepo'))
      .map((volume) => ({ message: `volume ${JSON.stringify(volume.name)} must not use gitRepo`, path: [...volume.path, 'gitRepo'] })),
);
