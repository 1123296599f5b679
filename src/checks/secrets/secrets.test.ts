/** Valid and invalid cases for the secrets checks; no finding may contain the value. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCases, findings, pod, withContainer } from '../common/testing.js';
import { configMapSecret } from './configMapSecret.js';
import { duplicateEnv } from './duplicateEnv.js';
import { envHighEntropy } from './envHighEntropy.js';
import { envSecretLiteral } from './envSecretLiteral.js';
import { secretAsEnv } from './secretAsEnv.js';
import { secretInManifest } from './secretInManifest.js';

const env = (...entries: Array<Record<string, unknown>>) => [pod(withContainer({ env: entries }))];
const TOKEN = 'kX9f2QmZ7pL4vR8tW1yB6nC3sD5gH0jA';
const configMap = (data: Record<string, unknown>) => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data }];

describe('secrets checks', () => {
  checkCases(envSecretLiteral, {
    valid: [
      { name: 'from a Secret', objects: env({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }) },
      { name: 'a reference, not a secret', objects: env({ name: 'PASSWORD_FILE', value: '/run/secrets/p' }) },
      { name: 'variable expansion', objects: env({ name: 'API_TOKEN', value: '$(TOKEN_FROM_SECRET)' }) },
      { name: 'harmless', objects: env({ name: 'LOG_LEVEL', value: 'debug' }) },
    ],
    invalid: [
      { name: 'password literal', objects: env({ name: 'DB_PASSWORD', value: 'hunter2' }) },
      { name: 'pwd literal', objects: env({ name: 'db_pwd', value: 'hunter2' }) },
      { name: 'private key under an innocent name', objects: env({ name: 'blob', value: '-----BEGIN RSA PRIVATE KEY-----\nMIIE...' }) },
    ],
  });
  test('messages never contain the value', () => {
    for (const finding of findings(envSecretLiteral, env({ name: 'DB_PASSWORD', value: 'hunter2-secret-value' }))) assert.ok(!finding.message.includes('hunter2'));
    for (const finding of findings(configMapSecret, configMap({ password: 'hunter2-secret-value', blob: TOKEN }))) assert.ok(!finding.message.includes('hunter2') && !finding.message.includes(TOKEN));
  });
  checkCases(envHighEntropy, {
    valid: [{ name: 'a word', objects: env({ name: 'MODE', value: 'production-mode-enabled' }) }, { name: 'a URL', objects: env({ name: 'ENDPOINT', value: 'https://api.example.com/v1/items' }) }],
    invalid: [{ name: 'random token', objects: env({ name: 'BLOB', value: TOKEN }) }],
  });
  checkCases(configMapSecret, {
    valid: [{ name: 'settings', objects: configMap({ 'log-level': 'info', 'max-connections': '100' }) }],
    invalid: [{ name: 'credential key', objects: configMap({ AWS_SECRET_ACCESS_KEY: 'xxxxx' }) }, { name: 'token value', objects: configMap({ blob: TOKEN }) }],
  });
  checkCases(secretAsEnv, {
    valid: [{ name: 'mounted', objects: [pod(withContainer({ volumeMounts: [{ name: 's', mountPath: '/s' }] }, { volumes: [{ name: 's', secret: { secretName: 's' } }] }))] }],
    invalid: [
      { name: 'secretKeyRef', objects: env({ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }) },
      { name: 'envFrom', objects: [pod(withContainer({ envFrom: [{ secretRef: { name: 's' } }] }))] },
    ],
  });
  checkCases(secretInManifest, {
    valid: [{ name: 'empty', objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }] }],
    invalid: [{ name: 'stringData', objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'x' } }], message: 'password' }],
  });
  checkCases(duplicateEnv, {
    valid: [{ name: 'distinct', objects: env({ name: 'A', value: '1' }, { name: 'B', value: '2' }) }],
    invalid: [{ name: 'twice', objects: env({ name: 'A', value: '1' }, { name: 'A', value: '2' }) }],
  });
});
