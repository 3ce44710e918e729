// Builds the UI (vite build) when dist/ is missing or older than any source file, so `npm start`
// and `npm test` on a fresh clone serve the current UI without rebuilding it every time.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

let built = 0;
try {
  built = statSync(join(root, 'dist', 'index.html')).mtimeMs;
} catch {
  built = 0;
}
const changed = Math.max(...sources.map((source) => newest(join(root, source))));
if (built === 0 || changed > built || process.argv.includes('--force')) {
  console.error(built === 0 ? 'Building the web UI…' : 'The web UI sources changed: rebuilding…');
  // vite is hoisted to the repository's node_modules by the npm workspace.
  const vite = join(dirname(createRequire(join(root, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
