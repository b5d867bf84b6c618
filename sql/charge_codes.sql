-- charge_codes: the codes a charge is booked under (Propexo /v1/charge-codes):
-- charge types, or the general-ledger accounts a vendor books charges to.
-- property_id/x_property_id is set when the vendor keeps codes per property.
-- custom_data JSON; remote_data HIDDEN.
CREATE TABLE charge_codes (
  id                 TEXT PRIMARY KEY,
  integration_id     TEXT NOT NULL,
  integration_vendor TEXT NOT NULL,
  x_id               TEXT NOT NULL,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  last_seen          TEXT,
  property_id        TEXT,
  x_property_id      TEXT,
  x_location_id      TEXT,
  name               TEXT,
  description        TEXT,
  debit_gl_account   TEXT,
  credit_gl_account  TEXT,
  custom_data        TEXT,
  remote_data        TEXT HIDDEN
);
CREATE UNIQUE INDEX charge_codes_x_id ON charge_codes(integration_id, x_id);
CREATE INDEX charge_codes_property ON charge_codes(property_id);
