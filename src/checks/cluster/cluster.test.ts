/**
 * Valid and invalid cases for RBAC and webhook objects in manifests. Grants in
 * roles and cluster-admin bindings are the RBAC engine's (src/checks/rbac/rbac.test.ts).
 */
import { describe } from 'node:test';
import { checkCases } from '../common/testing.js';
import { anonymousBinding } from './anonymousBinding.js';
import { authenticatedBinding } from './authenticatedBinding.js';
import { execPods } from './execPods.js';
import { webhookFailOpen } from './webhookFailOpen.js';
import { webhookKubeSystem } from './webhookKubeSystem.js';
import { webhookOwnNamespace } from './webhookOwnNamespace.js';
import { webhookTimeout } from './webhookTimeout.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const role = (rules: unknown[], name = 'r', kind = 'ClusterRole') => ({ apiVersion: RBAC, kind, metadata: { name, namespace: 'app' }, rules });
const binding = (roleName: string, subjects: unknown[], name = 'b', kind = 'ClusterRoleBinding', roleKind = 'ClusterRole') => ({ apiVersion: RBAC, kind, metadata: { name, namespace: 'app' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName }, subjects });
const webhook = (entry: Record<string, unknown>, apiVersion = 'admissionregistration.k8s.io/v1') => ({ apiVersion, kind: 'ValidatingWebhookConfiguration', metadata: { name: 'w' }, webhooks: [{ name: 'w.example.com', clientConfig: { service: { name: 'w', namespace: 'policy' } }, ...entry }] });
const excludeSystem = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'policy'] }] };

describe('cluster object checks', () => {
  checkCases(anonymousBinding, {
    valid: [{ name: 'public info viewer', objects: [binding('system:public-info-viewer', [{ kind: 'Group', name: 'system:unauthenticated' }])] }],
    invalid: [{ name: 'anonymous user', objects: [binding('view', [{ kind: 'User', name: 'system:anonymous' }])] }, { name: 'unauthenticated group', objects: [binding('edit', [{ kind: 'Group', name: 'system:unauthenticated' }])] }],
  });
  checkCases(authenticatedBinding, {
    valid: [{ name: 'discovery', objects: [binding('system:discovery', [{ kind: 'Group', name: 'system:authenticated' }])] }],
    invalid: [{ name: 'edit for everyone', objects: [binding('edit', [{ kind: 'Group', name: 'system:authenticated' }])] }],
  });
  checkCases(execPods, {
    valid: [{ name: 'logs', objects: [role([{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }])] }],
    invalid: [{ name: 'exec create', objects: [role([{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }])] }, { name: 'attach get (WebSocket)', objects: [role([{ apiGroups: [''], resources: ['pods/attach'], verbs: ['get'] }])] }, { name: 'pods/*', objects: [role([{ apiGroups: [''], resources: ['pods/*'], verbs: ['create'] }])] }],
  });
  checkCases(webhookFailOpen, {
    valid: [{ name: 'v1 default Fail', objects: [webhook({})] }],
    invalid: [{ name: 'Ignore', objects: [webhook({ failurePolicy: 'Ignore' })] }, { name: 'v1beta1 default Ignore', objects: [webhook({}, 'admissionregistration.k8s.io/v1beta1')] }],
  });
  checkCases(webhookTimeout, {
    valid: [{ name: 'v1 default 10s', objects: [webhook({})] }, { name: '5s', objects: [webhook({ timeoutSeconds: 5 })] }],
    invalid: [{ name: '30s', objects: [webhook({ timeoutSeconds: 30 })] }, { name: 'v1beta1 default 30s', objects: [webhook({}, 'admissionregistration.k8s.io/v1beta1')] }],
  });
  checkCases(webhookKubeSystem, {
    valid: [{ name: 'kube-system excluded', objects: [webhook({ namespaceSelector: excludeSystem })] }, { name: 'fails open', objects: [webhook({ failurePolicy: 'Ignore' })] }],
    invalid: [{ name: 'matches everything', objects: [webhook({})] }],
  });
  checkCases(webhookOwnNamespace, {
    valid: [
      { name: 'own namespace excluded', objects: [webhook({ namespaceSelector: excludeSystem })] },
      { name: 'label on the Namespace object excludes it', objects: [webhook({ namespaceSelector: { matchExpressions: [{ key: 'webhook', operator: 'DoesNotExist' }] } }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'policy', labels: { webhook: 'skip' } } }] },
    ],
    invalid: [{ name: 'matches its own namespace', objects: [webhook({})] }],
  });
});
