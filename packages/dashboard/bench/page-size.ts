/**
 * The size of the standalone key-management page: what a browser downloads (its script and
 * styles, gzipped — the page's HTML is under 1 KB), against the 60 KB aim.
 *
 *   node --conditions=@keyward/source --import tsx packages/dashboard/bench/page-size.ts
 *
 * Builds it as `pnpm build` does (the UI of src/react on Preact, minified), and the same entry on
 * React 19 (react-dom, production) for comparison — why the page is shipped on Preact — and prints
 * one JSON line.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildPage } from '../scripts/build-page.mjs';

const AIM = 60 * 1024;
const size = await buildPage();
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`page script ${kb(size.js)} (${kb(size.jsGzip)} gzipped), styles ${kb(size.css)} (${kb(size.cssGzip)} gzipped)`);
console.log(`${kb(size.totalGzip)} gzipped in all; aim ${kb(AIM)}: ${size.totalGzip <= AIM ? 'within' : 'over'}`);
const onReact = await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: ['src/page/standalone.tsx'],
  bundle: true,
  write: false,
  minify: true,
  format: 'iife',
  jsx: 'automatic',
  conditions: ['@keyward/source'],
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'silent',
});
const reactGzip = gzipSync(onReact.outputFiles[0]!.text, { level: 9 }).length;
console.log(`the same script on React 19: ${kb(reactGzip)} gzipped (${(reactGzip / size.jsGzip).toFixed(1)}x)`);
console.log(
  JSON.stringify({
    bench: 'dashboard page, gzipped bytes (script + styles)',
    bytes: size.totalGzip,
    scriptGzip: size.jsGzip,
    stylesGzip: size.cssGzip,
    script: size.js,
    styles: size.css,
    aim: AIM,
    scriptGzipOnReact: reactGzip,
  }),
);
