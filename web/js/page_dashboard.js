// A show's dashboard for organisers (/admin/shows/{id}): open, pause and
// close sales; configure the waiting room and watch it; sold, held and free
// places per section and category as they change; bookings and revenue per
// minute; conflicts and expiries; the bookings with cancel (paid ones are
// refunded); the report as CSV.
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { adminKey, api, clock, money, pathId, when } from './api.js';
import { AdminKeyForm } from './admin_key.js';
import { Frame, Notice, mount } from './layout.js';
import { openLive } from './live.js';

const localInput = (iso) => {
  const d = iso ? new Date(iso) : new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};

function Sales({ show, onShow }) {
  const [error, setError] = useState('');
  const set = async (sales) => {
    try {
      onShow(await api(`/v1/shows/${show.id}`, { method: 'PATCH', as: 'admin', body: { sales } }));
      setError('');
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<section class="card" aria-labelledby="sales-h">
    <h2 id="sales-h">Sales: <span data-testid="sales">${show.sales}</span></h2>
    <div class="row">
      <button onClick=${() => set('open')} disabled=${show.sales !== 'paused'}>Open</button>
      <button class="secondary" onClick=${() => set('paused')} disabled=${show.sales !== 'open'}>Pause</button>
      <button class="secondary" onClick=${() => set('closed')} disabled=${show.sales === 'closed'}>Close for good</button>
    </div>
    <${Notice} kind="error">${error}<//>
  </section>`;
}

function WaitingRoom({ show, room, onRoom }) {
  const [f, setF] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (f) return;
    setF(room ? { ...room, prequeue_opens_at: localInput(room.prequeue_opens_at), onsale_at: localInput(room.onsale_at) }
      : { enabled: true, prequeue_opens_at: localInput(), onsale_at: localInput(show.on_sale_at), admissions_per_minute: 600,
          active_shoppers_max: 1000, session_seconds: 600, mode: 'everyone' });
  }, [room]);
  if (!f) return null;
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.type === 'number' ? Number(e.target.value) : e.target.value });
  const save = async (e) => {
    e.preventDefault();
    try {
      const body = {
        enabled: f.enabled, prequeue_opens_at: new Date(f.prequeue_opens_at).toISOString(),
        onsale_at: new Date(f.onsale_at).toISOString(), admissions_per_minute: f.admissions_per_minute,
        active_shoppers_max: f.active_shoppers_max, session_seconds: f.session_seconds, mode: f.mode,
      };
      onRoom(await api(`/v1/shows/${show.id}/queue`, { method: 'PUT', as: 'admin', body }));
      setError('');
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<section class="card" aria-labelledby="room-h">
    <h2 id="room-h">Waiting room</h2>
    ${room && html`<dl class="row" aria-label="The line now">
      <div><dt>Fans in line</dt><dd class="big" data-testid="room-fans">${room.fans.toLocaleString('en')}</dd></div>
      <div><dt>Now serving</dt><dd class="big" data-testid="room-serving">${room.now_serving.toLocaleString('en')}</dd></div>
      <div><dt>Admitted a minute</dt><dd class="big">${room.admissions_per_minute.toLocaleString('en')}</dd></div>
      <div><dt>Shopping now</dt><dd class="big">${room.active_shoppers.toLocaleString('en')}</dd></div>
      <div><dt>State</dt><dd class="big">${room.state.replace('_', ' ')}</dd></div>
    </dl>`}
    <form onSubmit=${save}>
      <div class="row">
        <label class="inline"><input type="checkbox" checked=${f.enabled} onChange=${set('enabled')} />On</label>
        <label>Line opens<input type="datetime-local" value=${f.prequeue_opens_at} onInput=${set('prequeue_opens_at')} /></label>
        <label>Sale opens (lottery draw)<input type="datetime-local" value=${f.onsale_at} onInput=${set('onsale_at')} /></label>
        <label>Admissions a minute<input type="number" min="1" value=${f.admissions_per_minute} onInput=${set('admissions_per_minute')} /></label>
        <label>Shoppers at once<input type="number" min="1" value=${f.active_shoppers_max} onInput=${set('active_shoppers_max')} /></label>
        <label>Session (s)<input type="number" min="10" value=${f.session_seconds} onInput=${set('session_seconds')} /></label>
        <label>Who queues<select value=${f.mode} onChange=${set('mode')}>
          <option value="everyone">everyone</option><option value="at_capacity">only when full</option></select></label>
      </div>
      <button>Save waiting room</button>
    </form>
    <${Notice} kind="error">${error}<//>
  </section>`;
}

function Counts({ title, rows, names }) {
  return html`<table aria-label=${title}>
    <thead><tr><th>${title}</th><th class="num">Sold</th><th class="num">Held</th><th class="num">Free</th><th class="num">Blocked</th></tr></thead>
    <tbody>${rows.map((c, i) => html`<tr key=${names[i]}><td>${names[i]}</td><td class="num">${c.booked}</td>
      <td class="num">${c.held}</td><td class="num">${c.free}</td><td class="num">${c.blocked}</td></tr>`)}</tbody>
  </table>`;
}

// Bookings and revenue per minute as bars (the last 30 minutes with sales).
function Chart({ report }) {
  const minutes = report.minutes.slice(-30);
  const max = Math.max(1, ...minutes.map((m) => m.revenue_minor));
  const bw = Math.min(40, 600 / Math.max(minutes.length, 1));
  return html`<figure>
    <svg class="chart" viewBox="0 0 600 180" role="img" aria-label=${`Revenue per minute: ${minutes.map((m) => `${clock(m.minute)} ${money(m.revenue_minor, report.currency)}`).join('; ') || 'no sales yet'}`}>
      ${minutes.map((m, i) => {
        const h = (150 * m.revenue_minor) / max;
        return html`<g key=${m.minute}><rect class="bar" x=${i * bw + 2} y=${160 - h} width=${bw - 4} height=${h} />
          <text x=${i * bw + bw / 2} y="175" text-anchor="middle">${clock(m.minute).slice(0, 5)}</text>
          <text x=${i * bw + bw / 2} y=${155 - h} text-anchor="middle">${m.bookings}</text></g>`;
      })}
    </svg>
    <figcaption>Revenue per minute (bars) and bookings per minute (numbers).</figcaption>
  </figure>`;
}

function Bookings({ show, bookings, onChange }) {
  const [error, setError] = useState('');
  const cancel = async (b) => {
    if (!confirm(`Cancel booking ${b.id} (${b.seats.join(', ') || b.general_admission?.quantity + ' places'})? A card payment is refunded.`)) return;
    try {
      await api(`/v1/bookings/${b.id}/cancel`, { as: 'admin', body: {} });
      onChange();
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<section aria-labelledby="bookings-h">
    <h2 id="bookings-h">Bookings (${bookings.length})</h2>
    <${Notice} kind="error">${error}<//>
    <table>
      <thead><tr><th>Booking</th><th>Fan</th><th>Places</th><th class="num">Paid</th><th>When</th><th>Status</th><th></th></tr></thead>
      <tbody>${bookings.slice(-200).reverse().map((b) => html`<tr key=${b.id}>
        <td>${b.id}</td><td>${b.user}</td><td>${b.seats.join(', ') || `${b.general_admission?.quantity} × ${b.general_admission?.area}`}</td>
        <td class="num">${money(b.total_minor, b.currency)}</td><td>${clock(b.booked_at)}</td><td>${b.status}</td>
        <td>${b.status === 'confirmed' && html`<button class="secondary" onClick=${() => cancel(b)}
          aria-label=${`Cancel booking ${b.id}`}>Cancel</button>`}</td></tr>`)}</tbody>
    </table>
  </section>`;
}

function metric(text, name) {
  const m = new RegExp(`^(?:boxoffice_)?${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function DashboardPage() {
  const id = pathId('/admin/shows/');
  const [show, setShow] = useState(null);
  const [seatmap, setSeatmap] = useState(null);
  const [availability, setAvailability] = useState(null);
  const [report, setReport] = useState(null);
  const [bookings, setBookings] = useState([]);
  const [room, setRoom] = useState(null);
  const [events, setEvents] = useState({ expired: 0, changes: 0, conflicts: 0 });
  const [error, setError] = useState('');
  const [keyed, setKeyed] = useState(0);
  const pending = useRef(null);

  const refresh = async () => {
    try {
      const [a, r, b, metrics] = await Promise.all([
        api(`/v1/shows/${id}/availability`), api(`/v1/shows/${id}/report`, { as: 'admin' }),
        api(`/v1/bookings?show=${id}`, { as: 'admin' }), fetch('/metrics').then((x) => x.text())]);
      setAvailability(a);
      setReport(r);
      setBookings(b.bookings);
      setEvents((e) => ({ ...e, conflicts: metric(metrics, 'hold_conflicts_total') }));
      api(`/v1/shows/${id}/queue`, { as: 'admin' }).then(setRoom).catch(() => {});
      setError('');
    } catch (e) {
      setError(e.message);
    }
  };
  // At most one refresh a second, whatever the stream's rate.
  const soon = () => {
    if (!pending.current) pending.current = setTimeout(() => { pending.current = null; refresh(); }, 1000);
  };
  useEffect(() => {
    if (!adminKey()) return undefined;
    api(`/v1/shows/${id}`).then(setShow).catch((e) => setError(e.message));
    api(`/v1/shows/${id}/seatmap`).then(setSeatmap).catch(() => {});
    refresh();
    const live = openLive(id, {
      withToken: false,
      onMessage: (m) => {
        if (m.type === 'change') {
          setEvents((e) => ({ ...e, changes: e.changes + 1, expired: e.expired + (m.reason === 'expired' ? 1 : 0) }));
          soon();
        } else if (m.type === 'queue') {
          soon();
        }
      },
    });
    const poll = setInterval(refresh, 5000);
    return () => { live.close(); clearInterval(poll); };
  }, [keyed]);

  const download = async () => {
    const res = await api(`/v1/shows/${id}/report?format=csv`, { as: 'admin', raw: true });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob());
    a.download = `${id}-report.csv`;
    a.click();
  };

  if (!adminKey()) {
    return html`<${Frame} title="Sale dashboard" area="admin"><${AdminKeyForm} onSet=${() => setKeyed((k) => k + 1)} /><//>`;
  }
  if (!show || !availability || !report || !seatmap) {
    return html`<${Frame} title="Sale dashboard" area="admin"><p>Loading…</p><${Notice} kind="error">${error}<//><//>`;
  }
  return html`<${Frame} title=${`Dashboard: ${show.name}`} area="admin">
    <p class="muted">${show.venue_name}, ${when(show.starts_at)}. <a href=${`/shows/${id}`}>Fans' seat map</a></p>
    <${Notice} kind="error">${error}<//>
    <section class="card" aria-labelledby="totals-h">
      <h2 id="totals-h">The sale now</h2>
      <dl class="row">
        <div><dt>Bookings</dt><dd class="big" data-testid="bookings">${report.bookings.toLocaleString('en')}</dd></div>
        <div><dt>Places sold</dt><dd class="big" data-testid="sold">${report.places_booked.toLocaleString('en')}</dd></div>
        <div><dt>Revenue</dt><dd class="big">${money(report.revenue_minor, report.currency)}</dd></div>
        <div><dt>Expiries (since this page opened)</dt><dd class="big">${events.expired}</dd></div>
        <div><dt>Conflicts (all shows)</dt><dd class="big">${events.conflicts}</dd></div>
      </dl>
      <button class="secondary" onClick=${download}>Download the report (CSV)</button>
    </section>
    <${Sales} show=${show} onShow=${setShow} />
    <${Chart} report=${report} />
    <div class="cards wide">
      <${Counts} title="Section" rows=${availability.sections} names=${seatmap.sections.map((s) => s.name)} />
      <${Counts} title="Category" rows=${availability.categories} names=${seatmap.categories.map((c) => c.name || c.id)} />
    </div>
    <${WaitingRoom} show=${show} room=${room} onRoom=${(r) => { setRoom(r); soon(); }} />
    <${Bookings} show=${show} bookings=${bookings} onChange=${refresh} />
  <//>`;
}

mount(DashboardPage);
