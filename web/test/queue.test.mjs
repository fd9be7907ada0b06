// The waiting room from the fan's side: joining in the pre-queue, the
// countdown and the lottery's commitment; at the opening the draw, the seed
// and its check; admission; the move to the seat map; a hold with the access
// token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, newPage, shoot, signIn, startServer } from './harness.mjs';

test('a fan waits in the pre-queue, sees the draw and is moved to the seat map', async () => {
  const server = await startServer();
  const browser = await launch();
  const errors = [];
  try {
    const now = Date.now();
    const room = await server.admin('PUT', '/v1/shows/s1/queue', {
      enabled: true, prequeue_opens_at: new Date(now - 60000).toISOString(),
      onsale_at: new Date(now + 8000).toISOString(), admissions_per_minute: 600,
    });
    assert.equal(room.status, 200, JSON.stringify(room.json));
    // Others in the line, so the lottery has something to draw.
    for (const name of ['q1', 'q2', 'q3']) {
      const t = await server.token(name);
      assert.equal((await server.call('POST', '/v1/shows/s1/queue', {}, { Authorization: `Bearer ${t}` })).status, 201);
    }
    const page = await newPage(await browser.newContext({ viewport: { width: 1100, height: 900 } }), errors);
    await signIn(page, server, 'quinn');
    await page.goto(`${server.base}/shows/s1/queue`);
    await page.getByRole('button', { name: 'Join the line' }).click();
    await page.getByText('drawn by lottery at the opening').waitFor();
    await page.getByTestId('opens-in').waitFor();
    const commitment = room.json.seed_sha256;
    await page.getByText(commitment).waitFor();
    await shoot(page, 'queue');
    // The opening: the draw, then admission and the seat map.
    await page.waitForURL(`${server.base}/shows/s1`, { timeout: 30000 });
    // Anyone can check the published seed against the commitment.
    const visitor = await newPage(await browser.newContext(), errors);
    await visitor.goto(`${server.base}/shows/s1/queue`);
    await visitor.getByRole('button', { name: 'Verify the seed in this browser' }).click();
    await visitor.getByText('Verified: the SHA-256 of the seed').waitFor();
    await page.locator('g.section').first().click();
    await page.locator('.seat.s-free').first().click();
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
