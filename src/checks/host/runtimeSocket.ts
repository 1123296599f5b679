/** A container runtime socket is root on the node: whoever talks to it starts privileged containers. */
import { podCheck } from '../common/define.js';
import { hostPathOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

const SOCKET_DIRECTORIES = ['/var/run', '/run'];
const SOCKET_NAMES = ['docker.sock', 'containerd/containerd.sock', 'crio/crio.sock', 'dockershim.sock', 'cri-dockerd.sock', 'k3s/containerd/containerd.sock'];
const SOCKET_PATHS = new Set(SOCKET_DIRECTORIES.flatMap((directory) => SOCKET_NAMES.map((name) => `${directory}/${name}`)));
const SOCKET_DIRS = new Set(['/var/run/containerd', '/run/containerd', '/var/run/crio', '/run/crio', '/var/run/docker', '/run/docker']);

export function isRuntimeSocket(path: string): boolean {
  return SOCKET_PATHS.has(path) || SOCKET_DIRS.has(path) || path.endsWith('/docker.sock') || path.endsWith('/containerd.sock') || path.endsWith('/crio.sock');
}

export const runtimeSocket = podCheck(
  {
    id: 'pod-runtime-socket',
    title: 'Pod mounts the container runtime socket',
    category: 'host',
    description: 'A hostPath volume mounts the Docker, containerd or CRI-O socket (or its directory). Anything that can write to the socket can start a privileged container with the node’s filesystem mounted: node takeover in one API call.',
    remediation: 'Remove the volume. Build images with rootless builders (BuildKit rootless, kaniko) and read container metadata through the Kubernetes API instead.',
    severity: { gain: 'control', effort: 'foothold', reason: 'A foothold talks to the runtime and runs a privileged container on the node.' },
    cis: ['5.2.12'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost, MITRE.deployContainer],
    equivalents: ['kubescape:C-0074', 'kubesec:DockerSock', 'kube-linter:docker-sock'],
  },
  (pod) =>
    pod.volumes.flatMap((volume) => {
      const path = hostPathOf(pod, volume);
      return path !== undefined && isRuntimeSocket(path) ? [{ message: `volume ${JSON.stringify(volume.name)} must not mount the container runtime socket ${path}`, path: [...volume.path, 'hostPath', 'path'] }] : [];
    }),
);
