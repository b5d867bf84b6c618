# many_child.tcl — one pms_sync_due() over many integrations in a process of
# its own, for bench/many.tcl (the many_integrations benchmark).
#
#   tclsh bench/many_child.tcl EXT DB
#
# DB holds the integrations (bench/many.tcl made it). Prints one Tcl dict on
# stdout: wall_ms (the pms_sync_due call), cpu_ms (this process's user+sys
# during it), rss_kb (VmHWM, peak resident set), rss_base_kb (VmHWM before
# it), records (fetched, all runs), status (of the call: "succeeded" or its
# error), fresh (integration id -> ms from the call's start until its last
# run finished, from pms_sync_runs.finished_at) and failed (integrations
# whose last status is not ok).
package require sqlite3

lassign $argv ext dbfile
source [file join [file dirname [info script]] proc_stats.tcl]

sqlite3 db $dbfile
db enable_load_extension 1
db eval {SELECT load_extension($ext)}
db timeout 60000

set rss0 [vm_hwm_kb]
set c0 [cpu_ms]
set start [db onecolumn {SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')}]
set t0 [clock microseconds]
if {[catch {db onecolumn {SELECT pms_sync_due()}} out]} {
  set status $out
} else {
  set status [db onecolumn {SELECT json_extract($out, '$.status')}]
}
set t1 [clock microseconds]
set c1 [cpu_ms]
set rss [vm_hwm_kb]

set records [db onecolumn {SELECT coalesce(sum(fetched), 0) FROM pms_sync_runs WHERE started_at >= $start}]
set fresh [db eval {
  SELECT integration_id, round((julianday(max(finished_at)) - julianday($start)) * 86400000.0)
  FROM pms_sync_runs WHERE started_at >= $start GROUP BY integration_id
}]
set failed [db eval {SELECT id FROM pms_integrations WHERE status <> 'ok' ORDER BY id}]
db close
puts [dict create wall_ms [expr {($t1 - $t0) / 1000.0}] cpu_ms [expr {$c1 - $c0}] \
        rss_kb $rss rss_base_kb $rss0 records $records status $status \
        fresh $fresh failed $failed]
