import { withApiKey, type ApiKeyRouteHandler, type RouteHandlerContext } from '@keyward/next';
import type { NextRequest } from 'next/server';
import { engine } from '../../lib/engine';
import { renderPdf } from '../../lib/pdf';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const generate: ApiKeyRouteHandler<RouteHandlerContext> = async (request, { apiKey }) => {
  const body = (await request.json().catch(() => null)) as { title?: unknown; lines?: unknown } | null;
  const title = typeof body?.title === 'string' ? body.title : 'Untitled';
  const lines = Array.isArray(body?.lines) ? body.lines.filter((l): l is string => typeof l === 'string') : [];
  const pdf = renderPdf([title, '', ...lines, '', `Generated for ${apiKey.workspaceId} with the key ...${apiKey.hint}`]);
  return new Response(pdf, { status: 200, headers: { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="out.pdf"' } });
};

// "Every call to POST /generate is authenticated with an API key, sent as a bearer token."
// An admitted request spends one unit of the key's monthly quota; a refused one spends nothing.
// The engine is made by the server at start (src/server.ts), hence wrapped on first use.
let handler: ((request: NextRequest, context: RouteHandlerContext) => Promise<Response>) | undefined;
export function POST(request: NextRequest, context: RouteHandlerContext) {
  handler ??= withApiKey<RouteHandlerContext>(generate, { keyward: engine() });
  return handler(request, context);
}
