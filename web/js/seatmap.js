// SeatMapView: a show's seat map as hand-written SVG, patched seat by seat.
//
// Two levels: an overview of the venue's sections (each a control showing
// how many places are free), and one section's rows and seats. Seats are
// coloured by price category and marked by state (free, held, booked,
// blocked) and shape (circles are accessible places). Every seat is a
// focusable checkbox with a spoken name ("Row A, seat 14, Premium,
// accessible, available"); arrow keys move between seats (roving tabindex),
// Space or Enter picks one. Zoom and pan: wheel, drag, pinch (pointer
// events), and the +, - and fit buttons.
//
// Live changes go through patch(seat, state): they are queued and applied
// once per animation frame, touching only the changed seats' elements (an
// index from seat to element) and the counts of their sections. No
// framework in this path. Seat indexes are the seat map's order, which is
// the availability encoding's.
const NS = 'http://www.w3.org/2000/svg';
export const STATES = ['free', 'held', 'booked', 'blocked'];
const STATE_WORDS = ['available', 'held by someone', 'sold', 'not for sale'];
const ROW_STEP = 1.25;
const AISLE = 1;
const CELL_W = 12;
const CELL_H = 8;

// The seat map JSON as flat arrays: seat i's section, row, x, category and label.
export function buildModel(seatmap) {
  const categories = seatmap.categories.map((c, i) => ({ ...c, index: i }));
  const catIndex = new Map(categories.map((c) => [c.id, c.index]));
  let total = 0;
  for (const s of seatmap.sections) for (const r of s.rows) total += r.seats.length;
  const m = {
    categories,
    sections: [],
    labels: new Array(total),
    byLabel: new Map(),
    section: new Uint16Array(total),
    row: new Uint32Array(total),
    x: new Float32Array(total),
    category: new Uint8Array(total),
    accessible: new Uint8Array(total),
    number: new Int32Array(total),
    rows: [],
    state: new Uint8Array(total),
  };
  let i = 0;
  seatmap.sections.forEach((s, si) => {
    const section = {
      index: si, id: s.id, name: s.name || s.id, ga: s.general_admission, capacity: s.capacity,
      category: s.general_admission ? catIndex.get(s.category) : null,
      first: i, rows: [], width: 0, counts: [0, 0, 0, 0],
    };
    s.rows.forEach((r, ri) => {
      const row = { index: m.rows.length, label: r.label, section: si, first: i, count: r.seats.length, y: ri * ROW_STEP };
      let x = 0;
      for (const seat of r.seats) {
        m.labels[i] = seat.label;
        m.byLabel.set(seat.label, i);
        m.section[i] = si;
        m.row[i] = row.index;
        m.x[i] = x;
        m.category[i] = catIndex.get(seat.category) ?? 0;
        m.accessible[i] = seat.accessible ? 1 : 0;
        m.number[i] = seat.number;
        x += 1 + (seat.aisle_after ? AISLE : 0);
        i++;
      }
      section.width = Math.max(section.width, x);
      m.rows.push(row);
      section.rows.push(row);
    });
    section.count = i - section.first;
    m.sections.push(section);
  });
  return m;
}

// Seat states from the availability's 2-bit encoding; GA counts per section.
export function applyAvailability(model, availability) {
  const bytes = Uint8Array.from(atob(availability.seats.data), (c) => c.charCodeAt(0));
  const n = model.state.length;
  for (let i = 0; i < n; i++) model.state[i] = (bytes[i >> 2] >> ((i & 3) * 2)) & 3;
  model.sections.forEach((s, si) => {
    const c = availability.sections[si];
    s.counts = [c.free, c.held, c.booked, c.blocked];
  });
}

export function seatName(model, i, selected) {
  const row = model.rows[model.row[i]];
  const cat = model.categories[model.category[i]];
  const parts = [`Row ${row.label}`, `seat ${model.number[i]}`, cat.name || cat.id];
  if (model.accessible[i]) parts.push('accessible');
  parts.push(selected ? 'selected' : STATE_WORDS[model.state[i]]);
  return parts.join(', ');
}

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

