/**
 * `rampart bench job`: a Job that runs the benchmark on one node with the
 * least it needs: the host's PID namespace (to read /proc/<pid>/cmdline),
 * read-only mounts of the configuration directories, no capabilities.
 */
import { stringify } from 'yaml';

export interface JobOptions {
  readonly image: string;
  readonly namespace: string;
  readonly node?: string;
  readonly benchmark: string;
}

/** Host paths the benchmark reads, mounted read-only under /host. */
export const HOST_PATHS = [
  '/etc/kubernetes',
  '/etc/systemd',
  '/usr/lib/systemd',
  '/lib/systemd',
  '/var/lib/kubelet',
  '/var/lib/etcd',
  '/etc/cni/net.d',
  '/etc/coredns',
  '/etc/passwd',
  '/etc/group',
  '/etc/default',
] as const;

export function jobManifest(options: JobOptions): string {
  const volumeName = (path: string): string => `host${path.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.replace(/-+$/, '');
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: options.node === undefined ? 'rampart-bench' : `rampart-bench-${options.node}`.slice(0, 63), namespace: options.namespace, labels: { 'app.kubernetes.io/name': 'rampart-bench' } },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'rampart-bench' } },
        spec: {
          hostPID: true,
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          ...(options.node === undefined ? {} : { nodeSelector: { 'kubernetes.io/hostname': options.node } }),
          tolerations: [
            { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
            { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
          ],
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'rampart-bench',
              image: options.image,
              args: ['bench', '--root', '/host', '--benchmark', options.benchmark],
              securityContext: {
                // Root reads root-owned files; with every capability dropped it cannot bypass permissions.
                runAsUser: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              volumeMounts: [...HOST_PATHS.map((path) => ({ name: volumeName(path), mountPath: `/host${path}`, readOnly: true })), { name: 'host-proc', mountPath: '/host/proc', readOnly: true }],
            },
          ],
          volumes: [...HOST_PATHS.map((path) => ({ name: volumeName(path), hostPath: { path } })), { name: 'host-proc', hostPath: { path: '/proc' } }],
        },
      },
    },
  };
  return stringify(job);
}
