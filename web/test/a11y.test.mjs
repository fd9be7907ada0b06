// Accessibility: axe-core finds no serious or critical violation on any page
// (in the states a person sees them: the seat map's overview and a section,
// a hold, the waiting room, the organisers' pages, check-in); and the seat
// map can be completed with the keyboard alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { launch, newPage, signIn, startServer } from './harness.mjs';

async function audit(page, what) {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${what}: ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), []);
  return r.violations.length;
}

test('axe finds no serious or critical violation on any page', async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const now = Date.now();
    await server.admin('PUT', '/v1/shows/s2/queue', {
      enabled: true, prequeue_opens_at: new Date(now - 60000).toISOString(),
      onsale_at: new Date(now + 3600000).toISOString(),
    });
    const context = await browser.newContext();
    const page = await newPage(context);
    await signIn(page, server, 'ada');
    await page.addInitScript((key) => sessionStorage.setItem('boxoffice.admin', key), server.adminKey);
    let minor = 0;
    for (const [path, ready] of [
      ['/', 'a[href="/shows/s1"]'], ['/signin', 'form'], ['/shows/s1', 'g.section'],
      ['/shows/s2/queue', 'text=The lottery'], ['/admin', 'text=New venue'],
      ['/admin/shows/s1', 'text=The sale now'], ['/checkin', 'text=Scan'],
    ]) {
      await page.goto(server.base + path);
      await page.locator(ready).first().waitFor();
      minor += await audit(page, path);
    }
    await page.goto(`${server.base}/shows/s1`);
    await page.locator('g.section').first().click();
    await page.locator('.seat.s-free').first().click();
    minor += await audit(page, 'a section of the seat map');
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    minor += await audit(page, 'a hold');
    console.log(`# axe: ${minor} minor or moderate findings in all`);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('the seat map can be completed with the keyboard alone', async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const page = await newPage(await browser.newContext());
    await signIn(page, server, 'kim');
    await page.goto(`${server.base}/shows/s1`);
    await page.locator('g.section').first().waitFor();
    const focused = () => page.evaluate(() => {
      const e = document.activeElement;
      return { tag: e.tagName, label: e.getAttribute('aria-label') || e.textContent.trim(), cls: e.getAttribute('class') || '' };
    });
    // Tab to the first section of the overview, open it with Enter.
    for (let k = 0; k < 40 && !(await focused()).cls.includes('section'); k++) await page.keyboard.press('Tab');
    assert.match((await focused()).cls, /section/);
    await page.keyboard.press('Enter');
    let f = await focused();
    assert.match(f.label, /^Row \w+, seat \d+, .*available$/);
    // Two seats: pick, move right, pick.
    await page.keyboard.press(' ');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    f = await focused();
    assert.match(f.label, /selected$/);
    await page.keyboard.press('ArrowDown');
    assert.match((await focused()).label, /^Row /);
    await page.keyboard.press('ArrowUp');
    // On to the Hold button, and press it.
    for (let k = 0; k < 40 && !/^Hold 2 seats$/.test((await focused()).label); k++) await page.keyboard.press('Tab');
    assert.equal((await focused()).label, 'Hold 2 seats');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
  } finally {
    await browser.close();
    await server.stop();
  }
});
