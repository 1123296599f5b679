/** The three AdmissionReview bodies of bench/admission.mjs: a compliant pod, a privileged pod (denied), a Deployment (warned), in namespace shop. */
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
