// The seat map page (/shows/{id}): the venue's sections, then a section's
// seats, live; pick seats (map, keyboard or list) and hold them in one
// request, or ask for the best available; then the hold with its countdown.
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { api, fan, money, pathId, when } from './api.js';
import { HoldPanel, rememberHold } from './hold_panel.js';
import { Frame, Notice, mount } from './layout.js';
import { openLive } from './live.js';
import { STATES, SeatMapView, applyAvailability, buildModel, seatName } from './seatmap.js';

const timings = (window.__boxoffice = { overview_ms: null, section_ms: [], changes_applied: 0 });
const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));

export function accessHeaders(show) {
  const access = sessionStorage.getItem(`boxoffice.access.${show}`);
  return access ? { 'Boxoffice-Access': access } : {};
}

function Legend({ model, show }) {
  return html`<ul class="legend" aria-label="Legend">
    ${model.categories.map((c) => html`<li key=${c.id}><span class=${`swatch bg-c-${c.index % 8}`}></span>
      ${c.name || c.id}: ${money(c.price_minor, show.currency)}</li>`)}
    <li><span class="swatch bg-picked"></span>your choice</li>
    <li><span class="swatch bg-held"></span>held</li>
    <li><span class="swatch bg-booked"></span>sold</li>
    <li><span class="swatch bg-blocked"></span>not for sale</li>
    <li><span class="swatch round bg-c-1"></span>accessible place (round)</li>
  </ul>`;
}

// The map's alternative: section, then row, then the row's seats as checkboxes.
function SeatList({ model, picked, onPick }) {
  const seated = model.sections.filter((s) => !s.ga);
  const [si, setSi] = useState(seated[0]?.index ?? 0);
  const [ri, setRi] = useState(0);
  const section = model.sections[si];
  const row = section?.rows[Math.min(ri, section.rows.length - 1)];
  return html`<details class="seatlist card">
    <summary>Choose seats from a list instead of the map</summary>
    <div class="row">
      <label>Section
        <select value=${si} onChange=${(e) => { setSi(Number(e.target.value)); setRi(0); }}>
          ${seated.map((s) => html`<option value=${s.index}>${s.name} (${s.counts[0]} free)</option>`)}
        </select></label>
      ${section && html`<label>Row
        <select value=${ri} onChange=${(e) => setRi(Number(e.target.value))}>
          ${section.rows.map((r, k) => html`<option value=${k}>Row ${r.label}</option>`)}
        </select></label>`}
    </div>
    ${row && html`<fieldset><legend>Seats of row ${row.label}</legend><div class="seats">
      ${Array.from({ length: row.count }, (_, k) => row.first + k).map((i) => html`<label class="inline" key=${i}>
        <input type="checkbox" checked=${picked.includes(i)} disabled=${model.state[i] !== 0 && !picked.includes(i)}
          onChange=${() => onPick(i)} />${seatName(model, i, picked.includes(i)).replace(`Row ${row.label}, s`, 'S')}</label>`)}
    </div></fieldset>`}
  </details>`;
}

