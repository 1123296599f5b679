/**
 * Times a synchronous function over many runs after a warm-up: wall-time
 * percentiles in microseconds and mean CPU time per run. Shared by the CEL and
 * VAP benchmarks.
 */
export function timeRuns(run, { warmup, runs }) {
  for (let index = 0; index < warmup; index++) run();
  const times = new Float64Array(runs);
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < runs; index++) {
    const started = process.hrtime.bigint();
    run();
    times[index] = Number(process.hrtime.bigint() - started) / 1000;
  }
  const cpu = process.cpuUsage(cpuBefore);
  times.sort();
  const at = (quantile) => times[Math.min(runs - 1, Math.floor(quantile * runs))].toFixed(0);
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: times[runs - 1].toFixed(0),
    meanCpu: ((cpu.user + cpu.system) / runs).toFixed(0),
  };
}
