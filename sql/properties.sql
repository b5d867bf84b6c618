-- properties: buildings and portfolios (Propexo /v1/properties).
-- Core columns first, then Propexo's fields in its own names. Booleans are
-- 0/1 integers; arrays and objects (office_hours, pet_types, custom_data) are
-- JSON text. remote_data is HIDDEN: the vendor's record exactly as received.
CREATE TABLE properties (
  id                   TEXT PRIMARY KEY,
  integration_id       TEXT NOT NULL,
  integration_vendor   TEXT NOT NULL,
  x_id                 TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  last_seen            TEXT,
  x_created_at         TEXT,
  x_building_id        TEXT,
  building_number      TEXT,
  code                 TEXT,
  name                 TEXT,
  address_1            TEXT,
  address_2            TEXT,
  city                 TEXT,
  state                TEXT,
  zip                  TEXT,
  county               TEXT,
  country              TEXT,
  is_active            INTEGER,
  manager_name         TEXT,
  manager_email        TEXT,
  manager_phone_1      TEXT,
  manager_phone_1_type TEXT,
  manager_phone_2      TEXT,
  manager_phone_2_type TEXT,
  number_of_units      INTEGER,
  square_feet          INTEGER,
  year_built           INTEGER,
  type_raw             TEXT,
  type_normalized      TEXT,
  website              TEXT,
  long_description     TEXT,
  short_description    TEXT,
  notes                TEXT,
  office_hours         TEXT,
  pet_types            TEXT,
  associated_owner_ids TEXT,
  custom_data          TEXT,
  remote_data          TEXT HIDDEN
);
CREATE UNIQUE INDEX properties_x_id ON properties(integration_id, x_id);
CREATE INDEX properties_name ON properties(name);
