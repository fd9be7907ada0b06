// The seat map on a phone and with a mouse: tap a section and a seat, zoom
// with the wheel and the buttons, pan by dragging, pinch with two pointers;
// and the list alternative picks the same seats as the map.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, newPage, startServer } from './harness.mjs';

const viewBox = (page) => page.locator('svg.map').evaluate((s) => s.getAttribute('viewBox').split(' ').map(Number));

test('the map works by touch, wheel, drag and pinch, and the list picks seats too', async () => {
  const server = await startServer();
  const browser = await launch();
  const errors = [];
  try {
    const phone = await newPage(await browser.newContext({
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    }), errors);
    await phone.goto(`${server.base}/shows/s1`);
    await phone.locator('g.section').first().tap();
    const seat = phone.locator('.seat.s-free').nth(3);
    await seat.tap();
    await phone.locator('.seat.picked').waitFor();

    // Pinch: two pointers moving apart zoom in around their middle.
    const before = await viewBox(phone);
    await phone.locator('svg.map').evaluate((svg) => {
      const r = svg.getBoundingClientRect();
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      const ev = (type, id, x) => svg.dispatchEvent(new PointerEvent(type, {
        pointerId: id, clientX: x, clientY: cy, bubbles: true, pointerType: 'touch', isPrimary: id === 1,
      }));
      ev('pointerdown', 1, cx - 20);
      ev('pointerdown', 2, cx + 20);
      ev('pointermove', 1, cx - 60);
      ev('pointermove', 2, cx + 60);
      ev('pointerup', 1, cx - 60);
      ev('pointerup', 2, cx + 60);
    });
    const pinched = await viewBox(phone);
    assert.ok(pinched[2] < before[2] * 0.6, `pinch zoomed in: ${before} -> ${pinched}`);

    const desk = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }), errors);
    await desk.goto(`${server.base}/shows/s1`);
    await desk.locator('g.section').first().click();
    await desk.locator('.seat').first().waitFor();
    const home = await viewBox(desk);
    const box = await desk.locator('svg.map').boundingBox();
    await desk.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await desk.mouse.wheel(0, -300);
    await desk.waitForFunction((w) => Number(document.querySelector('svg.map').getAttribute('viewBox').split(' ')[2]) < w, home[2]);
    const zoomed = await viewBox(desk);
    await desk.mouse.down();
    await desk.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 5 });
    await desk.mouse.up();
    const panned = await viewBox(desk);
    assert.ok(panned[0] < zoomed[0], `dragging right pans left: ${zoomed} -> ${panned}`);
    await desk.getByRole('button', { name: 'Fit to screen' }).click();
    assert.deepEqual(await viewBox(desk), home);
    await desk.getByRole('button', { name: 'Zoom in' }).click();
    assert.ok((await viewBox(desk))[2] < home[2]);

    // The list alternative: section, row, seat checkbox; the map shows the pick.
    await desk.getByText('Choose seats from a list instead of the map').click();
    await desk.locator('.seatlist select').nth(1).selectOption({ index: 1 });
    const box2 = desk.locator('.seatlist input[type=checkbox]:not([disabled])').first();
    await box2.check();
    await desk.locator('.seat.picked').waitFor();
    const label = await desk.locator('.seat.picked').getAttribute('aria-label');
    assert.match(label, /^Row \w+, seat \d+, .*selected$/);
    await desk.getByRole('button', { name: 'Hold 1 seat' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
