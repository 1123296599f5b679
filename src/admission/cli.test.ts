import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI } from '../testing/paths.js';
import { call } from './httpsClient.js';
import { request, restrictedPod, reviewBody } from './testSupport.js';

describe('rampart admission serve (the command)', () => {
  it('refuses to start without a certificate, with a broken config, or with a CelCheck that does not compile: exit 2, no stack trace', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-serve-'));
    try {
      const noCert = spawnSync(process.execPath, [CLI, 'admission', 'serve', '--port', '0'], { encoding: 'utf8' });
      assert.equal(noCert.status, 2);
      assert.match(noCert.stderr, /give --cert and --key, or --self-signed DNSNAME/);
      writeFileSync(path.join(directory, 'bad.yaml'), 'admission:\n  rules:\n    - {action: maybe}\n');
      const badConfig = spawnSync(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'x', '--config', path.join(directory, 'bad.yaml')], { encoding: 'utf8' });
      assert.equal(badConfig.status, 2);
      assert.match(badConfig.stderr, /admission\.rules\[0\]\.action must be one of deny, warn, audit, ignore/);
      assert.doesNotMatch(badConfig.stderr, /\n\s+at /);
      writeFileSync(path.join(directory, 'check.yaml'), 'apiVersion: rampart.dev/v1alpha1\nkind: CelCheck\nmetadata: {name: broken}\nspec: {id: CUSTOM-x, title: x, severity: high, expression: "object.(("}\n');
      const badPolicy = spawnSync(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'x', '--policies', path.join(directory, 'check.yaml')], { encoding: 'utf8' });
      assert.equal(badPolicy.status, 2);
      assert.match(badPolicy.stderr, /--policies: .*check\.yaml/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('--self-signed prints a CA that verifies the server; custom CEL checks are enforced by config; SIGTERM drains and exits 0', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-serve-'));
    try {
      writeFileSync(
        path.join(directory, 'no-latest.yaml'),
        [
          'apiVersion: rampart.dev/v1alpha1',
          'kind: CelCheck',
          'metadata: {name: no-latest}',
          'spec:',
          '  id: CUSTOM-no-latest',
          '  title: Images are not latest',
          '  severity: high',
          '  forEachContainer: true',
          '  expression: "!container.image.endsWith(\':latest\')"',
          '  messageExpression: "\'container \' + container.name + \' uses \' + container.image"',
          '',
        ].join('\n'),
      );
      writeFileSync(path.join(directory, 'rampart.yaml'), 'admission:\n  defaultAction: ignore\n  rules: [{action: deny, checks: [CUSTOM-no-latest]}]\n');
      const child = spawn(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'rampart.test', '--port', '0', '--host', '127.0.0.1', '--config', path.join(directory, 'rampart.yaml'), '--policies', path.join(directory, 'no-latest.yaml')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 20_000;
        while (!/admission webhook listening/.test(output)) {
          assert.ok(Date.now() < deadline, `server did not start: ${output}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        // The decision core is warmed up (1 s by default) before the port opens.
        const warmed = /"reviews":(\d+)[^\n]*"msg":"decision core warmed up"/.exec(output);
        assert.ok(warmed !== null && Number(warmed[1]) > 0, output);
        assert.ok(output.indexOf('decision core warmed up') < output.indexOf('admission webhook listening'));
        const ca = output.slice(0, output.indexOf('-----END CERTIFICATE-----') + 26);
        assert.match(ca, /^-----BEGIN CERTIFICATE-----\n/);
        const port = Number(/"port":(\d+)/.exec(output)?.[1]);
        const latest = JSON.parse((await call(port, 'POST', '/validate', reviewBody(request(restrictedPod('web', 'nginx:latest'))), { ca })).body) as {
          response: { allowed: boolean; status?: { details?: { causes: Array<{ reason: string; message: string }> } } };
        };
        assert.equal(latest.response.allowed, false);
        assert.deepEqual(latest.response.status?.details?.causes.map(({ reason, message }) => [reason, message]), [['CUSTOM-no-latest', 'container app uses nginx:latest']]);
        const pinned = JSON.parse((await call(port, 'POST', '/validate', reviewBody(request(restrictedPod('web', 'nginx:1.27'))), { ca })).body) as { response: { allowed: boolean; warnings?: string[] } };
        assert.equal(pinned.response.allowed, true);
        assert.equal(pinned.response.warnings, undefined, 'defaultAction ignore');
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
        assert.match(output, /"msg":"admission webhook stopped"/);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
