/** One invalid input: where (an RFC 6901 JSON pointer into the body, or `?name` for a query parameter) and why. */
export interface InvalidParam {
  readonly pointer: string;
  readonly detail: string;
}

/** The machine codes of the management API's problems (the `code` member). */
export const PROBLEM_CODES = [
  'invalid_request',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'unauthenticated',
  'forbidden',
  'csrf_rejected',
  'not_found',
  'method_not_allowed',
  'conflict',
  'legacy_keys_closed',
  'not_configured',
  'unavailable',
  'internal_error',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/**
 * A refusal of the management API, thrown by the handlers and rendered as RFC 9457 Problem
 * Details. Its message is shown to the caller: it never holds a key, a hash or an input value.
 */
export class DashboardProblem extends Error {
  override readonly name = 'DashboardProblem';

  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    detail: string,
    readonly extra: { readonly errors?: readonly InvalidParam[]; readonly headers?: Readonly<Record<string, string>> } = {},
    /** What failed underneath (5xx only): reported to `onError`, never rendered. */
    cause?: unknown,
  ) {
    super(detail, cause === undefined ? undefined : { cause });
  }
}

/** A 400 naming each invalid input. */
export function invalid(errors: readonly InvalidParam[]): DashboardProblem {
  const detail = errors.length === 1 ? errors[0]!.detail : `${errors.length} inputs are invalid: ${errors.map((e) => e.detail).join('; ')}`;
  return new DashboardProblem(400, 'invalid_request', detail, { errors });
}

/** The body of a Problem Details response. */
export function problemBody(problem: DashboardProblem, typeBase: string | undefined): string {
  return JSON.stringify({
    type: typeBase ? `${typeBase}${problem.code}` : 'about:blank',
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
  });
}
