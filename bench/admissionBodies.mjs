/** The three AdmissionReview bodies of bench/admission.mjs: a compliant pod, a privileged pod (denied), a Deployment (warned), in namespace shop. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The webhook's decision core from the compiled tree, with the default configuration, and the labels
 * of namespace shop: what bench/admission.mjs and bench/admissionAlloc.mjs time in process.
 */
export async function decisionCore() {
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const { Decider } = await import(path.join(dist, 'admission', 'decide.js'));
  const { parseReview, reviewResponse } = await import(path.join(dist, 'admission', 'review.js'));
  const { DEFAULT_ADMISSION_CONFIG } = await import(path.join(dist, 'admission', 'config.js'));
  const { DEFAULT_CONFIG } = await import(path.join(dist, 'config', 'config.js'));
  const decider = new Decider({ scan: DEFAULT_CONFIG, admission: DEFAULT_ADMISSION_CONFIG });
  const labels = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' };
  return { decider, parseReview, reviewResponse, labels };
}
export function review(uid, object) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: `${object.kind.toLowerCase()}s` },
      name: object.metadata.name,
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
    },
  });
}

const compliantSpec = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  serviceAccountName: 'web',
  containers: [
    {
      name: 'app',
      image: `registry.example/shop/web@sha256:${'a'.repeat(64)}`,
      imagePullPolicy: 'Always',
      ports: [{ containerPort: 8080 }],
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi', 'ephemeral-storage': '1Gi' } },
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
      livenessProbe: { httpGet: { path: '/live', port: 8080 } },
    },
  ],
};
export const bodies = [
  review('bench-compliant', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, spec: compliantSpec }),
  review('bench-privileged', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug', namespace: 'shop' },
    spec: { hostPID: true, containers: [{ name: 'shell', image: 'busybox:latest', securityContext: { privileged: true } }] },
  }),
  review('bench-deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  }),
];
