// A booking and its tickets, one QR code per ticket (the ticket code, which
// the check-in page scans).
import { html } from '../vendor/preact-htm.js';
import { qrcode } from '../vendor/qrcode.js';
import { money, when } from './api.js';

export function qrDataUrl(text, cell = 4) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createDataURL(cell, 2);
}

export function Booking({ booking, show }) {
  return html`<section class="card" aria-labelledby="booking-h">
    <h2 id="booking-h">Booking ${booking.id}${booking.status === 'cancelled' ? ' (cancelled)' : ''}</h2>
    <p>${show ? html`${show.name}, ${when(show.starts_at)} at ${show.venue_name}. ` : ''}
      Paid <b>${money(booking.total_minor, booking.currency)}</b>.</p>
    <ul class="tickets" aria-label="Tickets">
      ${booking.tickets.map((t) => html`<li class="card" key=${t.code}>
        <img class="qr" src=${qrDataUrl(t.code)} alt=${`QR code of ticket ${t.code}`} data-code=${t.code} />
        <p><b>${t.seat}</b><br /><span class="muted">${t.code}</span></p>
      </li>`)}
    </ul>
  </section>`;
}
