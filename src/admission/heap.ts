/**
 * A cap on V8's young generation, applied by the webhook to its own process.
 *
 * Under load the server allocates about 100 KB per review (the parsed body, the findings and their
 * messages, the response), which V8 answers by doubling its semi-spaces up to 16 MB each (32 MB of
 * new space, resident as long as the process lives) and by promoting more short-lived objects into
 * the old generation. `--max-semi-space-size` would cap that, but V8 reads it only when the heap is
 * set up, and the webhook is started as `rampart admission serve`, not with node flags. What V8 does
 * read at every growth step is `--semi-space-growth-factor` (2 by default): after each collection
 * this module sets it to 1 (no growth) once another doubling would pass the cap, and back to 2 when
 * V8 has shrunk the new space below it. The result is the semi-space size the cap allows, up to a
 * power of two: V8 grows from 1 MB by doubling.
 *
 * Changing a V8 flag at run time is allowed by `v8.setFlagsFromString` but not promised to work in
 * every V8; `youngGenerationStats` reports what the new space really is, and BENCHMARKS.md (i.5)
 * has the measured effect on peak RSS and CPU.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

const MB = 1024 * 1024;
/** V8's default `--semi-space-growth-factor`. */
const DEFAULT_GROWTH_FACTOR = 2;

/** The new space's current size (both semi-spaces) in bytes. */
export function newSpaceBytes(): number {
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name === 'new_space') return space.space_size;
  return 0;
}

/** Whether the new space may double once more without passing the cap: each semi-space is half the new space. */
export function mayGrow(newSpace: number, maxSemiSpaceMb: number): boolean {
  return (newSpace / 2) * DEFAULT_GROWTH_FACTOR <= maxSemiSpaceMb * MB;
}

let active: { observer: PerformanceObserver; factor: number; users: number } | undefined;

function setFactor(factor: number): void {
  if (active === undefined || active.factor === factor) return;
  active.factor = factor;
  v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`);
}

/**
 * Keeps each semi-space at or under `maxSemiSpaceMb` (rounded down to V8's power-of-two steps, at
 * least its 1 MB start) for this process until the returned function is called. One cap per
 * process: a second call shares the first one's observer and cap.
 */
export function capYoungGeneration(maxSemiSpaceMb: number): () => void {
  if (!(maxSemiSpaceMb > 0)) throw new RangeError(`the semi-space cap must be a positive number of MB, got ${maxSemiSpaceMb}`);
  if (active === undefined) {
    const check = (): void => setFactor(mayGrow(newSpaceBytes(), maxSemiSpaceMb) ? DEFAULT_GROWTH_FACTOR : 1);
    // V8 decides on growth at the start of a collection: look after each one, before the next.
    const observer = new PerformanceObserver(check);
    active = { observer, factor: DEFAULT_GROWTH_FACTOR, users: 0 };
    observer.observe({ entryTypes: ['gc'] });
    check();
  }
  active.users++;
  let released = false;
  return () => {
    if (released || active === undefined) return;
    released = true;
    if (--active.users > 0) return;
    active.observer.disconnect();
    setFactor(DEFAULT_GROWTH_FACTOR);
    active = undefined;
  };
}
