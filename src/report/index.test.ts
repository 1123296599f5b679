import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPORT_FORMATS, renderReport } from './index.js';
import { finding, scanResult, TOOL } from './testing/fixtures.js';
import { parseXml } from './testing/xml.js';

const context = { tool: TOOL, color: false, baseDirectory: '/repo' };

test('renderReport dispatches every format to its own renderer', () => {
  const result = scanResult([finding()]);
  const outputs = new Map(REPORT_FORMATS.map((format) => [format, renderReport(format, result, context)]));
  assert.equal(new Set(outputs.values()).size, REPORT_FORMATS.length, 'each format renders differently');
  for (const [format, output] of outputs) assert.ok(output.endsWith('\n'), `${format} ends with a newline`);
  assert.match(outputs.get('table') ?? '', /^Deployment shop\/api {2}manifests\/api\.yaml\n/);
  assert.equal((JSON.parse(outputs.get('json') ?? '') as { schemaVersion: string }).schemaVersion, '1.1');
  assert.equal((JSON.parse(outputs.get('sarif') ?? '') as { version: string }).version, '2.1.0');
  assert.equal(parseXml(outputs.get('junit') ?? '').attributes.failures, '1');
});

test('SARIF URIs are relative to the working directory unless a base is given', () => {
  const result = scanResult([finding({ file: `${process.cwd()}/deploy/app.yaml` })]);
  const sarif = JSON.parse(renderReport('sarif', result, { tool: TOOL, color: false })) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
  assert.equal(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri, 'deploy/app.yaml');
});
