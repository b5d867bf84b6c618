-- residents: tenants of a lease (Propexo /v1/residents).
-- lease_id/x_lease_id is the resident's current lease (for joins);
-- leases_meta_data is the full resident<->lease link as a JSON array of
-- {lease_id, x_lease_id, resident_type_normalized, x_resident_type,
--  move_in_date, move_out_date, notice_date}. pets and vehicles are JSON
-- arrays in Propexo's names (resident_pets, resident_vehicles): a vehicle is
-- {id, x_id, make, model, color, year, license_plate_number,
-- license_plate_state, notes}, id <integration>:rveh:<x_id>; NULL where the
-- vendor has no such data. Money is integer cents. remote_data is HIDDEN.
CREATE TABLE residents (
  id                    TEXT PRIMARY KEY,
  integration_id        TEXT NOT NULL,
  integration_vendor    TEXT NOT NULL,
  x_id                  TEXT NOT NULL,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  last_seen             TEXT,
  property_id           TEXT,
  x_property_id         TEXT,
  lease_id              TEXT,
  x_lease_id            TEXT,
  first_name            TEXT,
  middle_name           TEXT,
  last_name             TEXT,
  email_1               TEXT,
  email_2               TEXT,
  phone_1               TEXT,
  phone_1_type          TEXT,
  phone_2               TEXT,
  phone_2_type          TEXT,
  date_of_birth         TEXT,
  address_1             TEXT,
  address_2             TEXT,
  city                  TEXT,
  state                 TEXT,
  zip                   TEXT,
  country               TEXT,
  address_1_alternate   TEXT,
  address_2_alternate   TEXT,
  city_alternate        TEXT,
  state_alternate       TEXT,
  zip_alternate         TEXT,
  country_alternate     TEXT,
  balance_in_cents      INTEGER,
  late_balance_in_cents INTEGER,
  is_employee           INTEGER,
  notes                 TEXT,
  leases_meta_data      TEXT,
  pets                  TEXT,
  vehicles              TEXT,
  custom_data           TEXT,
  remote_data           TEXT HIDDEN
);
CREATE UNIQUE INDEX residents_x_id ON residents(integration_id, x_id);
CREATE INDEX residents_property ON residents(property_id);
CREATE INDEX residents_lease ON residents(lease_id);
-- NOCASE: case-insensitive search (= ... COLLATE NOCASE, LIKE 'smi%'); an
-- exact (BINARY) equality uses them too (vtab.c adds the NOCASE equality
-- it implies)
CREATE INDEX residents_email ON residents(email_1 COLLATE NOCASE);
CREATE INDEX residents_last_name ON residents(last_name COLLATE NOCASE);
