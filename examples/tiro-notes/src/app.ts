// Tiro (seed 000) on Express: `{id}.{secret}` workspace keys that reach one workspace's notes,
// transcripts, summaries and folders; legacy personal keys (imported, account-wide, view-and-revoke
// only) that work until their sunset with Deprecation/Sunset headers, then get 401.
import {
  createKeyward,
  idSecretFormat,
  jsonRenderer,
  sha256Hasher,
  type InvalidationBus,
  type KeyStore,
  type Keyward,
  type KeywardError,
} from '@keyward/core';
import { apiKey, apiKeyErrorHandler, getApiKey } from '@keyward/express';
import express, { type Request, type Response } from 'express';

/** "Legacy personal keys stop working on June 30, 2026." */
export const DEFAULT_LEGACY_SUNSET = '2026-06-30T00:00:00Z';

export interface TiroData {
  /** account → the workspaces it owns */
  accounts: Map<string, string[]>;
  /** session token → account (the dashboard's sign-in, simplified for the demo) */
  sessions: Map<string, string>;
  workspaces: Map<string, Record<Resource, { id: string; title: string }[]>>;
}
export type Resource = 'notes' | 'transcripts' | 'summaries' | 'folders';

const INVALID = { code: 'invalid_api_key', message: 'The API key provided is invalid', type: 'authentication_error' };

function tiroError(error: KeywardError) {
  switch (error.code) {
    case 'missing_credentials':
      return {
        error: { code: 'missing_api_key', message: 'Send your API key as Authorization: Bearer {id}.{secret}', type: 'authentication_error' },
      };
    case 'key_id_only':
      return { error: { ...INVALID, message: 'Only the key id was sent: use the full key {id}.{secret}, including the dot' } };
    case 'key_sunset':
      return { error: { ...INVALID, message: 'Legacy personal keys no longer work: create a workspace key' } };
    case 'store_unavailable':
      return { error: { code: 'service_unavailable', message: 'Authentication is temporarily unavailable', type: 'api_error' } };
    default:
      return { error: error.status === 401 ? INVALID : { code: error.code, message: error.message, type: 'invalid_request_error' } };
  }
}

export function tiroKeyward(options: {
  store: KeyStore;
  data: TiroData;
  invalidation?: InvalidationBus;
  legacySunset?: string;
  now?: () => number;
}): Keyward {
  return createKeyward({
    store: options.store,
    invalidation: options.invalidation,
    now: options.now,
    format: idSecretFormat({ idLength: 6 }),
    legacy: { sunset: options.legacySunset ?? DEFAULT_LEGACY_SUNSET, link: 'https://docs.tiro.ooo/api-keys#legacy-personal-keys' },
    // "A legacy key reached every note on your account": every workspace its owner owns.
    ownsWorkspace: (ownerId, workspaceId) => options.data.accounts.get(ownerId)?.includes(workspaceId) ?? false,
    renderer: jsonRenderer(tiroError),
  });
}

