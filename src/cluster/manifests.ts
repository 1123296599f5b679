/**
 * `rampart watch manifests`: what `rampart watch` needs in a cluster. The
 * ClusterRole grants get/list/watch on exactly the types a scan reads
 * (Secrets only when asked: listing them returns their values, even though
 * Rampart blanks them on arrival), and, with PolicyReports, write access to
 * those reports alone. The Deployment passes Rampart's own checks.
 */
import yaml from 'js-yaml';
import { DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS } from '../model/podTemplates.js';
import { WANTED_RESOURCES } from './discovery.js';

export interface ManifestOptions {
  readonly namespace: string;
  readonly image: string;
  readonly withSecrets: boolean;
  readonly policyReports: boolean;
}

const NAME = 'rampart';
const PORT = 9464;

export function watchManifests(options: ManifestOptions): string {
  const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'watch' };
  const readRules = Object.entries(WANTED_RESOURCES).map(([group, resources]) => ({
    apiGroups: [group],
    resources: resources.filter((resource) => options.withSecrets || group !== '' || resource !== 'secrets'),
    verbs: ['get', 'list', 'watch'],
  }));
  const customGroups = new Map<string, string[]>();
  for (const location of DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS) {
    const plural = `${location.kind.toLowerCase()}s`;
    customGroups.set(location.group, [...(customGroups.get(location.group) ?? []), plural]);
  }
  for (const [group, resources] of customGroups) readRules.push({ apiGroups: [group], resources, verbs: ['get', 'list', 'watch'] });
  const rules = [...readRules];
  if (options.policyReports) {
    rules.push({ apiGroups: ['wgpolicyk8s.io'], resources: ['policyreports', 'clusterpolicyreports'], verbs: ['get', 'list', 'create', 'update', 'delete'] });
  }
  const args = ['watch', '--metrics-address', '0.0.0.0', '--metrics-port', String(PORT), ...(options.policyReports ? ['--policy-reports'] : [])];
  const documents = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: options.namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NAME, namespace: options.namespace, labels } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${NAME}-watch`, labels }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${NAME}-watch`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${NAME}-watch` },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: options.namespace }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace: options.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            hostUsers: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' }, appArmorProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: NAME,
                image: options.image,
                imagePullPolicy: 'Always',
                args,
                ports: [{ name: 'metrics', containerPort: PORT }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 },
                resources: { requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '64Mi' }, limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '64Mi' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 20 },
                readinessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10 },
              },
            ],
          },
        },
      },
    },
    // Nothing in the namespace talks unless allowed: Prometheus may scrape, Rampart may reach the API server and DNS.
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: options.namespace }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: NAME, namespace: options.namespace, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: PORT }] }],
        egress: [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }, { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      },
    },
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: NAME, namespace: options.namespace }, spec: { hard: { pods: '4', 'requests.cpu': '1', 'requests.memory': '2Gi', 'limits.cpu': '4', 'limits.memory': '4Gi' } } },
    { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: NAME, namespace: options.namespace }, spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace: options.namespace, labels },
      spec: { selector: labels, ports: [{ name: 'metrics', port: PORT, targetPort: 'metrics' }] },
    },
  ];
  const header = `# rampart watch in a cluster: apply with kubectl apply -f -\n# Secrets are ${options.withSecrets ? 'listed (values blanked on arrival)' : 'not listed: scans report them as skipped (add --with-secrets to grant it)'}.\n`;
  return header + documents.map((document) => `---\n${yaml.dump(document, { noRefs: true, lineWidth: -1 })}`).join('');
}
