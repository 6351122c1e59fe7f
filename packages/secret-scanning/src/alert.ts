/**
 * GitHub's alert body: a JSON array of matches, each `{ token, type, url, source }`
 * (docs.github.com, "Secret scanning partner program": "Create a secret alert service").
 */

/** One match of an alert. */
export interface SecretMatch {
  /** The text that matched your pattern. */
  readonly token: string;
  /** The secret type you registered (GitHub's `type`). */
  readonly type: string;
  /** The public URL where it was found; may be empty. */
  readonly url: string;
  /** Where on GitHub it was found: `content`, `commit`, `issue_comment`, `npm`, … (may be absent). */
  readonly source: string;
}

/** Why a body is not an alert (said in the 400 response; never contains the body). */
export class AlertFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertFormatError';
  }
}

/** Longest token considered: far more than any key format (`KeyFormat.maxLength` is ≤ 300). */
const MAX_TOKEN = 4096;
const MAX_FIELD = 4096;

function field(value: unknown, name: string, index: number, required: boolean): string {
  if (value === undefined || value === null) {
    if (required) throw new AlertFormatError(`match ${index} has no ${name}`);
    return '';
  }
  if (typeof value !== 'string') throw new AlertFormatError(`the ${name} of match ${index} is not a string`);
  if (value.length > (name === 'token' ? MAX_TOKEN : MAX_FIELD)) throw new AlertFormatError(`the ${name} of match ${index} is too long`);
  return value;
}

/**
 * Reads an alert body. Unknown fields are ignored (GitHub may add some); a missing `url` or
 * `source` reads as `''`.
 * @throws {AlertFormatError} when it is not a JSON array of matches with a string `token` and `type`,
 * or when it holds more than `maxMatches`.
 */
export function parseAlert(text: string, maxMatches: number): SecretMatch[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AlertFormatError('the body is not JSON');
  }
  if (!Array.isArray(body)) throw new AlertFormatError('the body must be a JSON array of matches');
  if (body.length > maxMatches) throw new AlertFormatError(`an alert holds at most ${maxMatches} matches`);
  return body.map((entry: unknown, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new AlertFormatError(`match ${index} is not an object`);
    const m = entry as Record<string, unknown>;
    const token = field(m.token, 'token', index, true);
    if (token.length === 0) throw new AlertFormatError(`match ${index} has an empty token`);
    return {
      token,
      type: field(m.type, 'type', index, true),
      url: field(m.url, 'url', index, false),
      source: field(m.source, 'source', index, false),
    };
  });
}