function BestAvailable({ model, show, onHold, busy, preset }) {
  const [count, setCount] = useState(2);
  const [section, setSection] = useState('');
  useEffect(() => { if (preset) setSection(preset); }, [preset]);
  const [category, setCategory] = useState('');
  const [accessible, setAccessible] = useState(false);
  const submit = (e) => {
    e.preventDefault();
    const s = model.sections.find((x) => x.id === section);
    if (s?.ga) return onHold({ general_admission: { area: s.id, quantity: count } });
    const best = { count };
    if (section) best.section = section;
    if (category) best.category = category;
    if (accessible) best.accessible = true;
    onHold({ best_available: best });
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="best-h">
    <h2 id="best-h">Best available</h2>
    <div class="row">
      <label>Places<input type="number" min="1" max=${show.seats_per_order_max} value=${count}
        onInput=${(e) => setCount(Number(e.target.value))} /></label>
      <label>Section<select value=${section} onChange=${(e) => setSection(e.target.value)}>
        <option value="">Any</option>
        ${model.sections.map((s) => html`<option value=${s.id}>${s.name}</option>`)}
      </select></label>
      <label>Category<select value=${category} onChange=${(e) => setCategory(e.target.value)}>
        <option value="">Any</option>
        ${model.categories.map((c) => html`<option value=${c.id}>${c.name || c.id}</option>`)}
      </select></label>
      <label class="inline"><input type="checkbox" checked=${accessible}
        onChange=${(e) => setAccessible(e.target.checked)} />Accessible places</label>
      <button disabled=${busy}>Hold the best places</button>
    </div>
  </form>`;
}

// Loads the show, its seat map and availability, and draws the overview into
// `container`; records when the overview and each section were painted.
async function openSeatMap(id, container, { onPick, onStanding, onChange }) {
  const [s, seatmap, availability] = await Promise.all([
    api(`/v1/shows/${id}`), api(`/v1/shows/${id}/seatmap`), api(`/v1/shows/${id}/availability`)]);
  const m = buildModel(seatmap);
  applyAvailability(m, availability);
  let sectionStart = 0;
  const v = new SeatMapView(container, m, {
    onPick: (i) => onPick(m, i),
    onChange,
    onSection: (si) => {
      sectionStart = performance.now();
      if (si !== null && m.sections[si].ga) onStanding(m.sections[si]);
    },
    sectionPrice: (si) => {
      const sec = m.sections[si];
      const cat = m.categories[sec.ga ? sec.category : m.category[sec.first]];
      return cat ? `from ${money(cat.price_minor, s.currency)}` : '';
    },
  });
  const showSection = v.showSection.bind(v);
  v.showSection = (si) => {
    showSection(si);
    afterPaint(() => timings.section_ms.push(performance.now() - sectionStart));
  };
  v.showOverview();
  afterPaint(() => { timings.overview_ms = performance.now(); });
  return { s, m, v, availability };
}

// The live stream onto the map: changes patch seats (GA areas reload their
// counts, at most twice a second), resync reloads the snapshot, the fan's
// hold events go to onHoldEvent.
function followLive(id, m, v, version, onHoldEvent) {
  let refresh = null;
  const reload = async () => {
    const a = await api(`/v1/shows/${id}/availability`);
    const bytes = Uint8Array.from(atob(a.seats.data), (c) => c.charCodeAt(0));
    for (let i = 0; i < m.state.length; i++) v.patch(i, (bytes[i >> 2] >> ((i & 3) * 2)) & 3);
    m.sections.forEach((sec, si) => {
      const c = a.sections[si];
      if (sec.ga) v.patchCounts(si, [c.free, c.held, c.booked, c.blocked]);
    });
  };
  return openLive(id, {
    since: version,
    onMessage: (msg) => {
      if (msg.type === 'change') {
        const state = STATES.indexOf(msg.state);
        for (const label of msg.seats) {
          const i = m.byLabel.get(label);
          if (i !== undefined) v.patch(i, state);
        }
        timings.changes_applied += msg.seats.length;
        if (msg.area && !refresh) refresh = setTimeout(() => { refresh = null; reload(); }, 500);
      } else if (msg.type === 'resync') {
        reload();
      } else if (msg.type === 'hold') {
        onHoldEvent(msg);
      }
    },
  });
}

function SeatsPage() {
  const id = pathId('/shows/');
  const [show, setShow] = useState(null);
  const [model, setModel] = useState(null);
  const [picked, setPicked] = useState([]);
  const [hold, setHold] = useState(null);
  const [ended, setEnded] = useState(false);
  const [notice, setNotice] = useState(null);
  const [offer, setOffer] = useState(null);
  const [busy, setBusy] = useState(false);
  const [standing, setStanding] = useState('');  // a standing area chosen on the overview
  const [, setTick] = useState(0);
  const box = useRef(document.createElement('div'));
  // The map's element lives outside the render tree: re-attached, never re-created.
  const attach = (el) => { if (el && box.current.parentNode !== el) el.appendChild(box.current); };
  const view = useRef(null);
  const holdRef = useRef(null);
  holdRef.current = hold;

  useEffect(() => {
    let live = null;
    let tickQueued = false;
    openSeatMap(id, box.current, {
      onPick: (m, i) => pick(m, i),
      onStanding: (section) => {
        setStanding(section.id);
        setNotice({ kind: 'info', text: `${section.name}: standing places, no seat numbers. Choose how many under "Best available".` });
      },
      onChange: () => {  // re-render the page at most 4 times a second
        if (tickQueued) return;
        tickQueued = true;
        setTimeout(() => { tickQueued = false; setTick((t) => t + 1); }, 250);
      },
    }).then(({ s, m, v, availability }) => {
      view.current = v;
      setShow(s);
      setModel(m);
      live = followLive(id, m, v, availability.version, (msg) => {
        if (!holdRef.current || msg.hold !== holdRef.current.id) return;
        if (msg.event === 'expired') setEnded(true);
        if (msg.event === 'booked') location.assign(`/holds/${msg.hold}`);
      });
    }).catch((e) => setNotice({ kind: 'error', text: e.message }));
    return () => live?.close();
  }, []);

  const pick = (m, i) => {
    if (holdRef.current) {
      setNotice({ kind: 'info', text: 'You hold seats already: pay for them or release them to choose again.' });
      return;
    }
    setPicked((p) => {
      if (p.includes(i)) return p.filter((x) => x !== i);
      if (m.state[i] !== 0) return p;
      return [...p, i];
    });
  };
  // The map marks the seats picked, or once held, the hold's seats.
  useEffect(() => {
    if (!view.current) return;
    const held = hold && !ended ? (hold.seats || []).map((l) => model.byLabel.get(l)) : [];
    view.current.setSelected(hold && !ended ? held : picked);
  }, [picked, hold, ended]);
  // Picked seats someone else took (the live stream says so) are dropped, and the best offered.
  // (Not while a hold request is out: its own seats turn held on the stream too.)
  const taken = model && !busy ? picked.filter((i) => model.state[i] !== 0) : [];
  if (taken.length) {
    const sec = model.sections[model.section[taken[0]]];
    setPicked(picked.filter((i) => model.state[i] === 0));
    setOffer({ count: picked.length, section: sec.id, name: sec.name });
    setNotice({ kind: 'warn', text: `Someone was quicker: ${taken.map((i) => model.labels[i]).join(', ')} ${taken.length === 1 ? 'is' : 'are'} taken.` });
  }

  const placeHold = async (body) => {
    if (!fan()) {
      location.assign(`/signin?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    setBusy(true);
    setNotice(null);
    setOffer(null);
    try {
      const h = await api(`/v1/shows/${id}/holds`, { as: 'fan', body, headers: accessHeaders(id) });
      rememberHold(h);
      setHold(h);
      setEnded(false);
      setPicked([]);
      setOffer(null);
      setNotice({ kind: 'ok', text: `Held: ${h.seats.length ? h.seats.join(', ') : `${h.general_admission.quantity} standing places`}.` });
    } catch (e) {
      onHoldError(e, body);
    } finally {
      setBusy(false);
    }
  };

  const onHoldError = (e, body) => {
    if (e.code === 'seat_unavailable' && e.problem.conflicts) {
      // Another fan was quicker: repaint those seats now (the stream confirms) and offer the best.
      for (const label of e.problem.conflicts) {
        const i = model.byLabel.get(label);
        if (i !== undefined) view.current.patch(i, 1);
      }
      const count = body.seats.length;
      const sec = model.sections[model.section[model.byLabel.get(body.seats[0])]];
      setOffer({ count, section: sec.id, name: sec.name });
      setNotice({ kind: 'warn', text: `Someone was quicker: ${e.problem.conflicts.join(', ')} ${e.problem.conflicts.length === 1 ? 'is' : 'are'} taken.` });
    } else if (e.code === 'access_required' || e.code === 'access_invalid') {
      setNotice({ kind: 'warn', text: 'This show has a waiting room: taking you to the line…' });
      setTimeout(() => location.assign(`/shows/${id}/queue`), 1200);
    } else if (e.status === 401) {
      location.assign(`/signin?next=${encodeURIComponent(location.pathname)}`);
    } else {
      setNotice({ kind: 'error', text: e.message });
    }
  };

  if (!show || !model) {
    return html`<${Frame} title="Seats" area="shows">${notice && html`<${Notice} kind=${notice.kind}>${notice.text}<//>`}<//>`;
  }
  const total = picked.reduce((sum, i) => sum + model.categories[model.category[i]].price_minor, 0);
  return html`<${Frame} title=${show.name} area="shows">
    <p class="muted">${show.venue_name}, ${when(show.starts_at)}. ${show.available.toLocaleString('en')} places left${show.sales !== 'open' ? html` — <b>sales ${show.sales}</b>` : ''}.</p>
    <div class="layout">
      <div>
        <${Legend} model=${model} show=${show} />
        <div ref=${attach}></div>
        <${SeatList} model=${model} picked=${picked} onPick=${(i) => pick(model, i)} />
      </div>
      <aside aria-label="Your order">
        ${notice && html`<${Notice} kind=${notice.kind}>${notice.text}<//>`}
        ${offer && html`<div class="card"><p>Take the best ${offer.count} together in ${offer.name} instead?</p>
          <button onClick=${() => placeHold({ best_available: { count: offer.count, section: offer.section } })} disabled=${busy}>
            Hold the best ${offer.count} available</button></div>`}
        ${hold
          ? html`<${HoldPanel} hold=${hold} show=${show} ended=${ended} onChange=${setHold} />`
          : html`<section class="card" aria-labelledby="pick-h">
              <h2 id="pick-h">Your choice</h2>
              ${picked.length
                ? html`<ul>${picked.map((i) => html`<li key=${i}>${model.labels[i]}</li>`)}</ul>
                    <p>Total ${money(total, show.currency)}</p>`
                : html`<p class="muted">Choose a section, then seats (up to ${show.seats_per_order_max}).</p>`}
              <button onClick=${() => placeHold({ seats: picked.map((i) => model.labels[i]) })}
                disabled=${busy || !picked.length}>Hold ${picked.length || ''} seat${picked.length === 1 ? '' : 's'}</button>
            </section>`}
        ${!hold && html`<${BestAvailable} model=${model} show=${show} onHold=${placeHold} busy=${busy} preset=${standing} />`}
      </aside>
    </div>
  <//>`;
}

mount(SeatsPage);
