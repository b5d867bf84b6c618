# all.tcl — run the whole suite: every test/*.test in name order.
# Prints "N passed, N failed" last and exits non-zero on any failure.
source [file join [file dirname [info script]] tester.tcl]

set files [lsort [glob -directory $::testdir *.test]]
if {[info exists ::env(PMSQL_TESTS)]} {
  set files [lmap f $files { if {[string match $::env(PMSQL_TESTS) [file tail $f]]} {set f} else continue }]
}
foreach f $files {
  puts "== [file tail $f]"
  set t0 [clock milliseconds]
  if {[catch {uplevel #0 [list source $f]} err]} {
    test_result "[file tail $f] (aborted)" 0 "  $err\n$::errorInfo"
  }
  foreach h [info commands db*] { catch {$h close} }
  sandbox_stop_all
  puts "   [expr {[clock milliseconds]-$t0}] ms"
}
finish_all
