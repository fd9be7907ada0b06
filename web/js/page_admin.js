// The organisers' page (/admin): create a venue from a seat-map JSON or CSV
// file with a preview and the API's validation errors, create a show with
// prices, on-sale time, hold time and limits, and open a show's dashboard.
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { adminKey, api, when } from './api.js';
import { AdminKeyForm } from './admin_key.js';
import { Frame, Notice, mount } from './layout.js';
import { SeatMapView, buildModel } from './seatmap.js';
import { layoutOfSpec, seatMapFromCsv } from './venue_csv.js';

function Preview({ spec }) {
  const box = useRef(null);
  useEffect(() => {
    box.current.replaceChildren();
    if (!spec) return;
    try {
      const m = buildModel(layoutOfSpec(spec));
      m.sections.forEach((s) => { s.counts = [s.ga ? s.capacity : s.count, 0, 0, 0]; });
      new SeatMapView(box.current, m, {}).showOverview();
    } catch (e) {
      box.current.textContent = `No preview: ${e.message}`;
    }
  }, [spec]);
  return html`<figure><figcaption>Preview</figcaption><div ref=${box}></div></figure>`;
}

function VenueForm({ onCreated }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [spec, setSpec] = useState(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const parse = (t, fileName = '') => {
    setText(t);
    setDone('');
    try {
      const s = fileName.endsWith('.csv') || !t.trim().startsWith('{')
        ? seatMapFromCsv(t, name || fileName.replace(/\.csv$/, '') || 'Venue')
        : JSON.parse(t);
      if (name) s.name = name;
      setSpec(s);
      setError('');
    } catch (e) {
      setSpec(null);
      setError(`This file cannot be read: ${e.message}`);
    }
  };
  const onFile = async (e) => {
    const f = e.target.files[0];
    if (f) parse(await f.text(), f.name);
  };
  const create = async (e) => {
    e.preventDefault();
    try {
      const v = await api('/v1/venues', { as: 'admin', body: { ...spec, name: name || spec.name } });
      setDone(`Venue ${v.id} created: ${v.seats.toLocaleString('en')} seats, ${v.general_admission_capacity.toLocaleString('en')} standing places.`);
      setError('');
      onCreated(v);
    } catch (err) {
      setError(`The server refused the seat map: ${err.message}`);
    }
  };
  return html`<form class="card" onSubmit=${create} aria-labelledby="venue-h">
    <h2 id="venue-h">New venue</h2>
    <div class="row">
      <label>Name<input value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <label>Seat map file (JSON or CSV)<input type="file" accept=".json,.csv,application/json,text/csv" onChange=${onFile} /></label>
    </div>
    <details><summary>Or paste the seat map</summary>
      <label>Seat map (JSON or CSV)<textarea rows="8" cols="70" value=${text} onInput=${(e) => parse(e.target.value)}></textarea></label>
      <p class="muted">CSV columns: section, section_name, row, seats (blocks like "1-10 11-20"; "ga:500" for a standing area), category, accessible (seat numbers).</p>
    </details>
    <${Preview} spec=${spec} />
    <${Notice} kind="error">${error}<//>
    <${Notice} kind="ok">${done}<//>
    <button disabled=${!spec}>Create venue</button>
  </form>`;
}

const localInput = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

function ShowForm({ venueId, onCreated }) {
  const [venue, setVenue] = useState(venueId || '');
  const [categories, setCategories] = useState([]);
  const [f, setF] = useState({
    name: '', starts_at: localInput(new Date(Date.now() + 30 * 864e5)), on_sale_at: localInput(new Date()),
    currency: 'EUR', hold_ttl_s: 600, seats_per_order_max: 10, seats_per_fan_max: 10,
  });
  const [prices, setPrices] = useState({});
  const [error, setError] = useState('');
  useEffect(() => { if (venueId) setVenue(venueId); }, [venueId]);
  useEffect(() => {
    if (!/^v\d+$/.test(venue)) return;
    api(`/v1/venues/${venue}`).then((v) => { setCategories(v.categories); setError(''); })
      .catch((e) => setError(e.message));
  }, [venue]);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'number' ? Number(e.target.value) : e.target.value });
  const create = async (e) => {
    e.preventDefault();
    try {
      const body = {
        ...f, venue_id: venue, starts_at: new Date(f.starts_at).toISOString(),
        on_sale_at: new Date(f.on_sale_at).toISOString(),
        prices: Object.fromEntries(categories.map((c) => [c.id, Math.round(Number(prices[c.id] || 0) * 100)])),
      };
      const s = await api('/v1/shows', { as: 'admin', body });
      setError('');
      onCreated(s);
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<form class="card" onSubmit=${create} aria-labelledby="show-h">
    <h2 id="show-h">New show</h2>
    <div class="row">
      <label>Venue id<input value=${venue} onInput=${(e) => setVenue(e.target.value)} placeholder="v1" /></label>
      <label>Name<input required value=${f.name} onInput=${set('name')} /></label>
      <label>Starts<input type="datetime-local" value=${f.starts_at} onInput=${set('starts_at')} /></label>
      <label>On sale from<input type="datetime-local" value=${f.on_sale_at} onInput=${set('on_sale_at')} /></label>
      <label>Currency<input value=${f.currency} maxlength="3" size="4" onInput=${set('currency')} /></label>
    </div>
    <div class="row">
      ${categories.map((c) => html`<label key=${c.id}>Price ${c.name || c.id}
        <input type="number" min="0" step="0.01" required value=${prices[c.id] || ''}
          onInput=${(e) => setPrices({ ...prices, [c.id]: e.target.value })} /></label>`)}
    </div>
    <div class="row">
      <label>Hold time (s)<input type="number" min="1" max="3600" value=${f.hold_ttl_s} onInput=${set('hold_ttl_s')} /></label>
      <label>Seats per order<input type="number" min="1" max="50" value=${f.seats_per_order_max} onInput=${set('seats_per_order_max')} /></label>
      <label>Seats per fan<input type="number" min="1" max="1000" value=${f.seats_per_fan_max} onInput=${set('seats_per_fan_max')} /></label>
    </div>
    <${Notice} kind="error">${error}<//>
    <button disabled=${!categories.length}>Create show</button>
  </form>`;
}

function AdminPage() {
  const [, setKeyed] = useState(0);
  const [venue, setVenue] = useState('');
  const [shows, setShows] = useState([]);
  const load = () => api('/v1/shows').then((r) => setShows(r.shows)).catch(() => {});
  useEffect(() => { load(); }, []);
  return html`<${Frame} title="Organisers" area="admin">
    <${AdminKeyForm} onSet=${() => setKeyed((k) => k + 1)} />
    ${adminKey() && html`
      <${VenueForm} onCreated=${(v) => setVenue(v.id)} />
      <${ShowForm} venueId=${venue} onCreated=${(s) => location.assign(`/admin/shows/${s.id}`)} />`}
    <section aria-labelledby="shows-h">
      <h2 id="shows-h">Shows</h2>
      <table>
        <thead><tr><th>Show</th><th>Venue</th><th>Starts</th><th class="num">Left</th><th>Sales</th></tr></thead>
        <tbody>${shows.map((s) => html`<tr key=${s.id}>
          <td><a href=${`/admin/shows/${s.id}`}>${s.name}</a></td><td>${s.venue_name}</td><td>${when(s.starts_at)}</td>
          <td class="num">${s.available.toLocaleString('en')}</td><td>${s.sales}</td></tr>`)}</tbody>
      </table>
    </section>
  <//>`;
}

mount(AdminPage);
