/**
 * The webhook's log lines, written in batches. Under load the server logs one line per denial
 * (hundreds a second); written one by one, each line costs a write on the thread pool and a
 * wake-up of the event loop when it completes: about 110 µs of the server's CPU per line in
 * BENCHMARKS.md (i.5), a tenth of its time at 2,000 reviews/s. Here lines gather in the stream's
 * buffer (sonic-boom's `minLength`) until it holds `minBytes` or `delayMs` has passed since the
 * first line still waiting, whichever comes first: a line is never held longer than `delayMs`,
 * and the stream writes what is left when the process exits.
 */

/** What is needed of the destination (a sonic-boom created with `minLength`). */
export interface BufferedStream {
  write(line: string): boolean;
  /** Writes what the buffer holds (after a write in progress, if any). */
  flush(): void;
}

/** The stream a logger writes to: `stream`, flushed at most `delayMs` after a line arrives. */
export function batchedLog(stream: BufferedStream, delayMs: number): { write(line: string): boolean } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    timer = undefined;
    stream.flush();
  };
  return {
    write(line: string): boolean {
      const result = stream.write(line);
      if (timer === undefined) {
        timer = setTimeout(flush, delayMs);
        // Never what keeps the process alive: at exit the stream writes its buffer itself.
        timer.unref();
      }
      return result;
    },
  };
}
