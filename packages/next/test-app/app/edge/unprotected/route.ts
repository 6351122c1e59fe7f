import { body } from '@/lib/engines';

export const runtime = 'edge';
// No withApiKey: the handler's context has no key, even when one is sent.
export function GET(_request: Request, context: { params: Promise<object> }) {
  return Response.json(body((context as { apiKey?: { id: string; workspaceId: string | null } }).apiKey));
}
