// Speed of `rampart bench` on a kubeadm control-plane node tree (issue 5: at most 1 s whole process).
// Usage: npx tsc -p . && node bench/cis.mjs [runs]
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectNode } from '../dist/bench/collect.js';
import { runBenchmark } from '../dist/bench/evaluate.js';
import { renderBench } from '../dist/bench/report.js';
import { hardenedControlPlaneTree, kubeadmControlPlaneTree, removeTree, writeTree } from '../dist/bench/testTrees.js';

const runs = Number(process.argv[2] ?? 5);
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'rampart.js');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// The bench command registered alone, as a CLI that loads commands lazily would run it.
const alone = `import { Command } from 'commander';
import { registerBenchCommand } from ${JSON.stringify(new URL('../dist/cli/bench.js', import.meta.url).href)};
const program = new Command('rampart').enablePositionalOptions();
let code = 0;
registerBenchCommand(program, (value) => { code = value; });
await program.parseAsync(process.argv.slice(1), { from: 'user' });
process.exitCode = code;`;

function processTimes(args, entry = [cli]) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [...entry, ...args], { encoding: 'utf8', cwd: path.dirname(cli) });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0 && result.status !== 1) throw new Error(`rampart ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return times;
}

for (const [name, tree] of [['kubeadm-default', kubeadmControlPlaneTree()], ['hardened', hardenedControlPlaneTree()]]) {
  const root = writeTree(tree);
  try {
    const inProcess = [];
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const snapshot = collectNode({ root, rampartVersion: 'bench' });
      const collected = performance.now();
      const result = runBenchmark(snapshot, { benchmark: 'auto' });
      await renderBench('table', result, { tool: { name: 'rampart', version: 'bench' }, color: false });
      inProcess.push([collected - start, performance.now() - collected]);
    }
    const whole = processTimes(['bench', '--root', root]);
    const startup = processTimes(['--version']);
    const benchAlone = processTimes(['bench', '--root', root], ['--input-type=module', '-e', alone, '--']);
    console.log(
      `${name}: whole process median ${median(whole).toFixed(0)} ms (min ${Math.min(...whole).toFixed(0)}, max ${Math.max(...whole).toFixed(0)}); ` +
        `\`rampart --version\` alone median ${median(startup).toFixed(0)} ms; bench command loaded alone median ${median(benchAlone).toFixed(0)} ms; in process: collect ${median(inProcess.map((time) => time[0])).toFixed(1)} ms, ` +
        `evaluate+render ${median(inProcess.map((time) => time[1])).toFixed(1)} ms (${runs} runs)`,
    );
  } finally {
    removeTree(root);
  }
}
