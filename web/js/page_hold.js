// A fan's hold (/holds/{id}): the countdown and payment before paying; after
// the gateway's page sends the fan back, "paid, booking…" until the booking
// arrives on the live stream, then the booking with a QR code per ticket.
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { api, fan, pathId } from './api.js';
import { HoldPanel, holdToken } from './hold_panel.js';
import { Frame, Notice, mount } from './layout.js';
import { openLive } from './live.js';
import { Booking } from './tickets.js';

function HoldPage() {
  const id = pathId('/holds/');
  const showId = `s${id.slice(1).split('-')[0]}`;
  const [show, setShow] = useState(null);
  const [hold, setHold] = useState(null);
  const [booking, setBooking] = useState(null);
  const [ended, setEnded] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!fan()) {
      location.assign(`/signin?next=${encodeURIComponent(location.pathname)}`);
      return undefined;
    }
    let done = false;
    const loadBooking = async (bookingId) => {
      if (done) return;
      done = true;
      setBooking(await api(`/v1/bookings/${bookingId}`, { as: 'fan' }));
    };
    const check = async () => {
      const h = await api(`/v1/holds/${id}`, { as: 'fan' });
      setHold((old) => ({ ...(old || {}), ...h, token: h.token || holdToken(id) }));
      if (h.booking_id) await loadBooking(h.booking_id);
      if (h.status === 'expired' || h.status === 'released') setEnded(true);
    };
    let poll = null;
    const live = openLive(showId, {
      onMessage: (m) => {
        if (m.type === 'hello') check().catch((e) => setError(e.message));
        if (m.type !== 'hold' || m.hold !== id) return;
        if (m.event === 'booked') loadBooking(m.booking).catch((e) => setError(e.message));
        if (m.event === 'expired') setEnded(true);
      },
    });
    api(`/v1/shows/${showId}`).then(setShow).catch((e) => setError(e.message));
    // Should the stream be down, the hold's state still arrives.
    poll = setInterval(() => { if (!done) check().catch(() => {}); }, 5000);
    return () => { live.close(); clearInterval(poll); };
  }, []);
  // The gateway's page sends the fan back with ?paid=1 (approved or not).
  const paid = new URLSearchParams(location.search).has('paid');
  const panel = () => html`<${HoldPanel} hold=${hold} show=${show} ended=${ended}
    onChange=${(h) => (h ? setHold(h) : setEnded(true))} />`;
  let body;
  if (booking) body = html`<${Notice} kind="ok">Booked. Your tickets are below.<//><${Booking} booking=${booking} show=${show} />`;
  else if (!hold || !show) body = html`<p>Loading…</p>`;
  else if (hold.status === 'confirmed' || (paid && hold.status === 'held' && !ended)) {
    body = html`<p class="notice" role="status">Paid, booking…</p>
      ${hold.status === 'held' && html`<details><summary>Payment declined? Pay again</summary>${panel()}</details>`}`;
  } else body = panel();
  return html`<${Frame} title=${booking ? 'Your tickets' : 'Your hold'} area="shows">
    ${body}
    <${Notice} kind="error">${error}<//>
  <//>`;
}

mount(HoldPage);
