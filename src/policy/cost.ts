/**
 * Runtime cost budget. Kubernetes stops a CEL evaluation whose cost passes a
 * per-call limit, and a policy whose evaluations together pass a per-request
 * budget. Rampart charges one unit per comprehension iteration and per
 * function call, plus a tenth of a unit per element or character the call
 * receives, which tracks cel-go's costs closely enough to stop the same
 * hostile expressions.
 */

/** cel-go's `PerCallLimit` in Kubernetes (k8s.io/apiserver/pkg/apis/cel). */
export const PER_CALL_COST_LIMIT = 1_000_000;
/** Kubernetes' `RuntimeCELCostBudget`: all expressions of one policy for one request. */
export const PER_EVALUATION_COST_BUDGET = 10_000_000;

export class CostLimitExceeded extends Error {
  constructor(
    readonly limit: number,
    readonly scope: 'expression' | 'evaluation',
  ) {
    super(
      scope === 'expression'
        ? `operation cancelled: actual cost limit exceeded (the expression used more than its per-call budget of ${limit})`
        : `validation failed due to running out of cost budget, no further validation rules will be run (budget ${limit} per evaluation)`,
    );
  }
}

/** Shared by every expression of one evaluation (one policy, one request). */
export class CostBudget {
  private spentTotal = 0;
  constructor(readonly limit: number = PER_EVALUATION_COST_BUDGET) {}
  get spent(): number {
    return this.spentTotal;
  }
  add(units: number): void {
    this.spentTotal += units;
  }
  get exhausted(): boolean {
    return this.spentTotal > this.limit;
  }
}

/** One expression's run. Evaluation is synchronous, so the active meter is a module variable. */
export class CostMeter {
  spent = 0;
  exceeded: CostLimitExceeded | undefined;
  constructor(
    readonly perCallLimit: number,
    readonly budget: CostBudget | undefined,
  ) {}
}

let active: CostMeter | undefined;

/** Runs `run(input)` with `meter` active (an argument rather than a closure: this runs once per expression). */
export function withMeter<I, T>(meter: CostMeter, run: (input: I) => T, input: I): T {
  const previous = active;
  active = meter;
  try {
    return run(input);
  } finally {
    active = previous;
  }
}

/** Charges units to the running expression; throws once over budget, and keeps throwing so the evaluation winds down fast. */
export function charge(units: number): void {
  const meter = active;
  if (meter === undefined) return;
  if (meter.exceeded !== undefined) throw meter.exceeded;
  meter.spent += units;
  meter.budget?.add(units);
  if (meter.spent > meter.perCallLimit) meter.exceeded = new CostLimitExceeded(meter.perCallLimit, 'expression');
  else if (meter.budget !== undefined && meter.budget.exhausted) meter.exceeded = new CostLimitExceeded(meter.budget.limit, 'evaluation');
  if (meter.exceeded !== undefined) throw meter.exceeded;
}
