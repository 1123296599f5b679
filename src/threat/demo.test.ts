/**
 * The threat model of examples/demo-shop: its open threats are the demo's six
 * documented weaknesses (examples/README.md), and fixing a weakness, by hand
 * or with `rampart fix`, turns its threats to mitigated.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { analyse, type Analysis } from '../cli/threatModel.js';
import { loadConfig } from '../config/config.js';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { tempDir } from '../testing/tempDir.js';

const DEMO = path.join(REPO_ROOT, 'examples', 'demo-shop');

/** Weakness number (examples/README.md) → the threats it leaves open. */
const WEAKNESS_THREATS: Record<number, readonly string[]> = {
  1: ['container-privilege-escalation@workload:Deployment/shop/api'],
  2: ['service-account-reads-secrets@sa:shop/api'],
  3: ['credentials-in-configuration@namespace:shop'],
  4: ['network-tampering-capabilities@workload:StatefulSet/shop/postgres'],
  5: ['container-escape@workload:CronJob/shop/db-backup', 'container-privilege-escalation@workload:CronJob/shop/db-backup'],
  6: ['host-network-access@workload:DaemonSet/shop/metrics-agent'],
};

/** Hand edits that remove each weakness: file, then [search, replacement] pairs. */
const HAND_FIXES: Record<number, { file: string; edits: Array<[RegExp, string]> }> = {
  1: {
    file: '20-api.yaml',
    edits: [
      [
        /( {8}- name: api\n {10}image: [^\n]+\n)/,
        '$1          securityContext:\n            runAsNonRoot: true\n            runAsUser: 10001\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: ["ALL"]}\n            seccompProfile: {type: RuntimeDefault}\n',
      ],
    ],
  },
  // The API reads its one Secret through secretKeyRef already: the Role and its binding go.
  2: { file: '20-api.yaml', edits: [[/---\n# WEAKNESS 2[\s\S]*$/, '']] },
  3: { file: '30-postgres.yaml', edits: [[/ {2}POSTGRES_PASSWORD: [^\n]+\n/, '']] },
  4: { file: '30-postgres.yaml', edits: [[/ {14}add: \["NET_ADMIN"\]\n/, '']] },
  5: {
    file: '40-backup.yaml',
    edits: [
      [/ {14}securityContext:\n {16}privileged: true\n/, '              securityContext:\n                runAsNonRoot: true\n                runAsUser: 10001\n                allowPrivilegeEscalation: false\n                readOnlyRootFilesystem: true\n                capabilities: {drop: ["ALL"]}\n                seccompProfile: {type: RuntimeDefault}\n'],
      [/ {14}hostPath:\n {16}path: [^\n]+\n {16}type: [^\n]+\n/, '              persistentVolumeClaim: {claimName: backups}\n'],
    ],
  },
  6: { file: '60-metrics-agent.yaml', edits: [[/ {6}hostNetwork: true\n/, ''], [/ {14}hostPort: 9100\n/, '']] },
};

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function copyDemo(): string {
  const dir = tempDir('rampart-threat-');
  temps.push(dir);
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

async function model(dir: string): Promise<Analysis> {
  return analyse([dir], await loadConfig(undefined), undefined);
}

function statusOf(analysis: Analysis, id: string): string | undefined {
  return analysis.model.threats.find((threat) => threat.id === id)?.status;
}

describe('threat model of the demo shop', () => {
  it('has exactly the documented weaknesses as open threats, each with its findings as evidence', async () => {
    const analysis = await model(DEMO);
    const open = analysis.model.threats.filter((threat) => threat.status === 'open').map((threat) => threat.id).sort();
    assert.deepEqual(open, Object.values(WEAKNESS_THREATS).flat().sort());
    for (const threat of analysis.model.threats.filter((entry) => entry.status === 'open')) {
      const failing = threat.evidence.filter((entry) => entry.result === 'fail' && entry.role === 'primary');
      assert.ok(failing.length > 0 && failing.every((entry) => entry.findings.length > 0), `${threat.id} names failing findings`);
      assert.ok(threat.attack.length > 0 && threat.msMatrix.every((id) => /^MS-TA9\d{3}$/.test(id)), threat.id);
    }
    // The hardened frontend has no open or partly mitigated workload threat.
    assert.deepEqual(analysis.model.threats.filter((threat) => threat.target === 'workload:Deployment/shop/frontend' && threat.status !== 'mitigated').map((threat) => threat.id), []);
  });

  for (const [weakness, fix] of Object.entries(HAND_FIXES)) {
    it(`fixing weakness ${weakness} by hand turns its threats to mitigated and leaves the others open`, async () => {
      const dir = copyDemo();
      const file = path.join(dir, fix.file);
      let text = readFileSync(file, 'utf8');
      for (const [search, replacement] of fix.edits) {
        assert.match(text, search, `edit applies to ${fix.file}`);
        text = text.replace(search, replacement);
      }
      writeFileSync(file, text);
      const analysis = await model(dir);
      for (const id of WEAKNESS_THREATS[Number(weakness)]!) assert.equal(statusOf(analysis, id), 'mitigated', id);
      for (const [other, ids] of Object.entries(WEAKNESS_THREATS)) {
        if (other === weakness) continue;
        for (const id of ids) assert.equal(statusOf(analysis, id), 'open', `${id} still open`);
      }
    });
  }

  it('rampart fix --write turns weakness 1 (the API without a securityContext) to mitigated', async () => {
    const dir = copyDemo();
    const fixed = spawnSync(process.execPath, [CLI, 'fix', path.join(dir, '20-api.yaml'), '--write'], { encoding: 'utf8' });
    assert.ok(fixed.status === 0 || fixed.status === 1, fixed.stderr);
    assert.equal(statusOf(await model(dir), WEAKNESS_THREATS[1]![0]!), 'mitigated');
  });

  it('lists the attack paths to the crown jewels and changes that cut all of them', async () => {
    const { graph } = await model(DEMO);
    const pairs = graph.paths.map((entry) => entry.id).sort();
    assert.ok(pairs.includes('Workload:CronJob/shop/db-backup → target:nodes'));
    assert.ok(pairs.includes('Workload:CronJob/shop/db-backup → jewel:etcd'));
    assert.ok(pairs.includes('Workload:Deployment/shop/api → jewel:secrets:shop'));
    assert.ok(pairs.includes('ServiceAccount:shop/api → jewel:secrets:shop'));
    const nodePath = graph.paths.find((entry) => entry.id === 'Workload:CronJob/shop/db-backup → target:nodes')!;
    assert.deepEqual(nodePath.steps.map((step) => step.kind), ['host-access']);
    assert.ok(nodePath.steps[0]!.witnesses.some((witness) => witness.file?.endsWith('40-backup.yaml') === true && witness.line === 23));
    assert.equal(graph.uncut, 0);
    assert.equal(graph.recommendations.reduce((sum, entry) => sum + entry.pathsCut, 0), graph.totalPaths);
    assert.match(graph.recommendations[0]!.change, /CronJob shop\/db-backup: remove host access/);
    for (let at = 1; at < graph.recommendations.length; at++) assert.ok(graph.recommendations[at - 1]!.pathsCut >= graph.recommendations[at]!.pathsCut);
  });

  it('without bench data the control plane is assumed and its threats unassessed; with it, bench results decide', async () => {
    const without = await model(DEMO);
    assert.equal(without.model.elements.find((element) => element.id === 'component:kube-apiserver')?.assumed, true);
    assert.equal(statusOf(without, 'api-anonymous@component:kube-apiserver'), 'unassessed');
    const dir = copyDemo();
    const benchFile = path.join(dir, 'bench.json.out');
    const controls = (status: Record<string, string>): unknown => ({
      schemaVersion: '1.1',
      benchmark: { id: 'cis-1.12' },
      components: [{ name: 'kube-apiserver' }, { name: 'etcd' }, { name: 'kubelet' }],
      sections: [{ id: '1.2', results: Object.entries(status).map(([id, result]) => ({ id, title: `control ${id}`, status: result, details: [`detail of ${id}`] })) }],
    });
    writeFileSync(benchFile, JSON.stringify(controls({ '1.2.1': 'FAIL', '1.2.2': 'PASS', '1.2.25': 'PASS', '2.1': 'PASS', '2.2': 'PASS', '1.2.27': 'PASS', '1.2.23': 'WARN' })));
    const { readBench } = await import('../cli/threatModel.js');
    const withBench = await analyse([DEMO], await loadConfig(undefined), await readBench(benchFile));
    assert.equal(withBench.model.elements.find((element) => element.id === 'component:kube-apiserver')?.assumed, false);
    assert.equal(withBench.model.elements.find((element) => element.id === 'component:kube-scheduler')?.assumed, true);
    assert.equal(statusOf(withBench, 'api-anonymous@component:kube-apiserver'), 'open');
    assert.equal(statusOf(withBench, 'etcd-disclosure@component:etcd'), 'partly');
    const userFlow = withBench.model.flows.find((flow) => flow.id === 'flow:user-api')!;
    assert.equal(userFlow.controls.find((control) => control.control === 'authentication')?.state, 'partial');
    assert.equal(userFlow.controls.find((control) => control.control === 'admission')?.state, 'present');
  });

  it('the CLI exits 1 on open threats, 2 on a bad --bench file, and draws mermaid and dot with the boundaries', () => {
    const table = spawnSync(process.execPath, [CLI, 'threat-model', DEMO], { encoding: 'utf8' });
    assert.equal(table.status, 1);
    assert.match(table.stdout, /7 open/);
    const bad = spawnSync(process.execPath, [CLI, 'threat-model', DEMO, '--bench', path.join(DEMO, '00-namespace.yaml')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /00-namespace\.yaml is not JSON/);
    assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/);
    const mermaid = spawnSync(process.execPath, [CLI, 'threat-model', DEMO, '--format', 'mermaid'], { encoding: 'utf8' }).stdout;
    assert.match(mermaid, /^flowchart LR/);
    assert.match(mermaid, /subgraph n_ns_shop\["namespace shop"\]/);
    assert.match(mermaid, /subgraph n_pod_CronJob_shop_db_backup/);
    assert.match(mermaid, /style n_workload_CronJob_shop_db_backup fill/);
    const dot = spawnSync(process.execPath, [CLI, 'threat-model', DEMO, '--format', 'dot'], { encoding: 'utf8' }).stdout;
    assert.match(dot, /^digraph threat_model \{/);
    assert.equal((dot.match(/\{/g) ?? []).length, (dot.match(/\}/g) ?? []).length);
    assert.match(dot, /label="control-plane node"/);
    const json = JSON.parse(spawnSync(process.execPath, [CLI, 'threat-model', DEMO, '--format', 'json'], { encoding: 'utf8' }).stdout) as { threatModel: { boundaries: Array<{ kind: string }> } };
    assert.deepEqual([...new Set(json.threatModel.boundaries.map((boundary) => boundary.kind))].sort(), ['cluster', 'container', 'namespace', 'node', 'pod']);
  });
});
