#!/usr/bin/env bash
# demo.sh — `make demo`: the README's five-minute tour, run by itself.
# Starts a Buildium sandbox on loopback, then drives the sqlite3 shell:
# load, init, connect, sync, query, change a record at the "PMS", sync
# incrementally and read the change feed; then the other vendors join the
# same database for one cross-vendor query. Leaves demo.db to explore.
set -euo pipefail
cd "$(dirname "$0")/.."
SB=sandbox/pms-sandbox
DB=${DEMO_DB:-demo.db}
rm -f "$DB" "$DB-journal"

fifo=$(mktemp -u); mkfifo "$fifo"
$SB --vendor buildium --port 0 --size 500 --seed 42 >"$fifo" &
SB_PID=$!
trap 'kill $SB_PID 2>/dev/null || true; rm -f "$fifo"' EXIT
read -r line <"$fifo"
URL=${line##* }
CREDS=$($SB --vendor buildium --size 500 --seed 42 --print-credentials)
echo "== $line"
echo "== credentials the sandbox accepts: $CREDS"

fifo2=$(mktemp -u); mkfifo "$fifo2"
$SB --vendor rentmanager --port 0 --size 500 --seed 42 >"$fifo2" &
RM_PID=$!
trap 'kill $SB_PID $RM_PID 2>/dev/null || true; rm -f "$fifo" "$fifo2"' EXIT
read -r line2 <"$fifo2"
RM_URL=${line2##* }
RM_CREDS=$($SB --vendor rentmanager --size 500 --seed 42 --print-credentials)
echo "== $line2"

# The other vendors' sandboxes, same portfolio: "vendor:INTEGRATION_VENDOR".
OTHERS="entrata:ENTRATA propertyware:PROPERTYWARE_REST rentvine:RENTVINE appfolio:APPFOLIO yardi:YARDI"
PIDS="$SB_PID $RM_PID"
FIFOS="$fifo $fifo2"
declare -A O_URL O_CREDS
for pair in $OTHERS; do
  v=${pair%%:*}
  f=$(mktemp -u); mkfifo "$f"
  $SB --vendor "$v" --port 0 --size 500 --seed 42 >"$f" &
  PIDS="$PIDS $!"; FIFOS="$FIFOS $f"
  trap 'kill $PIDS 2>/dev/null || true; rm -f $FIFOS' EXIT
  read -r l <"$f"
  O_URL[$v]=${l##* }
  O_CREDS[$v]=$($SB --vendor "$v" --size 500 --seed 42 --print-credentials)
  echo "== $l"
done

step() { printf '\n== %s\n' "$1"; }
run_sql() { sqlite3 -bail -cmd '.load ./pmsql' -cmd '.mode box' -echo "$DB" "$@"; }

step "1. load pmsql, make this database a PMS cache, connect a Buildium account"
run_sql "SELECT pms_init();" \
  "INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES('acme', 'BUILDIUM', '$URL', '$CREDS');" \
  "SELECT id, vendor, base_url, credentials, status FROM pms_integrations;"

step "2. sync everything Buildium has (pages fetched concurrently, one transaction per model)"
run_sql "SELECT json_extract(value,'\$.model') AS model, json_extract(value,'\$.fetched') AS fetched, json_extract(value,'\$.ms') AS ms FROM json_each(pms_sync('acme'), '\$.runs');"

step "3. query the unified tables at SQLite speed"
run_sql "SELECT (SELECT count(*) FROM properties) AS properties, (SELECT count(*) FROM units) AS units, (SELECT count(*) FROM leases) AS leases, (SELECT count(*) FROM residents) AS residents;" \
  "SELECT first_name, last_name, email_1, phone_1 FROM residents WHERE integration_id='acme' LIMIT 3;" \
  ".read sql/examples/rent_roll.sql"

step "4. pushdown: an id lookup is a unique index probe on the cache"
run_sql "EXPLAIN QUERY PLAN SELECT * FROM residents WHERE id = 'acme:res:40000001';"

step "5. someone changes a tenant in Buildium (a PUT to the sandbox's API)"
ID=client_id; SECRET=client_secret
CID=$(printf '%s' "$CREDS" | sed -e 's/.*"client_id":"\([^"]*\)".*/\1/')
CSEC=$(printf '%s' "$CREDS" | sed -e 's/.*"client_secret":"\([^"]*\)".*/\1/')
T=$(curl -s -H "x-buildium-client-id: $CID" -H "x-buildium-client-secret: $CSEC" "$URL/v1/leases/tenants/40000001")
BODY=$(sqlite3 :memory: "SELECT json_object('FirstName', json_extract('$T','\$.FirstName'), 'LastName', json_extract('$T','\$.LastName'), 'Email', 'new.address@example.org', 'Address', json_extract('$T','\$.Address'));")
curl -s -o /dev/null -w 'PUT /v1/leases/tenants/40000001 -> HTTP %{http_code}\n' -X PUT \
  -H "x-buildium-client-id: $CID" -H "x-buildium-client-secret: $CSEC" -H 'Content-Type: application/json' \
  --data "$BODY" "$URL/v1/leases/tenants/40000001"

step "6. an incremental sync picks up exactly that change, with its diff in pms_changes"
run_sql "SELECT json_extract(value,'\$.model') AS model, json_extract(value,'\$.mode') AS mode, json_extract(value,'\$.fetched') AS fetched, json_extract(value,'\$.changed') AS changed FROM json_each(pms_sync('acme', 'residents'), '\$.runs');" \
  "SELECT event, record_id, diff FROM pms_changes;" \
  "SELECT model, mode, status, fetched, new, changed, unchanged FROM pms_sync_runs ORDER BY id DESC LIMIT 3;"

step "7. what each PMS can do is a table too"
run_sql "SELECT vendor, model, operation, supported, notes FROM pms_capabilities WHERE field IS NULL AND model IN ('residents','leads') AND operation IN ('read','update');"

step "8. the seed's scenario: a second customer on Rent Manager ('south'), next to 'acme' on Buildium"
run_sql "INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES('south', 'RENTMANAGER', '$RM_URL', '$RM_CREDS');" \
  "SELECT json_extract(value,'\$.model') AS model, json_extract(value,'\$.fetched') AS fetched FROM json_each(pms_sync('south'), '\$.runs');" \
  "SELECT integration_vendor, count(*) AS residents FROM residents GROUP BY 1;"

step "9. the same UPDATE on both: Buildium takes notes, Rent Manager does not (nothing is sent)"
run_sql "UPDATE residents SET notes = 'Late fee waived' WHERE id = 'acme:res:40000002';" \
  "SELECT status, method, url, json_extract(payload, '\$.Comment') AS notes_sent FROM pms_writes ORDER BY id DESC LIMIT 1;"
run_sql "UPDATE residents SET notes = 'Late fee waived' WHERE id = 'south:res:2';" || true

step "10. with PRAGMA pms_ignore_unknown_fields = ON both go through; Rent Manager's journal row lists notes as stripped"
run_sql "PRAGMA pms_ignore_unknown_fields = ON;" \
  "UPDATE residents SET notes = 'Prefers texts', email_1 = 'prefers.texts@example.org' WHERE id IN ('acme:res:40000003', 'south:res:3');" \
  "SELECT vendor, record_id, status, stripped FROM pms_writes ORDER BY id DESC LIMIT 2;" \
  "SELECT vendor, field, supported FROM pms_capabilities WHERE model = 'residents' AND operation = 'update' AND field = 'notes';"

step "11. every other vendor joins the same database: one integration each, one pms_sync(), one query"
sqls=()
for pair in $OTHERS; do
  v=${pair%%:*}; pv=${pair#*:}
  sqls+=("INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES('$v', '$pv', '${O_URL[$v]}', '${O_CREDS[$v]}');")
done
run_sql "${sqls[@]}" \
  "SELECT json_extract(pms_sync(), '\$.status') AS sync;" \
  "SELECT integration_vendor, count(*) FROM residents GROUP BY 1;" \
  "SELECT first_name, last_name, email_1, group_concat(integration_vendor, ' ') AS vendors FROM residents GROUP BY 1, 2, 3 ORDER BY 2, 1 LIMIT 3;"
for pair in $OTHERS; do
  v=${pair%%:*}
  printf '%s sandbox says: %s residents\n' "$v" "$(curl -s "${O_URL[$v]}/__sandbox/stats" | sed -e 's/.*"residents":\([0-9]*\).*/\1/')"
done

printf '\n== done: %s holds the synced cache; try  sqlite3 %s -cmd ".load ./pmsql"\n' "$DB" "$DB"
