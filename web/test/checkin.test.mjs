// Check-in at the door: a ticket's QR code shown to a fake camera (Chromium
// reads a Y4M file as its camera), decoded by the page with jsQR, checked in
// once — and a second scan of the same code says "already checked in at T".
// Typed codes: unknown and wrong show.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { qrcode } from '../vendor/qrcode.js';
import { launch, newPage, shoot, startServer } from './harness.mjs';

// A Y4M video (4:2:0) of a few identical frames: the QR code of `text`, black on white.
function qrVideo(text, file) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const w = 640;
  const h = 480;
  const cell = Math.floor(Math.min(w, h) / (n + 8));
  const x0 = Math.floor((w - n * cell) / 2);
  const y0 = Math.floor((h - n * cell) / 2);
  const y = Buffer.alloc(w * h, 235);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.isDark(r, c)) continue;
      for (let dy = 0; dy < cell; dy++) y.fill(16, (y0 + r * cell + dy) * w + x0 + c * cell, (y0 + r * cell + dy) * w + x0 + (c + 1) * cell);
    }
  }
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  const frames = [];
  for (let k = 0; k < 5; k++) frames.push(Buffer.from('FRAME\n'), y, chroma);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`), ...frames]));
}

test('a ticket is checked in from its QR code through the camera, and a second scan says when', async () => {
  const server = await startServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxoffice-cam-'));
  let browser = null;
  try {
    const fan = { Authorization: `Bearer ${await server.token('dora')}` };
    const hold = await server.call('POST', '/v1/shows/s1/holds', { best_available: { count: 1 } }, fan);
    assert.equal(hold.status, 201);
    const booking = await server.admin('POST', `/v1/holds/${hold.json.id}/confirm`, { payment_ref: 'door-test' });
    assert.equal(booking.status, 201);
    const code = booking.json.tickets[0].code;
    const video = path.join(dir, 'ticket.y4m');
    qrVideo(code, video);

    browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`]);
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    await context.grantPermissions(['camera'], { origin: server.base });
    const errors = [];
    const page = await newPage(context, errors);
    await page.goto(`${server.base}/checkin`);
    await page.getByLabel(/^Organiser key \(/).fill(server.adminKey);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByLabel('Show at this door').selectOption('s1');
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.getByTestId('result').getByText(/^Valid: let in/).waitFor({ timeout: 20000 });
    await shoot(page, 'checkin');
    await page.getByTestId('result').getByText(/^Already checked in at \d\d:\d\d:\d\d/).waitFor({ timeout: 20000 });
    await page.getByRole('button', { name: 'Stop the camera' }).click();
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    assert.match(metrics, /checkins_total\{result="checked_in"\} 1\n/);
    assert.match(metrics, /checkins_total\{result="already_checked_in"\} [1-9]/);

    // Typed: unknown, then wrong show.
    await page.getByLabel('Ticket code').fill('tk_00000000000000000000000000000000');
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.getByTestId('result').getByText('Unknown ticket.').waitFor();
    await page.getByLabel('Show at this door').selectOption('s2');
    await page.getByLabel('Ticket code').fill(code);
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.getByTestId('result').getByText('Wrong show: this ticket is for s1.').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
