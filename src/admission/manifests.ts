/**
 * `rampart admission manifests`: everything needed to run the webhook, built
 * so it cannot take the cluster down: two replicas on different nodes with a
 * PodDisruptionBudget, bounded resources, a short timeout, sideEffects None,
 * and namespace selectors that leave kube-system and the webhook's own
 * namespace alone (a webhook that must admit its own replacement pods
 * deadlocks when it is down).
 */
import { stringify } from 'yaml';

export interface ManifestOptions {
  readonly namespace: string;
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly image: string;
  /** PEM CA bundle; without it a placeholder marks where it goes. */
  readonly caBundle?: string;
}

const NAME = 'rampart-admission';
const LABELS = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'rampart' };
export const WEBHOOK_TIMEOUT_SECONDS = 3;

/** The workload kinds whose pods Rampart judges, as webhook rules. */
const RULES = [
  { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates'], scope: 'Namespaced' },
  { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], scope: 'Namespaced' },
  { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['jobs', 'cronjobs'], scope: 'Namespaced' },
];

const PSS_PREFIX = 'pod-security.kubernetes.io/';
/**
 * Namespace requests matter only when they carry Pod Security labels (CREATE) or change them (UPDATE):
 * every other namespace edit (controllers' labels and annotations, finalizers) never waits for the
 * webhook or fails with it. Other resources pass this condition untouched. For UPDATE the API server
 * always sends oldObject, so reading it cannot fail.
 */
export const NAMESPACE_CONDITION = {
  name: 'namespaces-only-pod-security-label-changes',
  expression: [
    "request.resource.group != '' || request.resource.resource != 'namespaces' || (",
    "request.operation == 'CREATE' ?",
    `(has(object.metadata.labels) && object.metadata.labels.exists(k, k.startsWith('${PSS_PREFIX}'))) :`,
    `((has(object.metadata.labels) && object.metadata.labels.exists(k, k.startsWith('${PSS_PREFIX}') && (!has(oldObject.metadata.labels) || !(k in oldObject.metadata.labels) || oldObject.metadata.labels[k] != object.metadata.labels[k]))) ||`,
    `(has(oldObject.metadata.labels) && oldObject.metadata.labels.exists(k, k.startsWith('${PSS_PREFIX}') && (!has(object.metadata.labels) || !(k in object.metadata.labels)))))`,
    ')',
  ].join(' '),
};

export function manifestObjects(options: ManifestOptions): Record<string, unknown>[] {
  const { namespace } = options;
  const caBundle = options.caBundle === undefined ? 'REPLACE-WITH-BASE64-CA-BUNDLE' : Buffer.from(options.caBundle).toString('base64');
  const namespaceSelector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', namespace] }] };
  const service = (path: string): Record<string, unknown> => ({ service: { namespace, name: NAME, path, port: 443 }, caBundle });
  // Nodes only write status and mirror pods; skipping them keeps kubelets out of the webhook's path.
  const matchConditions = [{ name: 'not-from-nodes', expression: "!('system:nodes' in request.userInfo.groups)" }];
  const securityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
    appArmorProfile: { type: 'RuntimeDefault' },
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { ...LABELS, 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NAME, namespace, labels: LABELS }, automountServiceAccountToken: false },
    {
      // Read-only access to Namespaces, for a watched cache of their Pod Security labels, and list on
      // Pods, for the existing pods of a namespace whose enforce level is tightened; nothing else.
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: NAME, labels: LABELS },
      rules: [
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: NAME, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${NAME}-config`, namespace, labels: LABELS },
      data: { 'rampart.yaml': stringify({ admission: { defaultAction: 'warn', podSecurity: { enforceOnControllers: false } } }) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace, labels: LABELS },
      spec: {
        replicas: 2,
        selector: { matchLabels: LABELS },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: false,
            priorityClassName: 'system-cluster-critical',
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: LABELS }, topologyKey: 'kubernetes.io/hostname' }],
              },
            },
            containers: [
              {
                name: 'webhook',
                image: options.image,
                imagePullPolicy: 'Always',
                args: ['admission', 'serve', '--port', '8443', '--cert', '/tls/tls.crt', '--key', '/tls/tls.key', '--config', '/config/rampart.yaml', '--in-cluster'],
                ports: [{ name: 'https', containerPort: 8443 }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 },
                resources: { requests: { cpu: '200m', memory: '128Mi', 'ephemeral-storage': '16Mi' }, limits: { cpu: '1', memory: '256Mi', 'ephemeral-storage': '64Mi' } },
                securityContext,
                volumeMounts: [
                  { name: 'tls', mountPath: '/tls', readOnly: true },
                  { name: 'config', mountPath: '/config', readOnly: true },
                  { name: 'api-token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
                ],
              },
            ],
            terminationGracePeriodSeconds: 20,
            volumes: [
              { name: 'tls', secret: { secretName: `${NAME}-tls` } },
              { name: 'config', configMap: { name: `${NAME}-config` } },
              {
                // The namespace cache's credentials, mounted explicitly instead of automounted: a short-lived,
                // token the kubelet rotates, in the only container that calls the API.
                name: 'api-token',
                projected: {
                  sources: [
                    { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
                  ],
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: NAME, namespace, labels: LABELS },
      spec: { minAvailable: 1, selector: { matchLabels: LABELS } },
    },
    {
      // Nothing in the namespace talks or is talked to unless a policy below says so.
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace, labels: LABELS },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      // The API server calls the webhook on 8443 (its address differs per cluster, so any source);
      // the webhook reaches only DNS and the API server (for the Namespace cache).
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: NAME, namespace, labels: LABELS },
      spec: {
        podSelector: { matchLabels: LABELS },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: 8443 }] }],
        egress: [
          { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
          { ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace, labels: LABELS },
      spec: { type: 'ClusterIP', selector: LABELS, ports: [{ name: 'https', port: 443, targetPort: 'https' }] },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: NAME, labels: LABELS },
      webhooks: [
        {
          name: 'validate.admission.rampart.dev',
          admissionReviewVersions: ['v1'],
          clientConfig: service('/validate'),
          // Namespaces too: invalid Pod Security labels are refused and a tightened enforce level warns
          // about existing pods, as Pod Security Admission does; only such requests are sent (below).
          rules: [...RULES, { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['namespaces'], scope: 'Cluster' }],
          failurePolicy: options.failurePolicy,
          sideEffects: 'None',
          timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
          matchPolicy: 'Equivalent',
          namespaceSelector,
          matchConditions: [...matchConditions, NAMESPACE_CONDITION],
        },
      ],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: NAME, labels: LABELS },
      webhooks: [
        {
          name: 'mutate.admission.rampart.dev',
          admissionReviewVersions: ['v1'],
          clientConfig: service('/mutate'),
          rules: RULES.map((rule) => ({ ...rule, operations: ['CREATE'] })),
          failurePolicy: options.failurePolicy,
          sideEffects: 'None',
          timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
          matchPolicy: 'Equivalent',
          reinvocationPolicy: 'IfNeeded',
          // Mutation is opt-in: only namespaces labelled rampart.dev/mutate=enabled are sent here.
          namespaceSelector: { matchExpressions: [...namespaceSelector.matchExpressions, { key: 'rampart.dev/mutate', operator: 'In', values: ['enabled'] }] },
          matchConditions,
        },
      ],
    },
  ];
}

export function renderManifests(options: ManifestOptions): string {
  return manifestObjects(options)
    .map((object) => stringify(object, { lineWidth: 0 }))
    .join('---\n');
}
