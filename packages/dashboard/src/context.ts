import type { Config } from './config.js';
import type { Principal } from './options.js';

/** One request as a handler sees it: checked for CSRF, authorized, its path parameters decoded. */
export interface RequestContext {
  readonly config: Config;
  readonly request: Request;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** The workspace of the path (`null` for routes without one); the principal has a role in it. */
  readonly workspaceId: string | null;
  readonly principal: Principal;
  /** The parsed JSON body (`undefined` when empty), read once, within `maxBodyBytes`. */
  body(): Promise<unknown>;
  /** Display names of these people (ids may repeat or be `null`), in one `resolveNames` call at most. */
  names(ids: readonly (string | null)[]): Promise<ReadonlyMap<string, string>>;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** A JSON response (the handler adds `Cache-Control: no-store` and the other headers of every answer). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}
