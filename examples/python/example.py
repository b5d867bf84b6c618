#!/usr/bin/python3
"""pmsql from Python's standard sqlite3 module.

Loads the extension, makes a database a PMS cache, connects two PMS accounts
(a Buildium one and a Rent Manager one), syncs them, runs a cross-vendor
query, then writes: one UPDATE the PMS accepts and two that pmsql refuses
before anything is sent.

    PMSQL_BUILDIUM_URL=... PMSQL_RENTMANAGER_URL=... PMSQL_ALLOWED_HOSTS=127.0.0.1 \
    PMSQL_BUILDIUM_CLIENT_ID=... PMSQL_BUILDIUM_CLIENT_SECRET=... \
    PMSQL_RM_USERNAME=... PMSQL_RM_PASSWORD=... PMSQL_RM_LOCATION_ID=... \
    /usr/bin/python3 examples/python/example.py [DATABASE]

The credentials are never in this file nor in the database: the integrations
hold env:PMSQL_* references, read from the environment when pmsql connects.
PMSQL_EXT names the extension (default: pmsql.so at the top of the checkout).

Not every Python can load SQLite extensions: the sqlite3 module must be built
with extension loading (Debian's /usr/bin/python3 is; pyenv's and python.org's
builds often are not). Check with:
    python3 -c "import sqlite3; print(hasattr(sqlite3.Connection, 'enable_load_extension'))"
"""
import os
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXT = os.environ.get("PMSQL_EXT", os.path.join(HERE, "..", "..", "pmsql"))
DB = sys.argv[1] if len(sys.argv) > 1 else "pmsql-example.db"

if not hasattr(sqlite3.Connection, "enable_load_extension"):
    sys.exit(f"{sys.executable}: this Python's sqlite3 module cannot load extensions "
             "(built without it); run the example with Debian's /usr/bin/python3")
for var in ("PMSQL_BUILDIUM_URL", "PMSQL_RENTMANAGER_URL"):
    if not os.environ.get(var):
        sys.exit(f"set {var} to the PMS's base URL (a sandbox's: see the README's tour)")

# isolation_level=None: autocommit, so each statement is its own transaction
# and a write is sent when its statement ends.
db = sqlite3.connect(DB, isolation_level=None)
db.enable_load_extension(True)
db.load_extension(EXT)           # the entry point is sqlite3_pmsql_init
db.enable_load_extension(False)  # no further extensions from SQL

def one(sql, *args):
    return db.execute(sql, args).fetchone()[0]

print("load:", one("SELECT json_extract(pms_version(), '$.version') IS NOT NULL") and "ok")
print("init:", one("SELECT pms_init()").startswith("pmsql") and "ok")

# Connect both accounts. Re-running the example starts them afresh.
db.execute("DELETE FROM pms_integrations WHERE id IN ('north', 'south')")
db.execute("""INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES
  ('north', 'BUILDIUM', ?, json_object('client_id', 'env:PMSQL_BUILDIUM_CLIENT_ID',
                                       'client_secret', 'env:PMSQL_BUILDIUM_CLIENT_SECRET')),
  ('south', 'RENTMANAGER', ?, json_object('username', 'env:PMSQL_RM_USERNAME',
                                          'password', 'env:PMSQL_RM_PASSWORD',
                                          'location_id', 'env:PMSQL_RM_LOCATION_ID'))""",
           (os.environ["PMSQL_BUILDIUM_URL"], os.environ["PMSQL_RENTMANAGER_URL"]))
for row in db.execute("SELECT id, vendor, credentials FROM pms_integrations ORDER BY id"):
    print("integration:", *row)

# Sync: one JSON summary per call; every run is also a row of pms_sync_runs.
for integration in ("north", "south"):
    summary = one("SELECT pms_sync(?)", integration)
    fetched = db.execute("""SELECT group_concat(json_extract(value, '$.model') || ' '
                                                || json_extract(value, '$.fetched'), ', ')
                            FROM json_each(?, '$.runs')""", (summary,)).fetchone()[0]
    print(f"sync {integration}: {one('SELECT json_extract(?, ?)', summary, '$.status')} ({fetched})")

# One query across both PMSs: residents joined to their lease, unit and property.
for row in db.execute("""
    SELECT r.integration_vendor, count(DISTINCT p.id), count(DISTINCT u.id),
           count(DISTINCT l.id), count(DISTINCT r.id)
    FROM residents r
    JOIN leases l     ON l.id = r.lease_id
    JOIN units u      ON u.id = l.unit_id
    JOIN properties p ON p.id = u.property_id
    GROUP BY 1 ORDER BY 1"""):
    print("portfolio: %s properties=%s units=%s leases=%s residents=%s" % row)

# The same person in both PMSs (same portfolio in the sandboxes).
north_id, south_id, name = db.execute("""
    SELECT n.id, s.id, n.first_name || ' ' || n.last_name
    FROM residents n JOIN residents s ON s.email_1 = n.email_1
    WHERE n.integration_id = 'north' AND s.integration_id = 'south'
    ORDER BY CAST(n.x_id AS INTEGER) LIMIT 1""").fetchone()
print(f"resident: {name} is {north_id} and {south_id}")

# A write: validated against Buildium's rules, sent, journaled.
# pms_validate: the write rules without sending; a JSON array of problems, [] when valid.
print("validate:", one("SELECT pms_validate('residents', 'update', 'north', ?)",
                       '{"notes": "Prefers email"}'))
for (message,) in db.execute("""SELECT json_extract(value, '$.message') FROM json_each(
        pms_validate('residents', 'update', 'north', ?))""", ('{"phone_1_type": "PAGER"}',)):
    print("validate:", message)
db.execute("UPDATE residents SET notes = 'Prefers email' WHERE id = ?", (north_id,))
print("write: %s %s %s -> %s %s" % db.execute(
    "SELECT vendor, method, url, status, http_status FROM pms_writes ORDER BY id DESC LIMIT 1").fetchone())
# The PMS is the source of truth: the cache moves when the PMS sends the record back.
print("cache before refresh:", one("SELECT coalesce(notes, '(null)') FROM residents WHERE id = ?", north_id))
one("SELECT pms_refresh('residents', ?)", north_id)
print("cache after refresh:", one("SELECT notes FROM residents WHERE id = ?", north_id))

# Writes pmsql refuses before sending anything: an error naming vendor, model, field and rule.
for sql, rid in (("UPDATE residents SET notes = 'Prefers email' WHERE id = ?", south_id),
                 ("UPDATE residents SET email_1 = 'not-an-email' WHERE id = ?", north_id)):
    try:
        db.execute(sql, (rid,))
        print("refused: (nothing?)")
    except sqlite3.Error as e:
        print("refused:", e)
print("writes journaled:", one("SELECT count(*) FROM pms_writes"))
db.close()
