// The organiser's side: a venue from a CSV upload with its preview, the
// API's validation errors for a bad seat map, a show with prices, sales
// paused and opened again, a waiting room opened, the dashboard moving
// during a small `boxoffice bench onsale`, and a booking cancelled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { binary, launch, newPage, shoot, startServer } from './harness.mjs';

const CSV = `section,section_name,row,seats,category,accessible
STALLS,Stalls,A,1-12 13-24,PREM,1 2
STALLS,Stalls,B,1-24,PREM,
STALLS,Stalls,C,1-24,STD,
BALC,Balcony,A,1-16,STD,
FLOOR,Standing,,ga:100,STD,
`;

test('an organiser creates a venue and a show, runs the sale and watches it move', async () => {
  const server = await startServer();
  const browser = await launch();
  const errors = [];
  try {
    const page = await newPage(await browser.newContext({ viewport: { width: 1280, height: 1000 } }), errors);
    page.on('dialog', (d) => d.accept());
    await page.goto(`${server.base}/admin`);
    await page.getByLabel(/^Organiser key \(/).fill(server.adminKey);
    await page.getByRole('button', { name: 'Use key' }).click();

    // A seat map the server refuses: its error is shown.
    const bad = JSON.stringify({ name: 'Bad', categories: [{ id: 'A' }],
      sections: [{ id: 'S', rows: [{ label: 'A', category: 'A', blocks: [{ first: 5, last: 1 }] }] }] });
    await page.getByLabel('Seat map file (JSON or CSV)').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Create venue' }).click();
    await page.getByText(/The server refused the seat map: .*sections\[0\]\.rows\[0\]/).waitFor();

    await page.getByLabel('Name', { exact: true }).first().fill('Little Hall');
    await page.getByLabel('Seat map file (JSON or CSV)').setInputFiles({ name: 'hall.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.locator('g.section').nth(2).waitFor();
    assert.equal(await page.locator('g.section').count(), 3);
    await page.getByRole('button', { name: 'Create venue' }).click();
    await page.getByText(/Venue v3 created: 88 seats, 100 standing places/).waitFor();
    await shoot(page, 'admin');

    const show = page.getByRole('form', { name: 'New show' });
    await page.locator('#show-h').scrollIntoViewIfNeeded();
    await page.getByLabel('Name', { exact: true }).nth(1).fill('Recital');
    await page.getByLabel('Price PREM').fill('42.50');
    await page.getByLabel('Price STD').fill('19');
    await page.getByRole('button', { name: 'Create show' }).click();
    await page.waitForURL(/\/admin\/shows\/s3$/);
    assert.ok(show);
    const created = await server.call('GET', '/v1/shows/s3');
    assert.deepEqual(created.json.prices, { PREM: 4250, STD: 1900 });

    // Sales: pause (a fan's hold is refused), then open again.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('sales').getByText('paused').waitFor();
    const fan = { Authorization: `Bearer ${await server.token('fan1')}` };
    const refused = await server.call('POST', '/v1/shows/s3/holds', { best_available: { count: 1 } }, fan);
    assert.equal(refused.json.code, 'sales_paused');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('sales').getByText('open').waitFor();

    // A waiting room, live.
    await page.getByRole('button', { name: 'Save waiting room' }).click();
    await page.getByTestId('room-fans').waitFor();

    // A small on-sale by the load generator, on its own show: the dashboard moves.
    const bench = spawn(binary, ['bench', 'onsale', '--url', server.base, '--data', server.data, '--fans', '150',
      '--seats', '400', '--connections', '8', '--profile', 'steady', '--duration-s', '10', '--quiet'], { stdio: 'ignore' });
    let benchShow = null;
    for (let k = 0; k < 100 && !benchShow; k++) {
      benchShow = (await server.call('GET', '/v1/shows')).json.shows.find((s) => s.id !== 's1' && s.id !== 's2' && s.id !== 's3');
      if (!benchShow) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(benchShow, 'bench made its show');
    await page.goto(`${server.base}/admin/shows/${benchShow.id}`);
    await page.getByTestId('bookings').waitFor();
    const before = Number((await page.getByTestId('bookings').textContent()).replace(/,/g, ''));
    await page.waitForFunction((b) => Number(document.querySelector('[data-testid=bookings]').textContent.replace(/,/g, '')) > b + 5, before, { timeout: 30000 });
    await shoot(page, 'dashboard');
    await new Promise((r) => bench.on('exit', r));

    // Cancel a booking.
    await page.getByRole('button', { name: /^Cancel booking/ }).first().click();
    await page.getByRole('cell', { name: 'cancelled', exact: true }).first().waitFor({ timeout: 10000 });
    const report = await server.admin('GET', `/v1/shows/${benchShow.id}/report`);
    assert.ok(report.json.cancelled >= 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
