-- leases: rental agreements on a unit (Propexo /v1/leases).
-- residents_meta_data is the lease<->resident link as a JSON array of
-- {resident_id, x_resident_id, resident_type_normalized, x_resident_type,
--  move_in_date, move_out_date, notice_date}; services is a JSON array.
-- status_raw/status_normalized: ACTIVE|INACTIVE|OTHER|PENDING|EVICTED.
CREATE TABLE leases (
  id                          TEXT PRIMARY KEY,
  integration_id              TEXT NOT NULL,
  integration_vendor          TEXT NOT NULL,
  x_id                        TEXT NOT NULL,
  created_at                  TEXT NOT NULL,
  updated_at                  TEXT NOT NULL,
  last_seen                   TEXT,
  property_id                 TEXT,
  x_property_id               TEXT,
  unit_id                     TEXT,
  x_unit_id                   TEXT,
  unit_number                 TEXT,
  status_raw                  TEXT,
  status_normalized           TEXT,
  type                        TEXT,
  term                        TEXT,
  application_date            TEXT,
  signature_date              TEXT,
  start_date                  TEXT,
  end_date                    TEXT,
  scheduled_move_in_date      TEXT,
  scheduled_move_out_date     TEXT,
  realized_move_in_date       TEXT,
  realized_move_out_date      TEXT,
  rent_amount_in_cents        INTEGER,
  rent_amount_market_in_cents INTEGER,
  rent_due_day                INTEGER,
  rent_due_date               TEXT,
  deposit_amount              TEXT,
  deposit_amount_in_cents     INTEGER,
  deposit_date                TEXT,
  balance_amount_in_cents     INTEGER,
  balance_amount_raw          TEXT,
  past_due_balance_in_cents   INTEGER,
  past_due_balance_raw        TEXT,
  write_off_amount_in_cents   INTEGER,
  write_off_amount_raw        TEXT,
  residents_meta_data         TEXT,
  services                    TEXT,
  custom_data                 TEXT,
  remote_data                 TEXT HIDDEN,
  -- create-only fields of Propexo's POST body (WRITEONLY: hidden, read NULL,
  -- never cached): tenants is a JSON array of {"id": <pmsql id of a
  -- resident, applicant or lead>}; rent_cycle is the rent charges' cadence
  -- (Monthly|Weekly|Every2Weeks|Quarterly|Yearly|Every2Months|Daily|
  -- Every6Months|OneTime).
  tenants                     TEXT WRITEONLY,
  rent_cycle                  TEXT WRITEONLY
);
CREATE UNIQUE INDEX leases_x_id ON leases(integration_id, x_id);
CREATE INDEX leases_property ON leases(property_id);
CREATE INDEX leases_unit ON leases(unit_id);
