// The browser suite's harness: a real `boxoffice serve` on a free loopback
// port in a temporary data directory, Debian's Chromium driven by
// playwright-core (never a downloaded browser), the API from node, and
// screenshots of the pages.
//
//   const server = await startServer();           // --demo: two shows on sale
//   const browser = await launch();
//   try { ... } finally { await browser.close(); await server.stop(); }
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const binary = process.env.BOXOFFICE_BIN || path.join(repo, 'build/release/boxoffice');
export const chromiumPath = process.env.BOXOFFICE_CHROMIUM || '/usr/bin/chromium';
// Screenshots of each page go to build/screenshots; BOXOFFICE_SCREENSHOTS=docs/screenshots
// refreshes the ones the README shows.
export const screenshots = path.resolve(repo, process.env.BOXOFFICE_SCREENSHOTS || 'build/screenshots');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Chromium, headless, with a fresh profile (Playwright gives each launch its
// own new --user-data-dir). extraArgs: e.g. a fake camera.
export async function launch(extraArgs = []) {
  const browser = await chromium.launch({
    executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  console.log(`# Chromium ${browser.version()} at ${chromiumPath}`);
  return browser;
}

// A page that fails the test on any uncaught error or CSP violation.
export async function newPage(context, errors = []) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return page;
}

// BOXOFFICE_WEB_ROOT=web serves the pages from the checkout (no rebuild while editing them).
export async function startServer(flags = ['--demo'], { embedded = false } = {}) {
  if (process.env.BOXOFFICE_WEB_ROOT && !embedded) flags = [...flags, '--web-root', process.env.BOXOFFICE_WEB_ROOT];
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'boxoffice-web-'));
  const child = spawn(binary, ['serve', '--data', data, '--listen-address', '127.0.0.1', '--port', '0',
    ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const adminKey = fs.readFileSync(path.join(data, 'admin.key'), 'utf8').trim();
  const call = async (method, p, body, headers = {}) => {
    const res = await fetch(base + p, {
      method, headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  };
  return {
    base, port, data, adminKey, log: () => out,
    call,
    admin: (method, p, body) => call(method, p, body, { 'X-Admin-Key': adminKey }),
    async token(name) {
      return (await call('POST', '/v1/demo/token', { name })).json.token;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.on('exit', r));
      }
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

// Signs the page's context in as a fan (the demo route, as the sign-in page does).
export async function signIn(page, server, name) {
  await page.goto(`${server.base}/signin`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/`);
}

export async function shoot(page, name) {
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: false });
}

export function timing(name, value, unit = 'ms') {
  console.log(`# timing ${name}: ${typeof value === 'number' ? value.toFixed(1) : value} ${unit}`);
}
