import { withApiKey } from '@keyward/next';
import { keyward } from '@/lib/engines';

// The handler's own Sunset header wins over the engine's; a fetch-style immutable response gets a copy.
export const GET = withApiKey(
  (request) =>
    request.nextUrl.searchParams.has('redirect')
      ? Response.redirect(new URL('/unprotected', request.url), 307)
      : new Response('ok', { headers: { sunset: 'handler' } }),
  { keyward },
);
