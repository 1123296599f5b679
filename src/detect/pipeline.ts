/**
 * One detection pipeline: events → engine → minimum severity → aggregation
 * → sinks, with the counters `/metrics` and the end-of-run summary report.
 * The same pipeline serves `detect --file`, stdin and `detect serve`.
 */
import { severityRank, type Severity } from '../model/types.js';
import { AlertAggregator, type AggregatedAlert } from './aggregate.js';
import { DetectionEngine, type EngineOptions } from './engine.js';
import type { AuditEvent } from './event.js';
import type { LineResult, Malformed } from './ingest.js';
import type { RuleSet } from './rules.js';

export interface PipelineOptions extends EngineOptions {
  readonly minSeverity?: Severity;
  /** Aggregation window in seconds; 0 sends every alert. */
  readonly aggregateSeconds?: number;
  readonly onAlert: (alert: AggregatedAlert) => void;
  readonly onMalformed?: (malformed: Malformed) => void;
}

export interface PipelineCounters {
  processed: number;
  malformed: number;
  alerts: number;
  /** Alerts held back as repeats inside an aggregation window. */
  suppressed: number;
}

export class DetectPipeline {
  readonly engine: DetectionEngine;
  readonly counters: PipelineCounters = { processed: 0, malformed: 0, alerts: 0, suppressed: 0 };
  private readonly aggregator: AlertAggregator;
  private readonly minRank: number;

  constructor(ruleSet: RuleSet, private readonly options: PipelineOptions) {
    this.engine = new DetectionEngine(ruleSet, options);
    this.aggregator = new AlertAggregator((options.aggregateSeconds ?? 60) * 1000);
    this.minRank = severityRank(options.minSeverity ?? 'info');
  }

  private emit(alerts: readonly AggregatedAlert[]): void {
    for (const alert of alerts) {
      this.counters.alerts++;
      this.options.onAlert(alert);
    }
  }

  processEvent(event: AuditEvent): void {
    this.counters.processed++;
    for (const alert of this.engine.process(event)) {
      if (severityRank(alert.severity) < this.minRank) continue;
      const out = this.aggregator.add(alert);
      if (!out.some((item) => item === alert)) this.counters.suppressed++;
      this.emit(out);
    }
  }

  malformed(malformed: Malformed): void {
    this.counters.malformed++;
    this.options.onMalformed?.(malformed);
  }

  handleLine(result: LineResult): void {
    if (result.kind === 'event') this.processEvent(result.event);
    else if (result.kind === 'malformed') this.malformed(result.malformed);
  }

  /** Sends the summaries of aggregation windows that closed before `time` (ms), for long-running inputs. */
  tick(time: number): void {
    this.emit(this.aggregator.flushBefore(time));
  }

  finish(): void {
    this.emit(this.aggregator.flushAll());
  }
}
