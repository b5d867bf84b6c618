# mock_pms.tcl — a canned-response HTTP server for tests that need answers
# no real PMS (and so no sandbox) would give: hostile bodies, huge totals,
# endless lists, compressed bombs, absurd Retry-After values.
# Usage: tclsh mock_pms.tcl DIR   (prints "listening on http://127.0.0.1:PORT")
# GET /a/b?... answers, for the path's name N (a_b) and the query's page=P
# (default 1) on its K-th request for that page (counted since requests.log
# was last deleted), the first file found of
# DIR/N.pP.K.body, DIR/N.pP.body, DIR/N.body, with status 200 (or the line in
# DIR/N.status, e.g. "429 Too Many Requests"), Content-Type from DIR/N.type
# (default application/json), X-Total-Count from DIR/N.total (default
# absent), extra header lines from DIR/N.headers, and the body gzip-compressed
# (Content-Encoding: gzip) when DIR/N.gzip exists. Anything else answers 404.
# Every request line and its headers are appended to DIR/requests.log (a
# blank line after each), so tests can see exactly what pmsql sent. Requests
# may share a keep-alive connection (a request body is read past).
set dir [lindex $argv 0]
array set nSeen {}
proc slurp {f} { set fh [open $f rb]; set d [read $fh]; close $fh; return $d }
proc answer {ch} {
  if {[eof $ch] || [catch {gets $ch line} n] || $n < 0} { close $ch; return }
  if {![regexp {^(\S+) (\S+)} $line -> method target]} { close $ch; return }
  set log "$line\n"
  set nBody 0
  while {[gets $ch h] >= 0 && [string trim $h] ne ""} {
    append log "$h\n"
    regexp -nocase {^content-length:\s*([0-9]+)} $h -> nBody
  }
  # the body is read (not logged), so a keep-alive connection's next
  # request starts where it should
  if {$nBody > 0} { read $ch $nBody }
  set logf [file join $::dir requests.log]
  if {![file exists $logf]} { array unset ::nSeen }   ;# a cleared log restarts the counts
  set lf [open $logf ab]; puts $lf $log; close $lf
  set path [lindex [split $target ?] 0]
  set name [string map {/ _} [string trimleft $path /]]
  set page 1
  regexp {[?&]page=([0-9]+)} $target -> page
  set k [incr ::nSeen($name.$page)]
  set f ""
  foreach c [list $name.p$page.$k.body $name.p$page.body $name.body] {
    if {[file exists [file join $::dir $c]]} { set f [file join $::dir $c]; break }
  }
  if {$f ne ""} {
    set body [slurp $f]
    set status "200 OK"
    if {[file exists [file join $::dir $name.status]]} { set status [string trim [slurp [file join $::dir $name.status]]] }
    set type application/json
    if {[file exists [file join $::dir $name.type]]} { set type [string trim [slurp [file join $::dir $name.type]]] }
    set extra ""
    if {[file exists [file join $::dir $name.total]]} {
      append extra "X-Total-Count: [string trim [slurp [file join $::dir $name.total]]]\r\n"
    }
    if {[file exists [file join $::dir $name.headers]]} {
      foreach h [split [string trim [slurp [file join $::dir $name.headers]]] \n] { append extra "[string trim $h]\r\n" }
    }
    if {[file exists [file join $::dir $name.gzip]]} {
      set body [zlib gzip $body]
      append extra "Content-Encoding: gzip\r\n"
    }
    puts -nonewline $ch "HTTP/1.1 $status\r\nContent-Type: $type\r\nContent-Length: [string length $body]\r\n${extra}\r\n"
    puts -nonewline $ch $body
  } else {
    puts -nonewline $ch "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n\[\]"
  }
  if {[catch {flush $ch}]} { catch {close $ch} }
}
proc accept {ch addr port} {
  fconfigure $ch -translation binary -buffering full -buffersize 4194304 -blocking 1
  fileevent $ch readable [list answer $ch]
}
set srv [socket -server accept -myaddr 127.0.0.1 0]
puts "listening on http://127.0.0.1:[lindex [fconfigure $srv -sockname] 2]"
flush stdout
vwait forever
