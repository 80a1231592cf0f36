import { CausewayError, type ErrorItem } from '../core/index.js';

/**
 * One CausewayError for a list of problems: the first item's code becomes the error's code,
 * so callers and clients can switch on it, and every item is kept in `errors`.
 */
export function eventError(detail: string, errors: readonly ErrorItem[]): CausewayError {
  const code = errors[0]?.code ?? 'CW_INVALID_ATTRIBUTE';
  const first = errors[0]?.message;
  const summary = first === undefined ? detail : `${detail}: ${first}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`;
  return new CausewayError(code, summary, { errors });
}
