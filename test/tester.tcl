# tester.tcl — the harness every test file uses.
#
# SQLite-style helpers on plain tclsh (Debian ships no testfixture):
# do_test, do_execsql_test, do_catchsql_test, do_eqp_test; plus the helpers
# pmsql's tests share: opening a database with the extension loaded, and
# starting/stopping sandboxes (sandbox/pms-sandbox on loopback). all.tcl
# sources this, then each *.test file, and prints "N passed, N failed".
package require sqlite3
package require http

set ::testdir [file dirname [file normalize [info script]]]
set ::topdir  [file dirname $::testdir]
if {![info exists ::env(PMSQL_EXT)]} { set ::env(PMSQL_EXT) [file join $::topdir pmsql] }
set ::ext [file normalize $::env(PMSQL_EXT)]
set ::sandbox_bin [file join $::topdir sandbox pms-sandbox]
# Helper programs run without the sanitizer runtime make test-asan preloads.
set ::clean_env [list env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS]
# The sandboxes listen on loopback: env: credentials may go there in tests
# (pmsql sends them only to hosts the environment allows; README, Security model).
set ::env(PMSQL_ALLOWED_HOSTS) 127.0.0.1
set ::nPass 0
set ::nFail 0
set ::failed {}
set ::tmpdir [file join $::topdir build test-tmp]
file mkdir $::tmpdir

proc test_result {name ok {detail ""}} {
  if {$ok} {
    incr ::nPass
  } else {
    incr ::nFail
    lappend ::failed $name
    puts "! $name FAILED"
    if {$detail ne ""} { puts $detail }
  }
}

proc do_test {name script expected} {
  set rc [catch {uplevel 1 $script} got]
  if {$rc == 1} {
    test_result $name 0 "  error: $got\n  $::errorInfo"
  } elseif {$got ne $expected} {
    test_result $name 0 "  expected: \[$expected\]\n  got:      \[$got\]"
  } else {
    test_result $name 1
  }
}

# Like do_test, with a glob pattern for the expected result.
proc do_test_glob {name script pattern} {
  set rc [catch {uplevel 1 $script} got]
  if {$rc == 1} {
    test_result $name 0 "  error: $got"
  } elseif {![string match $pattern $got]} {
    test_result $name 0 "  expected (glob): \[$pattern\]\n  got:             \[$got\]"
  } else {
    test_result $name 1
  }
}

proc execsql {sql {h db}} { uplevel 1 [list $h eval $sql] }
proc catchsql {sql {h db}} {
  set rc [catch {uplevel 1 [list $h eval $sql]} msg]
  list $rc $msg
}
proc do_execsql_test {name sql expected} {
  uplevel 1 [list do_test $name [list execsql $sql] [list {*}$expected]]
}
proc do_catchsql_test {name sql expected} {
  uplevel 1 [list do_test $name [list catchsql $sql] $expected]
}
# The EXPLAIN QUERY PLAN details, joined by newlines, matched as a glob.
proc eqp {sql {h db}} {
  set out {}
  $h eval "EXPLAIN QUERY PLAN $sql" r { lappend out $r(detail) }
  join $out "\n"
}
proc do_eqp_test {name sql pattern} {
  uplevel 1 [list do_test_glob $name [list eqp $sql] $pattern]
}

# Open a database with pmsql loaded; "" or :memory: for an in-memory one.
proc pmsql_open {h {file ""}} {
  if {$file eq ""} { set file :memory: }
  sqlite3 $h $file
  $h enable_load_extension 1
  $h eval {SELECT load_extension($::ext)}
  return $h
}
proc tmpfile {name} {
  set f [file join $::tmpdir $name]
  foreach s {"" -journal -wal -shm} { file delete -force $f$s }
  return $f
}

