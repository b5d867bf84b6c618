# sync_child.tcl — one pmsql sync in a process of its own, for bench.tcl.
#
#   tclsh bench/sync_child.tcl EXT DB URL CREDS full
#       creates DB (pms_init, integration 'b' with max_requests_per_second 0)
#       and runs SELECT pms_sync('b', M, 'full') for each model M whose lists
#       bench.tcl's curl baseline downloads (the money models, which Buildium
#       serves per GL account, are not in that baseline, so not in this sync)
#   tclsh bench/sync_child.tcl EXT DB URL CREDS incremental
#       opens DB and runs SELECT pms_sync('b', 'residents')
#   tclsh bench/sync_child.tcl EXT DB URL CREDS shared
#       opens DB (made by bench.tcl) and runs SELECT pms_sync('b', NULL, 'full')
#
# Prints one Tcl dict on stdout: wall_ms (the pms_sync call), cpu_ms (this
# process's user+sys during the call, /proc/self/stat fields 14 and 15;
# also apart as user_ms and sys_ms),
# cpu_total_ms (the whole process), rss_kb (VmHWM: peak resident set),
# rss_base_kb (VmHWM before the sync), records (fetched, all models) and
# summary (pms_sync's JSON).
package require sqlite3

lassign $argv ext dbfile url creds action
source [file join [file dirname [info script]] proc_stats.tcl]

sqlite3 db $dbfile
db enable_load_extension 1
db eval {SELECT load_extension($ext)}

if {$action eq "full"} {
  db eval {SELECT pms_init()}
  db eval {
    INSERT INTO pms_integrations(id, vendor, base_url, credentials, options)
    VALUES('b', 'BUILDIUM', $url, $creds, '{"max_requests_per_second":0}')
  }
  set sqls [lmap m {properties units leases residents applicants service_requests} {
    format {SELECT pms_sync('b', '%s', 'full')} $m
  }]
} elseif {$action eq "incremental"} {
  set sqls {{SELECT pms_sync('b', 'residents')}}
} elseif {$action eq "shared"} {
  set sqls {{SELECT pms_sync('b', NULL, 'full')}}
} else {
  puts stderr "sync_child: unknown action '$action'"
  exit 2
}

set rss0 [vm_hwm_kb]
lassign [cpu_us_sy] u0 s0
set t0 [clock microseconds]
set runs {}
foreach sql $sqls {
  set s [db onecolumn $sql]
  lappend runs {*}[db eval {SELECT value FROM json_each($s, '$.runs')}]
}
set t1 [clock microseconds]
set summary "{\"runs\":\[[join $runs ,]\],\"status\":\"succeeded\"}"
lassign [cpu_us_sy] u1 s1
set rss [vm_hwm_kb]

set records [db onecolumn {
  SELECT coalesce(sum(json_extract(value, '$.fetched')), 0) FROM json_each($summary, '$.runs')
}]
set changed [db onecolumn {
  SELECT coalesce(sum(json_extract(value, '$.changed')), 0) FROM json_each($summary, '$.runs')
}]
db close
puts [dict create wall_ms [expr {($t1 - $t0) / 1000.0}] cpu_ms [expr {$u1 + $s1 - $u0 - $s0}] \
        user_ms [expr {$u1 - $u0}] sys_ms [expr {$s1 - $s0}] \
        cpu_total_ms [cpu_ms] rss_kb $rss rss_base_kb $rss0 records $records \
        changed $changed summary $summary]
