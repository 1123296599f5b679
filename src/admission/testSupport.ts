/** Builders for admission tests: requests and reviews as the API server sends them. */
import { DEFAULT_CONFIG } from '../config/config.js';
import type { JsonObject } from '../model/types.js';
import { DEFAULT_ADMISSION_CONFIG, type AdmissionConfig, type WebhookConfig } from './config.js';
import type { AdmissionRequest, Operation } from './review.js';

export const ENFORCE = 'pod-security.kubernetes.io/enforce';

export function webhookConfig(admission: Partial<AdmissionConfig> = {}): WebhookConfig {
  return { scan: DEFAULT_CONFIG, admission: { ...DEFAULT_ADMISSION_CONFIG, ...admission } };
}

export function pod(name: string, spec: JsonObject, metadata: JsonObject = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', ...metadata }, spec };
}

/** A pod that passes PSS restricted at every version. */
export function restrictedPod(name = 'ok', image = 'registry.example/app@sha256:' + 'a'.repeat(64)): JsonObject {
  return pod(name, {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  });
}

export function privilegedPod(name = 'bad'): JsonObject {
  return pod(name, { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] });
}

export function deployment(name: string, podSpec: JsonObject): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
  };
}

const RESOURCES: Record<string, string> = { Pod: 'pods', Deployment: 'deployments', Namespace: 'namespaces', ConfigMap: 'configmaps' };

export function request(object: JsonObject, options: { operation?: Operation; oldObject?: JsonObject; subResource?: string; username?: string; dryRun?: boolean; uid?: string } = {}): AdmissionRequest {
  const apiVersion = String(object.apiVersion);
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const kind = String(object.kind);
  const metadata = object.metadata as JsonObject;
  return {
    uid: options.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group, version, kind },
    resource: { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` },
    ...(options.subResource !== undefined ? { subResource: options.subResource } : {}),
    name: String(metadata.name),
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    operation: options.operation ?? 'CREATE',
    userInfo: { username: options.username ?? 'alice', groups: ['system:authenticated'] },
    object,
    oldObject: options.oldObject ?? null,
    dryRun: options.dryRun ?? false,
  };
}

/** The same request as the JSON body the API server posts. */
export function reviewBody(admissionRequest: AdmissionRequest): string {
  return JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: admissionRequest });
}
