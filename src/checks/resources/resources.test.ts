/** Valid and invalid cases for the resource checks, including namespaces without quota or LimitRange. */
import { describe } from 'node:test';
import { checkCases, pod, withContainer } from '../common/testing.js';
import { cpuLimit } from './cpuLimit.js';
import { cpuRequest } from './cpuRequest.js';
import { ephemeralStorage } from './ephemeralStorage.js';
import { livenessProbe } from './livenessProbe.js';
import { memoryLimit } from './memoryLimit.js';
import { memoryRequest } from './memoryRequest.js';
import { namespaceLimitRange } from './namespaceLimitRange.js';
import { namespaceQuota } from './namespaceQuota.js';
import { readinessProbe } from './readinessProbe.js';

const resources = (value: Record<string, unknown>) => [pod(withContainer({ resources: value }))];
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } };

describe('resource checks', () => {
  for (const [check, section, name] of [[cpuRequest, 'requests', 'cpu'], [cpuLimit, 'limits', 'cpu'], [memoryRequest, 'requests', 'memory'], [memoryLimit, 'limits', 'memory']] as const) {
    checkCases(check, {
      valid: [{ name: 'set', objects: resources({ [section]: { [name]: '1' } }) }],
      invalid: [{ name: 'unset', objects: resources({}) }, { name: 'empty value', objects: resources({ [section]: { [name]: '' } }) }],
    });
  }
  checkCases(cpuRequest, { valid: [], invalid: [{ name: 'a limit alone does not settle the request', objects: resources({ limits: { cpu: '1' } }) }] });
  checkCases(ephemeralStorage, {
    valid: [{ name: 'both', objects: resources({ requests: { 'ephemeral-storage': '1Gi' }, limits: { 'ephemeral-storage': '2Gi' } }) }],
    invalid: [{ name: 'limit only', objects: resources({ limits: { 'ephemeral-storage': '2Gi' } }) }],
  });
  for (const [check, field] of [[livenessProbe, 'livenessProbe'], [readinessProbe, 'readinessProbe']] as const) {
    checkCases(check, {
      valid: [
        { name: 'set', objects: [pod(withContainer({ [field]: { httpGet: { path: '/', port: 80 } } }))] },
        { name: 'run-to-completion pod', objects: [pod(withContainer({}, { restartPolicy: 'Never' }))] },
        { name: 'Job', objects: [{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: withContainer({}, { restartPolicy: 'OnFailure' }) } } }] },
      ],
      invalid: [{ name: 'unset', objects: [pod(withContainer())] }],
    });
  }
  checkCases(namespaceQuota, {
    valid: [{ name: 'quota after the namespace', objects: [namespace, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'app' }, spec: { hard: { pods: '10' } } }] }],
    invalid: [{ name: 'none', objects: [namespace] }, { name: 'quota in another namespace', objects: [namespace, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'other' } }] }],
  });
  checkCases(namespaceLimitRange, {
    valid: [{ name: 'limit range', objects: [{ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'app' } }, namespace] }],
    invalid: [{ name: 'none', objects: [namespace] }],
  });
});
