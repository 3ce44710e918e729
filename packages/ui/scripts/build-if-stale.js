// Builds the UI (vite build) when dist/ is missing or older than any source file, so `npm start`
// and `npm test` on a fresh clone serve the current UI without rebuilding it every time.
// Flags: --force builds regardless; --warn-only turns a failed build into a warning (exit 0).
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
  const status = result.status ?? 1;
  // `npm start` passes --warn-only: Vigil still starts (its APIs work, UI paths say the UI is not built).
  if (status !== 0 && process.argv.includes('--warn-only')) {
    console.error('The web UI could not be built; Vigil starts without it (see the errors above).');
    process.exit(0);
  }
  process.exit(status);
}
