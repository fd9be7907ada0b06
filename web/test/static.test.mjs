// Static serving from outside the browser: traversal attempts (dot segments,
// encoded dots and slashes, overlong paths) are refused with 404 (or 400/414)
// and never answered with a file; pages and assets carry CSP, nosniff,
// caching, strong ETags and gzip; and no page has an inline script.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startServer } from './harness.mjs';

// One raw request, the target sent exactly as given (fetch would normalise it).
function raw(port, target, headers = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('end', () => {
      const [head, ...body] = data.split('\r\n\r\n');
      const status = Number(head.split(' ')[1]);
      resolve({ status, head, body: body.join('\r\n\r\n') });
    });
    s.on('error', reject);
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);
  });
}

test('traversal and unknown paths never reach a file', async () => {
  const server = await startServer([], { embedded: true });
  try {
    const page = await (await fetch(`${server.base}/`)).text();
    const version = /\/static\/([0-9a-f]+)\//.exec(page)[1];
    const targets = [
      `/static/${version}/js/../pages/shows.html`, `/static/${version}/js/%2e%2e/pages/shows.html`,
      `/static/${version}/%2e%2e/%2e%2e/CMakeLists.txt`, `/static/${version}/js%2fseatmap.js`,
      `/static/${version}/js%2Fseatmap.js`, `/static/${version}/..%2f..%2fetc%2fpasswd`,
      `/static/${version}/%252e%252e/pages/shows.html`, `/static/${version}/js/seatmap.js%00`,
      `/static/${version}/package.json`, `/static/${version}/node_modules/htm/package.json`,
      `/static/${version}/pages/shows.html`, `/static/${version}/`, `/static/0123456789ab/js/seatmap.js`,
      `/static/${version}/${'a/'.repeat(600)}x.js`, `/static/${version}/${'b'.repeat(5000)}.js`,
      '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/web/js/seatmap.js', '/js/seatmap.js',
    ];
    for (const t of targets) {
      const r = await raw(server.port, t);
      assert.ok([400, 404, 414].includes(r.status), `${t.slice(0, 80)} -> ${r.status}`);
      assert.ok(!r.body.includes('<html') && !r.body.includes('export '), t.slice(0, 80));
    }
  } finally {
    await server.stop();
  }
});

test('pages and assets carry their security and caching headers', async () => {
  const server = await startServer([], { embedded: true });
  try {
    const pages = ['/', '/signin', '/shows/s1', '/shows/s1/queue', '/holds/h1-1', '/admin', '/admin/shows/s1', '/checkin'];
    const assets = new Set();
    for (const p of pages) {
      const r = await fetch(server.base + p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', p);
      const csp = r.headers.get('content-security-policy');
      assert.match(csp, /script-src 'self';/, p);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, p);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
      assert.equal(r.headers.get('cache-control'), 'no-cache', p);
      const html = await r.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${p}: an inline script`);
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${p}: an inline event handler`);
      for (const m of html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)) assets.add(m[1]);
    }
    assert.ok(assets.size >= 2);
    for (const a of assets) {
      const r = await fetch(server.base + a, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(r.status, 200, a);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', a);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', a);
      assert.equal(r.headers.get('content-encoding'), 'gzip', a);
      assert.match(r.headers.get('content-type'), a.endsWith('.js') ? /^text\/javascript/ : /^text\/css/, a);
      const etag = r.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{32}-gz"$/, a);
      const again = await raw(server.port, a, { 'If-None-Match': etag, 'Accept-Encoding': 'gzip' });
      assert.equal(again.status, 304, a);
    }
    const js = await raw(server.port, [...assets].find((a) => a.endsWith('.js')));
    assert.match(js.head, /\r\nETag: "[0-9a-f]{32}"\r\n/i, 'identity has its own strong ETag');
  } finally {
    await server.stop();
  }
});
