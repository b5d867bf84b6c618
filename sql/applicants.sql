-- applicants: people applying to rent (Propexo /v1/applicants).
-- applications is a JSON array of Propexo's {applicant_id, application_id,
-- status_raw, status_normalized} with pmsql's x_application_id and
-- submitted_at (application_id: <integration>:apn:<x_application_id>,
-- pms_make_nested_id); unit_id_preferred and
-- x_unit_id_preferred are JSON arrays of ids; pets, screenings and
-- self_reported_income are JSON arrays. remote_data is HIDDEN.
CREATE TABLE applicants (
  id                   TEXT PRIMARY KEY,
  integration_id       TEXT NOT NULL,
  integration_vendor   TEXT NOT NULL,
  x_id                 TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  last_seen            TEXT,
  property_id          TEXT,
  x_property_id        TEXT,
  x_lead_id            TEXT,
  unit_id_preferred    TEXT,
  x_unit_id_preferred  TEXT,
  first_name           TEXT,
  middle_name          TEXT,
  last_name            TEXT,
  email_1              TEXT,
  email_2              TEXT,
  phone_1              TEXT,
  phone_1_type         TEXT,
  phone_2              TEXT,
  phone_2_type         TEXT,
  date_of_birth        TEXT,
  address_1            TEXT,
  address_2            TEXT,
  city                 TEXT,
  state                TEXT,
  zip                  TEXT,
  country              TEXT,
  address_1_alternate  TEXT,
  address_2_alternate  TEXT,
  city_alternate       TEXT,
  state_alternate      TEXT,
  zip_alternate        TEXT,
  country_alternate    TEXT,
  type_raw             TEXT,
  type_normalized      TEXT,
  notes                TEXT,
  applications         TEXT,
  self_reported_income TEXT,
  pets                 TEXT,
  screenings           TEXT,
  custom_data          TEXT,
  remote_data          TEXT HIDDEN
);
CREATE UNIQUE INDEX applicants_x_id ON applicants(integration_id, x_id);
CREATE INDEX applicants_property ON applicants(property_id);
CREATE INDEX applicants_email ON applicants(email_1);