# ---------------------------------------------------------------- sandboxes
# sandbox_start VENDOR ?ARGS? -> handle; the handle is a dict with url, pid, chan.
proc sandbox_start {vendor args} {
  set cmd [list {*}$::clean_env $::sandbox_bin --vendor $vendor --port 0 {*}$args]
  set chan [open "|$cmd 2>@stderr" r]
  fconfigure $chan -buffering line
  set line [gets $chan]
  if {![regexp {listening on (http://\S+)} $line -> url]} {
    catch {close $chan}
    error "sandbox did not start: $line"
  }
  set pid [lindex [pid $chan] 0]
  lappend ::sandbox_pids $pid
  set creds [exec {*}$::clean_env $::sandbox_bin --vendor $vendor {*}[sandbox_seed_args $args] --print-credentials]
  return [dict create url $url pid $pid chan $chan creds $creds vendor $vendor]
}
# mock_start NAME -> [list DIR URL]: a mock_pms.tcl server answering from a
# fresh directory build/test-tmp/NAME (files as mock_pms.tcl describes).
proc mock_start {name} {
  set dir [file join $::tmpdir $name]
  file delete -force $dir
  file mkdir $dir
  set chan [open "|[list {*}$::clean_env tclsh [file join $::testdir mock_pms.tcl] $dir] 2>@stderr" r]
  gets $chan line
  if {![regexp {(http://\S+)} $line -> url]} { error "mock_pms did not start: $line" }
  lappend ::sandbox_pids [pid $chan]
  list $dir $url
}
# mock_put DIR FILE CONTENT: one answer file of a mock (binary as given).
proc mock_put {dir file content} {
  set fh [open [file join $dir $file] wb]; puts -nonewline $fh $content; close $fh
}
# The requests a mock has seen, as a list of request lines (with headers
# when bHeaders); {} when none.
proc mock_requests {dir {bHeaders 0}} {
  set f [file join $dir requests.log]
  if {![file exists $f]} { return {} }
  set fh [open $f rb]; set d [read $fh]; close $fh
  set out {}
  foreach block [split [string map [list "\n\n" \x01] $d] \x01] {
    set block [string trim $block]
    if {$block eq ""} continue
    lappend out [expr {$bHeaders ? $block : [lindex [split $block \n] 0]}]
  }
  return $out
}
proc mock_clear_log {dir} { file delete -force [file join $dir requests.log] }
proc sandbox_seed_args {argl} {
  set out {}
  foreach {k v} $argl { if {$k in {--seed --size}} { lappend out $k $v } }
  return $out
}
# Stop every sandbox a test file left running (called by all.tcl).
proc sandbox_stop_all {} {
  foreach pid $::sandbox_pids { catch {exec kill $pid} }
  set ::sandbox_pids {}
}
set ::sandbox_pids {}
proc sandbox_stop {sb} {
  catch {exec kill [dict get $sb pid]}
  catch {close [dict get $sb chan]}
}
# HTTP to a sandbox with curl: returns [list status body]. A 429 is waited
# out (the sandboxes enforce the vendors' rate limits on tests too).
proc sb_http {sb method path {body ""} {headers {}}} {
  set cmd [list {*}$::clean_env curl -s -S -X $method -w "\n%{http_code}" --max-time 30]
  foreach {k v} $headers { lappend cmd -H "$k: $v" }
  if {$body ne ""} { lappend cmd -H "Content-Type: application/json" --data-binary @- }
  lappend cmd "[dict get $sb url]$path"
  for {set try 0} {$try < 5} {incr try} {
    if {$body ne ""} {
      set out [exec {*}$cmd << $body]
    } else {
      set out [exec {*}$cmd]
    }
    set nl [string last "\n" $out]
    set status [string range $out [expr {$nl+1}] end]
    if {$status ne "429"} break
    after 1100
  }
  list $status [string range $out 0 [expr {$nl-1}]]
}
proc sb_stats {sb} {
  lindex [sb_http $sb GET /__sandbox/stats] 1
}
# sb_config SB KEY VALUE ...: live sandbox settings (fault, fault_after,
# fault_rate, latency_ms, rate_limit); numbers stay numbers.
proc sb_config {sb args} {
  sqlite3 cfgdb :memory:
  set json [cfgdb onecolumn {SELECT '{}'}]
  foreach {k v} $args {
    if {$k ne "fault" && ([string is double -strict $v] || $v in {true false})} {
      set json [cfgdb onecolumn {SELECT json_set($json, '$.' || $k, json($v))}]
    } else {
      set json [cfgdb onecolumn {SELECT json_set($json, '$.' || $k, '' || $v)}]
    }
  }
  cfgdb close
  lindex [sb_http $sb POST /__sandbox/config $json] 1
}
# The value of a top-level key of a flat JSON object, via SQLite's JSON.
proc json_get {json path} {
  sqlite3 jsondb :memory:
  set v [jsondb eval {SELECT json_extract($json, $path)}]
  jsondb close
  return [lindex $v 0]
}

proc finish_all {} {
  if {$::nFail} { puts "failed tests: $::failed" }
  puts "$::nPass passed, $::nFail failed"
  exit [expr {$::nFail ? 1 : 0}]
}

# A Buildium API call with the sandbox's own credentials.
proc bd_api {sb method path {body ""}} {
  set creds [dict get $sb creds]
  set h [list x-buildium-client-id [json_get $creds {$.client_id}] \
              x-buildium-client-secret [json_get $creds {$.client_secret}]]
  sb_http $sb $method $path $body $h
}
# Add an integration for a running sandbox.
proc add_integration {h id vendor sb {options "{}"}} {
  set url [dict get $sb url]
  set creds [dict get $sb creds]
  $h eval { INSERT INTO pms_integrations(id, vendor, base_url, credentials, options)
            VALUES($id, $vendor, $url, $creds, $options) }
}
# Everything a model's cache and watermark hold, for before/after comparisons.
proc cache_state {h model integration} {
  list [$h eval "SELECT * FROM ${model}_cache WHERE integration_id=\$integration ORDER BY id"] \
       [$h eval {SELECT watermark FROM pms_sync_state WHERE integration_id=$integration AND model=$model}]
}
proc json_type_of {json path} {
  sqlite3 jsondb :memory:
  set v [jsondb onecolumn {SELECT json_type($json, $path)}]
  jsondb close
  return $v
}
source [file join $::testdir fault_table.tcl]
