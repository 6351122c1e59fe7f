// Tipar's key-management API (@keyward/dashboard) and the people of the demo, made by the server at
// start (src/server.ts) next to the engine and reached by the catch-all routes under app/keyward and
// app/demo through `globalThis`, as the engine is (lib/engine.ts): route bundles do not share module
// instances with the server.
import type { Keyward } from '@keyward/core';
import { createDashboard, type Dashboard } from '@keyward/dashboard';
import { type DemoPerson, type DemoSessions, demoPage, demoSessions } from '@keyward/example-support/demo-session';

/** The demo-only sign-in: Priya administers the three workspaces, Theo is a member of Acme. */
export function demoPeople(): DemoSessions {
  return demoSessions({
    cookie: 'tipar_demo_session',
    people: new Map<string, DemoPerson>([
      ['user_priya', { name: 'Priya Admin', roles: { ws_acme: 'admin', ws_globex: 'admin', ws_initech: 'admin' } }],
      ['user_theo', { name: 'Theo Member', roles: { ws_acme: 'member' } }],
    ]),
    signIns: { admin: 'user_priya', member: 'user_theo' },
    workspaceNames: new Map([
      ['ws_acme', 'Acme'],
      ['ws_globex', 'Globex'],
      ['ws_initech', 'Initech'],
    ]),
  });
}

/**
 * "The name and a four-character suffix (e.g. …aB3d) are kept so you can recognise a key in the
 * dashboard": every key is listed by its name and `tipar_live_…aB3d`; there is no limit on how many.
 */
export function tiparDashboard(keyward: Keyward, sessions: DemoSessions): Dashboard {
  return createDashboard(keyward, {
    authorize: (request, { workspaceId }) => sessions.principal(request, workspaceId),
    resolveNames: (ids) => sessions.names(ids),
    // The keys, and the audit log of who created, rotated and revoked them.
    page: demoPage({
      sections: ['keys', 'audit'],
      texts: { intro: 'Each key keeps its name and its last four characters, so that you can recognise it here. Create as many as you need.' },
    }),
  });
}
