import { apiKeyProxy } from '@keyward/next';
import { type NextRequest, NextResponse } from 'next/server';
import { downKeyward, fixture, keyward } from '@/lib/engines';

// `/guarded/…` needs a key; the proxy forwards its id and workspace in request headers, which it
// strips from every request it sees (so also from `/open/…`, which it lets through).
// `/group/…` is `describeAdapter`'s guarded group.
const guard = apiKeyProxy({ keyward, prefixes: ['/guarded', '/group'] });
const guardDown = apiKeyProxy({ keyward: downKeyward, prefixes: ['/guarded-down'] });
const scoped = apiKeyProxy({ keyward, prefixes: ['/guarded-scoped'], scopes: ['notes:write'], forwardKey: false });

// With `mode: 'edge'`, the conformance routes are served by their Edge runtime twins under /edge
// (`describeAdapter` requests fixed paths).
const EDGE_TWINS = /^\/(protected|scoped|down|unprotected|workspaces\/[^/]+\/protected)$/;

export async function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  if (path.startsWith('/guarded-down')) return guardDown(request);
  if (path.startsWith('/guarded-scoped')) return scoped(request);
  if (fixture.mode === 'edge' && EDGE_TWINS.test(path)) return NextResponse.rewrite(new URL(`/edge${path}`, request.url));
  return guard(request);
}

export const config = {
  matcher: [
    '/guarded/:path*',
    '/group/:path*',
    '/guarded-down/:path*',
    '/guarded-scoped/:path*',
    '/open/:path*',
    '/protected',
    '/scoped',
    '/down',
    '/unprotected',
    '/workspaces/:path*',
  ],
};
