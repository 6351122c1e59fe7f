import { KEY_ID_HEADER, WORKSPACE_ID_HEADER } from '@keyward/next';
import type { NextRequest } from 'next/server';

// What the proxy forwarded (or what a client sent, where no proxy strips it).
export function GET(request: NextRequest) {
  return Response.json({ keyId: request.headers.get(KEY_ID_HEADER), workspaceId: request.headers.get(WORKSPACE_ID_HEADER) });
}
