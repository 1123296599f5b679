/**
 * Aggregation of repeated alerts: the first alert of a rule for a given
 * subject (rule, user, namespace, name, source address) goes out at once;
 * repeats within the window are counted, not sent; when the window closes a
 * summary goes out with the count and the first and last times. Time is the
 * alerts' own (event time), so replaying a file gives the same output.
 * Memory is bounded: at most `maxKeys` open windows (the oldest is closed
 * early, with its summary, when more are needed).
 */
import type { Alert } from './engine.js';

export interface AggregatedAlert extends Alert {
  /** Present on summaries: how many alerts the window held (the first one included). */
  readonly aggregate?: { readonly count: number; readonly firstTime: string; readonly lastTime: string; readonly windowSeconds: number };
}

interface Window {
  readonly start: number;
  readonly first: Alert;
  last: Alert;
  lastTime: number;
  repeats: number;
}

export function aggregationKey(alert: Alert): string {
  return [alert.ruleId, alert.user, alert.target.namespace, alert.target.name, alert.sourceIPs[0] ?? ''].join('\u0000');
}

export class AlertAggregator {
  private readonly windows = new Map<string, Window>();
  /** No open window started before this time, so nothing can close before `earliest + windowMs` (spares a scan per alert). */
  private earliest = Infinity;

  constructor(private readonly windowMs: number, private readonly maxKeys = 10_000) {}

  private summary(window: Window): AggregatedAlert {
    return {
      ...window.last,
      aggregate: { count: window.repeats + 1, firstTime: window.first.time, lastTime: window.last.time, windowSeconds: this.windowMs / 1000 },
    };
  }

  /** Closes the windows that ended before `time`; returns their summaries (only windows with repeats give one). */
  flushBefore(time: number): AggregatedAlert[] {
    const out: AggregatedAlert[] = [];
    if (time - this.earliest < this.windowMs) return out;
    let earliest = Infinity;
    for (const [key, window] of this.windows) {
      if (time - window.start < this.windowMs) {
        earliest = Math.min(earliest, window.start);
        continue;
      }
      this.windows.delete(key);
      if (window.repeats > 0) out.push(this.summary(window));
    }
    this.earliest = earliest;
    return out;
  }

  /** Passes an alert through: returns what to send now. */
  add(alert: Alert): AggregatedAlert[] {
    if (this.windowMs <= 0) return [alert];
    const time = Date.parse(alert.time);
    const out = this.flushBefore(time);
    const key = aggregationKey(alert);
    const open = this.windows.get(key);
    if (open !== undefined) {
      open.repeats++;
      open.last = alert;
      open.lastTime = time;
      return out;
    }
    if (this.windows.size >= this.maxKeys) {
      const oldestKey = this.windows.keys().next().value as string;
      const oldest = this.windows.get(oldestKey)!;
      this.windows.delete(oldestKey);
      if (oldest.repeats > 0) out.push(this.summary(oldest));
    }
    this.windows.set(key, { start: time, first: alert, last: alert, lastTime: time, repeats: 0 });
    this.earliest = Math.min(this.earliest, time);
    out.push(alert);
    return out;
  }

  /** Closes every window (end of input, shutdown). */
  flushAll(): AggregatedAlert[] {
    const out: AggregatedAlert[] = [];
    for (const window of this.windows.values()) if (window.repeats > 0) out.push(this.summary(window));
    this.windows.clear();
    this.earliest = Infinity;
    return out;
  }
}
