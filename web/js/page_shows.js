// The shows list (/): search by name, venue and date; each show links to
// its seat map (and to its waiting room when it has one).
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { api, money, when } from './api.js';
import { Frame, Notice, mount } from './layout.js';

function ShowsPage() {
  const [q, setQ] = useState(new URLSearchParams(location.search).get('q') || '');
  const [venue, setVenue] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [shows, setShows] = useState(null);
  const [error, setError] = useState('');
  const search = async (e) => {
    e?.preventDefault();
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (from) p.set('from', new Date(`${from}T00:00:00`).toISOString());
    if (to) p.set('to', new Date(`${to}T23:59:59`).toISOString());
    try {
      const r = await api(`/v1/shows?${p}`);
      const v = venue.trim().toLowerCase();
      setShows(r.shows.filter((s) => !v || s.venue_name.toLowerCase().includes(v)));
      setError('');
    } catch (err) {
      setError(err.message);
    }
  };
  useEffect(() => { search(); }, []);
  return html`<${Frame} title="Shows" area="shows">
    <form class="card row" role="search" onSubmit=${search}>
      <label>Name<input type="search" value=${q} onInput=${(e) => setQ(e.target.value)} /></label>
      <label>Venue<input type="search" value=${venue} onInput=${(e) => setVenue(e.target.value)} /></label>
      <label>From<input type="date" value=${from} onInput=${(e) => setFrom(e.target.value)} /></label>
      <label>To<input type="date" value=${to} onInput=${(e) => setTo(e.target.value)} /></label>
      <button>Search</button>
    </form>
    <${Notice} kind="error">${error}<//>
    ${shows && !shows.length && html`<p>No show matches.</p>`}
    <ul class="cards" aria-label="Shows">
      ${(shows || []).map((s) => {
        const low = Math.min(...Object.values(s.prices));
        return html`<li class="card" key=${s.id}>
          <h2><a href=${`/shows/${s.id}`}>${s.name}</a></h2>
          <p>${s.venue_name}<br />${when(s.starts_at)}</p>
          <p>${s.available.toLocaleString('en')} of ${s.capacity.toLocaleString('en')} places left, from ${money(low, s.currency)}${s.sales !== 'open' ? html`<br /><b>Sales ${s.sales}</b>` : ''}</p>
          <p><a href=${`/shows/${s.id}/queue`}>Waiting room</a></p>
        </li>`;
      })}
    </ul>
  <//>`;
}

mount(ShowsPage);
