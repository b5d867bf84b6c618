# mock_pms.tcl — a canned-response HTTP server for tests that need answers
# no real PMS (and so no sandbox) would give: hostile bodies.
# Usage: tclsh mock_pms.tcl DIR   (prints "listening on http://127.0.0.1:PORT")
# GET /a/b?... answers DIR/a_b.body with status 200, Content-Type from
# DIR/a_b.type (default application/json) and X-Total-Count from
# DIR/a_b.total (default absent); anything else answers 404.
set dir [lindex $argv 0]
proc answer {ch} {
  if {[eof $ch] || [catch {gets $ch line} n] || $n < 0} { close $ch; return }
  if {![regexp {^(\S+) (\S+)} $line -> method target]} { close $ch; return }
  while {[gets $ch h] >= 0 && [string trim $h] ne ""} {}
  set path [lindex [split $target ?] 0]
  set name [string map {/ _} [string trimleft $path /]]
  set f [file join $::dir $name.body]
  if {[file exists $f]} {
    set fh [open $f rb]; set body [read $fh]; close $fh
    set type application/json
    if {[file exists [file join $::dir $name.type]]} {
      set fh [open [file join $::dir $name.type]]; set type [string trim [read $fh]]; close $fh
    }
    set extra ""
    if {[file exists [file join $::dir $name.total]]} {
      set fh [open [file join $::dir $name.total]]; set extra "X-Total-Count: [string trim [read $fh]]\r\n"; close $fh
    }
    puts -nonewline $ch "HTTP/1.1 200 OK\r\nContent-Type: $type\r\nContent-Length: [string length $body]\r\n${extra}\r\n"
    puts -nonewline $ch $body
  } else {
    puts -nonewline $ch "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n\[\]"
  }
  flush $ch
}
proc accept {ch addr port} {
  fconfigure $ch -translation binary -buffering full -buffersize 4194304 -blocking 1
  fileevent $ch readable [list answer $ch]
}
set srv [socket -server accept -myaddr 127.0.0.1 0]
puts "listening on http://127.0.0.1:[lindex [fconfigure $srv -sockname] 2]"
flush stdout
vwait forever
