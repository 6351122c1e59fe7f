// bench/http.ts: the JSON hello route without authentication.
export function GET() {
  return Response.json({ hello: 'world' });
}