export class SeatMapView {
  // options: onPick(seat index), onSection(section index | null), onChange(section indexes),
  //          priceOf(category index) -> text
  constructor(container, model, options) {
    this.model = model;
    this.opt = options;
    this.selected = new Set();
    this.elements = new Map();  // seat index -> element, for the section shown
    this.sectionElements = [];  // section index -> overview <g>
    this.pending = [];
    this.scheduled = false;
    this.current = null;  // section shown, or null for the overview
    this.focusSeat = -1;
    this.root = document.createElement('div');
    this.root.className = 'seatmap';
    this.toolbar = document.createElement('div');
    this.toolbar.className = 'toolbar';
    this.toolbar.setAttribute('role', 'toolbar');
    this.toolbar.setAttribute('aria-label', 'Map view');
    this.root.appendChild(this.toolbar);
    this.svg = el('svg', { class: 'map', role: 'group' });
    this.root.appendChild(this.svg);
    container.appendChild(this.root);
    this.bindPointer();
    this.svg.addEventListener('click', (e) => this.onClick(e));
    this.svg.addEventListener('keydown', (e) => this.onKey(e));
  }

  // ---- drawing ----
  showOverview() {
    this.current = null;
    this.elements.clear();
    this.svg.replaceChildren();
    this.sectionElements = [];
    const n = this.model.sections.length;
    const cols = Math.ceil(Math.sqrt(n));
    this.svg.setAttribute('aria-label', 'Venue overview: choose a section');
    this.model.sections.forEach((s, si) => {
      const g = el('g', { class: 'section', tabindex: '0', role: 'button', 'data-s': si }, this.svg);
      const x = (si % cols) * CELL_W;
      const y = Math.floor(si / cols) * CELL_H;
      el('rect', { x: x + 0.4, y: y + 0.4, width: CELL_W - 0.8, height: CELL_H - 0.8, rx: 0.6, class: 'box' }, g);
      el('rect', { x: x + 0.4, y: y + 0.4, height: CELL_H - 0.8, rx: 0.6, class: 'fill' }, g);
      const name = el('text', { x: x + CELL_W / 2, y: y + CELL_H / 2 - 0.4, class: 'name' }, g);
      name.textContent = s.name;
      el('text', { x: x + CELL_W / 2, y: y + CELL_H / 2 + 1.6, class: 'free' }, g);
      this.sectionElements[si] = g;
      this.paintSection(si);
    });
    this.setViewBox({ x: 0, y: 0, w: cols * CELL_W, h: Math.ceil(n / cols) * CELL_H });
    this.drawToolbar();
  }

  paintSection(si) {
    const g = this.sectionElements[si];
    if (!g) return;
    const s = this.model.sections[si];
    const [free, held, booked, blocked] = s.counts;
    const total = free + held + booked + blocked || 1;
    const fill = g.children[1];
    fill.setAttribute('width', String(((CELL_W - 0.8) * free) / total));
    fill.setAttribute('class', `fill c-${s.ga ? s.category : this.model.category[s.first] ?? 0}`);
    g.children[3].textContent = `${free.toLocaleString('en')} free`;
    const kind = s.ga ? 'standing places' : 'seats';
    g.setAttribute('aria-label', `${s.name}: ${free.toLocaleString('en')} of ${total.toLocaleString('en')} ${kind} free${this.opt.sectionPrice ? `, ${this.opt.sectionPrice(si)}` : ''}`);
    g.classList.toggle('soldout', free === 0);
  }

  showSection(si) {
    const s = this.model.sections[si];
    if (s.ga) return;
    const t0 = performance.now();
    this.current = si;
    this.elements.clear();
    this.svg.replaceChildren();
    this.svg.setAttribute('aria-label', `${s.name}: seats by row. Arrow keys move, Space picks a seat.`);
    const m = this.model;
    const frag = document.createDocumentFragment();
    for (const row of s.rows) {
      const label = el('text', { x: -1.2, y: row.y + 0.62, class: 'rowlabel', 'aria-hidden': 'true' });
      label.textContent = row.label;
      frag.appendChild(label);
      for (let i = row.first; i < row.first + row.count; i++) {
        const e = m.accessible[i]
          ? el('circle', { cx: m.x[i] + 0.45, cy: row.y + 0.45, r: 0.45 })
          : el('rect', { x: m.x[i], y: row.y, width: 0.9, height: 0.9, rx: 0.2 });
        e.setAttribute('role', 'checkbox');
        e.setAttribute('data-i', i);
        this.paintSeat(i, e);
        this.elements.set(i, e);
        frag.appendChild(e);
      }
    }
    this.svg.appendChild(frag);
    const first = s.rows.length ? s.rows[0].first : -1;
    this.setFocusSeat(this.firstFree(si) ?? first, false);
    const h = s.rows.length * ROW_STEP;
    this.setViewBox({ x: -2.5, y: -0.5, w: s.width + 3.5, h: h + 1 });
    this.drawToolbar();
    this.lastSectionMs = performance.now() - t0;
  }

