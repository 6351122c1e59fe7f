import { KEY_ID_HEADER, WORKSPACE_ID_HEADER } from '@keyward/next';
import type { NextRequest } from 'next/server';
import { body } from '@/lib/engines';

// `describeAdapter`'s guarded group: no check of its own, only the proxy's (prefix `/group`).
export function GET(request: NextRequest) {
  const id = request.headers.get(KEY_ID_HEADER);
  return Response.json(body(id === null ? null : { id, workspaceId: request.headers.get(WORKSPACE_ID_HEADER) }));
}
