import { withApiKey } from '@keyward/next';
import { body, keyward } from '@/lib/engines';

// A route bug: the workspace function returns nothing. Must be a 500, never a pass.
export const GET = withApiKey((_request, { apiKey }) => Response.json(body(apiKey)), {
  keyward,
  workspaceId: (request) => request.nextUrl.searchParams.get('ws') as string,
});
