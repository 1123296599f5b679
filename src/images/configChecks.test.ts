import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkImageConfig, entropy, looksRandom } from './configChecks.js';

const SECRET = 'Zq8vN2xR7pL4mK9sT1wY6bH3cJ5dF0gA';

test('runs as root unless USER names another user', () => {
  const ids = (user?: string): string[] => checkImageConfig({ config: user === undefined ? {} : { User: user } }, []).map((finding) => finding.id);
  assert.deepEqual(ids(), ['IMG-ROOT-USER']);
  assert.deepEqual(ids('0:0'), ['IMG-ROOT-USER']);
  assert.deepEqual(ids('root'), ['IMG-ROOT-USER']);
  assert.deepEqual(ids('1000:1000'), []);
  assert.deepEqual(ids('nobody'), []);
});

test('secrets in the environment and history are found by name and entropy, and their values never appear', () => {
  const findings = checkImageConfig(
    {
      config: {
        User: 'app',
        Env: ['PATH=/usr/local/bin:/usr/bin', `DB_PASSWORD=hunter2`, `RANDOM_BLOB=${SECRET}`, 'TOKEN_FILE=/run/secrets/token', 'API_KEY=', 'GPG_KEY=${KEY}'],
      },
      history: [
        { created_by: '/bin/sh -c #(nop) ENV GITHUB_TOKEN=ghp_abcdefghijklmnop' },
        { created_by: `RUN /bin/sh -c curl -H "X-Auth: ${SECRET}" https://example.com # buildkit` },
        { created_by: 'RUN /bin/sh -c echo 3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed | sha256sum -c' },
        { created_by: 'ADD https://example.com/tool.tar.gz /opt/ # buildkit' },
        { created_by: 'ADD file:abc in / ' },
      ],
    },
    [],
  );
  assert.deepEqual(
    findings.map((finding) => [finding.id, finding.severity]),
    [
      ['IMG-SECRET-ENV', 'high'],
      ['IMG-SECRET-ENV', 'medium'],
      ['IMG-SECRET-HISTORY', 'high'],
      ['IMG-SECRET-HISTORY', 'medium'],
      ['IMG-ADD-URL', 'low'],
    ],
  );
  assert.match(findings[0]!.message, /DB_PASSWORD .*value of 7 characters not shown/);
  assert.match(findings[2]!.message, /build step 0 sets GITHUB_TOKEN/);
  const text = JSON.stringify(findings);
  for (const value of ['hunter2', SECRET, 'ghp_abcdefghijklmnop']) assert.ok(!text.includes(value), `${value} leaked`);
});

test('sensitive ports, missing healthchecks and setuid files added by the image', () => {
  const findings = checkImageConfig({ config: { User: 'app', ExposedPorts: { '22/tcp': {}, '8080/tcp': {} } } }, [
    { path: '/usr/local/bin/tool', mode: 0o4755, layer: 2 },
    { path: '/usr/bin/su', mode: 0o4755, layer: 0, ownedBy: 'util-linux' },
    { path: '/usr/bin/newgrp', mode: 0o4755, layer: 1, ownedBy: 'login' },
  ]);
  assert.deepEqual(
    findings.map((finding) => finding.id),
    ['IMG-SENSITIVE-PORT', 'IMG-NO-HEALTHCHECK', 'IMG-SETUID-ADDED', 'IMG-SETUID-PACKAGE'],
  );
  assert.match(findings[0]!.message, /22\/tcp \(SSH\)/);
  assert.match(findings[2]!.message, /\/usr\/local\/bin\/tool is setuid \(mode 4755\), added in layer 2/);
  assert.deepEqual(
    checkImageConfig({ config: { User: 'app', ExposedPorts: { '8080/tcp': {} }, Healthcheck: { Test: ['CMD', 'true'] } } }, []).map((finding) => finding.id),
    [],
  );
});

test('entropy separates random strings from words and digests', () => {
  assert.ok(entropy(SECRET) > 4.5);
  assert.equal(entropy('aaaa'), 0);
  assert.ok(!looksRandom('this-is-a-long-but-ordinary-name'));
  assert.ok(!looksRandom('3f786850e387550fdab836ed7e6dc881de23001b'));
  assert.ok(looksRandom(SECRET));
});
