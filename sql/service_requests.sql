-- service_requests: maintenance requests and work orders
-- (Propexo /v1/service-requests). vendors, history and employees are JSON
-- arrays. Dates are YYYY-MM-DD or UTC ISO-8601. remote_data is HIDDEN.
-- WRITEONLY columns (last) are create-only fields: see schema.c.
CREATE TABLE service_requests (
  id                   TEXT PRIMARY KEY,
  integration_id       TEXT NOT NULL,
  integration_vendor   TEXT NOT NULL,
  x_id                 TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  last_seen            TEXT,
  property_id          TEXT,
  x_property_id        TEXT,
  unit_id              TEXT,
  x_unit_id            TEXT,
  unit_number          TEXT,
  x_location_id        TEXT,
  x_sub_task_id        TEXT,
  employee_id          TEXT,
  order_number         TEXT,
  building             TEXT,
  service_category     TEXT,
  service_description  TEXT,
  service_details      TEXT,
  service_priority     TEXT,
  status_raw           TEXT,
  access_is_authorized INTEGER,
  access_notes         TEXT,
  completion_notes     TEXT,
  vendor_notes         TEXT,
  notes                TEXT,
  date_created         TEXT,
  date_due             TEXT,
  date_scheduled       TEXT,
  date_completed       TEXT,
  vendors              TEXT,
  history              TEXT,
  employees            TEXT,
  custom_data          TEXT,
  remote_data          TEXT HIDDEN,
  -- create-only fields of Propexo's POST body (WRITEONLY: hidden, read NULL,
  -- never cached; an INSERT sends them where the vendor takes them).
  -- resident_id and vendor_id are pmsql ids of residents and vendors.
  resident_id                 TEXT WRITEONLY,
  vendor_id                   TEXT WRITEONLY,
  service_request_category_id TEXT WRITEONLY,
  service_status              TEXT WRITEONLY,
  scheduled_start_date        TEXT WRITEONLY
);
CREATE UNIQUE INDEX service_requests_x_id ON service_requests(integration_id, x_id);
CREATE INDEX service_requests_property ON service_requests(property_id);
CREATE INDEX service_requests_unit ON service_requests(unit_id);
