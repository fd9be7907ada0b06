// The seat map's model without a browser: seat order, rows and aisles from
// the seat-map JSON, states from the availability's 2-bit encoding, and the
// spoken name of a seat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyAvailability, buildModel, seatName } from '../js/seatmap.js';

const SEATMAP = {
  categories: [{ id: 'P', name: 'Premium', price_minor: 8500 }, { id: 'S', name: 'Standard', price_minor: 5500 }],
  sections: [
    { id: 'A', name: 'Stalls', general_admission: false, capacity: 4, rows: [
      { label: 'A', seats: [
        { label: 'A-A-1', number: 1, category: 'P', accessible: true, aisle_after: false },
        { label: 'A-A-2', number: 2, category: 'P', accessible: false, aisle_after: true },
        { label: 'A-A-3', number: 3, category: 'P', accessible: false, aisle_after: false }] },
      { label: 'B', seats: [{ label: 'A-B-14', number: 14, category: 'S', accessible: false, aisle_after: false }] }] },
    { id: 'F', name: 'Floor', general_admission: true, capacity: 100, category: 'S', rows: [] },
  ],
};

test('the model follows the seat map order, with aisles and rows', () => {
  const m = buildModel(SEATMAP);
  assert.deepEqual(m.labels, ['A-A-1', 'A-A-2', 'A-A-3', 'A-B-14']);
  assert.equal(m.byLabel.get('A-B-14'), 3);
  assert.deepEqual([...m.x], [0, 1, 3, 0]);  // an aisle after seat 2
  assert.equal(m.sections[0].rows.length, 2);
  assert.equal(m.sections[1].ga, true);
  assert.equal(m.sections[1].category, 1);
});

test('states come from the 2-bit encoding and the GA counts from the sections', () => {
  const m = buildModel(SEATMAP);
  // seats 0..3: free, held, booked, blocked -> 0b11100100
  const data = Buffer.from([0b11100100]).toString('base64');
  applyAvailability(m, {
    seats: { encoding: '2bit', data },
    sections: [{ free: 1, held: 1, booked: 1, blocked: 1 }, { free: 90, held: 4, booked: 6, blocked: 0 }],
  });
  assert.deepEqual([...m.state], [0, 1, 2, 3]);
  assert.deepEqual(m.sections[1].counts, [90, 4, 6, 0]);
});

test('a seat has a spoken name', () => {
  const m = buildModel(SEATMAP);
  assert.equal(seatName(m, 0, false), 'Row A, seat 1, Premium, accessible, available');
  m.state[3] = 2;
  assert.equal(seatName(m, 3, false), 'Row B, seat 14, Standard, sold');
  assert.equal(seatName(m, 1, true), 'Row A, seat 2, Premium, selected');
});
