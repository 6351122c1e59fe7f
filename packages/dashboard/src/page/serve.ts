import { DashboardProblem } from '../http/problem.js';
import type { ResolvedPage } from './config.js';
import type { PageAsset } from './bundle.generated.js';

type Bundle = typeof import('./bundle.generated.js');

let loading: Promise<Bundle> | undefined;

/** The built page, imported on the first page request only (the API alone never loads it). */
function bundle(): Promise<Bundle> {
  loading ??= import('./bundle.generated.js').catch((cause) => {
    loading = undefined;
    throw new DashboardProblem(
      500,
      'internal_error',
      'the key-management page is not built: run `pnpm --filter @keyward/dashboard build` (the published package ships it built)',
      {},
      cause,
    );
  });
  return loading;
}

/** `<` `>` `&` and the line separators escaped: JSON that cannot close the `<script>` element holding it. */
const scriptSafe = (json: string) => json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const htmlEscape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Headers of the page and its files: no referrer leaves it, nothing sniffed, no other origin may read it. */
function pageHeaders(page: ResolvedPage, type: string): Record<string, string> {
  return {
    'content-type': type,
    'content-security-policy': page.csp,
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

function html(page: ResolvedPage, script: PageAsset, style: PageAsset, assets: string): string {
  const theme = page.theme === null ? '' : `\n<link rel="stylesheet" href="${assets}/${page.theme.name}">`;
  return `<!doctype html>
<html lang="en" data-kw-scheme="${page.config.colorScheme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${htmlEscape(page.title)}</title>
<link rel="stylesheet" href="${assets}/${style.name}" integrity="${style.integrity}">${theme}
<script type="application/json" id="keyward-config">${scriptSafe(JSON.stringify(page.config))}</script>
<script src="${assets}/${script.name}" integrity="${script.integrity}" defer></script>
</head>
<body>
<div id="keyward-root"><noscript><p class="kw-noscript">This page needs JavaScript to manage your API keys.</p></noscript></div>
</body>
</html>
`;
}

/**
 * The page's routes under the base path: the HTML at `/` (and at the base path itself), its
 * script, styles and theme under `/assets/` — hashed names, cached for good. `null`: not a page
 * route (the API's router decides).
 */
export async function servePage(page: ResolvedPage, request: Request, rest: string, basePath: string): Promise<Response | null> {
  const isPage = rest === '' || rest === '/';
  const asset = rest.startsWith('/assets/') ? rest.slice('/assets/'.length) : null;
  if (!isPage && asset === null) return null;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new DashboardProblem(405, 'method_not_allowed', 'the page and its files answer GET only', { headers: { allow: 'GET, HEAD' } });
  }
  const body = (text: string) => (request.method === 'HEAD' ? null : text);
  const { PAGE_SCRIPT, PAGE_STYLE } = await bundle();
  if (isPage) {
    return new Response(body(html(page, PAGE_SCRIPT, PAGE_STYLE, `${basePath}/assets`)), {
      status: 200,
      headers: pageHeaders(page, 'text/html; charset=utf-8'),
    });
  }
  const found =
    asset === PAGE_SCRIPT.name
      ? { text: PAGE_SCRIPT.text, type: 'text/javascript; charset=utf-8' }
      : asset === PAGE_STYLE.name
        ? { text: PAGE_STYLE.text, type: 'text/css; charset=utf-8' }
        : page.theme !== null && asset === page.theme.name
          ? { text: page.theme.text, type: 'text/css; charset=utf-8' }
          : null;
  if (found === null) throw new DashboardProblem(404, 'not_found', 'no such file of the page (its names change with each release: reload the page)');
  // The name changes with the content: a browser may keep it as long as it likes.
  return new Response(body(found.text), {
    status: 200,
    headers: { ...pageHeaders(page, found.type), 'cache-control': 'public, max-age=31536000, immutable' },
  });
}
