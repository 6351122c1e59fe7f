import { TEXT_NAMES } from '../react/texts.js';
import type { PageConfig } from './page-config.js';
import type { PageOptions, PageTheme } from './options.js';

/** The page's options, checked once at construction. */
export interface ResolvedPage {
  readonly title: string;
  readonly config: PageConfig;
  /** The theme's custom properties as a stylesheet (`null`: none set), and its file name. */
  readonly theme: { readonly name: string; readonly text: string } | null;
  readonly csp: string;
}

const THEME_PROPERTIES: Readonly<Record<Exclude<keyof PageTheme, 'colorScheme'>, string>> = {
  accent: '--kw-accent',
  accentText: '--kw-accent-text',
  background: '--kw-background',
  surface: '--kw-surface',
  text: '--kw-text',
  muted: '--kw-muted',
  border: '--kw-border',
  danger: '--kw-danger',
  success: '--kw-success',
  warning: '--kw-warning',
  focus: '--kw-focus',
  font: '--kw-font',
  monoFont: '--kw-font-mono',
  radius: '--kw-radius',
};

const SECTIONS = new Set(['keys', 'legacy', 'audit']);
// A CSS value that cannot end its declaration or open anything: no ; { } < > \ quotes-escapes,
// comments, url() or @ (the stylesheet is served from our origin under a strict CSP anyway).
const CSS_VALUE_RE = /^[^;{}<>\\@]{1,200}$/;
const FRAME_SOURCE_RE =
  /^(?:'self'|'none'|\*|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d{1,5}|\*))?)$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const TEXT_RE = /^[^\u0000-\u001f\u007f]{1,300}$/;

/** FNV-1a: a short, stable name for the theme's stylesheet (not a security property). */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || !TEXT_RE.test(value)) throw new RangeError(`page.${name} must be a line of text (1-300 characters)`);
  return value;
}

function link(value: unknown, name: string): string {
  if (typeof value !== 'string' || !(/^\/(?!\/)[^\s]*$/.test(value) || /^https:\/\/[^\s]+$/.test(value))) {
    throw new RangeError(`page.${name} must be a path ("/login") or an https URL`);
  }
  return value;
}

function themeSheet(theme: PageTheme): { name: string; text: string } | null {
  const lines: string[] = [];
  for (const [option, value] of Object.entries(theme)) {
    if (option === 'colorScheme' || value === undefined) continue;
    const property = THEME_PROPERTIES[option as keyof typeof THEME_PROPERTIES];
    if (property === undefined) throw new RangeError(`page.theme.${option} is not a theme option (${Object.keys(THEME_PROPERTIES).join(', ')})`);
    if (typeof value !== 'string' || !CSS_VALUE_RE.test(value) || value.includes('/*') || /url\s*\(/i.test(value)) {
      throw new RangeError(`page.theme.${option} must be a CSS value such as "#0b7285" or "12px" (no ; { } < > \\ @, comments or url())`);
    }
    lines.push(`  ${property}: ${value.trim()};`);
  }
  if (lines.length === 0) return null;
  const css = `:root {\n${lines.join('\n')}\n}\n`;
  return { name: `theme-${fnv(css)}.css`, text: css };
}

/**
 * The page of `options.page`, or `null` when it is turned off (`page: false`).
 * @throws {TypeError} / {RangeError} for options that cannot work.
 */
export function resolvePage(page: PageOptions | false | undefined, basePath: string): ResolvedPage | null {
  if (page === false) return null;
  const options = page ?? {};
  if (typeof options !== 'object' || options === null) throw new TypeError('page must be an object of page options, or false');
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.texts ?? {})) {
    if (!(TEXT_NAMES as readonly string[]).includes(name))
      throw new RangeError(`page.texts.${name} is not a text of the page (${TEXT_NAMES.join(', ')})`);
    texts[name] = text(value, `texts.${name}`);
  }
  const theme = options.theme ?? {};
  const colorScheme = theme.colorScheme ?? 'light';
  if (!['light', 'dark', 'auto'].includes(colorScheme)) throw new RangeError("page.theme.colorScheme must be 'light', 'dark' or 'auto'");
  const ancestors = [...(options.frameAncestors ?? ["'none'"])];
  if (ancestors.length === 0 || ancestors.some((s) => typeof s !== 'string' || !FRAME_SOURCE_RE.test(s))) {
    throw new RangeError(`page.frameAncestors must list CSP sources such as "'self'" or "https://app.example.com"`);
  }
  if (ancestors.includes("'none'") && ancestors.length > 1) throw new RangeError("page.frameAncestors: 'none' cannot be combined with other sources");
  const sections = [...(options.sections ?? ['keys', 'legacy', 'audit'])];
  if (sections.length === 0 || sections.some((s) => !SECTIONS.has(s)) || new Set(sections).size !== sections.length) {
    throw new RangeError("page.sections must list each of 'keys', 'legacy', 'audit' at most once");
  }
  const title = options.title === undefined ? (texts.title ?? 'API keys') : text(options.title, 'title');
  return {
    title,
    theme: themeSheet(theme),
    config: {
      basePath,
      texts,
      colorScheme,
      sections: sections as PageConfig['sections'],
      notice: options.notice === undefined ? null : text(options.notice, 'notice'),
      signInUrl: options.signInUrl === undefined ? null : link(options.signInUrl, 'signInUrl'),
    },
    // Nothing inline, nothing from elsewhere: the script, the styles and the API are ours.
    csp: [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${ancestors.join(' ')}`,
      "require-trusted-types-for 'script'",
    ].join('; '),
  };
}