  firstFree(si) {
    const s = this.model.sections[si];
    for (let i = s.first; i < s.first + s.count; i++) if (this.model.state[i] === 0) return i;
    return null;
  }

  paintSeat(i, e = this.elements.get(i)) {
    if (!e) return;
    const m = this.model;
    const picked = this.selected.has(i);
    e.setAttribute('class', `seat c-${m.category[i]} s-${STATES[m.state[i]]}${picked ? ' picked' : ''}`);
    e.setAttribute('aria-checked', picked ? 'true' : 'false');
    if (m.state[i] !== 0 && !picked) e.setAttribute('aria-disabled', 'true');
    else e.removeAttribute('aria-disabled');
    e.setAttribute('aria-label', seatName(m, i, picked));
  }

  drawToolbar() {
    this.toolbar.replaceChildren();
    const button = (text, label, fn) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.setAttribute('aria-label', label);
      b.addEventListener('click', fn);
      this.toolbar.appendChild(b);
    };
    if (this.current !== null) {
      button('← All sections', 'Back to all sections', () => {
        this.showOverview();
        this.opt.onSection?.(null);
        this.sectionElements[0]?.focus();
      });
    }
    button('+', 'Zoom in', () => this.zoom(0.7));
    button('−', 'Zoom out', () => this.zoom(1 / 0.7));
    button('Fit', 'Fit to screen', () => this.setViewBox(this.home));
  }

  // ---- selection and live changes ----
  setSelected(set) {
    const before = this.selected;
    this.selected = new Set(set);
    for (const i of before) if (!this.selected.has(i)) this.paintSeat(i);
    for (const i of this.selected) if (!before.has(i)) this.paintSeat(i);
  }

  // Queues a seat's new state; applied at the next animation frame.
  patch(i, state) {
    this.pending.push(i, state);
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush());
    }
  }

  // A GA section's counts changed (from a change message's area and quantity).
  patchCounts(si, counts) {
    this.model.sections[si].counts = counts;
    this.paintSection(si);
  }

  flush() {
    this.scheduled = false;
    const m = this.model;
    const touched = new Set();
    const p = this.pending;
    for (let k = 0; k < p.length; k += 2) {
      const i = p[k];
      const state = p[k + 1];
      const old = m.state[i];
      if (old === state) continue;
      m.state[i] = state;
      const s = m.sections[m.section[i]];
      s.counts[old]--;
      s.counts[state]++;
      touched.add(s.index);
      this.paintSeat(i);
    }
    this.pending = [];
    for (const si of touched) this.paintSection(si);
    if (touched.size) this.opt.onChange?.(touched);
  }

  // ---- input ----
  onClick(e) {
    if (this.dragged) return;
    const t = e.target.closest('[data-i], [data-s]');
    if (!t) return;
    if (t.dataset.s !== undefined) return this.enterSection(Number(t.dataset.s));
    const i = Number(t.dataset.i);
    this.setFocusSeat(i, true);
    this.opt.onPick?.(i);
  }

  enterSection(si) {
    this.opt.onSection?.(si);
    if (this.model.sections[si].ga) return;
    this.showSection(si);
    this.elements.get(this.focusSeat)?.focus();
  }

  setFocusSeat(i, focus) {
    const old = this.elements.get(this.focusSeat);
    if (old) old.removeAttribute('tabindex');
    this.focusSeat = i;
    const e = this.elements.get(i);
    if (!e) return;
    e.setAttribute('tabindex', '0');
    if (focus) e.focus();
  }

  onKey(e) {
    const t = e.target;
    if (t.dataset?.s !== undefined && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      return this.enterSection(Number(t.dataset.s));
    }
    if (t.dataset?.i === undefined) return;
    const i = Number(t.dataset.i);
    const next = this.neighbour(i, e.key);
    if (next !== null) {
      e.preventDefault();
      this.setFocusSeat(next, true);
      this.scrollIntoView(next);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.opt.onPick?.(i);
    }
  }

  // The seat an arrow key (or Home/End) moves to from seat i, or null.
  neighbour(i, key) {
    const m = this.model;
    const row = m.rows[m.row[i]];
    const last = row.first + row.count - 1;
    if (key === 'ArrowLeft') return i > row.first ? i - 1 : null;
    if (key === 'ArrowRight') return i < last ? i + 1 : null;
    if (key === 'Home') return row.first;
    if (key === 'End') return last;
    if (key !== 'ArrowUp' && key !== 'ArrowDown') return null;
    const section = m.sections[row.section];
    const at = section.rows.indexOf(row) + (key === 'ArrowUp' ? -1 : 1);
    const other = section.rows[at];
    if (!other) return null;
    let best = other.first;
    for (let j = other.first; j < other.first + other.count; j++) {
      if (Math.abs(m.x[j] - m.x[i]) < Math.abs(m.x[best] - m.x[i])) best = j;
    }
    return best;
  }

  scrollIntoView(i) {
    const v = this.view;
    const x = this.model.x[i];
    const y = this.model.rows[this.model.row[i]].y;
    if (x < v.x || x > v.x + v.w - 1 || y < v.y || y > v.y + v.h - 1) {
      this.setViewBox({ ...v, x: x - v.w / 2, y: y - v.h / 2 }, false);
    }
  }

  // ---- zoom and pan ----
  setViewBox(v, home = true) {
    if (home) this.home = v;
    this.view = { ...v };
    this.svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
  }

  zoom(factor, cx = this.view.x + this.view.w / 2, cy = this.view.y + this.view.h / 2) {
    const v = this.view;
    const w = Math.min(Math.max(v.w * factor, 4), this.home.w * 4);
    const h = (v.h * w) / v.w;
    this.setViewBox({ x: cx - ((cx - v.x) * w) / v.w, y: cy - ((cy - v.y) * h) / v.h, w, h }, false);
  }

  toMap(clientX, clientY) {
    const r = this.svg.getBoundingClientRect();
    const scale = Math.max(this.view.w / r.width, this.view.h / r.height);
    return { x: this.view.x + (clientX - r.left) * scale, y: this.view.y + (clientY - r.top) * scale, scale };
  }

  bindPointer() {
    const pointers = new Map();
    let start = null;
    this.svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const p = this.toMap(e.clientX, e.clientY);
      this.zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    this.svg.addEventListener('pointerdown', (e) => {
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      start = { view: { ...this.view }, pointers: new Map(pointers) };
      this.dragged = false;
    });
    this.svg.addEventListener('pointermove', (e) => {
      if (!pointers.has(e.pointerId) || !start) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const r = this.svg.getBoundingClientRect();
      const scale = Math.max(start.view.w / r.width, start.view.h / r.height);
      if (pointers.size === 1) {
        const p0 = start.pointers.get(e.pointerId);
        const dx = e.clientX - p0.x;
        const dy = e.clientY - p0.y;
        if (Math.abs(dx) + Math.abs(dy) > 4) this.dragged = true;
        if (this.dragged) {
          if (!this.svg.hasPointerCapture(e.pointerId)) this.svg.setPointerCapture(e.pointerId);
          this.setViewBox({ ...start.view, x: start.view.x - dx * scale, y: start.view.y - dy * scale }, false);
        }
      } else if (pointers.size === 2 && start.pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const [a0, b0] = [...start.pointers.values()];
        const d = Math.hypot(a.x - b.x, a.y - b.y);
        const d0 = Math.hypot(a0.x - b0.x, a0.y - b0.y) || 1;
        this.dragged = true;
        this.view = { ...start.view };
        const mid = this.toMap((a0.x + b0.x) / 2, (a0.y + b0.y) / 2);
        this.zoom(d0 / d, mid.x, mid.y);
      }
    });
    const end = (e) => {
      pointers.delete(e.pointerId);
      start = pointers.size ? { view: { ...this.view }, pointers: new Map(pointers) } : null;
      setTimeout(() => { this.dragged = false; }, 0);
    };
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);
  }
}
