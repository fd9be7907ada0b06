#include "store/pg_schema.h"

#include <array>
#include <string>

namespace boxoffice::store::pg {

namespace {

// Held for the migration's transaction: one node migrates at a time.
constexpr int64_t kMigrationLockKey = 0x426f784600000001;  // "BoxF", 1

const std::array<const char*, kPgSchemaVersion> kMigrations = {
    // 0 -> 1: the first schema.
    R"sql(
CREATE TABLE venues(
  venue_id int8 PRIMARY KEY,
  name text NOT NULL,
  seat_map bytea NOT NULL,
  created_at_ms int8 NOT NULL);
CREATE TABLE shows(
  show_id int8 PRIMARY KEY,
  venue_id int8 NOT NULL,
  name text NOT NULL,
  starts_at_ms int8 NOT NULL,
  on_sale_at_ms int8 NOT NULL,
  currency text NOT NULL,
  hold_ttl_s int8 NOT NULL,
  seats_per_order_max int8 NOT NULL,
  seats_per_fan_max int8 NOT NULL,
  created_at_ms int8 NOT NULL);
CREATE TABLE show_prices(
  show_id int8 NOT NULL,
  category text COLLATE "C" NOT NULL,
  price_minor int8 NOT NULL,
  PRIMARY KEY (show_id, category));
CREATE TABLE show_owners(
  show_id int8 PRIMARY KEY,
  node_id text NOT NULL,
  epoch int8 NOT NULL CHECK (epoch >= 1),
  lease_expires_at timestamptz);
CREATE TABLE holds(
  show_id int8 NOT NULL,
  hold_id int8 NOT NULL,
  owner text NOT NULL,
  token bytea NOT NULL CHECK (length(token) = 16),
  seats int4[] NOT NULL,
  ga_area int4 NOT NULL,
  ga_quantity int8 NOT NULL,
  total_minor int8 NOT NULL,
  created_at_ms int8 NOT NULL,
  expires_at_ms int8 NOT NULL,
  PRIMARY KEY (show_id, hold_id));
CREATE TABLE bookings(
  show_id int8 NOT NULL,
  booking_id int8 NOT NULL,
  hold_id int8 NOT NULL,
  owner text NOT NULL,
  seats int4[] NOT NULL,
  ga_area int4 NOT NULL,
  ga_quantity int8 NOT NULL,
  total_minor int8 NOT NULL,
  payment_ref text NOT NULL,
  booked_at_ms int8 NOT NULL,
  cancelled boolean NOT NULL,
  cancelled_at_ms int8 NOT NULL,
  PRIMARY KEY (show_id, booking_id));
CREATE TABLE booked_seats(
  show_id int8 NOT NULL,
  seat_index int4 NOT NULL,
  booking_id int8 NOT NULL,
  PRIMARY KEY (show_id, seat_index));
CREATE TABLE blocked_seats(
  show_id int8 NOT NULL,
  seat_index int4 NOT NULL,
  PRIMARY KEY (show_id, seat_index));
CREATE TABLE show_versions(
  show_id int8 PRIMARY KEY,
  version int8 NOT NULL);
CREATE TABLE idempotency(
  seq int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text NOT NULL,
  idem_key text NOT NULL,
  request_hash bytea NOT NULL,
  status int4 NOT NULL,
  response_body bytea NOT NULL,
  response_headers bytea NOT NULL,
  created_at_ms int8 NOT NULL,
  UNIQUE (user_id, idem_key));
CREATE TABLE payments(
  payment_id text COLLATE "C" PRIMARY KEY,
  show_id int8 NOT NULL,
  hold_id int8 NOT NULL,
  owner text NOT NULL,
  seats int4[] NOT NULL,
  ga_area int4 NOT NULL,
  ga_quantity int8 NOT NULL,
  amount_minor int8 NOT NULL,
  currency text NOT NULL,
  pay_url text NOT NULL,
  state int2 NOT NULL CHECK (state BETWEEN 0 AND 4),
  booking_id int8 NOT NULL,
  refund_id text NOT NULL,
  note text NOT NULL,
  created_at_ms int8 NOT NULL,
  updated_at_ms int8 NOT NULL);
CREATE INDEX payments_by_show ON payments(show_id);
CREATE TABLE webhook_events(
  event_id text COLLATE "C" PRIMARY KEY,
  received_at_ms int8 NOT NULL);
CREATE INDEX webhook_events_by_time ON webhook_events(received_at_ms);
CREATE TABLE hold_trail(
  seq int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  show_id int8 NOT NULL,
  hold_id int8 NOT NULL,
  kind int2 NOT NULL,
  at_ms int8 NOT NULL,
  reason text NOT NULL);
CREATE INDEX hold_trail_by_time ON hold_trail(at_ms);
CREATE INDEX hold_trail_by_show ON hold_trail(show_id, seq);
CREATE TABLE tickets(
  code text PRIMARY KEY,
  show_id int8 NOT NULL,
  booking_id int8 NOT NULL,
  seat_index int8 NOT NULL,
  place int8 NOT NULL,
  issued_at_ms int8 NOT NULL);
CREATE INDEX tickets_by_show ON tickets(show_id, booking_id);
CREATE TABLE queue_rooms(
  show_id int8 PRIMARY KEY,
  enabled boolean NOT NULL,
  prequeue_opens_at_ms int8 NOT NULL,
  onsale_at_ms int8 NOT NULL,
  admissions_per_minute int8 NOT NULL,
  active_shoppers_max int8 NOT NULL,
  session_s int8 NOT NULL,
  queue_everyone boolean NOT NULL,
  seed bytea NOT NULL CHECK (length(seed) = 32),
  owner_key bytea NOT NULL CHECK (length(owner_key) = 16),
  updated_at_ms int8 NOT NULL);
CREATE TABLE queue_joins(
  show_id int8 NOT NULL,
  entry int8 NOT NULL,
  user_id text NOT NULL,
  prequeue boolean NOT NULL,
  joined_at_ms int8 NOT NULL,
  PRIMARY KEY (show_id, entry),
  UNIQUE (show_id, user_id));
CREATE TABLE queue_sessions(
  show_id int8 NOT NULL,
  entry int8 NOT NULL,
  ends_at_ms int8 NOT NULL,
  ended boolean NOT NULL,
  PRIMARY KEY (show_id, entry));
CREATE TABLE queue_progress(
  show_id int8 PRIMARY KEY,
  now_serving int8 NOT NULL,
  drawn boolean NOT NULL,
  at_ms int8 NOT NULL);
CREATE TABLE changes(
  seq int8 PRIMARY KEY,
  show_id int8 NOT NULL,
  version int8 NOT NULL,
  at_ms int8 NOT NULL,
  reason int2 NOT NULL,
  state int2 NOT NULL,
  hold_id int8 NOT NULL,
  booking_id int8 NOT NULL,
  seats int4[] NOT NULL,
  ga_area int4 NOT NULL,
  ga_quantity int8 NOT NULL,
  UNIQUE (show_id, version));
CREATE TABLE outbox_counter(last_seq int8 NOT NULL);
INSERT INTO outbox_counter VALUES (0);
CREATE TABLE store_writers(
  writer_id text PRIMARY KEY,
  last_txn int8 NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now());

CREATE FUNCTION boxoffice_fence(shows int8[], epochs int8[], node text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  i int4;
  owner_node text;
  owner_epoch int8;
BEGIN
  FOR i IN 1 .. coalesce(array_length(shows, 1), 0) LOOP
    SELECT o.node_id, o.epoch INTO owner_node, owner_epoch
      FROM show_owners o WHERE o.show_id = shows[i] FOR SHARE;
    IF NOT FOUND AND epochs[i] = 1 THEN
      INSERT INTO show_owners(show_id, node_id, epoch) VALUES (shows[i], node, 1)
        ON CONFLICT (show_id) DO NOTHING;
      SELECT o.node_id, o.epoch INTO owner_node, owner_epoch
        FROM show_owners o WHERE o.show_id = shows[i] FOR SHARE;
    END IF;
    IF owner_node IS DISTINCT FROM node OR owner_epoch IS DISTINCT FROM epochs[i] THEN
      RAISE EXCEPTION USING ERRCODE = 'BX409',
        MESSAGE = format('fenced: show %s %s; refused a batch of node %s at epoch %s', shows[i],
          CASE WHEN owner_node IS NULL THEN 'has no owner'
               ELSE format('belongs to node %s at epoch %s', owner_node, owner_epoch) END,
          node, epochs[i]);
    END IF;
  END LOOP;
END $$;

CREATE FUNCTION boxoffice_expect(actual int8, expected int8, code text, what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF actual <> expected THEN
    RAISE EXCEPTION USING ERRCODE = code,
      MESSAGE = format('%s (%s of %s)', what, actual, expected);
  END IF;
END $$;

CREATE FUNCTION boxoffice_cancel(shows int8[], ids int8[], ats int8[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  i int4;
  freed int4[];
BEGIN
  FOR i IN 1 .. coalesce(array_length(shows, 1), 0) LOOP
    UPDATE bookings b SET cancelled = true, cancelled_at_ms = ats[i]
      WHERE b.show_id = shows[i] AND b.booking_id = ids[i] AND NOT b.cancelled
      RETURNING b.seats INTO freed;
    IF NOT FOUND THEN
      IF EXISTS (SELECT 1 FROM bookings b WHERE b.show_id = shows[i] AND b.booking_id = ids[i]) THEN
        RAISE EXCEPTION USING ERRCODE = 'BX412',
          MESSAGE = format('cannot cancel show %s booking %s: cancelled already', shows[i], ids[i]);
      END IF;
      RAISE EXCEPTION USING ERRCODE = 'BX404',
        MESSAGE = format('cannot cancel show %s booking %s: no such booking', shows[i], ids[i]);
    END IF;
    DELETE FROM booked_seats s
      WHERE s.show_id = shows[i] AND s.seat_index = ANY (freed) AND s.booking_id = ids[i];
  END LOOP;
END $$;
)sql",
    // 1 -> 2: closed holds kept until pruned; idempotency records and
    // webhook events replaced by a second record of their key, pruned by
    // time; payments may be cancelled (state 5); sales states and check-ins.
    R"sql(
CREATE TABLE closed_holds(
  show_id int8 NOT NULL,
  hold_id int8 NOT NULL,
  owner text NOT NULL,
  token bytea NOT NULL CHECK (length(token) = 16),
  why int2 NOT NULL CHECK (why IN (1, 2, 3)),
  booking_id int8 NOT NULL,
  closed_at_ms int8 NOT NULL,
  PRIMARY KEY (show_id, hold_id));
CREATE INDEX closed_holds_by_time ON closed_holds(closed_at_ms);
CREATE INDEX idempotency_by_time ON idempotency(created_at_ms);
ALTER TABLE payments DROP CONSTRAINT payments_state_check,
  ADD CONSTRAINT payments_state_check CHECK (state BETWEEN 0 AND 5);
CREATE TABLE show_sales(
  show_id int8 PRIMARY KEY,
  state int2 NOT NULL CHECK (state IN (0, 1, 2)),
  at_ms int8 NOT NULL);
CREATE TABLE ticket_checkins(
  code text COLLATE "C" PRIMARY KEY,
  show_id int8 NOT NULL,
  at_ms int8 NOT NULL);
CREATE INDEX ticket_checkins_by_show ON ticket_checkins(show_id);
)sql",
};

Status Migrate(Conn& c) {
  Params lock;
  lock.Int8(kMigrationLockKey);
  if (StatusOr<Result> r = c.Exec("SELECT pg_advisory_xact_lock($1::int8)", lock); !r.ok()) {
    return r.status();
  }
  const std::string create = std::string("CREATE SCHEMA IF NOT EXISTS ") + kPgSchemaName;
  if (Status s = c.Script(create.c_str()); !s.ok()) return s;
  if (Status s = c.Script("CREATE TABLE IF NOT EXISTS boxoffice_schema(version int8 NOT NULL)");
      !s.ok()) {
    return s;
  }
  StatusOr<Result> found = c.Exec("SELECT version FROM boxoffice_schema");
  if (!found.ok()) return found.status();
  if (found->rows() > 1) return Status::Corruption("boxoffice_schema holds more than one version");
  int64_t version = 0;
  if (found->rows() == 1) {
    Row row(*found, 0, "boxoffice_schema");
    version = row.Int<int64_t>();
    if (!row.status().ok()) return row.status();
  }
  if (version > kPgSchemaVersion) {
    return Status::FailedPrecondition("the database was written by a newer Boxoffice (schema " +
                                      std::to_string(version) + ", this build reads up to " +
                                      std::to_string(kPgSchemaVersion) + ")");
  }
  if (version < 0) return Status::Corruption("schema version " + std::to_string(version));
  for (int64_t v = version; v < kPgSchemaVersion; ++v) {
    if (Status s = c.Script(kMigrations[static_cast<size_t>(v)]); !s.ok()) return s;
  }
  Params now;
  now.Int8(kPgSchemaVersion);
  const char* write = found->rows() == 1 ? "UPDATE boxoffice_schema SET version = $1::int8"
                                         : "INSERT INTO boxoffice_schema VALUES ($1::int8)";
  StatusOr<Result> done = c.Exec(write, now);
  return done.ok() ? Status::Ok() : done.status();
}

}  // namespace

Status PrepareSchema(Conn& c) {
  if (Status s = c.Script("BEGIN"); !s.ok()) return s;
  Status s = Migrate(c);
  if (Status end = c.Script(s.ok() ? "COMMIT" : "ROLLBACK"); s.ok()) s = end;
  return s;
}

}  // namespace boxoffice::store::pg
