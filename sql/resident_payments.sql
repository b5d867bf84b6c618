-- resident_payments: what a resident paid (Propexo /v1/resident-payments),
-- one row per payment on the resident's ledger. Money is integer cents
-- (amount_raw as the vendor sent it); transaction_date YYYY-MM-DD;
-- post_month YYYY-MM; is_open 0/1 (not yet applied in full to charges).
-- payment_method_normalized CASH|CHECK|CREDIT_CARD|ACH|MONEY_ORDER|OTHER,
-- payment_method_raw the vendor's word. x_gl_account_id and
-- financial_account_id: see resident_charges. allocations is a JSON array
-- of {x_id, x_source_id, x_destination_id, amount_in_cents, amount_raw}.
-- custom_data JSON; remote_data HIDDEN.
CREATE TABLE resident_payments (
  id                        TEXT PRIMARY KEY,
  integration_id            TEXT NOT NULL,
  integration_vendor        TEXT NOT NULL,
  x_id                      TEXT NOT NULL,
  created_at                TEXT NOT NULL,
  updated_at                TEXT NOT NULL,
  last_seen                 TEXT,
  property_id               TEXT,
  x_property_id             TEXT,
  x_location_id             TEXT,
  unit_id                   TEXT,
  x_unit_id                 TEXT,
  lease_id                  TEXT,
  x_lease_id                TEXT,
  resident_id               TEXT,
  x_resident_id             TEXT,
  charge_code_id            TEXT,
  x_charge_code_id          TEXT,
  financial_account_id      TEXT,
  x_gl_account_id           TEXT,
  amount_in_cents           INTEGER,
  amount_raw                TEXT,
  payment_method_normalized TEXT,
  payment_method_raw        TEXT,
  is_open                   INTEGER,
  name                      TEXT,
  description               TEXT,
  reference_number          TEXT,
  transaction_date          TEXT,
  post_month                TEXT,
  allocations               TEXT,
  custom_data               TEXT,
  remote_data               TEXT HIDDEN
);
CREATE UNIQUE INDEX resident_payments_x_id ON resident_payments(integration_id, x_id);
CREATE INDEX resident_payments_property ON resident_payments(property_id);
CREATE INDEX resident_payments_lease ON resident_payments(lease_id);
CREATE INDEX resident_payments_resident ON resident_payments(resident_id);
CREATE INDEX resident_payments_date ON resident_payments(transaction_date);
