// A fan's journey end to end against the real server: sign in, pick seats on
// the map, hold them (one request), see the countdown, pay on the gateway's
// page, come back to a booking with a QR code per ticket — while a second
// browser context watches the same seats turn booked live. Then two fans race
// for the same seats: the loser's map repaints at once and offers the best
// available instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, newPage, shoot, signIn, startServer } from './harness.mjs';

// Opens the show's first section and picks `n` free seats next to each other; their indexes.
async function pickSeats(page, n, skip = 0) {
  await page.locator('g.section').first().click();
  const seats = page.locator('.seat.s-free');
  await seats.first().waitFor();
  const picked = [];
  for (let k = 0; k < n; k++) {
    const seat = seats.nth(skip + k);
    picked.push(await seat.getAttribute('data-i'));
    await seat.click();
  }
  for (const i of picked) await page.locator(`[data-i="${i}"].picked`).waitFor();
  return picked;
}

test('a fan holds seats on the map, pays on the gateway page and gets QR tickets; another fan sees them booked live', async () => {
  const server = await startServer();
  const browser = await launch();
  const errors = [];
  try {
    const fan = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await newPage(fan, errors);
    await page.goto(`${server.base}/signin`);
    await shoot(page, 'signin');
    await signIn(page, server, 'alice');
    await page.getByRole('link', { name: 'Hamlet (demo)' }).waitFor();
    await shoot(page, 'shows');

    const watcher = await newPage(await browser.newContext(), errors);
    await watcher.goto(`${server.base}/shows/s1`);
    await watcher.locator('g.section').first().click();

    await page.getByRole('link', { name: 'Hamlet (demo)' }).click();
    await page.locator('g.section').first().waitFor();
    await shoot(page, 'seatmap-overview');
    const seats = await pickSeats(page, 2, 6);
    await shoot(page, 'seatmap-section');
    await page.getByRole('button', { name: 'Hold 2 seats' }).click();
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    const first = await page.getByTestId('countdown').textContent();
    assert.match(first, /^\d+:\d\d$/);
    await page.waitForFunction((t) => document.querySelector('[data-testid=countdown]').textContent !== t, first);
    for (const i of seats) await watcher.locator(`[data-i="${i}"].s-held`).waitFor();
    await shoot(page, 'hold');

    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(/\/gateway\/pay\//);
    await shoot(page, 'gateway');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/holds\/h1-\d+\?paid=1/);
    await page.getByRole('heading', { name: /^Booking b1-/ }).waitFor({ timeout: 20000 });
    assert.equal(await page.locator('img.qr').count(), 2);
    const codes = await page.locator('img.qr').evaluateAll((imgs) => imgs.map((i) => i.dataset.code));
    assert.ok(codes.every((c) => /^tk_[0-9a-f]{32}$/.test(c)), codes.join());
    await shoot(page, 'tickets');

    for (const i of seats) await watcher.locator(`[data-i="${i}"].s-booked`).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('two fans race for the same seats: the loser sees them taken at once and gets the best available', async () => {
  const server = await startServer();
  const browser = await launch();
  const errors = [];
  try {
    const pages = [];
    for (const name of ['ann', 'ben']) {
      const page = await newPage(await browser.newContext(), errors);
      await signIn(page, server, name);
      await page.goto(`${server.base}/shows/s1`);
      pages.push(page);
    }
    const [winner, loser] = pages;
    const a = await pickSeats(winner, 3);
    const b = await pickSeats(loser, 3);
    assert.deepEqual(a, b);
    // The loser presses Hold right after the winner: whether it learns of the
    // loss from the 409 or from the live stream first, its map repaints the
    // seats at once and the best available is offered.
    await winner.getByRole('button', { name: 'Hold 3 seats' }).click();
    await loser.getByRole('button', { name: 'Hold 3 seats' }).click({ timeout: 2000 }).catch(() => {});
    await winner.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    await loser.getByText('Someone was quicker').waitFor();
    for (const i of b) await loser.locator(`[data-i="${i}"].s-held`).waitFor();
    await loser.getByRole('button', { name: 'Hold the best 3 available' }).click();
    await loser.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    const held = await loser.locator('.seat.picked').evaluateAll((els) => els.map((e) => e.dataset.i));
    assert.equal(held.length, 3);
    assert.ok(held.every((i) => !a.includes(i)));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