export function createTiroApp(keyward: Keyward, data: TiroData): express.Express {
  const app = express();
  // Bodies are parsed behind each part's own check (key or session), never before it.
  const json = express.json();

  // The API. `?workspace_id=` names a workspace: a key of another one is refused like an unknown key.
  const external = express.Router();
  const workspaceParam = (req: Request) =>
    typeof req.query.workspace_id === 'string' && req.query.workspace_id !== '' ? req.query.workspace_id : undefined;
  const anyWorkspace = apiKey(keyward);
  const namedWorkspace = apiKey(keyward, { workspaceId: (req) => workspaceParam(req)! });
  external.use((req, res, next) => (workspaceParam(req) === undefined ? anyWorkspace : namedWorkspace)(req, res, next));
  external.use(json);
  /** The workspaces a request reaches: the key's own, or, for a legacy key, every one of its owner. */
  const reach = (req: Request): string[] => {
    const key = getApiKey(req);
    if (key.workspaceId !== null) return [key.workspaceId];
    const named = workspaceParam(req);
    return named !== undefined ? [named] : (data.accounts.get(key.ownerId ?? '') ?? []);
  };
  for (const resource of ['notes', 'transcripts', 'summaries', 'folders'] as const) {
    external.get(`/${resource}`, (req, res) => {
      res.json({ data: reach(req).flatMap((ws) => (data.workspaces.get(ws)?.[resource] ?? []).map((item) => ({ ...item, workspace_id: ws }))) });
    });
  }
  external.post('/notes', (req: Request, res: Response) => {
    const workspaces = reach(req);
    const title = (req.body as { title?: unknown } | undefined)?.title;
    if (typeof title !== 'string' || title.trim() === '')
      return void res.status(400).json({ error: { code: 'invalid_request', message: 'title is required', type: 'invalid_request_error' } });
    if (workspaces.length !== 1)
      return void res
        .status(400)
        .json({ error: { code: 'workspace_required', message: 'Name the workspace with ?workspace_id=', type: 'invalid_request_error' } });
    const notes = data.workspaces.get(workspaces[0]!)!.notes;
    const note = { id: `note_${notes.length + 1}`, title: title.trim().slice(0, 200) };
    notes.push(note);
    res.status(201).json({ ...note, workspace_id: workspaces[0] });
  });
  app.use('/v1/external', external);

  // The dashboard: "pick a workspace, then create the key"; legacy keys: "view and revoke only".
  const dashboard = express.Router();
  dashboard.use((req, res, next) => {
    const account = data.sessions.get(req.get('x-tiro-session') ?? '');
    if (account === undefined)
      return void res.status(401).json({ error: { code: 'not_signed_in', message: 'Sign in to the Tiro Platform', type: 'authentication_error' } });
    res.locals.account = account;
    next();
  });
  dashboard.use(json);
  const owned = (res: Response, ws: string) => data.accounts.get(res.locals.account as string)?.includes(ws) ?? false;
  const listed = (k: { id: string; name: string; hint: string; createdAt: Date; sunsetAt: Date | null; legacy: boolean }) => ({
    id: k.id,
    name: k.name,
    last4: k.hint,
    created_at: k.createdAt.toISOString(),
    ...(k.legacy ? { stops_working_at: k.sunsetAt?.toISOString() ?? null } : {}),
  });
  dashboard.get('/workspaces/:ws/keys', async (req, res) => {
    if (!owned(res, req.params.ws!))
      return void res.status(404).json({ error: { code: 'not_found', message: 'No such workspace', type: 'invalid_request_error' } });
    const page = await keyward.list({ workspaceId: req.params.ws!, includeRevoked: false, limit: 1000 });
    res.json({ data: page.items.map(listed) });
  });
  dashboard.post('/workspaces/:ws/keys', async (req, res) => {
    if (!owned(res, req.params.ws!))
      return void res.status(404).json({ error: { code: 'not_found', message: 'No such workspace', type: 'invalid_request_error' } });
    const name = (req.body as { name?: unknown } | undefined)?.name;
    const { key, record } = await keyward.create({
      workspaceId: req.params.ws!,
      name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : 'API key',
    });
    // "The secret is shown once and can't be recovered after you close the dialog."
    res.status(201).json({ id: record.id, name: record.name, key });
  });
  dashboard.delete('/workspaces/:ws/keys/:id', async (req, res) => {
    const guard = { workspaceId: req.params.ws! };
    if (!owned(res, guard.workspaceId) || (await keyward.get(req.params.id!, guard)) === null)
      return void res.status(404).json({ error: { code: 'not_found', message: 'No such key', type: 'invalid_request_error' } });
    await keyward.delete(req.params.id!, guard);
    res.status(204).end();
  });
  const legacyKeys = async (account: string) =>
    (await keyward.list({ ownerId: account, includeRevoked: false, limit: 1000 })).items.filter((k) => k.legacy);
  dashboard.get('/legacy-keys', async (_req, res) => {
    res.json({ data: (await legacyKeys(res.locals.account as string)).map(listed) });
  });
  dashboard.post('/legacy-keys', (_req, res) => {
    res.status(403).json({
      error: {
        code: 'legacy_keys_disabled',
        message: 'Personal API keys can no longer be created: create a workspace key',
        type: 'invalid_request_error',
      },
    });
  });
  dashboard.delete('/legacy-keys/:id', async (req, res) => {
    const key = (await legacyKeys(res.locals.account as string)).find((k) => k.id === req.params.id);
    if (key === undefined) return void res.status(404).json({ error: { code: 'not_found', message: 'No such key', type: 'invalid_request_error' } });
    await keyward.revoke(key.id);
    res.status(204).end();
  });
  app.use('/dashboard', dashboard);

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such endpoint', type: 'invalid_request_error' } });
  });
  app.use(apiKeyErrorHandler(keyward));
  app.use(clientErrorHandler);
  return app;
}

