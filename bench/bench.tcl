# bench.tcl — `make bench`: pmsql against baselines measured in the same run
# (PRODUCT.md §10). BENCH_SIZE=small finishes in under a minute, the full
# run in under ten on a 2-core machine.
#
#   1. sync throughput   full sync of a Buildium sandbox (its six list
#                        models; ::list_paths) vs. curl fetching the same
#                        pages at the same concurrency; CPU per
#                        record; peak RSS; incremental syncs (0 and 1%)
#   2. read overhead     a fixed query suite on the model tables vs. plain
#                        tables holding the same rows and indexes
#   3. write batching    1,000 (small: 100) updates in one statement vs. one
#                        statement each, 20 ms sandbox latency; and the
#                        vendor rate limit respected when on
#   4. load cost         .load per fresh connection; size of pmsql.so
#   5. sharing           a full sync (sandbox latency 200 ms) in another
#                        process while this one writes its own table every
#                        20 ms: the longest write-lock hold per model (the
#                        apply, pms_sync's apply_ms) against the sync's time,
#                        and the application's write latency p50/p99/max
#                        (its p99 is bounded by the longest apply, not by
#                        the network)
#   6. many integrations bench/many.tcl: one pms_sync_due() over ~1,000
#                        (small: 120) integrations, one per account of six
#                        vendor sandboxes (--accounts), vs. curl replaying
#                        the same requests under the same per-host caps
#
# Raw figures are printed as they come; then one line per target,
# "bench NAME ratio=R target=T". bench/RESULTS.md gets the machine and
# everything printed (its section for this BENCH_SIZE is rewritten).
# Sandboxes listen on 127.0.0.1 port 0 and are stopped at the end, also on
# error (bench.sh kills any left behind). Every wait and loop is bounded.
package require sqlite3

set ::topdir [file dirname [file dirname [file normalize [info script]]]]
cd $::topdir
set ::mode [expr {[info exists ::env(BENCH_SIZE)] && $::env(BENCH_SIZE) eq "small" ? "small" : "full"}]
set ::work [file join $::topdir build bench]
file mkdir $::work
set ::t_start [clock milliseconds]

# Private copies of the binaries, so a rebuild by someone else during the
# run cannot change what is measured.
file copy -force [file join $::topdir pmsql.so] [file join $::work pmsql.so]
file copy -force [file join $::topdir sandbox pms-sandbox] [file join $::work pms-sandbox]
set ::ext [file join $::work pmsql]
set ::sbbin [file join $::work pms-sandbox]
set ::pidfile [file join $::work sandbox.pids]

# ------------------------------------------------------------------ output
set ::raw {}
set ::targets {}
proc say {line} {
  puts $line
  flush stdout
  lappend ::raw $line
}
set ::t_section 0
proc section {title} {
  section_end
  say ""
  say "== $title"
  set ::t_section [clock milliseconds]
}
proc section_end {} {
  if {$::t_section} {
    say "  (section: [format %.1f [expr {([clock milliseconds] - $::t_section) / 1000.0}]] s)"
    set ::t_section 0
  }
}
proc target {name ratio target} {
  set r [format %.3f $ratio]
  set line "bench $name ratio=$r target=$target"
  lappend ::targets [list $line [expr {$ratio <= $target}]]
}
proc median {l} {
  set s [lsort -real $l]
  set n [llength $s]
  if {$n == 0} { return 0 }
  if {$n % 2} { return [lindex $s [expr {$n / 2}]] }
  expr {([lindex $s [expr {$n/2 - 1}]] + [lindex $s [expr {$n/2}]]) / 2.0}
}
proc ms {x} { format %.1f $x }
proc us_now {} { clock microseconds }
proc fmt_list {l {f %.1f}} { join [lmap x $l {format $f $x}] " " }

sqlite3 ::J :memory:
proc jget {json path} { ::J onecolumn {SELECT json_extract($json, $path)} }

