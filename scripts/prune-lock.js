// Removes, from package-lock.json, optional platform packages that the lock names but does not hold.
// npm records a native tool's optional dependencies (one binary package per platform) even when the
// registry it installed from serves only some of them; `npm ci` then refuses the lock as out of sync.
// Run after `npm install` changes the lock: `node scripts/prune-lock.js`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const present = new Set(Object.keys(lock.packages));
const removed = [];
for (const [name, entry] of Object.entries(lock.packages)) {
  for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
    if (!present.has(`node_modules/${dependency}`)) {
      delete entry.optionalDependencies[dependency];
      removed.push(`${name || '(root)'} → ${dependency}`);
    }
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(removed.length === 0 ? 'package-lock.json: nothing to prune' : `package-lock.json: pruned ${removed.length} optional platform packages not in the lock`);
