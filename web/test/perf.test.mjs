// Measurements, not assertions (docs/PERFORMANCE.md): on the demo's
// 50,000-place stadium, the overview painted after navigation starts and a
// section painted after its click; 1,000 seat changes a second from the live
// stream applied with the longest task it causes; the fan pages' weight in
// gzip bytes. Printed as "# timing ..." lines; the test fails only if the
// page breaks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, newPage, startServer, timing } from './harness.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 20 fans, each holding and releasing its own 5 seats 5 times a second:
// 1,000 seat changes a second for `seconds`.
async function churn(server, labels, seconds) {
  const fans = [];
  for (let f = 0; f < 20; f++) {
    fans.push({ auth: `Bearer ${await server.token(`churn${f}`)}`, seats: labels.slice(f * 5, f * 5 + 5) });
  }
  const end = Date.now() + seconds * 1000;
  let pairs = 0;
  await Promise.all(fans.map(async (fan, f) => {
    await new Promise((r) => setTimeout(r, f * 10));
    for (let next = Date.now(); Date.now() < end; next += 200) {
      const h = await server.call('POST', '/v1/shows/s2/holds', { seats: fan.seats }, { Authorization: fan.auth });
      if (h.status === 201) {
        await server.call('DELETE', `/v1/holds/${h.json.id}`, undefined, { Authorization: fan.auth, 'X-Hold-Token': h.json.token });
        pairs++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, next + 200 - Date.now())));
    }
  }));
  return pairs * 10;
}

test('performance of the seat map and the fan pages (measured)', async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const page = await newPage(context);
    // The overview, first load (the server renders the seat map once) then
    // warm; the demo theatre (2,000 seats) is the baseline of the same run.
    const overviews = async (show) => {
      const ms = [];
      for (let k = 0; k < 4; k++) {
        await page.goto(`${server.base}/shows/${show}`);
        await page.waitForFunction(() => window.__boxoffice?.overview_ms != null);
        ms.push(await page.evaluate(() => window.__boxoffice.overview_ms));
      }
      return ms;
    };
    const theatre = await overviews('s1');
    const stadium = await overviews('s2');
    timing('stadium overview painted from navigation start, first load', stadium[0]);
    timing('stadium overview painted from navigation start (median of 3 more)', median(stadium.slice(1)));
    timing('theatre overview, the baseline (median of 3 after the first)', median(theatre.slice(1)));
    timing('ratio stadium / theatre', median(stadium.slice(1)) / median(theatre.slice(1)), 'x');
    const sections = page.locator('g.section');
    for (let k = 0; k < 5; k++) {
      await sections.nth(k).click();
      await page.waitForFunction((n) => window.__boxoffice.section_ms.length > n, k);
      await page.getByRole('button', { name: 'Back to all sections' }).click();
    }
    const sectionMs = await page.evaluate(() => window.__boxoffice.section_ms);
    timing(`stadium section (2,250 seats) painted after its click (median of 5: ${sectionMs.map((x) => x.toFixed(0)).join(', ')})`, median(sectionMs));

    // Live: the first section open, its seats changing 1,000 times a second.
    await sections.nth(0).click();
    await page.locator('.seat').first().waitFor();
    const labels = (await (await fetch(`${server.base}/v1/shows/s2/seatmap`)).json()).sections[0].rows
      .flatMap((r) => r.seats.map((s) => s.label)).slice(0, 100);
    const seconds = 5;
    await page.evaluate(() => { window.__longTasks = []; });
    await page.waitForTimeout(seconds * 1000);
    const idle = await page.evaluate(() => window.__longTasks);
    timing(`baseline: long tasks of the same page idle for ${seconds} s (${idle.length}); the longest`, Math.max(0, ...idle));
    await page.evaluate(() => { window.__longTasks = []; window.__boxoffice.changes_applied = 0; });
    const sent = await churn(server, labels, seconds);
    await page.waitForTimeout(500);
    const live = await page.evaluate(() => ({ tasks: window.__longTasks, applied: window.__boxoffice.changes_applied }));
    timing('seat changes sent per second', sent / seconds, '/s');
    timing('seat changes applied by the page per second', live.applied / seconds, '/s');
    timing(`long tasks during the changes (${live.tasks.length} over 50 ms); the longest`, Math.max(0, ...live.tasks));
    assert.ok(live.applied >= sent * 0.9, `the page applied ${live.applied} of ${sent}`);

    // Page weight: HTML, CSS and scripts of each fan page, as sent (gzip).
    for (const path of ['/', '/signin', '/shows/s1', '/shows/s1/queue', '/holds/h1-1']) {
      const fanContext = await browser.newContext();
      const token = await server.token('weigher');
      await fanContext.addInitScript((t) => localStorage.setItem('boxoffice.fan', JSON.stringify({ user: 'weigher', token: t })), token);
      const p = await newPage(fanContext);
      await p.goto(server.base + path);
      await p.waitForLoadState('networkidle');
      const bytes = await p.evaluate(() => performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource').filter((e) => /\/static\//.test(e.name)))
        .reduce((n, e) => n + e.encodedBodySize, 0));
      timing(`page weight of ${path} (HTML, CSS, scripts; gzip)`, bytes / 1024, 'KiB');
      await p.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});
