-- recurring_resident_charges: charges a lease is billed on a schedule
-- (Propexo /v1/recurring-resident-charges): rent, pet rent, parking.
-- Money is integer cents (amount_raw as the vendor sent it); dates
-- YYYY-MM-DD; frequency_normalized MONTHLY|WEEKLY|DAILY|OTHER (Propexo's
-- values), frequency_raw the vendor's word; is_active 0/1.
-- financial_account_id/x_financial_account_id: the GL account the charge
-- posts to (pmsql has no financial-accounts model; the id is the vendor's
-- account as a charge_codes id where the vendor's charge codes are GL
-- accounts). custom_data JSON; remote_data HIDDEN.
CREATE TABLE recurring_resident_charges (
  id                     TEXT PRIMARY KEY,
  integration_id         TEXT NOT NULL,
  integration_vendor     TEXT NOT NULL,
  x_id                   TEXT NOT NULL,
  created_at             TEXT NOT NULL,
  updated_at             TEXT NOT NULL,
  last_seen              TEXT,
  property_id            TEXT,
  x_property_id          TEXT,
  x_location_id          TEXT,
  lease_id               TEXT,
  x_lease_id             TEXT,
  charge_code_id         TEXT,
  x_charge_code_id       TEXT,
  financial_account_id   TEXT,
  x_financial_account_id TEXT,
  amount_in_cents        INTEGER,
  amount_raw             TEXT,
  is_active              INTEGER,
  description            TEXT,
  reference_number       TEXT,
  start_date             TEXT,
  end_date               TEXT,
  frequency_raw          TEXT,
  frequency_normalized   TEXT,
  charge_due_day         INTEGER,
  custom_data            TEXT,
  remote_data            TEXT HIDDEN
);
CREATE UNIQUE INDEX recurring_resident_charges_x_id ON recurring_resident_charges(integration_id, x_id);
CREATE INDEX recurring_resident_charges_property ON recurring_resident_charges(property_id);
CREATE INDEX recurring_resident_charges_lease ON recurring_resident_charges(lease_id);
