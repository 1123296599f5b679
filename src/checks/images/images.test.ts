/** Valid and invalid cases for the image checks, the reference parser and the configured registry allow-list. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../config/config.js';
import { checkCases, findings, pod, withContainer } from '../common/testing.js';
import { deprecatedRegistry } from './deprecatedRegistry.js';
import { imageDigest } from './imageDigest.js';
import { imagePullPolicy } from './imagePullPolicy.js';
import { isValidDigest, parseImage } from './imageReference.js';
import { createImageRegistryCheck, imageRegistry, registryAllowed } from './imageRegistry.js';
import { imageTag } from './imageTag.js';

const image = (name: string, extra: Record<string, unknown> = {}) => [pod(withContainer({ image: name, ...extra }))];
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image checks', () => {
  test('image references', () => {
    assert.deepEqual(parseImage('nginx'), { registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined });
    assert.deepEqual(parseImage('localhost:5000/app:1.2'), { registry: 'localhost:5000', repository: 'app', tag: '1.2', digest: undefined });
    assert.equal(parseImage(`ghcr.io/acme/app:1@${DIGEST}`).digest, DIGEST);
    assert.ok(isValidDigest(DIGEST));
    assert.ok(!isValidDigest('sha256:abc'));
    assert.ok(!isValidDigest(`sha256:${'A'.repeat(64)}`));
    assert.ok(isValidDigest('custom+alg:aGVsbG8='));
  });
  checkCases(imageTag, {
    valid: [{ name: 'version tag', objects: image('nginx:1.27') }, { name: 'digest without tag', objects: image(`nginx@${DIGEST}`) }, { name: 'registry with port, tagged', objects: image('localhost:5000/app:1') }],
    invalid: [{ name: 'no tag', objects: image('nginx') }, { name: 'latest', objects: image('nginx:latest') }, { name: 'registry with port, no tag', objects: image('localhost:5000/app') }],
  });
  checkCases(imageDigest, {
    valid: [{ name: 'digest', objects: image(`nginx:1@${DIGEST}`) }],
    invalid: [{ name: 'tag only', objects: image('nginx:1') }, { name: 'malformed digest', objects: image('nginx@sha256:abc') }],
  });
  checkCases(imagePullPolicy, {
    valid: [{ name: 'Always', objects: image('nginx:1', { imagePullPolicy: 'Always' }) }, { name: 'latest defaults to Always', objects: image('nginx:latest') }],
    invalid: [{ name: 'IfNotPresent', objects: image('nginx:latest', { imagePullPolicy: 'IfNotPresent' }) }, { name: 'tag defaults to IfNotPresent', objects: image('nginx:1') }],
  });
  checkCases(deprecatedRegistry, {
    valid: [{ name: 'registry.k8s.io', objects: image('registry.k8s.io/pause:3.9') }],
    invalid: [{ name: 'k8s.gcr.io', objects: image('k8s.gcr.io/pause:3.2') }],
  });
  checkCases(imageRegistry, { valid: [{ name: 'no allow-list configured: anything goes', objects: image('evil.example/x:1') }], invalid: [] });
  checkCases(createImageRegistryCheck(['ghcr.io/acme', 'docker.io']), {
    valid: [{ name: 'allowed path', objects: image('ghcr.io/acme/app:1') }, { name: 'Docker Hub short name', objects: image('nginx:1') }],
    invalid: [{ name: 'other path of an allowed registry', objects: image('ghcr.io/other/app:1') }, { name: 'prefix is not a path', objects: image('ghcr.io/acmeevil/app:1') }, { name: 'other registry', objects: image('quay.io/x/y:1') }],
  });
  test('registry matching', () => {
    assert.ok(registryAllowed('registry.example.com:5000/team/app:1', ['registry.example.com:5000']));
    assert.ok(!registryAllowed('registry.example.com.evil.io/app:1', ['registry.example.com']));
  });
  test('images.allowedRegistries is read from the config file and validated', async () => {
    const config = await parseConfig('images:\n  allowedRegistries: [ghcr.io/acme, docker.io]\n', 'rampart.yaml');
    assert.deepEqual(config.allowedRegistries, ['ghcr.io/acme', 'docker.io']);
    assert.equal((await parseConfig('', 'empty.yaml')).allowedRegistries, undefined);
    await assert.rejects(parseConfig('images:\n  allowedRegistries: ghcr.io\n', 'bad.yaml'), /allowedRegistries must be array/);
    await assert.rejects(parseConfig('images:\n  registries: []\n', 'bad.yaml'), /unknown key "registries"/);
    assert.equal(findings(createImageRegistryCheck(config.allowedRegistries), image('quay.io/x:1')).length, 1);
  });
});
