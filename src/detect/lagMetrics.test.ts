import assert from 'node:assert/strict';
import test from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { CountingHistogram, WindowedQuantiles } from './lagMetrics.js';

test('the counting histogram renders what prom-client renders for the same values, one call per value or one per run', async () => {
  const buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: 'lag_seconds', help: 'Lag', buckets, registers: [theirs] });
  const counting = new CountingHistogram('lag_seconds', 'Lag', buckets, ours);
  let seed = 5;
  for (let run = 0; run < 300; run++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    // Integer milliseconds, as the server observes them, including values on bucket bounds and past the last one.
    const milliseconds = [1, 5, 10, 50, 1000, 30_000, 45_000][run % 7]! + (run % 3 === 0 ? 0 : seed % 40);
    const length = 1 + (seed % 400);
    for (let index = 0; index < length; index++) reference.observe(milliseconds / 1000);
    counting.observe(milliseconds / 1000, length);
  }
  const expected = await theirs.metrics();
  const got = await ours.metrics();
  // The sum is a float: prom-client adds value by value, so the last digits may differ.
  const withoutSum = (text: string): string => text.replace(/^lag_seconds_sum .*$/m, '');
  assert.equal(withoutSum(got), withoutSum(expected));
  const sum = (text: string): number => Number(/^lag_seconds_sum (.*)$/m.exec(text)![1]);
  assert.ok(Math.abs(sum(got) - sum(expected)) < 1e-6 * sum(expected));
  assert.match(got, /^# TYPE lag_seconds histogram$/m);
});

test('quantiles are the nearest rank of what was observed, with counts', async () => {
  const registry = new Registry();
  const quantiles = new WindowedQuantiles('lag_summary_seconds', 'Lag', [0.5, 0.9, 0.99], 600, 5, registry);
  // 1,000 events: 850 at 8 ms, 130 at 30 ms, 20 at 120 ms.
  quantiles.observe(8, 850);
  quantiles.observe(30, 130);
  quantiles.observe(120, 20);
  assert.deepEqual(quantiles.quantiles(), [0.008, 0.03, 0.12]);
  quantiles.observe(120, 1);
  assert.deepEqual(quantiles.quantiles(), [0.008, 0.03, 0.12]);
  const text = await registry.metrics();
  assert.match(text, /^# TYPE lag_summary_seconds summary$/m);
  assert.match(text, /^lag_summary_seconds\{quantile="0.99"\} 0.12$/m);
  assert.match(text, /^lag_summary_seconds_count 1001$/m);
  assert.match(text, /^lag_summary_seconds_sum 13.22$/m);
});

test('old values leave the window as prom-client ageBuckets do; sum and count stay', () => {
  let clock = 1_000_000;
  const quantiles = new WindowedQuantiles('w', 'w', [0.5, 0.99], 600, 5, new Registry(), () => clock);
  quantiles.observe(500, 10);
  clock += 121_000;
  quantiles.observe(5, 10);
  // The window read has held both since it started.
  assert.deepEqual(quantiles.quantiles(), [0.005, 0.5]);
  assert.equal(quantiles.get().values.find((value) => value.metricName === 'w_count')?.value, 20);
  // 601 s after the first value, every window that saw it has been emptied; the second (480 s old) is still read.
  clock += 480_000;
  quantiles.observe(7, 1);
  assert.deepEqual(quantiles.quantiles(), [0.005, 0.007]);
  // Long idle: all windows are emptied, then the next value is alone.
  clock += 10_000_000;
  assert.deepEqual(quantiles.quantiles(), [0, 0]);
  quantiles.observe(9, 1);
  assert.deepEqual(quantiles.quantiles(), [0.009, 0.009]);
});
