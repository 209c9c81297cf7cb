// Builds the triage console (src/ui/app) into dist/ui, after `nest build` (which empties dist/):
// type-checks it with the project's TypeScript, bundles and minifies it with esbuild (no source
// maps), and writes index.html pointing at content-hashed file names.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'src/ui/app');
const out = join(root, 'dist/ui');
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
// esbuild strips types without checking them.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', app], {
  stdio: 'inherit',
});

const result = await build({
  entryPoints: { app: join(app, 'main.ts') },
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

const outputs = Object.entries(result.metafile.outputs);
const script = outputs.find(([file]) => file.endsWith('.js'));
const style = outputs.find(([file]) => file.endsWith('.css'));
if (!script || !style) throw new Error('esbuild wrote no script or no stylesheet');

const asset = ([file]) => `/ui/assets/${basename(file)}`;
writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>StackLens triage</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${asset(style)}" />
    <script type="module" src="${asset(script)}"></script>
  </head>
  <body>
    <div id="app"></div>
    <noscript>The triage console needs JavaScript; the alerts API (/api/v1) does not.</noscript>
  </body>
</html>
`,
);

const maps = readdirSync(join(out, 'assets')).filter((name) => name.endsWith('.map'));
if (maps.length > 0) throw new Error(`source maps must not ship: ${maps.join(', ')}`);
const sizes = outputs.map(
  ([file, { bytes }]) => `${basename(file)} ${(bytes / 1024).toFixed(1)} KB`,
);
process.stdout.write(`ui: dist/ui (${sizes.join(', ')})\n`);
