# proc_stats.tcl — this process's CPU time and peak resident set, from
# /proc/self; sourced by the bench's child processes (sync_child.tcl,
# many_child.tcl).
set clk_tck [exec getconf CLK_TCK]

# [list user_ms sys_ms] of this process
proc cpu_us_sy {} {
  set f [open /proc/self/stat r]
  set s [read $f]
  close $f
  # fields after "(comm)": field 3 is the first; utime is 14, stime 15
  set rest [string range $s [expr {[string last ")" $s] + 2}] end]
  list [expr {1000.0 * [lindex $rest 11] / $::clk_tck}] [expr {1000.0 * [lindex $rest 12] / $::clk_tck}]
}
proc cpu_ms {} { tcl::mathop::+ {*}[cpu_us_sy] }
proc vm_hwm_kb {} {
  set f [open /proc/self/status r]
  set s [read $f]
  close $f
  if {[regexp {VmHWM:\s+(\d+)\s+kB} $s -> kb]} { return $kb }
  return -1
}
