// The fan's hold: its seats and total, a countdown to expires_at, extend
// (within the show's cap), release, and pay through the gateway's page,
// which returns to /holds/{id}. When the hold ends the panel says so and
// offers the way back to the seat map.
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { api, countdown, money } from './api.js';
import { Notice } from './layout.js';

export function rememberHold(hold) {
  sessionStorage.setItem(`boxoffice.hold.${hold.id}`, hold.token);
}
export function holdToken(id) { return sessionStorage.getItem(`boxoffice.hold.${id}`) || ''; }

export function useNow(period = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), period);
    return () => clearInterval(t);
  }, [period]);
  return now;
}

// props: hold, show, onChange(hold | null), ended (the hold event said it expired)
export function HoldPanel({ hold, show, onChange, ended }) {
  const now = useNow();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const left = new Date(hold.expires_at).getTime() - now;
  const over = ended || hold.status === 'expired' || hold.status === 'released' || left <= 0;
  const headers = { 'X-Hold-Token': hold.token || holdToken(hold.id) };
  const act = async (fn) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const extend = () => act(async () => {
    const h = await api(`/v1/holds/${hold.id}/extend`, { as: 'fan', headers, body: { by_s: Math.min(show.hold_ttl_s, 300) } });
    onChange({ ...hold, ...h });
  });
  const release = () => act(async () => {
    await api(`/v1/holds/${hold.id}`, { method: 'DELETE', as: 'fan', headers });
    onChange(null);
  });
  const pay = () => act(async () => {
    const p = await api(`/v1/holds/${hold.id}/checkout`, { as: 'fan', headers, body: {} });
    const back = encodeURIComponent(`/holds/${hold.id}?paid=1`);
    location.assign(`${p.pay_url}${p.pay_url.includes('?') ? '&' : '?'}return=${back}`);
  });
  const places = hold.seats?.length ? hold.seats.join(', ')
    : hold.general_admission ? `${hold.general_admission.quantity} × ${hold.general_admission.area}` : '';
  if (over) {
    return html`<section class="card" aria-labelledby="hold-h">
      <h2 id="hold-h">Your hold ended</h2>
      <${Notice} kind="warn">${places ? `The places ${places} were` : 'Your places were'} held for you${hold.expires_at ? ` until ${new Date(hold.expires_at).toLocaleTimeString('en-GB')}` : ''}; they are free for others again.<//>
      <a class="button" href=${`/shows/${show.id}`}>Back to the seat map</a>
    </section>`;
  }
  const minutes = Math.ceil(left / 60000);
  return html`<section class="card" aria-labelledby="hold-h">
    <h2 id="hold-h">Your seats are held</h2>
    <p>${places}</p>
    <p>Total <b>${money(hold.total_minor, hold.currency)}</b></p>
    <p>Time left <span class="big" aria-hidden="true" data-testid="countdown">${countdown(left)}</span>
      <span class="visually-hidden" aria-live="polite">${minutes} minute${minutes === 1 ? '' : 's'} left</span></p>
    <div class="row">
      <button onClick=${pay} disabled=${busy}>Pay</button>
      <button class="secondary" onClick=${extend} disabled=${busy}>More time</button>
      <button class="secondary" onClick=${release} disabled=${busy}>Release</button>
    </div>
    <${Notice} kind="error">${error}<//>
  </section>`;
}
