#!/usr/bin/env node
// pmsql from Node with better-sqlite3 (npm install in this directory).
//
// Loads the extension, makes a database a PMS cache, connects two PMS accounts
// (a Buildium one and a Rent Manager one), syncs them, runs a cross-vendor
// query, then writes: one UPDATE the PMS accepts and two that pmsql refuses
// before anything is sent.
//
//   PMSQL_BUILDIUM_URL=... PMSQL_RENTMANAGER_URL=... PMSQL_ALLOWED_HOSTS=127.0.0.1 \
//   PMSQL_BUILDIUM_CLIENT_ID=... PMSQL_BUILDIUM_CLIENT_SECRET=... \
//   PMSQL_RM_USERNAME=... PMSQL_RM_PASSWORD=... PMSQL_RM_LOCATION_ID=... \
//   node examples/node/example.js [DATABASE]
//
// The credentials are never in this file nor in the database: the integrations
// hold env:PMSQL_* references, read from the environment when pmsql connects.
// PMSQL_EXT names the extension (default: pmsql.so at the top of the checkout).
// better-sqlite3 bundles its own SQLite; pmsql works with it (3.38 or later).
'use strict';
const path = require('path');
const Database = require('better-sqlite3');

const ext = process.env.PMSQL_EXT || path.join(__dirname, '..', '..', 'pmsql');
const file = process.argv[2] || 'pmsql-example.db';
for (const v of ['PMSQL_BUILDIUM_URL', 'PMSQL_RENTMANAGER_URL']) {
  if (!process.env[v]) {
    console.error(`set ${v} to the PMS's base URL (a sandbox's: see the README's tour)`);
    process.exit(1);
  }
}

const db = new Database(file);
db.loadExtension(ext);   // the entry point is sqlite3_pmsql_init
// better-sqlite3 runs each statement in autocommit mode: a write is sent when its statement ends.
const one = (sql, ...args) => db.prepare(sql).pluck().get(...args);

console.log('load:', one("SELECT json_extract(pms_version(), '$.version') IS NOT NULL") ? 'ok' : '?');
console.log('init:', one('SELECT pms_init()').startsWith('pmsql') ? 'ok' : '?');

// Connect both accounts. Re-running the example starts them afresh.
db.exec("DELETE FROM pms_integrations WHERE id IN ('north', 'south')");
db.prepare(`INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES
  ('north', 'BUILDIUM', ?, json_object('client_id', 'env:PMSQL_BUILDIUM_CLIENT_ID',
                                       'client_secret', 'env:PMSQL_BUILDIUM_CLIENT_SECRET')),
  ('south', 'RENTMANAGER', ?, json_object('username', 'env:PMSQL_RM_USERNAME',
                                          'password', 'env:PMSQL_RM_PASSWORD',
                                          'location_id', 'env:PMSQL_RM_LOCATION_ID'))`)
  .run(process.env.PMSQL_BUILDIUM_URL, process.env.PMSQL_RENTMANAGER_URL);
for (const r of db.prepare('SELECT id, vendor, credentials FROM pms_integrations ORDER BY id').all()) {
  console.log('integration:', r.id, r.vendor, r.credentials);
}

// Sync: one JSON summary per call; every run is also a row of pms_sync_runs.
for (const integration of ['north', 'south']) {
  const summary = one('SELECT pms_sync(?)', integration);
  const fetched = one(`SELECT group_concat(json_extract(value, '$.model') || ' '
                                           || json_extract(value, '$.fetched'), ', ')
                       FROM json_each(?, '$.runs')`, summary);
  console.log(`sync ${integration}: ${JSON.parse(summary).status} (${fetched})`);
}

// One query across both PMSs: residents joined to their lease, unit and property.
for (const r of db.prepare(`
    SELECT r.integration_vendor AS vendor, count(DISTINCT p.id) AS np, count(DISTINCT u.id) AS nu,
           count(DISTINCT l.id) AS nl, count(DISTINCT r.id) AS nr
    FROM residents r
    JOIN leases l     ON l.id = r.lease_id
    JOIN units u      ON u.id = l.unit_id
    JOIN properties p ON p.id = u.property_id
    GROUP BY 1 ORDER BY 1`).all()) {
  console.log(`portfolio: ${r.vendor} properties=${r.np} units=${r.nu} leases=${r.nl} residents=${r.nr}`);
}

// The same person in both PMSs (same portfolio in the sandboxes).
const [northId, southId, name] = db.prepare(`
    SELECT n.id, s.id, n.first_name || ' ' || n.last_name
    FROM residents n JOIN residents s ON s.email_1 = n.email_1
    WHERE n.integration_id = 'north' AND s.integration_id = 'south'
    ORDER BY CAST(n.x_id AS INTEGER) LIMIT 1`).raw().get();
console.log(`resident: ${name} is ${northId} and ${southId}`);

// pms_validate: the write rules without sending; a JSON array of problems, [] when valid.
console.log('validate:', one("SELECT pms_validate('residents', 'update', 'north', ?)",
                             '{"notes": "Prefers email"}'));
for (const p of JSON.parse(one("SELECT pms_validate('residents', 'update', 'north', ?)",
                               '{"phone_1_type": "PAGER"}'))) {
  console.log('validate:', p.message);
}

// A write: validated against Buildium's rules, sent, journaled.
db.prepare("UPDATE residents SET notes = 'Prefers email' WHERE id = ?").run(northId);
const w = db.prepare('SELECT vendor, method, url, status, http_status FROM pms_writes ORDER BY id DESC LIMIT 1').get();
console.log(`write: ${w.vendor} ${w.method} ${w.url} -> ${w.status} ${w.http_status}`);
// The PMS is the source of truth: the cache moves when the PMS sends the record back.
console.log('cache before refresh:', one("SELECT coalesce(notes, '(null)') FROM residents WHERE id = ?", northId));
one("SELECT pms_refresh('residents', ?)", northId);
console.log('cache after refresh:', one('SELECT notes FROM residents WHERE id = ?', northId));

// Writes pmsql refuses before sending anything: an error naming vendor, model, field and rule.
for (const [sql, rid] of [["UPDATE residents SET notes = 'Prefers email' WHERE id = ?", southId],
                          ["UPDATE residents SET email_1 = 'not-an-email' WHERE id = ?", northId]]) {
  try {
    db.prepare(sql).run(rid);
    console.log('refused: (nothing?)');
  } catch (e) {
    console.log('refused:', e.message);
  }
}
console.log('writes journaled:', one('SELECT count(*) FROM pms_writes'));
db.close();
