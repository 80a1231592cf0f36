import { CausewayError, ERROR_CODES, type ErrorCode } from '../../core/index.js';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly retriable: boolean;
  readonly errors?: ReadonlyArray<{ path: string; message: string; code?: string }>;
}

/** RFC 9457 problem details; `type` points at the code's entry in docs/errors.md. */
export function toProblem(err: unknown): Problem {
  const e = err instanceof CausewayError ? err : new CausewayError('CW_INTERNAL', 'internal error', { cause: err });
  const p: Problem = {
    type: `https://causeway.dev/docs/errors#${e.code.toLowerCase()}`,
    title: ERROR_CODES[e.code].title,
    status: e.status,
    code: e.code,
    detail: e.message,
    retriable: e.retriable,
  };
  return e.errors.length > 0 ? { ...p, errors: e.errors } : p;
}

/** Status, headers and JSON body of the problem answer for an error (Hono and the fast intake path alike). */
export function problemParts(err: unknown, retryAfterDefault: number): { status: number; headers: Record<string, string>; body: string } {
  const problem = toProblem(err);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (problem.status === 503 || problem.status === 429) {
    const ra = err instanceof CausewayError && err.retryAfter !== undefined ? err.retryAfter : retryAfterDefault;
    headers['retry-after'] = String(ra);
  }
  return { status: problem.status, headers, body: JSON.stringify(problem) };
}

export function problemResponse(err: unknown, retryAfterDefault: number): Response {
  const { status, headers, body } = problemParts(err, retryAfterDefault);
  return new Response(body, { status, headers });
}
