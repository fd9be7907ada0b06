// A hold's life on the seat map page: more time within the show's cap,
// release (the seats are free again), and a hold that runs out: "your hold
// ended", with the way back to the seat map.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, newPage, signIn, startServer } from './harness.mjs';

test('a fan extends and releases a hold, and sees a hold end', async () => {
  const server = await startServer();
  const browser = await launch();
  const errors = [];
  try {
    const now = Date.now();
    const show = await server.admin('POST', '/v1/shows', {
      venue_id: 'v1', name: 'Matinee', starts_at: new Date(now + 864e5).toISOString(),
      on_sale_at: new Date(now - 1000).toISOString(), currency: 'EUR',
      prices: { PREM: 8500, STD: 5500, VIEW: 2500 }, hold_ttl_s: 4,
    });
    assert.equal(show.status, 201, JSON.stringify(show.json));
    const page = await newPage(await browser.newContext(), errors);
    await signIn(page, server, 'hal');
    await page.goto(`${server.base}/shows/${show.json.id}`);
    await page.locator('g.section').first().click();
    const seat = page.locator('.seat.s-free').first();
    const i = await seat.getAttribute('data-i');
    await seat.click();
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    const left = async () => {
      const [m, s] = (await page.getByTestId('countdown').textContent()).split(':').map(Number);
      return m * 60 + s;
    };
    await page.waitForFunction(() => document.querySelector('[data-testid=countdown]').textContent <= '0:03');
    await page.getByRole('button', { name: 'More time' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=countdown]').textContent > '0:04');
    assert.ok((await left()) > 4);
    await page.getByRole('button', { name: 'Release' }).click();
    await page.locator(`[data-i="${i}"].s-free`).waitFor();
    await page.getByRole('button', { name: 'Hold seats' }).waitFor();

    // Held again and left alone: it runs out.
    await page.locator(`[data-i="${i}"]`).click();
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    await page.getByRole('heading', { name: 'Your hold ended' }).waitFor({ timeout: 15000 });
    await page.locator(`[data-i="${i}"].s-free`).waitFor({ timeout: 5000 });
    await page.getByRole('link', { name: 'Back to the seat map' }).click();
    await page.locator('g.section').first().waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