/** What a client error of Express or its body parser says, by its `type`. */
const CLIENT_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'invalid_json', message: 'The request body is not valid JSON' },
  'entity.too.large': { code: 'body_too_large', message: 'The request body is too large' },
};

/**
 * The last error handler: Express's own client errors (bad JSON, a body too large, a path that
 * does not decode) in Tiro's shape with their status, and anything else as a bare 500 — never
 * Express's HTML page, which shows the stack trace outside production.
 */
const clientErrorHandler: express.ErrorRequestHandler = (error: { status?: unknown; type?: unknown }, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(`tiro: ${error instanceof Error ? error.message : 'request failed'}`);
  const known = typeof error.type === 'string' ? CLIENT_ERRORS[error.type] : undefined;
  res.status(status).json({
    error:
      status === 500
        ? { code: 'internal_error', message: 'Something went wrong on our side', type: 'api_error' }
        : { ...(known ?? { code: 'invalid_request', message: 'The request is not valid' }), type: 'invalid_request_error' },
  });
};

/** Two accounts, three workspaces with data, a workspace key each, and Ada's legacy personal key. */
export async function seedDemo(keyward: Keyward) {
  const data: TiroData = {
    accounts: new Map([
      ['acct_ada', ['ws_research', 'ws_sales']],
      ['acct_bob', ['ws_ops']],
    ]),
    sessions: new Map([
      [`sess_${crypto.randomUUID()}`, 'acct_ada'],
      [`sess_${crypto.randomUUID()}`, 'acct_bob'],
    ]),
    workspaces: new Map(),
  };
  for (const [ws, topic] of [
    ['ws_research', 'Interview'],
    ['ws_sales', 'Pipeline review'],
    ['ws_ops', 'Incident review'],
  ] as const) {
    data.workspaces.set(ws, {
      notes: [{ id: 'note_1', title: `${topic} notes` }],
      transcripts: [{ id: 'tr_1', title: `${topic} transcript` }],
      summaries: [{ id: 'sum_1', title: `${topic} summary` }],
      folders: [{ id: 'fld_1', title: `${topic}` }],
    });
  }
  const research = await keyward.create({ workspaceId: 'ws_research', name: 'notes sync' });
  const ops = await keyward.create({ workspaceId: 'ws_ops', name: 'ops bot' });
  const expired = await keyward.create({ workspaceId: 'ws_research', name: 'trial', expiresAt: new Date(Date.now() - 86_400_000) });
  const deleted = await keyward.create({ workspaceId: 'ws_research', name: 'old laptop' });
  await keyward.delete(deleted.record.id);
  const legacy = await importLegacyKey(keyward, 'acct_ada', 'personal key');
  const [sessionAda, sessionBob] = [...data.sessions.keys()];
  return {
    data,
    keys: { workspace_a: research.key, workspace_b: ops.key, expired: expired.key, revoked: deleted.key, legacy },
    sessions: { ada: sessionAda!, bob: sessionBob! },
  };
}

/**
 * A personal key from before workspaces, as the migration imported it: only the SHA-256 of its
 * secret was kept. (Here the demo makes one up to have a key to show.)
 */
export async function importLegacyKey(keyward: Keyward, ownerId: string, name: string): Promise<string> {
  const { key, id } = idSecretFormat({ idLength: 6 }).generate();
  await keyward.import({
    id,
    hash: sha256Hasher().hash(key.slice(key.indexOf('.') + 1)),
    ownerId,
    legacy: true,
    name,
    hint: key.slice(-4),
    createdAt: '2024-03-01T00:00:00Z',
  });
  return key;
}
