/** Shared shapes of compiled filters; the public ones are re-exported by index.ts. */
import type { EventView } from './event-view.js';

/** Which condition made an event fail, for `causeway routes test` and logs. */
export interface FilterFailure {
  /** Path of the failing condition, e.g. `when[1].exact.type` or `when[2].pattern.data.amount`. */
  readonly path: string;
  /** The failing condition as compact JSON, e.g. `{"exact":{"type":"com.example.bid"}}`. */
  readonly filter: string;
  /** Why, in words: the attribute is missing, its actual value, an evaluation error… */
  readonly reason?: string;
}

export interface FilterExplanation {
  readonly matched: boolean;
  readonly failed?: FilterFailure;
}

export interface CompiledFilter {
  /** True when evaluating may call `view.data()`. */
  readonly needsData: boolean;
  matches(view: EventView): boolean;
  explain(view: EventView): FilterExplanation;
}

/** An error met while evaluating (never while compiling): the filter counts as false (SQL-M29). */
export interface FilterEvaluationError {
  readonly path: string;
  readonly dialect: 'sql' | 'pattern';
  readonly error: unknown;
}

export interface FilterOptions {
  /** Called once per evaluation error; use it to count (metrics) or log. Must not throw. */
  readonly onError?: (e: FilterEvaluationError) => void;
}

/** A compiled filter before the top-level wrapper adds data memoization. */
export interface FilterNode {
  readonly needsData: boolean;
  test(view: EventView): boolean;
  /** undefined when the event passes. */
  why(view: EventView): FilterFailure | undefined;
}

const MAX_SHOWN = 300;

/** Compact JSON of a filter or pattern part, cut short for messages. */
export function show(json: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(json) ?? String(json);
  } catch {
    text = String(json);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** Calls the hook without letting a faulty hook break routing. */
export function report(options: FilterOptions, e: FilterEvaluationError): void {
  try {
    options.onError?.(e);
  } catch {
    // a broken metrics hook must not change routing decisions
  }
}
