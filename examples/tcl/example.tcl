#!/usr/bin/tclsh
# pmsql from Tcl (Debian's libsqlite3-tcl: package require sqlite3).
#
# Loads the extension, makes a database a PMS cache, connects two PMS accounts
# (a Buildium one and a Rent Manager one), syncs them, runs a cross-vendor
# query, then writes: one UPDATE the PMS accepts and two that pmsql refuses
# before anything is sent.
#
#   PMSQL_BUILDIUM_URL=... PMSQL_RENTMANAGER_URL=... PMSQL_ALLOWED_HOSTS=127.0.0.1 \
#   PMSQL_BUILDIUM_CLIENT_ID=... PMSQL_BUILDIUM_CLIENT_SECRET=... \
#   PMSQL_RM_USERNAME=... PMSQL_RM_PASSWORD=... PMSQL_RM_LOCATION_ID=... \
#   tclsh examples/tcl/example.tcl ?DATABASE?
#
# The credentials are never in this file nor in the database: the integrations
# hold env:PMSQL_* references, read from the environment when pmsql connects.
# PMSQL_EXT names the extension (default: pmsql.so at the top of the checkout).
package require sqlite3

set here [file dirname [file normalize [info script]]]
set ext [expr {[info exists env(PMSQL_EXT)] ? $env(PMSQL_EXT) : [file join $here .. .. pmsql]}]
set dbfile [expr {$argc ? [lindex $argv 0] : "pmsql-example.db"}]
foreach var {PMSQL_BUILDIUM_URL PMSQL_RENTMANAGER_URL} {
  if {![info exists env($var)] || $env($var) eq ""} {
    puts stderr "set $var to the PMS's base URL (a sandbox's: see the README's tour)"
    exit 1
  }
}

sqlite3 db $dbfile
db enable_load_extension 1
db eval { SELECT load_extension($ext) }   ;# the entry point is sqlite3_pmsql_init
db enable_load_extension 0

puts "load: [expr {[db onecolumn {SELECT json_extract(pms_version(), '$.version') IS NOT NULL}] ? {ok} : {?}}]"
puts "init: [expr {[string match pmsql* [db onecolumn {SELECT pms_init()}]] ? {ok} : {?}}]"

# Connect both accounts. Re-running the example starts them afresh.
set bdurl $env(PMSQL_BUILDIUM_URL)
set rmurl $env(PMSQL_RENTMANAGER_URL)
db eval { DELETE FROM pms_integrations WHERE id IN ('north', 'south') }
db eval {
  INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES
  ('north', 'BUILDIUM', $bdurl, json_object('client_id', 'env:PMSQL_BUILDIUM_CLIENT_ID',
                                            'client_secret', 'env:PMSQL_BUILDIUM_CLIENT_SECRET')),
  ('south', 'RENTMANAGER', $rmurl, json_object('username', 'env:PMSQL_RM_USERNAME',
                                               'password', 'env:PMSQL_RM_PASSWORD',
                                               'location_id', 'env:PMSQL_RM_LOCATION_ID'))
}
db eval { SELECT id, vendor, credentials FROM pms_integrations ORDER BY id } {
  puts "integration: $id $vendor $credentials"
}

# Sync: one JSON summary per call; every run is also a row of pms_sync_runs.
foreach integration {north south} {
  set summary [db onecolumn { SELECT pms_sync($integration) }]
  set fetched [db onecolumn {
    SELECT group_concat(json_extract(value, '$.model') || ' ' || json_extract(value, '$.fetched'), ', ')
    FROM json_each($summary, '$.runs') }]
  puts "sync $integration: [db onecolumn {SELECT json_extract($summary, '$.status')}] ($fetched)"
}

# One query across both PMSs: residents joined to their lease, unit and property.
db eval {
  SELECT r.integration_vendor AS vendor, count(DISTINCT p.id) AS np, count(DISTINCT u.id) AS nu,
         count(DISTINCT l.id) AS nl, count(DISTINCT r.id) AS nr
  FROM residents r
  JOIN leases l     ON l.id = r.lease_id
  JOIN units u      ON u.id = l.unit_id
  JOIN properties p ON p.id = u.property_id
  GROUP BY 1 ORDER BY 1
} {
  puts "portfolio: $vendor properties=$np units=$nu leases=$nl residents=$nr"
}

# The same person in both PMSs (same portfolio in the sandboxes).
lassign [db eval {
  SELECT n.id, s.id, n.first_name || ' ' || n.last_name
  FROM residents n JOIN residents s ON s.email_1 = n.email_1
  WHERE n.integration_id = 'north' AND s.integration_id = 'south'
  ORDER BY CAST(n.x_id AS INTEGER) LIMIT 1 }] north_id south_id name
puts "resident: $name is $north_id and $south_id"

# pms_validate: the write rules without sending; a JSON array of problems, [] when valid.
puts "validate: [db onecolumn {SELECT pms_validate('residents', 'update', 'north', '{"notes": "Prefers email"}')}]"
db eval { SELECT json_extract(value, '$.message') AS message
          FROM json_each(pms_validate('residents', 'update', 'north', '{"phone_1_type": "PAGER"}')) } {
  puts "validate: $message"
}

# A write: validated against Buildium's rules, sent, journaled.
db eval { UPDATE residents SET notes = 'Prefers email' WHERE id = $north_id }
db eval { SELECT vendor, method, url, status, http_status FROM pms_writes ORDER BY id DESC LIMIT 1 } {
  puts "write: $vendor $method $url -> $status $http_status"
}
# The PMS is the source of truth: the cache moves when the PMS sends the record back.
puts "cache before refresh: [db onecolumn {SELECT coalesce(notes, '(null)') FROM residents WHERE id = $north_id}]"
db eval { SELECT pms_refresh('residents', $north_id) }
puts "cache after refresh: [db onecolumn {SELECT notes FROM residents WHERE id = $north_id}]"

# Writes pmsql refuses before sending anything: an error naming vendor, model, field and rule.
foreach {sql rid} [list {UPDATE residents SET notes = 'Prefers email' WHERE id = $rid} $south_id \
                        {UPDATE residents SET email_1 = 'not-an-email' WHERE id = $rid} $north_id] {
  if {[catch {db eval $sql} err]} {
    puts "refused: $err"
  } else {
    puts "refused: (nothing?)"
  }
}
puts "writes journaled: [db onecolumn {SELECT count(*) FROM pms_writes}]"
db close
