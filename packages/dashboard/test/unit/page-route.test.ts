// The page as the handler serves it, without a browser: headers, the HTML's one script and its
// integrity, the files under /assets, the options and their checks.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createKeyward } from '@keyward/core';
import { createDashboard, type DashboardOptions } from '@keyward/dashboard';
import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';

const keyward = createKeyward({ store: memoryStore() });
const make = (options: Partial<DashboardOptions> = {}) =>
  createDashboard(keyward, { authorize: () => ({ id: 'u', name: 'U', role: 'owner' }), ...options });
const get = (dashboard: ReturnType<typeof make>, path: string, init: RequestInit = {}) => dashboard(new Request(`http://app.test${path}`, init));
const sha384 = (text: string) => `sha384-${createHash('sha384').update(text).digest('base64')}`;

describe('the page route', () => {
  it('serves the page with a strict CSP, no referrer, no caching, and exactly one script: its own', async () => {
    const dashboard = make();
    const response = await get(dashboard, '/keyward/');
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'",
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
    });
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    const executable = scripts.filter(([, attributes]) => !/type="application\/json"/.test(attributes!));
    expect(executable).toHaveLength(1);
    const [, attributes, inline] = executable[0]!;
    expect(inline).toBe('');
    const src = /src="([^"]+)"/.exec(attributes!)![1]!;
    expect(src).toMatch(/^\/keyward\/assets\/page-[0-9a-f]{12}\.js$/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=|https?:\/\//);
    // The script is the one its integrity names, cached for good under its hashed name.
    const script = await get(dashboard, src);
    expect(Object.fromEntries(script.headers)).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'content-security-policy': expect.stringContaining("script-src 'self'"),
    });
    const text = await script.text();
    expect(/integrity="([^"]+)"/.exec(attributes!)![1]).toBe(sha384(text));
    const href = /<link rel="stylesheet" href="([^"]+)" integrity="([^"]+)">/.exec(html)!;
    const css = await (await get(dashboard, href[1]!)).text();
    expect(href[2]).toBe(sha384(css));
    expect(css).toContain('--kw-accent');
    // What a browser downloads, compressed: the aim is under 60 KB.
    expect(gzipSync(text).length + gzipSync(css).length).toBeLessThan(60 * 1024);
    expect((await get(dashboard, '/keyward/assets/page-000000000000.js')).status).toBe(404);
  });

  it('answers HEAD, refuses other methods, and serves at its base path with or without the slash', async () => {
    const dashboard = make({ basePath: '/settings/api-keys' });
    const head = await get(dashboard, '/settings/api-keys/', { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const bare = await get(dashboard, '/settings/api-keys');
    expect((await bare.text()).match(/src="([^"]+)"/)![1]).toMatch(/^\/settings\/api-keys\/assets\/page-/);
    const post = await get(dashboard, '/settings/api-keys/', { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await get(make({ page: false }), '/keyward/')).status).toBe(404);
  });

  it('hands the page its options as data that cannot close the script element', async () => {
    const dashboard = make({ page: { notice: 'Demo </script><script>alert(1)</script>', texts: { rotate: 'Regenerate' }, signInUrl: '/login' } });
    const html = await (await get(dashboard, '/keyward/')).text();
    const data = /<script type="application\/json" id="keyward-config">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toContain('<');
    expect(JSON.parse(data)).toEqual({
      basePath: '/keyward',
      texts: { rotate: 'Regenerate' },
      colorScheme: 'light',
      sections: ['keys', 'legacy', 'audit'],
      notice: 'Demo </script><script>alert(1)</script>',
      signInUrl: '/login',
    });
  });

  it('serves a theme as custom properties, and lets chosen origins frame the page', async () => {
    const dashboard = make({
      page: {
        theme: { colorScheme: 'auto', accent: '#0b7285', font: '"Inter", sans-serif', radius: '4px' },
        frameAncestors: ["'self'", 'https://app.example.com'],
      },
    });
    const response = await get(dashboard, '/keyward/');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://app.example.com;");
    const html = await response.text();
    expect(html).toContain('data-kw-scheme="auto"');
    const theme = /href="(\/keyward\/assets\/theme-[0-9a-f]{8}\.css)"/.exec(html)![1]!;
    expect(await (await get(dashboard, theme)).text()).toBe(
      ':root {\n  --kw-accent: #0b7285;\n  --kw-font: "Inter", sans-serif;\n  --kw-radius: 4px;\n}\n',
    );
  });

  it('refuses page options that cannot work, at construction', () => {
    const bad: [unknown, RegExp][] = [
      [{ theme: { accent: 'red; } body { display: none' } }, /page\.theme\.accent must be a CSS value/],
      [{ theme: { accent: 'url(https://evil.example/x)' } }, /page\.theme\.accent/],
      [{ theme: { sparkle: '1' } }, /page\.theme\.sparkle is not a theme option/],
      [{ theme: { colorScheme: 'purple' } }, /colorScheme/],
      [{ frameAncestors: ["'none'", "'self'"] }, /'none' cannot be combined/],
      [{ frameAncestors: ['javascript:alert(1) ; script-src *'] }, /frameAncestors must list CSP sources/],
      [{ texts: { nope: 'x' } }, /page\.texts\.nope is not a text/],
      [{ texts: { title: 'two\nlines' } }, /page\.texts\.title must be a line of text/],
      [{ signInUrl: 'javascript:alert(1)' }, /signInUrl must be a path/],
      [{ signInUrl: '//evil.example' }, /signInUrl must be a path/],
      [{ sections: ['keys', 'keys'] }, /page\.sections/],
    ];
    for (const [page, message] of bad) expect(() => make({ page: page as DashboardOptions['page'] }), JSON.stringify(page)).toThrow(message);
  });
});
