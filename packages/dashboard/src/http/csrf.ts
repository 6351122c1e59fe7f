import { DashboardProblem } from './problem.js';

/** Methods that change something: the only ones a cross-site page must not be able to send. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const JSON_TYPE_RE = /^application\/json\s*(?:;|$)/i;

/**
 * Refuses a state-changing request that a browser sent on behalf of another site. Browsers say
 * where a request comes from (`Sec-Fetch-Site`, Fetch Metadata; `Origin` on older ones); a client
 * that is not a browser (curl, a server, a CLI) sends neither and carries no ambient cookie, so it
 * is not at risk and passes. On top, a body must be `application/json`: a type that no HTML form
 * can send and that a cross-origin `fetch` can only send after a CORS preflight, which this
 * handler never grants.
 *
 * @throws {DashboardProblem} 403 `csrf_rejected`, 415 `unsupported_media_type`.
 */
export function checkBrowserOrigin(request: Request, url: URL, trustedOrigins: ReadonlySet<string>): void {
  const origin = request.headers.get('origin');
  const trusted = origin !== null && (origin === url.origin || trustedOrigins.has(origin));
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) {
    // same-origin: the browser itself vouches. Anything else (same-site, cross-site, none) only
    // from an origin the provider listed.
    if (site !== 'same-origin' && !trusted) {
      throw new DashboardProblem(403, 'csrf_rejected', `refused a ${site} request: changes are accepted from this origin only (see trustedOrigins)`);
    }
  } else if (origin !== null && !trusted) {
    throw new DashboardProblem(
      403,
      'csrf_rejected',
      'refused a request from another origin: changes are accepted from this origin only (see trustedOrigins)',
    );
  }
}

/** @throws {DashboardProblem} 415 when a request that may carry a body does not say it is JSON. */
export function checkJsonContentType(request: Request): void {
  if (request.method === 'DELETE') return;
  const type = request.headers.get('content-type');
  if (type === null || !JSON_TYPE_RE.test(type)) {
    throw new DashboardProblem(
      415,
      'unsupported_media_type',
      'send the request with "Content-Type: application/json" (an empty body is allowed where no input is needed)',
    );
  }
}
