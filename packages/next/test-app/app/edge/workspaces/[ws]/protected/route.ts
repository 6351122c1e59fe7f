import { withApiKey } from '@keyward/next';
import { body, keyward } from '@/lib/engines';

export const runtime = 'edge';
// The workspace comes from the route's params; the context type is the one Next.js generates.
export const GET = withApiKey<RouteContext<'/edge/workspaces/[ws]/protected'>>(
  async (_request, { apiKey, params }) => {
    const { ws } = await params;
    if (apiKey.workspaceId !== ws) throw new Error('the key must belong to the workspace of the path');
    return Response.json(body(apiKey));
  },
  { keyward, workspaceId: (_request, params) => params.ws },
);
