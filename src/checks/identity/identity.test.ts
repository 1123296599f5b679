/** Valid and invalid cases for the identity checks, including the ServiceAccount cross-reference. */
import { describe } from 'node:test';
import { checkCases, pod, withContainer } from '../common/testing.js';
import { defaultAccountAutomount } from './defaultAccountAutomount.js';
import { defaultServiceAccount } from './defaultServiceAccount.js';
import { deprecatedServiceAccountField } from './deprecatedServiceAccountField.js';
import { longLivedToken } from './longLivedToken.js';
import { missingServiceAccount } from './missingServiceAccount.js';
import { tokenAutomount } from './tokenAutomount.js';

const account = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'app' }, ...extra });

describe('identity checks', () => {
  checkCases(tokenAutomount, {
    valid: [
      { name: 'pod opts out', objects: [pod(withContainer({}, { automountServiceAccountToken: false }))] },
      { name: 'its ServiceAccount opts out, defined after the pod', objects: [pod(withContainer({}, { serviceAccountName: 'api' })), account('api', { automountServiceAccountToken: false })] },
    ],
    invalid: [
      { name: 'nothing set', objects: [pod(withContainer())] },
      { name: 'pod true overrides its ServiceAccount', objects: [pod(withContainer({}, { serviceAccountName: 'api', automountServiceAccountToken: true })), account('api', { automountServiceAccountToken: false })] },
      { name: 'ServiceAccount of another namespace does not count', objects: [pod(withContainer({}, { serviceAccountName: 'api' })), { ...account('api', { automountServiceAccountToken: false }), metadata: { name: 'api', namespace: 'other' } }] },
    ],
  });
  checkCases(defaultServiceAccount, {
    valid: [{ name: 'dedicated', objects: [pod(withContainer({}, { serviceAccountName: 'api' }))] }],
    invalid: [{ name: 'unset', objects: [pod(withContainer())] }, { name: 'default', objects: [pod(withContainer({}, { serviceAccountName: 'default' }))] }],
  });
  checkCases(deprecatedServiceAccountField, {
    valid: [{ name: 'both equal, as the API server writes them', objects: [pod(withContainer({}, { serviceAccount: 'a', serviceAccountName: 'a' }))] }],
    invalid: [{ name: 'only the deprecated field', objects: [pod(withContainer({}, { serviceAccount: 'a' }))] }, { name: 'they differ', objects: [pod(withContainer({}, { serviceAccount: 'a', serviceAccountName: 'b' }))] }],
  });
  checkCases(missingServiceAccount, {
    valid: [{ name: 'defined', objects: [account('api'), pod(withContainer({}, { serviceAccountName: 'api' }))] }, { name: 'default', objects: [pod(withContainer())] }],
    invalid: [{ name: 'not defined', objects: [pod(withContainer({}, { serviceAccountName: 'api' }))] }],
  });
  checkCases(longLivedToken, {
    valid: [{ name: 'Opaque', objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque' }] }],
    invalid: [{ name: 'token Secret', objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', annotations: { 'kubernetes.io/service-account.name': 'x' } }, type: 'kubernetes.io/service-account-token' }] }],
  });
  checkCases(defaultAccountAutomount, {
    valid: [{ name: 'opted out', objects: [account('default', { automountServiceAccountToken: false })] }, { name: 'other account', objects: [account('api')] }],
    invalid: [{ name: 'default mounts', objects: [account('default')] }],
  });
});
