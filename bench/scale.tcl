# scale.tcl — the measurements behind docs/scale.md (issue 17, item 5),
# sourced by bench.tcl and run alone with BENCH_ONLY=scale (they are not
# targets, so `make bench` does not run them).
#
#   1. per vendor, the vendor's rate limits on (the sandbox enforces them per
#      account, as the vendors do per client): one pms_sync_due() over 30
#      accounts of 20-200 residents (small: 10), giving one process's
#      records/s and integrations/hour for such customers; and one account
#      of 2,000 residents (small: 500), giving one integration's records/s
#      at its limit
#   2. shards: 40 Buildium accounts (small: 12) synced by one process into
#      one file, then by two processes at once, each owning half the
#      integrations in a file of its own
#   3. cross-shard reads: the two shard files ATTACHed by plain SQLite
#      (no pmsql loaded), the *_cache tables read with UNION ALL

proc scale_db {name} {
  set db [file join $::work scale-$name.db]
  rm_db $db
  sqlite3 sdb $db
  sdb enable_load_extension 1
  sdb eval {SELECT load_extension($::ext)}
  sdb eval {SELECT pms_init()}
  return $db
}
# Integrations for accounts [from, to) of a sandbox, into the open sdb.
proc scale_add {sbname vendor sb from to {size ""}} {
  set url [dict get $sb url]
  sdb transaction {
    for {set k $from} {$k < $to} {incr k} {
      if {$size eq ""} {
        set c [many_creds $sbname $k]
      } else {
        set c [exec $::sbbin --vendor $sbname --seed $::many_seed --size $size --print-credentials]
      }
      set id "$sbname-$k"
      sdb eval {INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES($id, $vendor, $url, $c)}
    }
  }
}
proc scale_child {db} {
  exec timeout 3000 tclsh [file join $::topdir bench many_child.tcl] $::ext $db
}
proc scale_line {what out sb n} {
  set wall [dict get $out wall_ms]
  set recs [dict get $out records]
  set st [many_get $sb /__sandbox/stats]
  say "  $what: $n integrations, [dict get $out status]; wall [ms $wall] ms; $recs records,\
         [jget $st {$.requests}] requests ([format %.1f [expr {double($recs) / max(1, [jget $st {$.requests}])}]] records/request),\
         [jget $st {$.rate_limited}] 429s, max [jget $st {$.connections.max_concurrent}] connections;\
         [format %.0f [expr {1000.0 * $recs / $wall}]] records/s,\
         [format %.0f [expr {3600000.0 * $n / $wall}]] integrations/hour;\
         CPU [format %.1f [expr {1000.0 * [dict get $out cpu_ms] / max(1, $recs)}]] us/record;\
         peak RSS [dict get $out rss_kb] kB"
}

proc bench_scale {} {
  set small [expr {$::mode eq "small"}]
  set nacc [expr {$small ? 10 : 30}]
  set big [expr {$small ? 500 : 2000}]
  section "scale 1: per vendor, rate limits on: $nacc accounts of $::many_size residents; one account of $big"
  foreach {sbname vendor} $::many_vendors {
    set sb [many_sb $sbname --size $::many_size --accounts $nacc]
    try {
      set db [scale_db $sbname-many]
      scale_add $sbname $vendor $sb 0 $nacc
      sdb close
      scale_line "$sbname, $nacc accounts" [scale_child $db] $sb $nacc
      rm_db $db
    } finally {
      catch {sdb close}
      sb_stop $sb
    }
    set sb [many_sb $sbname --size $big]
    try {
      set db [scale_db $sbname-one]
      scale_add $sbname $vendor $sb 0 1 $big
      sdb close
      scale_line "$sbname, one account of $big residents" [scale_child $db] $sb 1
      rm_db $db
    } finally {
      catch {sdb close}
      sb_stop $sb
    }
  }

  set n [expr {$small ? 12 : 40}]
  section "scale 2: shards: $n Buildium accounts of $::many_size residents, one process vs two shards at once"
  set sb [many_sb buildium --size $::many_size --accounts $n]
  try {
    set one [scale_db shard-all]
    scale_add buildium BUILDIUM $sb 0 $n
    sdb close
    scale_line "one process, one file" [scale_child $one] $sb $n
    rm_db $one
    many_post $sb /__sandbox/reset-stats {}
    set half [expr {$n / 2}]
    set s1 [scale_db shard-1]
    scale_add buildium BUILDIUM $sb 0 $half
    sdb close
    set s2 [scale_db shard-2]
    scale_add buildium BUILDIUM $sb $half $n
    sdb close
    set t0 [us_now]
    set c1 [open "|timeout 3000 tclsh [file join $::topdir bench many_child.tcl] $::ext $s1" r]
    set c2 [open "|timeout 3000 tclsh [file join $::topdir bench many_child.tcl] $::ext $s2" r]
    set o1 [read $c1]; close $c1
    set o2 [read $c2]; close $c2
    set wall [expr {([us_now] - $t0) / 1000.0}]
    set recs [expr {[dict get $o1 records] + [dict get $o2 records]}]
    set st [many_get $sb /__sandbox/stats]
    say "  two shards at once: shard walls [ms [dict get $o1 wall_ms]] and [ms [dict get $o2 wall_ms]] ms; both done in [ms $wall] ms;\
           $recs records, [format %.0f [expr {1000.0 * $recs / $wall}]] records/s,\
           [format %.0f [expr {3600000.0 * $n / $wall}]] integrations/hour; [jget $st {$.rate_limited}] 429s;\
           CPU [ms [expr {[dict get $o1 cpu_ms] + [dict get $o2 cpu_ms]}]] ms"

    section "scale 3: cross-shard reads: plain SQLite, the two shard files ATTACHed (no pmsql loaded)"
    sqlite3 xdb :memory:
    xdb eval {ATTACH $s1 AS s1; ATTACH $s2 AS s2}
    set t0 [us_now]
    set rows [xdb eval {
      SELECT count(*), count(DISTINCT integration_id), sum(balance_in_cents IS NOT NULL)
      FROM (SELECT integration_id, balance_in_cents FROM s1.residents_cache
            UNION ALL SELECT integration_id, balance_in_cents FROM s2.residents_cache)
    }]
    set t1 [us_now]
    set occ [xdb eval {
      SELECT count(*) FROM (
        SELECT u.integration_id, u.id FROM s1.units_cache u JOIN s1.leases_cache l ON l.unit_id = u.id
        UNION ALL
        SELECT u.integration_id, u.id FROM s2.units_cache u JOIN s2.leases_cache l ON l.unit_id = u.id)
    }]
    set t2 [us_now]
    xdb close
    say "  residents across shards: [lindex $rows 0] rows of [lindex $rows 1] integrations in [ms [expr {($t1 - $t0) / 1000.0}]] ms;\
           units joined to their leases across shards: $occ rows in [ms [expr {($t2 - $t1) / 1000.0}]] ms;\
           shard files [format %.1f [expr {[file size $s1] / 1e6}]] and [format %.1f [expr {[file size $s2] / 1e6}]] MB"
    rm_db $s1
    rm_db $s2
  } finally {
    catch {sdb close}
    sb_stop $sb
  }
}
