-- resident_charges: what a resident is billed (Propexo /v1/resident-charges),
-- one row per charge on the resident's ledger. Money is integer cents
-- (amount_open = amount - amount_paid; *_raw as the vendor sent it);
-- transaction_date and due_date YYYY-MM-DD; post_month YYYY-MM; is_open 0/1
-- (not yet paid in full). resident_id is the resident the vendor bills
-- (a lease-level ledger bills the lease's primary tenant). x_gl_account_id
-- and financial_account_id: the GL account credited (see
-- recurring_resident_charges). allocations is a JSON array of
-- {x_id, x_source_id, x_destination_id, amount_in_cents, amount_raw} (the
-- payments applied to the charge). custom_data JSON; remote_data HIDDEN.
CREATE TABLE resident_charges (
  id                   TEXT PRIMARY KEY,
  integration_id       TEXT NOT NULL,
  integration_vendor   TEXT NOT NULL,
  x_id                 TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  last_seen            TEXT,
  property_id          TEXT,
  x_property_id        TEXT,
  x_location_id        TEXT,
  unit_id              TEXT,
  x_unit_id            TEXT,
  lease_id             TEXT,
  x_lease_id           TEXT,
  resident_id          TEXT,
  x_resident_id        TEXT,
  charge_code_id       TEXT,
  x_charge_code_id     TEXT,
  financial_account_id TEXT,
  x_gl_account_id      TEXT,
  amount_in_cents      INTEGER,
  amount_raw           TEXT,
  amount_paid_in_cents INTEGER,
  amount_paid_raw      TEXT,
  amount_open_in_cents INTEGER,
  amount_open_raw      TEXT,
  is_open              INTEGER,
  name                 TEXT,
  description          TEXT,
  reference_number     TEXT,
  transaction_date     TEXT,
  due_date             TEXT,
  post_month           TEXT,
  transaction_source   TEXT,
  allocations          TEXT,
  custom_data          TEXT,
  remote_data          TEXT HIDDEN
);
CREATE UNIQUE INDEX resident_charges_x_id ON resident_charges(integration_id, x_id);
CREATE INDEX resident_charges_property ON resident_charges(property_id);
CREATE INDEX resident_charges_lease ON resident_charges(lease_id);
CREATE INDEX resident_charges_resident ON resident_charges(resident_id);
CREATE INDEX resident_charges_date ON resident_charges(transaction_date);
