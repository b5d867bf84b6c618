-- vendors: suppliers and contractors (Propexo /v1/vendors), the vendors a
-- service request's vendors array points at. is_active 0/1; contacts is a
-- JSON array of {name, email, phone, phone_type}; custom_data JSON;
-- remote_data HIDDEN.
CREATE TABLE vendors (
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
  type               TEXT,
  account_number     TEXT,
  tax_id             TEXT,
  third_party_id     TEXT,
  is_active          INTEGER,
  notes              TEXT,
  contacts           TEXT,
  custom_data        TEXT,
  remote_data        TEXT HIDDEN
);
CREATE UNIQUE INDEX vendors_x_id ON vendors(integration_id, x_id);
CREATE INDEX vendors_property ON vendors(property_id);
CREATE INDEX vendors_name ON vendors(name);
