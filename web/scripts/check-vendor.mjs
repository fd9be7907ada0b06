// Checks that the vendored browser libraries in web/vendor/ are byte for byte
// the files of the npm packages pinned in package-lock.json (run `npm ci`
// first). With --write, copies them over instead.
//
//   node scripts/check-vendor.mjs [--write]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// vendored file -> the package file it is a copy of
export const VENDORED = {
  'vendor/preact-htm.js': 'htm/preact/standalone.module.js',
  'vendor/qrcode.js': 'qrcode-generator/dist/qrcode.mjs',
  'vendor/jsQR.js': 'jsqr/dist/jsQR.js',
};

const write = process.argv.includes('--write');
let bad = 0;
const lock = JSON.parse(fs.readFileSync(path.join(web, 'package-lock.json'), 'utf8'));
for (const [copy, source] of Object.entries(VENDORED)) {
  const pkg = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
  const pinned = lock.packages[`node_modules/${pkg}`]?.version;
  const installed = JSON.parse(
    fs.readFileSync(path.join(web, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  if (pinned !== installed) {
    console.error(`${pkg}: installed ${installed}, the lock file pins ${pinned}: run npm ci`);
    bad++;
    continue;
  }
  const from = path.join(web, 'node_modules', source);
  const to = path.join(web, copy);
  if (write) {
    fs.copyFileSync(from, to);
    console.log(`${copy} <- ${pkg}@${installed}`);
  } else if (!fs.existsSync(to) || !fs.readFileSync(from).equals(fs.readFileSync(to))) {
    console.error(`${copy} differs from ${source} of ${pkg}@${installed}`);
    bad++;
  } else {
    console.log(`${copy} = ${pkg}@${installed}`);
  }
}
process.exit(bad ? 1 : 0);
