/** Valid and invalid cases for the known-vulnerable patterns. */
import { describe } from 'node:test';
import { checkCases, pod, withContainer } from '../common/testing.js';
import { externalIps } from './externalIps.js';
import { gitRepoVolume } from './gitRepoVolume.js';
import { nginxInjectionAnnotations } from './nginxInjectionAnnotations.js';
import { nginxSnippet } from './nginxSnippet.js';
import { subPathHostPath } from './subPathHostPath.js';

const ingress = (annotations: Record<string, string>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', annotations }, spec: {} });
const mounted = (volume: Record<string, unknown>, mount: Record<string, unknown>) => [pod(withContainer({ volumeMounts: [{ name: 'v', mountPath: '/v', ...mount }] }, { volumes: [{ name: 'v', ...volume }] }))];

describe('known-vulnerable patterns', () => {
  checkCases(subPathHostPath, {
    valid: [{ name: 'subPath of an emptyDir', objects: mounted({ emptyDir: {} }, { subPath: 'x' }) }, { name: 'hostPath without subPath', objects: mounted({ hostPath: { path: '/data' } }, {}) }],
    invalid: [{ name: 'subPath', objects: mounted({ hostPath: { path: '/data' } }, { subPath: 'x' }) }, { name: 'subPathExpr', objects: mounted({ hostPath: { path: '/data' } }, { subPathExpr: '$(POD)' }) }],
  });
  checkCases(nginxSnippet, {
    valid: [{ name: 'ordinary annotation', objects: [ingress({ 'nginx.ingress.kubernetes.io/rewrite-target': '/' })] }, { name: 'snippets disabled', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-nginx-controller' }, data: { 'allow-snippet-annotations': 'false' } }] }],
    invalid: [
      { name: 'configuration-snippet', objects: [ingress({ 'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "x: y";' })] },
      { name: 'snippets allowed in the controller ConfigMap', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-nginx-controller' }, data: { 'allow-snippet-annotations': 'true' } }] },
    ],
  });
  checkCases(nginxInjectionAnnotations, {
    valid: [{ name: 'ordinary', objects: [ingress({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' })] }],
    invalid: [{ name: 'auth-url', objects: [ingress({ 'nginx.ingress.kubernetes.io/auth-url': 'http://auth' })] }],
  });
  checkCases(gitRepoVolume, {
    valid: [{ name: 'emptyDir', objects: mounted({ emptyDir: {} }, {}) }],
    invalid: [{ name: 'gitRepo', objects: mounted({ gitRepo: { repository: 'https://example.com/r.git' } }, {}) }],
  });
  checkCases(externalIps, {
    valid: [{ name: 'none', objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }] }],
    invalid: [{ name: 'externalIPs', objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], externalIPs: ['203.0.113.7'] } }] }],
  });
});
