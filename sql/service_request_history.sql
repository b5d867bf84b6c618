-- service_request_history: the notes and status changes of a work order
-- (Propexo /v1/service-request-history), one row per entry.
-- service_request_id/x_service_request_id is the work order; x_created_at is
-- when the entry was made in the PMS (UTC ISO-8601). custom_data JSON;
-- remote_data HIDDEN.
CREATE TABLE service_request_history (
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
  service_request_id   TEXT,
  x_service_request_id TEXT,
  x_created_at         TEXT,
  status_raw           TEXT,
  creator_name         TEXT,
  notes                TEXT,
  custom_data          TEXT,
  remote_data          TEXT HIDDEN
);
CREATE UNIQUE INDEX service_request_history_x_id ON service_request_history(integration_id, x_id);
CREATE INDEX service_request_history_property ON service_request_history(property_id);
CREATE INDEX service_request_history_request ON service_request_history(service_request_id);
