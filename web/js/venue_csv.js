// Seat maps for upload: a CSV seat map turned into the JSON that
// POST /v1/venues takes, and a seat-map description laid out like a show's
// seat map (for the preview). Pure functions: no DOM.
//
// The CSV has a header line and one line per row of seats, or per standing area:
//
//   section,section_name,row,seats,category,accessible
//   STALLS,Stalls,A,1-10 11-20,PREM,1 2        two blocks: an aisle between 10 and 11
//   STALLS,Stalls,B,1-20,STD,
//   FLOOR,Standing floor,,ga:500,FLOOR,         a general-admission area of 500 places
//
// `seats` is blocks "first-last" separated by spaces (an aisle between two
// blocks); `accessible` lists seat numbers. Categories are named by their ids.

function splitCsvLine(line) {
  const out = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(field.trim()); field = ''; } else field += c;
  }
  out.push(field.trim());
  return out;
}

// The JSON seat map of a CSV text, or throws an Error naming the line.
export function seatMapFromCsv(text, name) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) throw new Error('the CSV is empty');
  const header = splitCsvLine(lines[0]).map((h) => h.toLowerCase());
  const col = (n) => header.indexOf(n);
  for (const n of ['section', 'row', 'seats', 'category']) {
    if (col(n) < 0) throw new Error(`line 1: the header needs a "${n}" column`);
  }
  const sections = new Map();
  const categories = new Set();
  lines.slice(1).forEach((line, k) => {
    const f = splitCsvLine(line);
    const at = `line ${k + 2}`;
    const get = (n) => (col(n) >= 0 ? f[col(n)] || '' : '');
    const id = get('section');
    if (!id) throw new Error(`${at}: no section`);
    const category = get('category');
    if (!category) throw new Error(`${at}: no category`);
    categories.add(category);
    if (!sections.has(id)) sections.set(id, { id, name: get('section_name') || id, rows: [] });
    const section = sections.get(id);
    const seats = get('seats');
    const ga = /^ga:(\d+)$/i.exec(seats);
    if (ga) {
      Object.assign(section, { general_admission: true, capacity: Number(ga[1]), category });
      delete section.rows;
      return;
    }
    const blocks = seats.split(/\s+/).filter(Boolean).map((b) => {
      const m = /^(\d+)-(\d+)$/.exec(b) || /^(\d+)$/.exec(b);
      if (!m) throw new Error(`${at}: seats "${b}" is not first-last`);
      return { first: Number(m[1]), last: Number(m[2] ?? m[1]) };
    });
    if (!blocks.length) throw new Error(`${at}: no seats`);
    const row = { label: get('row'), category, blocks };
    const acc = get('accessible').split(/\s+/).filter(Boolean).map(Number);
    if (acc.some((n) => !Number.isInteger(n))) throw new Error(`${at}: accessible must list seat numbers`);
    if (acc.length) row.accessible = acc;
    section.rows.push(row);
  });
  return { name, categories: [...categories].map((id) => ({ id, name: id })), sections: [...sections.values()] };
}

// A seat-map description (what POST /v1/venues takes) laid out like GET
// /v1/shows/{id}/seatmap, prices 0, for the preview. Lenient: the server
// validates.
export function layoutOfSpec(spec) {
  const sections = (spec.sections || []).map((s) => {
    const rows = (s.rows || []).map((r) => {
      const blocks = r.blocks || [{ first: 1, last: r.seats || 0 }];
      const acc = new Set(r.accessible || []);
      const seats = [];
      blocks.forEach((b, bi) => {
        const step = b.step || 1;
        for (let n = b.first; step > 0 && n <= b.last && seats.length < 1000; n += step) {
          seats.push({
            label: `${s.id}-${r.label}-${n}`, number: n, category: b.category || r.category,
            accessible: acc.has(n), aisle_after: n + step > b.last && bi < blocks.length - 1,
          });
        }
      });
      return { label: r.label, seats };
    });
    const seated = rows.reduce((n, r) => n + r.seats.length, 0);
    return { id: s.id, name: s.name || s.id, general_admission: !!s.general_admission,
      capacity: s.general_admission ? s.capacity || 0 : seated, category: s.category, rows };
  });
  return { name: spec.name, categories: (spec.categories || []).map((c) => ({ ...c, price_minor: 0 })), sections };
}