# --------------------------------------------------------------- sandboxes
set ::sb_pids {}
proc pidfile_write {} {
  set f [open $::pidfile w]
  puts $f [join $::sb_pids \n]
  close $f
}
# sb_start ARGS... -> dict url pid chan creds; waits at most 120 s for the line
proc sb_start {args} {
  set cmd [list $::sbbin --vendor buildium --port 0 {*}$args]
  set chan [open "|$cmd 2>@stderr" r]
  set pid [lindex [pid $chan] 0]
  lappend ::sb_pids $pid
  pidfile_write
  fconfigure $chan -blocking 0 -buffering line
  set deadline [expr {[clock milliseconds] + 120000}]
  set line ""
  while {[clock milliseconds] < $deadline} {
    if {[gets $chan line] >= 0 || [eof $chan]} break
    after 10
  }
  if {![regexp {listening on (http://127\.0\.0\.1:\d+)} $line -> url]} {
    error "sandbox did not start ($cmd): '$line'"
  }
  set seedargs {}
  foreach {k v} $args { if {$k in {--size --seed}} { lappend seedargs $k $v } }
  set creds [exec $::sbbin --vendor buildium {*}$seedargs --print-credentials]
  return [dict create url $url pid $pid chan $chan creds $creds \
            id [jget $creds {$.client_id}] secret [jget $creds {$.client_secret}]]
}
proc pid_alive {pid} { file exists /proc/$pid }
proc sb_stop {sb} {
  set pid [dict get $sb pid]
  catch {exec kill $pid}
  for {set i 0} {$i < 200 && [pid_alive $pid]} {incr i} {
    # a zombie still has /proc/PID: stop waiting once it is one
    if {![catch {set f [open /proc/$pid/stat r]; set st [read $f]; close $f}] &&
        [regexp {\) Z } $st]} break
    after 25
  }
  if {[pid_alive $pid]} { catch {exec kill -9 $pid} }
  catch {fconfigure [dict get $sb chan] -blocking 1}
  catch {close [dict get $sb chan]}
  set ::sb_pids [lsearch -all -inline -not -exact $::sb_pids $pid]
  pidfile_write
}
proc sb_stop_all {} {
  foreach pid $::sb_pids { catch {exec kill $pid} }
  after 200
  foreach pid $::sb_pids { if {[pid_alive $pid]} { catch {exec kill -9 $pid} } }
  set ::sb_pids {}
  catch {pidfile_write}
}
proc auth_headers {sb} {
  list -H "x-buildium-client-id: [dict get $sb id]" -H "x-buildium-client-secret: [dict get $sb secret]"
}
proc sb_get {sb path} {
  exec curl -s -S --max-time 30 {*}[auth_headers $sb] "[dict get $sb url]$path"
}
proc sb_stats {sb} {
  exec curl -s -S --max-time 30 "[dict get $sb url]/__sandbox/stats"
}

# ------------------------------------------------------------ curl helpers
set ::list_paths {/rentals /rentals/units /leases /leases/tenants /applicants /workorders}

# The page URLs pmsql's full sync fetches: limit 1000, offset 0..total.
proc page_urls {sb} {
  set urls {}
  set bytotal {}
  foreach p $::list_paths {
    set hdr [exec curl -s -S --max-time 30 -D - -o /dev/null {*}[auth_headers $sb] \
               "[dict get $sb url]/v1$p?limit=1&offset=0&orderby=Id%20asc"]
    if {![regexp -nocase {X-Total-Count:\s*(\d+)} $hdr -> total]} { error "no X-Total-Count for $p" }
    lappend bytotal $p $total
    set off 0
    for {set k 0} {$k == 0 || $off < $total} {incr k} {
      lappend urls "[dict get $sb url]/v1$p?limit=1000&offset=$off&orderby=Id%20asc"
      incr off 1000
      if {$k > 100000} { error "too many pages" }
    }
  }
  list $urls $bytotal
}
proc curl_config {sb urls file} {
  set f [open $file w]
  puts $f "header = \"x-buildium-client-id: [dict get $sb id]\""
  puts $f "header = \"x-buildium-client-secret: [dict get $sb secret]\""
  puts $f "write-out = \"%{http_code} %{size_download}\\n\""
  foreach u $urls {
    puts $f "url = \"$u\""
    puts $f "output = \"/dev/null\""
  }
  close $f
}
# One parallel download; returns [list ms bytes]; fails unless all are 200.
proc curl_download {cfg n} {
  set t0 [us_now]
  set out [exec curl --parallel --parallel-max 4 --no-progress-meter --max-time 600 -K $cfg]
  set t1 [us_now]
  set bytes 0
  set ok 0
  foreach {code size} $out { if {$code == 200} { incr ok }; incr bytes $size }
  if {$ok != $n} { error "curl: $ok of $n pages answered 200" }
  list [expr {($t1 - $t0) / 1000.0}] $bytes
}

# ------------------------------------------------------------- sync child
proc sync_child {db sb action} {
  set out [exec timeout 1500 tclsh [file join $::topdir bench sync_child.tcl] \
             $::ext $db [dict get $sb url] [dict get $sb creds] $action]
  if {[jget [dict get $out summary] {$.status}] ne "succeeded"} {
    error "sync $action did not succeed: [dict get $out summary]"
  }
  return $out
}
proc rm_db {db} {
  foreach s {"" -journal -wal -shm .pms_writes .pms_writes-wal .pms_writes-shm} {
    file delete -force $db$s
  }
}

# Change 1% of the tenants at the "PMS": GET each, PUT back (Buildium's PUT
# is a full replace) its name, address, phones and a new e-mail.
proc change_tenants {sb dbfile pct} {
  sqlite3 cdb $dbfile -readonly 1
  set ids [cdb eval {SELECT x_id FROM residents_cache WHERE rowid % (100 / $pct) = 1 ORDER BY rowid}]
  cdb close
  set dir [file join $::work tenants]
  file delete -force $dir
  file mkdir $dir
  set base [dict get $sb url]
  set f [open $dir/get.cfg w]
  puts $f "header = \"x-buildium-client-id: [dict get $sb id]\""
  puts $f "header = \"x-buildium-client-secret: [dict get $sb secret]\""
  foreach id $ids {
    puts $f "url = \"$base/v1/leases/tenants/$id\""
    puts $f "output = \"$dir/$id.json\""
  }
  close $f
  set t0 [us_now]
  exec curl --parallel --parallel-max 4 --no-progress-meter --max-time 600 -K $dir/get.cfg
  set stamp [clock seconds]
  ::J eval {CREATE TEMP TABLE IF NOT EXISTS t(id, j); DELETE FROM t}
  ::J transaction {
    foreach id $ids {
      set h [open $dir/$id.json r]
      fconfigure $h -encoding utf-8
      set j [read $h]
      close $h
      ::J eval {INSERT INTO t VALUES($id, $j)}
    }
  }
  set f [open $dir/put.cfg w]
  fconfigure $f -encoding utf-8
  set n 0
  ::J eval {
    SELECT id, json_object(
      'FirstName', json_extract(j, '$.FirstName'),
      'LastName', json_extract(j, '$.LastName'),
      'Email', 'bench.' || id || '.' || $stamp || '@example.org',
      'Address', json(json_extract(j, '$.Address')),
      'PhoneNumbers', (SELECT json_group_object(k, num) FROM (
         SELECT k, min(num) AS num FROM (
           SELECT CASE json_extract(value, '$.Type')
                    WHEN 'Home' THEN 'Home' WHEN 'Cell' THEN 'Mobile' WHEN 'Mobile' THEN 'Mobile'
                    WHEN 'Office' THEN 'Work' WHEN 'Work' THEN 'Work' WHEN 'Fax' THEN 'Fax' END AS k,
                  json_extract(value, '$.Number') AS num
           FROM json_each(j, '$.PhoneNumbers'))
         WHERE k IS NOT NULL GROUP BY k))) AS body
    FROM t ORDER BY rowid
  } {
    set h [open $dir/$id.put w]
    fconfigure $h -encoding utf-8
    puts -nonewline $h $body
    close $h
    if {$n} { puts $f "next" }
    puts $f "url = \"$base/v1/leases/tenants/$id\""
    puts $f "request = \"PUT\""
    puts $f "header = \"Content-Type: application/json\""
    puts $f "header = \"x-buildium-client-id: [dict get $sb id]\""
    puts $f "header = \"x-buildium-client-secret: [dict get $sb secret]\""
    puts $f "data-binary = \"@$dir/$id.put\""
    puts $f "output = \"/dev/null\""
    puts $f "write-out = \"%{http_code}\\n\""
    incr n
  }
  close $f
  set out [exec curl --parallel --parallel-max 4 --no-progress-meter --max-time 600 -K $dir/put.cfg]
  set t1 [us_now]
  set ok [llength [lsearch -all -exact $out 200]]
  if {$ok != [llength $ids]} { error "tenant PUTs: $ok of [llength $ids] answered 200 ([lsort -unique $out])" }
  file delete -force $dir
  list [llength $ids] [expr {($t1 - $t0) / 1000.0}]
}

# -------------------------------------------------------- 1. sync throughput
# Runs the whole sync benchmark for one size; returns a dict of medians.
proc bench_sync {n reps keepdb} {
  section "sync: $n residents (sandbox --no-rate-limit, pmsql max_requests_per_second 0, 4 connections)"
  set cachemb [expr {$n >= 1000000 ? 8192 : 2048}]
  set sb [sb_start --size $n --no-rate-limit --cache-mb $cachemb]
  set res [dict create n $n]
  try {
    lassign [page_urls $sb] urls totals
    set npages [llength $urls]
    set nrec 0
    foreach {p t} $totals { incr nrec $t }
    say "  pages: $npages; records: $nrec ([join [lmap {p t} $totals {string cat $p=$t}] {, }])"
    set cfg [file join $::work urls-$n.cfg]
    curl_config $sb $urls $cfg
    lassign [curl_download $cfg $npages] cold bytes
    say "  curl cold pass (sandbox renders and caches): [ms $cold] ms, [format %.1f [expr {$bytes / 1e6}]] MB"
    set nd [expr {$n >= 1000000 ? 3 : 5}]
    set dl {}
    for {set i 0} {$i < $nd} {incr i} { lappend dl [lindex [curl_download $cfg $npages] 0] }
    set download [median $dl]
    say "  curl warm download, --parallel-max 4: median [ms $download] ms of $nd ([fmt_list $dl])"
    # floor: a curl process fetching one tiny URL (startup included above)
    set fl {}
    for {set i 0} {$i < 3} {incr i} {
      set t0 [us_now]; sb_stats $sb; lappend fl [expr {([us_now] - $t0) / 1000.0}]
    }
    say "  (curl process floor, one tiny request: [ms [median $fl]] ms)"

    set runs {}
    set db [file join $::work sync-$n.db]
    for {set i 0} {$i < $reps} {incr i} {
      rm_db $db
      lappend runs [sync_child $db $sb full]
    }
    foreach k {wall_ms cpu_ms user_ms sys_ms rss_kb records} {
      dict set res $k [median [lmap r $runs {dict get $r $k}]]
    }
    set r0 [lindex $runs 0]
    set r0sum [dict get $r0 summary]
    set per_model [::J eval {
      SELECT json_extract(value, '$.model') || ' ' || json_extract(value, '$.fetched') || ' in ' ||
             json_extract(value, '$.ms') || ' ms' FROM json_each($r0sum, '$.runs')
    }]
    dict set res download_ms $download
    set wall [dict get $res wall_ms]
    set cpu [dict get $res cpu_ms]
    set recs [dict get $res records]
    say "  pmsql full sync: wall median [ms $wall] ms of $reps ([fmt_list [lmap r $runs {dict get $r wall_ms}]]), $recs records"
    say "    per model (run 1): [join $per_model {, }]"
    say "    CPU (user+sys) median [ms $cpu] ms (user [ms [dict get $res user_ms]], sys [ms [dict get $res sys_ms]])\
           = [format %.2f [expr {1000.0 * $cpu / $recs}]] us/record;\
           wall - CPU (waiting) [ms [expr {$wall - $cpu}]] ms; wall/download = [format %.2f [expr {$wall / $download}]]"
    say "    peak RSS (VmHWM) median [dict get $res rss_kb] kB (process before the sync: [dict get $r0 rss_base_kb] kB);\
           DB [format %.1f [expr {[file size $db] / 1e6}]] MB"
    dict set res us_per_record [expr {1000.0 * $cpu / $recs}]

    # incremental: nothing changed
    set inc {}
    for {set i 0} {$i < 3} {incr i} { lappend inc [sync_child $db $sb incremental] }
    set i0 [median [lmap r $inc {dict get $r wall_ms}]]
    say "  incremental residents sync, 0 changes: wall median [ms $i0] ms of 3 ([fmt_list [lmap r $inc {dict get $r wall_ms}]]),\
           fetched [dict get [lindex $inc 0] records]"
    # incremental: 1% of the tenants changed through the API
    lassign [change_tenants $sb $db 1] nch tch
    say "  changed $nch tenants (GET + PUT each, curl --parallel-max 4): [ms $tch] ms"
    set r1 [sync_child $db $sb incremental]
    say "  incremental residents sync, 1% changed: wall [ms [dict get $r1 wall_ms]] ms,\
           fetched [dict get $r1 records], changed [dict get $r1 changed],\
           CPU [ms [dict get $r1 cpu_ms]] ms (full sync: [ms $wall] ms)"
    dict set res incr0_ms $i0
    dict set res incr1_ms [dict get $r1 wall_ms]
    if {$keepdb} { dict set res db $db } else { rm_db $db }
  } finally {
    sb_stop $sb
  }
  return $res
}

# ---------------------------------------------------------- 2. read overhead
# The baseline is what a user would compare against: plain tables holding the
# same rows (same columns and declared types, id the primary key, same
# rowids), with the indexes a competent user would create for the queries
# below, chosen per query and not copied from the cache's DDL:
#   residents(integration_id, property_id)  filter by customer + properties
#   residents(last_name COLLATE NOCASE)     case-insensitive name search: = …
#                                            COLLATE NOCASE, LIKE 'smi%' (the
#                                            LIKE optimization needs NOCASE)
#   residents(email_1 COLLATE NOCASE)       LIKE 'james.smith.%'
#   residents(lease_id)                     residents of a lease (joins)
#   leases(unit_id), units(property_id)     the joins leases-units-properties
# GROUP BY state and count(*) get none (no index serves them better).
set ::read_models {properties units leases residents}
set ::plain_indexes {
  {CREATE INDEX n_residents_int_prop ON n_residents(integration_id, property_id)}
  {CREATE INDEX n_residents_name ON n_residents(last_name COLLATE NOCASE)}
  {CREATE INDEX n_residents_email ON n_residents(email_1 COLLATE NOCASE)}
  {CREATE INDEX n_residents_lease ON n_residents(lease_id)}
  {CREATE INDEX n_leases_unit ON n_leases(unit_id)}
  {CREATE INDEX n_units_property ON n_units(property_id)}
}

proc make_native {db} {
  foreach m $::read_models {
    $db eval "DROP TABLE IF EXISTS n_$m"
    set defs [$db eval "SELECT '\"' || name || '\" ' || type || CASE WHEN name='id' THEN ' PRIMARY KEY' ELSE '' END
                        FROM pragma_table_info('${m}_cache') WHERE name <> '_hash'"]
    set cols [join [$db eval "SELECT '\"' || name || '\"' FROM pragma_table_info('${m}_cache') WHERE name <> '_hash'"] ", "]
    $db transaction {
      $db eval "CREATE TABLE n_$m ([join $defs {, }])"
      $db eval "INSERT INTO n_$m (rowid, $cols) SELECT rowid, $cols FROM ${m}_cache ORDER BY rowid"
    }
  }
  $db transaction { foreach s $::plain_indexes { $db eval $s } }
  $db eval { ANALYZE n_residents; ANALYZE n_leases; ANALYZE n_units; ANALYZE n_properties }
}
# Rewrites a query on the model tables into the same query on the copies.
proc nativize {sql} {
  foreach m $::read_models { regsub -all "\\m$m\\M" $sql "n_$m" sql }
  return $sql
}
proc eqp {db sql} {
  set out {}
  $db eval "EXPLAIN QUERY PLAN $sql" r { lappend out $r(detail) }
  join $out " | "
}
# Times SCRIPT (run with the table-name variable set) on both sides,
# alternating, after one warm-up each; returns [list vt_ms native_ms].
proc time_pair {name reps vtscript natscript {note ""} {target ""}} {
  set a {}; set b {}
  set ra [lsort [uplevel #0 $vtscript]]
  set rb [lsort [uplevel #0 $natscript]]
  if {$ra ne $rb} {
    say "  !! $name: model-table and plain-table results differ ([string range $ra 0 80] vs [string range $rb 0 80])"
  }
  for {set i 0} {$i < $reps} {incr i} {
    if {$i % 2} {
      set t0 [us_now]; uplevel #0 $natscript; lappend b [expr {([us_now] - $t0) / 1000.0}]
      set t0 [us_now]; uplevel #0 $vtscript; lappend a [expr {([us_now] - $t0) / 1000.0}]
    } else {
      set t0 [us_now]; uplevel #0 $vtscript; lappend a [expr {([us_now] - $t0) / 1000.0}]
      set t0 [us_now]; uplevel #0 $natscript; lappend b [expr {([us_now] - $t0) / 1000.0}]
    }
  }
  set ma [median $a]; set mb [median $b]
  set r [expr {$ma / max($mb, 0.001)}]
  set miss [expr {$target ne "" && $r > $target ? "   MISSED (target $target)" : ""}]
  say [format "  %-22s model %9.2f ms  plain %9.2f ms  ratio %6.3f   (median of %d%s)%s" \
         $name $ma $mb $r $reps $note $miss]
  list $ma $mb
}

proc lookups {tbl} {
  set n 0
  foreach id $::lookup_ids { incr n [llength [::R eval "SELECT $::cols_res FROM $tbl WHERE id=\$id"]] }
  return $n
}
proc lookups_floor {} {
  set n 0
  foreach id $::lookup_ids { incr n [llength [::R eval {SELECT $id WHERE $id IS NOT NULL}]] }
  return $n
}
proc filters {tbl} {
  set n 0
  foreach pid $::filter_pids {
    incr n [llength [::R eval "SELECT $::cols_res FROM $tbl WHERE integration_id='b' AND property_id=\$pid"]]
  }
  return $n
}
# integration_id = ? AND property_id IN (5 ids), for groups of 5 properties
proc filters_in {tbl} {
  set n 0
  foreach {a b c d e} $::filter_pids {
    incr n [llength [::R eval "SELECT $::cols_res FROM $tbl WHERE integration_id='b' AND property_id IN (\$a, \$b, \$c, \$d, \$e)"]]
  }
  return $n
}

# The read suite: name, target, repetitions (small/full), SQL. Targets from
# PRODUCT.md §10: 1.2 for lookups and filters, 1.3 for scans, joins and
# aggregates.
set ::read_suite {
  name_nocase      1.2 {SELECT id, first_name, last_name FROM residents WHERE last_name = 'Smith' COLLATE NOCASE}
  like_name        1.2 {SELECT id, first_name, last_name FROM residents WHERE last_name LIKE 'smi%'}
  like_email       1.2 {SELECT id, first_name, last_name, email_1 FROM residents WHERE email_1 LIKE 'james.smith.%'}
  like_email_scan  1.3 {SELECT id, first_name, last_name, email_1 FROM residents WHERE email_1 LIKE '%smith.10%'}
  group_by_state   1.3 {SELECT state, count(*), sum(balance_in_cents) FROM residents GROUP BY state}
  group_by_property 1.3 {SELECT property_id, count(*), sum(balance_in_cents) FROM residents GROUP BY property_id}
  join_leases_units 1.3 {SELECT count(*), sum(u.rent_amount_market_in_cents) FROM leases l JOIN units u ON u.id = l.unit_id}
  join_4way        1.3 {SELECT p.name, count(r.id) FROM properties p JOIN units u ON u.property_id = p.id JOIN leases l ON l.unit_id = u.id JOIN residents r ON r.lease_id = l.id GROUP BY p.id}
  count_star       1.3 {SELECT count(*) FROM residents}
}

proc bench_reads {db nres} {
  section "reads: model tables vs. plain tables with indexes suited to each query ($nres residents)"
  sqlite3 ::R $db
  ::R enable_load_extension 1
  ::R eval {SELECT load_extension($::ext)}
  set t0 [us_now]
  make_native ::R
  set counts [join [lmap m $::read_models {string cat $m= [::R onecolumn "SELECT count(*) FROM n_$m"]}] ", "]
  say "  plain tables (same rows and types; indexes per query, see bench.tcl): [ms [expr {([us_now] - $t0) / 1000.0}]] ms; $counts"
  set ::cols_res [join [::R eval {SELECT '"' || name || '"' FROM pragma_table_info('residents')}] ", "]
  expr {srand(20260701)}
  set maxrow [::R onecolumn {SELECT max(rowid) FROM residents_cache}]
  set nlook [expr {$::mode eq "small" ? 5000 : 20000}]
  set ::lookup_ids {}
  for {set i 0} {$i < $nlook} {incr i} {
    set rid [expr {1 + int(rand() * $maxrow)}]
    lappend ::lookup_ids [::R onecolumn {SELECT id FROM residents_cache WHERE rowid = $rid}]
  }
  set ::lookup_ids [lmap x $::lookup_ids { expr {$x eq "" ? "b:res:none" : $x} }]
  set props [::R eval {SELECT id FROM properties_cache}]
  set ::filter_pids {}
  for {set i 0} {$i < 300} {incr i} {
    lappend ::filter_pids [lindex $props [expr {int(rand() * [llength $props])}]]
  }
  set reps [expr {$::mode eq "small" ? 5 : 7}]
  set res {}

  say "  plans (model | plain):"
  foreach {name sql} [list \
      point_lookup "SELECT * FROM residents WHERE id='b:res:1'" \
      filter_property "SELECT * FROM residents WHERE integration_id='b' AND property_id='x'" \
      filter_property_in "SELECT * FROM residents WHERE integration_id='b' AND property_id IN ('a','b','c','d','e')" \
      join_occupancy [read_file sql/examples/occupancy_by_property.sql] \
      join_rent_roll [read_file sql/examples/rent_roll.sql] \
      scan_aggregate [read_file sql/examples/rent_by_property.sql]] {
    say "    $name: [eqp ::R $sql]  ||  [eqp ::R [nativize $sql]]"
  }
  foreach {name t sql} $::read_suite {
    say "    $name: [eqp ::R $sql]  ||  [eqp ::R [nativize $sql]]"
  }

  lassign [time_pair point_lookup $reps {lookups residents} {lookups n_residents} ", $nlook ids per repetition" 1.2] a b
  dict set res point_lookup [list [expr {$a / $b}] 1.2]
  set fl [median [lmap i {1 2 3} { set t0 [us_now]; lookups_floor; expr {([us_now] - $t0) / 1000.0} }]]
  say [format "    per lookup: model %.2f us, plain %.2f us; Tcl loop floor %.2f us; ratio net of the floor %.3f" \
         [expr {1000.0 * $a / $nlook}] [expr {1000.0 * $b / $nlook}] [expr {1000.0 * $fl / $nlook}] \
         [expr {($a - $fl) / ($b - $fl)}]]
  # the same lookups driven by SQLite (a join), no host-language loop
  ::R eval {CREATE TEMP TABLE IF NOT EXISTS bench_ids(id TEXT); DELETE FROM bench_ids}
  ::R transaction { foreach id $::lookup_ids { ::R eval {INSERT INTO bench_ids VALUES($id)} } }
  set jsql "SELECT count(*), sum(length(r.first_name) + length(r.email_1) + length(r.notes)) FROM temp.bench_ids b CROSS JOIN residents r ON r.id = b.id"
  lassign [time_pair point_lookup_join $reps [list ::R eval $jsql] [list ::R eval [nativize $jsql]] ", $nlook ids, one statement" 1.2] a b
  dict set res point_lookup_join [list [expr {$a / $b}] 1.2]
  lassign [time_pair filter_property $reps {filters residents} {filters n_residents} ", 300 properties, integration_id = ? AND property_id = ?" 1.2] a b
  dict set res filter_property [list [expr {$a / $b}] 1.2]
  lassign [time_pair filter_property_in $reps {filters_in residents} {filters_in n_residents} ", 60 x integration_id = ? AND property_id IN (5 ids)" 1.2] a b
  dict set res filter_property_in [list [expr {$a / $b}] 1.2]
  foreach {name t sql} $::read_suite {
    lassign [time_pair $name $reps [list ::R eval $sql] [list ::R eval [nativize $sql]] "" $t] a b
    dict set res $name [list [expr {$a / $b}] $t]
  }
  foreach {name file} {join_occupancy occupancy_by_property.sql join_rent_roll rent_roll.sql scan_aggregate rent_by_property.sql} {
    set sql [read_file sql/examples/$file]
    lassign [time_pair $name 3 [list ::R eval $sql] [list ::R eval [nativize $sql]] ", sql/examples/$file" 1.3] a b
    dict set res $name [list [expr {$a / $b}] 1.3]
  }
  foreach m $::read_models { ::R eval "DROP TABLE IF EXISTS n_$m" }
  ::R close
  return $res
}
proc read_file {path} {
  set f [open [file join $::topdir $path] r]
  fconfigure $f -encoding utf-8
  set s [read $f]
  close $f
  return $s
}

# --------------------------------------------------------- 3. write batching
proc write_db {name sb options} {
  set db [file join $::work $name.db]
  rm_db $db
  sqlite3 ::W $db
  ::W enable_load_extension 1
  ::W eval {SELECT load_extension($::ext)}
  ::W eval {SELECT pms_init()}
  set url [dict get $sb url]
  set creds [dict get $sb creds]
  if {$options eq ""} {
    ::W eval {INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES('w', 'BUILDIUM', $url, $creds)}
  } else {
    ::W eval {INSERT INTO pms_integrations(id, vendor, base_url, credentials, options) VALUES('w', 'BUILDIUM', $url, $creds, $options)}
  }
  ::W eval {SELECT pms_sync('w', 'residents')}
  return $db
}
proc journal_summary {} {
  join [::W eval {SELECT status || '=' || count(*) FROM pms_writes GROUP BY status ORDER BY status}] ", "
}

proc bench_writes {} {
  set nw [expr {$::mode eq "small" ? 100 : 1000}]
  section "writes: $nw single-field updates, sandbox --latency-ms 20 --no-rate-limit,\
           options {\"max_requests_per_second\":0,\"max_connections\":16,\"host_connections\":16}\
           (the host's cap, 4 by default for Buildium, bounds max_connections since issue 17)"
  set sb [sb_start --size 2000 --latency-ms 20 --no-rate-limit]
  set res {}
  try {
    set db [write_db writes $sb {{"max_requests_per_second":0,"max_connections":16,"host_connections":16}}]
    set ids [::W eval {SELECT id FROM residents ORDER BY id LIMIT $nw}]
    set list [join [lmap id $ids {string cat ' $id '}] ,]
    set t0 [us_now]
    ::W eval "UPDATE residents SET notes = 'bench batch [clock seconds]' WHERE id IN ($list)"
    set batch [expr {([us_now] - $t0) / 1000.0}]
    set j1 [journal_summary]
    # one statement per write, within a time budget: writes left when it
    # runs out are counted at the mean of those sent (and said so)
    set budget [expr {$::mode eq "small" ? 6000 : 90000}]
    set t0 [us_now]
    set k 0
    foreach id $ids {
      ::W eval {UPDATE residents SET notes = 'bench serial ' || $k WHERE id = $id}
      incr k
      if {([us_now] - $t0) / 1000.0 > $budget} break
    }
    set sent [expr {([us_now] - $t0) / 1000.0}]
    set serial [expr {$sent * $nw / $k}]
    set note [expr {$k < $nw ? "; $k of $nw sent within the [expr {$budget / 1000}] s budget, the rest extrapolated from their mean" : ""}]
    set j2 [journal_summary]
    set st [sb_stats $sb]
    ::W close
    rm_db $db
    say "  one statement:        [ms $batch] ms ([format %.2f [expr {$batch / $nw}]] ms/write; journal: $j1)"
    say "  one statement each:   [ms $serial] ms ([format %.2f [expr {$serial / $nw}]] ms/write$note; journal after both: $j2)"
    say "  sandbox: [jget $st {$.requests_by_method.GET}] GET, [jget $st {$.requests_by_method.PUT}] PUT,\
           [jget $st {$.writes}] writes accepted, [jget $st {$.writes_rejected}] rejected"
    say "  batch/serial = [format %.4f [expr {$batch / $serial}]]"
    dict set res ratio [expr {$batch / $serial}]
  } finally {
    sb_stop $sb
  }

  set nr [expr {$::mode eq "small" ? 15 : 40}]
  section "writes: rate limit on (sandbox default 10 req/s, integration default options), $nr updates in one statement"
  set sb [sb_start --size 500]
  try {
    set db [write_db ratelimit $sb ""]
    set ids [::W eval {SELECT id FROM residents ORDER BY id LIMIT $nr}]
    set list [join [lmap id $ids {string cat ' $id '}] ,]
    set t0 [us_now]
    ::W eval "UPDATE residents SET notes = 'bench limited [clock seconds]' WHERE id IN ($list)"
    set t [expr {([us_now] - $t0) / 1000.0}]
    set j [journal_summary]
    ::W close
    rm_db $db
    set st [sb_stats $sb]
    set mx [jget $st {$.max_requests_in_1s}]
    set rl [jget $st {$.rate_limited}]
    say "  $nr writes ([expr {2 * $nr}] requests after the residents sync): [ms $t] ms; journal: $j"
    say "  sandbox stats: requests [jget $st {$.requests}], max_requests_in_1s $mx (limit 10), rate_limited $rl"
    dict set res max_in_1s $mx
    dict set res rate_limited $rl
  } finally {
    sb_stop $sb
  }
  return $res
}

# -------------------------------------------------------------- 4. load cost
proc bench_load {} {
  section "load cost"
  set n [expr {$::mode eq "small" ? 200 : 1000}]
  # first load in this process (dlopen) out of the way
  sqlite3 ::L :memory:
  ::L enable_load_extension 1
  ::L eval {SELECT load_extension($::ext)}
  ::L close
  set with {}; set without {}
  for {set i 0} {$i < $n} {incr i} {
    set t0 [us_now]
    sqlite3 ::L :memory:
    ::L enable_load_extension 1
    ::L eval {SELECT load_extension($::ext)}
    ::L eval {SELECT 1}
    ::L close
    lappend with [expr {[us_now] - $t0}]
    set t0 [us_now]
    sqlite3 ::L :memory:
    ::L eval {SELECT 1}
    ::L close
    lappend without [expr {[us_now] - $t0}]
  }
  set mw [median $with]; set mo [median $without]
  say [format "  fresh :memory: connection + SELECT 1: with load_extension %.1f us, without %.1f us: load costs %.1f us (median of %d)" \
         $mw $mo [expr {$mw - $mo}] $n]
  set pw {}; set po {}
  for {set i 0} {$i < 15} {incr i} {
    set t0 [us_now]; exec sqlite3 :memory: -cmd ".load $::ext" "SELECT 1"; lappend pw [expr {([us_now] - $t0) / 1000.0}]
    set t0 [us_now]; exec sqlite3 :memory: "SELECT 1"; lappend po [expr {([us_now] - $t0) / 1000.0}]
  }
  say [format "  fresh sqlite3 process (dlopen included): with .load %.2f ms, without %.2f ms: %.2f ms (median of 15)" \
         [median $pw] [median $po] [expr {[median $pw] - [median $po]}]]
  set so [file join $::work pmsql.so]
  set sz [exec size $so]
  set stripped [file join $::work pmsql-stripped.so]
  exec strip -o $stripped $so
  say "  pmsql.so: [file size $so] bytes ([file size $stripped] stripped; text [lindex $sz 6], data [lindex $sz 7], bss [lindex $sz 8])"
  file delete $stripped
}

# ----------------------------------------------------------------- machine
proc machine {} {
  set cpu [string trim [lindex [split [exec grep -m1 "model name" /proc/cpuinfo] :] 1]]
  set mem [exec grep MemTotal /proc/meminfo]
  regexp {(\d+)} $mem -> kb
  sqlite3 ::V :memory:
  ::V enable_load_extension 1
  ::V eval {SELECT load_extension($::ext)}
  set v [::V onecolumn {SELECT pms_version()}]
  ::V close
  set commit [string trim [exec git -C $::topdir rev-parse --short HEAD]]
  set dirty [expr {[catch {exec git -C $::topdir diff --quiet HEAD -- ext adapters sql sandbox Makefile}] ? " (+ uncommitted changes)" : ""}]
  list \
    "date: [clock format [clock seconds] -format {%Y-%m-%d %H:%M:%S UTC} -gmt 1]; commit $commit$dirty; BENCH_SIZE=$::mode" \
    "nproc: [exec nproc]; CPU: $cpu; memory: [format %.1f [expr {$kb / 1048576.0}]] GiB; kernel [exec uname -r]" \
    "pmsql [jget $v {$.version}] built with gcc [jget $v {$.build.compiler}] (debug [jget $v {$.build.debug}]);\
     SQLite [jget $v {$.sqlite}]; libcurl [jget $v {$.curl}] ([jget $v {$.ssl}]); cJSON [jget $v {$.cjson}]; curl [lindex [exec curl --version] 1]" \
    "load average at start: [string range [exec cat /proc/loadavg] 0 13]"
}

proc write_results {mach elapsed} {
  set file [file join $::topdir bench RESULTS.md]
  set title [expr {$::mode eq "small" ? "Small run (`make bench BENCH_SIZE=small`)" : "Full run (`make bench`)"}]
  set body "<!-- bench:$::mode -->\n## $title\n\n"
  append body "Machine and build:\n\n"
  foreach l $mach { append body "- $l\n" }
  append body "- wall time of the run: [format %.0f [expr {$elapsed / 1000.0}]] s\n\n"
  append body "Raw figures:\n\n```\n[string trim [join $::raw \n] \n]\n```\n\nTargets:\n\n```\n"
  foreach t $::targets { append body "[lindex $t 0][expr {[lindex $t 1] ? "" : "   MISSED"}]\n" }
  append body "```\n<!-- /bench:$::mode -->"
  if {[file exists $file]} {
    set f [open $file r]; fconfigure $f -encoding utf-8; set old [read $f]; close $f
  } else {
    set old "# pmsql benchmark results\n\nWritten by `make bench` (bench/bench.tcl); each run rewrites the\nsection of its BENCH_SIZE and leaves the rest of this file alone. Targets\nare PRODUCT.md §10; `MISSED` marks a ratio above its target.\n\n"
  }
  set re "<!-- bench:$::mode -->.*?<!-- /bench:$::mode -->"
  if {[regexp $re $old]} {
    # string map-safe replacement (no & or \ interpretation)
    regexp -indices $re $old span
    set new [string replace $old [lindex $span 0] [lindex $span 1] $body]
  } else {
    set new "[string trimright $old \n]\n\n$body\n"
  }
  set f [open $file w]; fconfigure $f -encoding utf-8; puts -nonewline $f $new; close $f
}

# ---------------------------------------------------------------- 5. sharing
proc percentile {l p} {
  set s [lsort -real $l]
  set n [llength $s]
  if {$n == 0} { return 0 }
  lindex $s [expr {min($n - 1, int(ceil($p * $n)) - 1)}]
}
proc bench_sharing {n latency} {
  section "sharing: full sync of $n residents, sandbox latency $latency ms, application writing every 20 ms"
  set sb [sb_start --size $n --no-rate-limit --latency-ms $latency]
  set db [file join $::work share.db]
  set out [file join $::work share.out]
  rm_db $db
  file delete -force $out
  set res {}
  try {
    sqlite3 app $db
    app enable_load_extension 1
    app eval {SELECT load_extension($::ext)}
    set init [app onecolumn {SELECT pms_init()}]
    set url [dict get $sb url]
    set creds [dict get $sb creds]
    app eval {
      INSERT INTO pms_integrations(id, vendor, base_url, credentials, options)
      VALUES('b', 'BUILDIUM', $url, $creds, '{"max_requests_per_second":0}');
      CREATE TABLE app_notes(id INTEGER PRIMARY KEY, at INTEGER, note TEXT);
    }
    app timeout 10000
    say "  pms_init: $init"
    set pid [exec timeout 1500 tclsh [file join $::topdir bench sync_child.tcl] \
               $::ext $db $url $creds shared > $out 2>@stderr &]
    set lat {}
    set errors 0
    set deadline [expr {[clock milliseconds] + 1500000}]
    while {[pid_alive $pid] && [clock milliseconds] < $deadline} {
      if {![catch {set st [open /proc/$pid/stat r]; set stat [read $st]; close $st}] &&
          [regexp {\) Z } $stat]} break
      set t0 [us_now]
      if {[catch { app eval { INSERT INTO app_notes(at, note) VALUES($t0, 'during the sync') } }]} { incr errors }
      lappend lat [expr {([us_now] - $t0) / 1000.0}]
      after 20
    }
    catch { exec wait $pid }
    set f [open $out r]; set child [read $f]; close $f
    set summary [dict get $child summary]
    if {[jget $summary {$.status}] ne "succeeded"} { error "shared sync did not succeed: $summary" }
    set rows [::J eval {
      SELECT json_extract(value, '$.model'), json_extract(value, '$.fetched'),
             json_extract(value, '$.ms'), json_extract(value, '$.apply_ms')
      FROM json_each($summary, '$.runs')
    }]
    set maxapply 0
    set per {}
    foreach {m f t a} $rows {
      lappend per "$m $f done at $t ms, lock $a ms"
      set maxapply [expr {max($maxapply, $a)}]
    }
    set wall [dict get $child wall_ms]
    say "  sync wall [ms $wall] ms; per model (records, done at ms since the sync began, write lock held): [join $per {; }]"
    say "  longest write-lock hold [ms $maxapply] ms; all write-lock holds together [ms [tcl::mathop::+ {*}[lmap {m f t a} $rows {set a}]]] ms of [ms $wall] ms"
    say "  application writes: [llength $lat], failed $errors; latency p50 [ms [percentile $lat 0.5]] ms,\
           p99 [ms [percentile $lat 0.99]] ms, max [ms [percentile $lat 1.0]] ms"
    dict set res hold_vs_wall [expr {$wall > 0 ? double($maxapply) / $wall : 1.0}]
    dict set res write_p99_vs_hold [expr {$maxapply > 0 ? [percentile $lat 0.99] / $maxapply : 0}]
    dict set res errors $errors
    app close
  } finally {
    catch {app close}
    sb_stop $sb
    rm_db $db
  }
  return $res
}

source [file join $::topdir bench many.tcl]
source [file join $::topdir bench scale.tcl]

# -------------------------------------------------------------------- main
proc main {} {
  if {[info exists ::env(BENCH_ONLY)] && $::env(BENCH_ONLY) eq "many"} {
    # development: only the many_integrations section; nothing is written
    many_targets [bench_many]
    section_end
    foreach t $::targets { puts "[lindex $t 0][expr {[lindex $t 1] ? "" : "   MISSED"}]" }
    return
  }
  if {[info exists ::env(BENCH_ONLY)] && $::env(BENCH_ONLY) eq "writes"} {
    # development: only the write section; nothing is written
    set writes [bench_writes]
    section_end
    target write_batch_vs_serial [dict get $writes ratio] 0.1
    foreach t $::targets { puts "[lindex $t 0][expr {[lindex $t 1] ? "" : "   MISSED"}]" }
    return
  }
  if {[info exists ::env(BENCH_ONLY)] && $::env(BENCH_ONLY) eq "scale"} {
    # the measurements of docs/scale.md; nothing is written
    bench_scale
    section_end
    return
  }
  if {[info exists ::env(BENCH_READS_DB)] && [file exists $::env(BENCH_READS_DB)]} {
    # development: only the read section, on a database a run kept
    # (BENCH_KEEP_DB=1 keeps build/bench/sync-<n>.db); nothing is written
    sqlite3 ::K $::env(BENCH_READS_DB) -readonly 1
    set n [::K onecolumn {SELECT count(*) FROM residents_cache}]
    ::K close
    set reads [bench_reads $::env(BENCH_READS_DB) $n]
    section_end
    dict for {k rt} $reads { target read_$k {*}$rt }
    foreach t $::targets { puts "[lindex $t 0][expr {[lindex $t 1] ? "" : "   MISSED"}]" }
    return
  }
  set mach [machine]
  puts "pmsql bench, BENCH_SIZE=$::mode"
  foreach l $mach { puts "  $l" }

  if {$::mode eq "small"} {
    set s10k [bench_sync 10000 3 0]
    set head $s10k
    set headname "10k"
    set rsync [bench_sync 100000 1 1]
  } else {
    set s10k [bench_sync 10000 3 0]
    set head [bench_sync 100000 3 0]
    set headname "100k"
    set rsync [bench_sync 1000000 1 1]
  }
  set reads [bench_reads [dict get $rsync db] [dict get $rsync n]]
  if {![info exists ::env(BENCH_KEEP_DB)]} { rm_db [dict get $rsync db] }
  set writes [bench_writes]
  bench_load
  set share [bench_sharing [expr {$::mode eq "small" ? 10000 : 100000}] 200]
  set many [bench_many]

  target sync_${headname}_vs_download [expr {[dict get $head wall_ms] / [dict get $head download_ms]}] 1.25
  target sync_cpu_us_per_record [dict get $head us_per_record] 5
  if {$::mode eq "full"} {
    target sync_rss_1m_vs_10k [expr {double([dict get $rsync rss_kb]) / [dict get $s10k rss_kb]}] 1.5
  }
  dict for {k rt} $reads { target read_$k {*}$rt }
  target write_batch_vs_serial [dict get $writes ratio] 0.1
  target write_ratelimit_max_requests_in_1s [dict get $writes max_in_1s] 10
  target write_ratelimit_429s [dict get $writes rate_limited] 0
  target share_lock_hold_vs_sync_wall [dict get $share hold_vs_wall] 0.5
  target share_app_write_p99_vs_lock_hold [dict get $share write_p99_vs_hold] 1.2
  target share_app_write_errors [dict get $share errors] 0
  many_targets $many

  section_end
  set elapsed [expr {[clock milliseconds] - $::t_start}]
  say ""
  say "total bench wall time: [format %.1f [expr {$elapsed / 1000.0}]] s"
  puts ""
  set missed 0
  foreach t $::targets {
    puts "[lindex $t 0][expr {[lindex $t 1] ? "" : "   MISSED"}]"
    if {![lindex $t 1]} { incr missed }
  }
  write_results $mach $elapsed
  puts "\n$missed of [llength $::targets] targets missed; results in bench/RESULTS.md"
}

set rc [catch {main} err opts]
sb_stop_all
if {$rc} {
  puts stderr "bench failed: $err\n[dict get $opts -errorinfo]"
  exit 1
}
exit 0
