// The CSV seat-map converter and the preview layout, without a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutOfSpec, seatMapFromCsv } from '../js/venue_csv.js';

const CSV = `section,section_name,row,seats,category,accessible
STALLS,Stalls,A,1-10 11-20,PREM,1 2
STALLS,Stalls,B,1-20,STD,
FLOOR,Standing floor,,ga:500,FLOOR,
`;

test('a CSV seat map becomes the JSON the API takes', () => {
  const spec = seatMapFromCsv(CSV, 'Hall');
  assert.equal(spec.name, 'Hall');
  assert.deepEqual(spec.categories.map((c) => c.id), ['PREM', 'STD', 'FLOOR']);
  assert.equal(spec.sections.length, 2);
  assert.deepEqual(spec.sections[0].rows[0], {
    label: 'A', category: 'PREM', blocks: [{ first: 1, last: 10 }, { first: 11, last: 20 }], accessible: [1, 2],
  });
  assert.deepEqual(spec.sections[1], {
    id: 'FLOOR', name: 'Standing floor', general_admission: true, capacity: 500, category: 'FLOOR',
  });
});

test('a bad CSV line is named', () => {
  assert.throws(() => seatMapFromCsv('section,row,seats,category\nA,1,one-two,P\n', 'x'), /line 2/);
  assert.throws(() => seatMapFromCsv('section,row\n', 'x'), /"seats"/);
});

test('the preview lays out seats, aisles and accessible places', () => {
  const layout = layoutOfSpec(seatMapFromCsv(CSV, 'Hall'));
  const a = layout.sections[0].rows[0].seats;
  assert.equal(a.length, 20);
  assert.equal(a[0].label, 'STALLS-A-1');
  assert.equal(a[0].accessible, true);
  assert.equal(a[9].aisle_after, true);
  assert.equal(a[10].aisle_after, false);
  assert.equal(layout.sections[0].capacity, 40);
  assert.equal(layout.sections[1].general_admission, true);
  assert.equal(layout.sections[1].capacity, 500);
});
