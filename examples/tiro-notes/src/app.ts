// Tiro (seed 000) on Express: `{id}.{secret}` workspace keys that reach one workspace's notes,
// transcripts, summaries and folders; legacy personal keys (imported, account-wide, view-and-revoke
// only) that work until their sunset with Deprecation/Sunset headers, then get 401. The Platform
// dashboard (workspace switcher, workspace keys, legacy keys) is @keyward/dashboard.
import {
  createKeyward,
  type Instrumentation,
  idSecretFormat,
  jsonRenderer,
  sha256Hasher,
  type InvalidationBus,
  type KeyStore,
  type Keyward,
  type KeywardError,
} from '@keyward/core';
import { createDashboard } from '@keyward/dashboard';
import { demoPage, demoSessions, type DemoPerson, type DemoSessions } from '@keyward/example-support/demo-session';
import { failureLogFields } from '@keyward/core/adapter';
import { apiKey, apiKeyErrorHandler, fetchMiddleware, getApiKey } from '@keyward/express';
import express, { type Request, type Response } from 'express';

/** "Legacy personal keys stop working on June 30, 2026." */
export const DEFAULT_LEGACY_SUNSET = '2026-06-30T00:00:00Z';

export interface TiroData {
  /** account → its name and its role in each workspace (a legacy key reaches the workspaces its account owns) */
  accounts: Map<string, DemoPerson>;
  /** The dashboard's sign-in: a demo-only session cookie for some of the accounts. */
  sessions: DemoSessions;
  workspaces: Map<string, Record<Resource, { id: string; title: string }[]>>;
}

/** The workspaces an account owns. */
const owned = (data: TiroData, account: string | null) =>
  Object.entries(data.accounts.get(account ?? '')?.roles ?? {})
    .filter(([, role]) => role === 'owner')
    .map(([ws]) => ws);
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
  instrument?: Instrumentation;
}): Keyward {
  return createKeyward({
    store: options.store,
    invalidation: options.invalidation,
    instrument: options.instrument,
    now: options.now,
    format: idSecretFormat({ idLength: 6 }),
    legacy: { sunset: options.legacySunset ?? DEFAULT_LEGACY_SUNSET, link: 'https://docs.tiro.ooo/api-keys#legacy-personal-keys' },
    // "A legacy key reached every note on your account": every workspace its owner owns.
    ownsWorkspace: (ownerId, workspaceId) => owned(options.data, ownerId).includes(workspaceId),
    renderer: jsonRenderer(tiroError),
    // The dashboard's audit log, and the last-used date of each key.
    audit: true,
    usage: true,
  });
}

export function createTiroApp(keyward: Keyward, data: TiroData): express.Express {
  const app = express();
  // The Platform dashboard: "pick a workspace, then create the key" (`GET /keyward/api/me` lists the
  // workspaces of the switcher); legacy personal keys: "view and revoke only", until their sunset.
  const dashboard = createDashboard(keyward, {
    authorize: (request, { workspaceId }) => data.sessions.principal(request, workspaceId),
    resolveNames: (ids) => data.sessions.names(ids),
    // "Pick a workspace, then Create New API Key, name it, copy the full key": the page's switcher,
    // its button, and the legacy section (view and revoke only) for the personal keys.
    page: demoPage({
      texts: {
        createKey: 'Create New API Key',
        intro: 'Pick a workspace, then create a key for it, name it, and copy the full key ({id}.{secret}) when it is shown.',
      },
    }),
  });
  app.use(fetchMiddleware(dashboard));
  app.use(fetchMiddleware(data.sessions.handler));
  // Bodies are parsed behind each part's own check (key or session), never before it; the dashboard
  // reads (and limits) its own.
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
    return named !== undefined ? [named] : owned(data, key.ownerId);
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

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such endpoint', type: 'invalid_request_error' } });
  });
  app.use(apiKeyErrorHandler(keyward));
  app.use(clientErrorHandler(keyward));
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
const clientErrorHandler =
  (keyward: Keyward): express.ErrorRequestHandler =>
  (error: { status?: unknown; type?: unknown }, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    // The failure's class and a redacted message: no key, digest or header reaches the log.
    if (status === 500) console.error('tiro: request failed', failureLogFields(keyward, error));
    const known = typeof error.type === 'string' ? CLIENT_ERRORS[error.type] : undefined;
    res.status(status).json({
      error:
        status === 500
          ? { code: 'internal_error', message: 'Something went wrong on our side', type: 'api_error' }
          : { ...(known ?? { code: 'invalid_request', message: 'The request is not valid' }), type: 'invalid_request_error' },
    });
  };

/**
 * Three accounts (Ada owns Research and Sales, Bob owns Ops, Mia is a member of Research), their
 * workspaces with data, and the demo sign-in of Ada (`?as=admin`) and Mia (`?as=member`).
 */
export function demoData(): TiroData {
  const accounts = new Map<string, DemoPerson>([
    ['acct_ada', { name: 'Ada Lovelace', roles: { ws_research: 'owner', ws_sales: 'owner' } }],
    ['acct_bob', { name: 'Bob Ops', roles: { ws_ops: 'owner' } }],
    ['acct_mia', { name: 'Mia Chen', roles: { ws_research: 'member' } }],
  ]);
  const workspaces: TiroData['workspaces'] = new Map();
  const names = new Map<string, string>();
  for (const [ws, name, topic] of [
    ['ws_research', 'Research', 'Interview'],
    ['ws_sales', 'Sales', 'Pipeline review'],
    ['ws_ops', 'Ops', 'Incident review'],
  ] as const) {
    names.set(ws, name);
    workspaces.set(ws, {
      notes: [{ id: 'note_1', title: `${topic} notes` }],
      transcripts: [{ id: 'tr_1', title: `${topic} transcript` }],
      summaries: [{ id: 'sum_1', title: `${topic} summary` }],
      folders: [{ id: 'fld_1', title: `${topic}` }],
    });
  }
  const sessions = demoSessions({
    cookie: 'tiro_demo_session',
    people: accounts,
    signIns: { admin: 'acct_ada', member: 'acct_mia' },
    workspaceNames: names,
  });
  return { accounts, sessions, workspaces };
}

/** A workspace key each for Research and Ops, an expired and a deleted key, and Ada's legacy personal key. */
export async function seedDemo(keyward: Keyward) {
  const research = await keyward.create({ workspaceId: 'ws_research', name: 'notes sync', actor: 'acct_ada' });
  const ops = await keyward.create({ workspaceId: 'ws_ops', name: 'ops bot', actor: 'acct_bob' });
  const expired = await keyward.create({
    workspaceId: 'ws_research',
    name: 'trial',
    expiresAt: new Date(Date.now() - 86_400_000),
    actor: 'acct_ada',
  });
  const deleted = await keyward.create({ workspaceId: 'ws_research', name: 'old laptop', actor: 'acct_ada' });
  await keyward.delete(deleted.record.id, { actor: 'acct_ada' });
  const legacy = await importLegacyKey(keyward, 'acct_ada', 'personal key');
  return { keys: { workspace_a: research.key, workspace_b: ops.key, expired: expired.key, revoked: deleted.key, legacy } };
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
