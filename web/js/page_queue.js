// The waiting room (/shows/{id}/queue): join the line, then see where it
// stands from the live stream — position (sequence − now_serving), the
// estimated wait, when it was last updated, the countdown to the opening,
// the lottery's commitment and, once drawn, its seed with a check anyone
// can run; a warning when the seats left will probably not reach this fan;
// sold out; and, once admitted, the move to the seat map with an access token.
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { api, clock, countdown, fan, pathId, when } from './api.js';
import { useNow } from './hold_panel.js';
import { Frame, Notice, mount } from './layout.js';
import { openLive } from './live.js';

const ticketKey = (show) => `boxoffice.queue.${show}.${fan()?.user || ''}`;

async function sha256Hex(hex) {
  const bytes = new Uint8Array(hex.match(/../g).map((b) => parseInt(b, 16)));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function Lottery({ status }) {
  const [verified, setVerified] = useState(null);
  const verify = async () => setVerified((await sha256Hex(status.seed)) === status.seed_sha256);
  return html`<section class="card" aria-labelledby="lottery-h">
    <h2 id="lottery-h">The lottery</h2>
    <p>Fans who join before the opening are not served by who clicked first: at the opening they are put
      in an order drawn from a secret random number, the <i>seed</i>. So that nobody (not even us) can change
      the draw afterwards, we published the seed's fingerprint (its SHA-256) before anyone joined:</p>
    <p><code class="muted">${status.seed_sha256}</code></p>
    ${status.seed
      ? html`<p>The draw is done and the seed is now public:</p>
          <p><code>${status.seed}</code></p>
          <p>${`Anyone can check that this seed has the fingerprint published before, and recompute the order of the ${status.prequeue_fans.toLocaleString('en')} early fans from it (LotteryOrder in the server's source).`}</p>
          <button class="secondary" onClick=${verify}>Verify the seed in this browser</button>
          ${verified === true && html`<${Notice} kind="ok">Verified: the SHA-256 of the seed is the fingerprint published before the draw.<//>`}
          ${verified === false && html`<${Notice} kind="error">The seed does not match the published fingerprint.<//>`}`
      : html`<p>The seed itself is published here once the draw is done, at the opening.</p>`}
  </section>`;
}

function QueuePage() {
  const id = pathId('/shows/');
  const [show, setShow] = useState(null);
  const [status, setStatus] = useState(null);
  const [ticket, setTicket] = useState(() => JSON.parse(localStorage.getItem(ticketKey(id)) || 'null'));
  const [error, setError] = useState('');
  const [admitting, setAdmitting] = useState(false);
  const now = useNow();
  const ticketRef = useRef(ticket);
  ticketRef.current = ticket;

  const join = async () => {
    try {
      const t = await api(`/v1/shows/${id}/queue`, { as: 'fan', body: {} });
      localStorage.setItem(ticketKey(id), JSON.stringify(t));
      setTicket(t);
      setError('');
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    api(`/v1/shows/${id}`).then(setShow).catch((e) => setError(e.message));
    api(`/v1/shows/${id}/queue/status`).then(setStatus).catch((e) => setError(e.message));
    const live = openLive(id, { withToken: false, onMessage: (m) => { if (m.type === 'queue') setStatus(m); } });
    const poll = setInterval(() => {
      api(`/v1/shows/${id}/queue/status`).then(setStatus).catch(() => {});
    }, 5000);
    return () => { live.close(); clearInterval(poll); };
  }, []);
  // After the draw the ticket gets its sequence: joining again is idempotent.
  useEffect(() => {
    if (ticket && ticket.sequence == null && status?.seed && fan()) join();
  }, [status?.seed, ticket?.sequence]);
  // Admitted: trade the ticket for an access token and go to the seats.
  useEffect(() => {
    const t = ticketRef.current;
    if (!t || t.sequence == null || !status || status.now_serving < t.sequence || admitting) return;
    setAdmitting(true);
    api(`/v1/shows/${id}/queue/access`, { as: 'fan', body: { ticket: t.ticket } })
      .then((a) => {
        sessionStorage.setItem(`boxoffice.access.${id}`, a.access_token);
        location.assign(`/shows/${id}`);
      })
      .catch((e) => { setError(e.message); setAdmitting(false); });
  }, [status?.now_serving, ticket?.sequence]);

  if (!status) {
    return html`<${Frame} title="Waiting room" area="shows"><p>Loading…</p><${Notice} kind="error">${error}<//><//>`;
  }
  const opens = new Date(status.onsale_at).getTime();
  const position = ticket?.sequence != null ? Math.max(0, ticket.sequence - status.now_serving) : null;
  const waitS = position != null ? position * status.seconds_per_place : null;
  const tooLate = ticket?.sequence != null && status.served_through != null && ticket.sequence > status.served_through;
  return html`<${Frame} title=${`Waiting room${show ? `: ${show.name}` : ''}`} area="shows">
    ${status.sold_out && html`<${Notice} kind="error">Sold out. Seats may still come back if bookings are cancelled.<//>`}
    ${tooLate && !status.sold_out && html`<${Notice} kind="warn">This show will probably sell out before your turn: the seats left are likely to be gone before the line reaches you.<//>`}
    <section class="card" aria-labelledby="line-h">
      <h2 id="line-h">Your place</h2>
      ${!fan() && html`<p><a href=${`/signin?next=${encodeURIComponent(location.pathname)}`}>Sign in</a> to join the line.</p>`}
      ${fan() && !ticket && html`<button onClick=${join}>Join the line</button>`}
      ${ticket && ticket.sequence == null && html`<p>You are in the line${ticket.prequeue ? ' before the opening: your place is drawn by lottery at the opening' : ''}.</p>`}
      ${position != null && (admitting
        ? html`<p class="big" role="status">It's your turn — taking you to the seats…</p>`
        : html`<p>Fans ahead of you: <span class="big" data-testid="position">${position.toLocaleString('en')}</span></p>
            <p>Estimated wait: about ${Math.max(1, Math.round(waitS / 60))} minute${Math.round(waitS / 60) === 1 ? '' : 's'}</p>`)}
      ${now < opens && html`<p>Opens in <span class="big" data-testid="opens-in">${countdown(opens - now)}</span> (${when(status.onsale_at)})</p>`}
      <p class="muted">${`Now serving ${status.now_serving.toLocaleString('en')} of ${status.fans.toLocaleString('en')} fans in line, ${status.admissions_per_minute.toLocaleString('en')} let in a minute. State: ${status.state.replace('_', ' ')}. Updated ${clock(status.updated_at)}.`}</p>
    </section>
    <${Lottery} status=${status} />
    <${Notice} kind="error">${error}<//>
  <//>`;
}

mount(QueuePage);
