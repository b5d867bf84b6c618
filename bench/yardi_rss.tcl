# yardi_rss.tcl — peak memory of reading one large Yardi property (Yardi has
# no paging: GetUnitInformation_Login and GetResidentsByStatus answer a whole
# property at once). A canned-answer server (test/mock_pms.tcl) serves one
# property of N units (default 5000) and N leases with a roommate each;
# pmsql syncs units, then residents, and the process's peak RSS (VmHWM) is
# printed before and after each, with the answer's size.
#   tclsh bench/yardi_rss.tcl [N]
set root [file dirname [file dirname [file normalize [info script]]]]
set n [expr {[llength $argv] ? [lindex $argv 0] : 5000}]
set dir [file join [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}] yardi_rss_[pid]]
file mkdir $dir

proc soap {op itf inner} {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><${op}Response xmlns=\"http://tempuri.org/YSI.Interfaces.WebServices/$itf\"><${op}Result>$inner</${op}Result></${op}Response></soap:Body></soap:Envelope>"
}
# properties and units share one interface (one canned answer): the answer
# holds the property and its units; each model reads its own elements
set b "<Properties><Property><Code>p0001</Code><MarketingName>Big Tower</MarketingName><UnitCount>$n</UnitCount><Status>Active</Status></Property></Properties><UnitInformation><Units>"
for {set i 1} {$i <= $n} {incr i} {
  append b "<Unit><PropertyCode>p0001</PropertyCode><UnitCode>$i</UnitCode><UnitType>2br</UnitType><Bedrooms>2</Bedrooms><Bathrooms>1.5</Bathrooms><SqFt>850</SqFt><MarketRent>1450.00</MarketRent><UnitStatus>Occupied</UnitStatus></Unit>"
}
append b "</Units></UnitInformation>"
set f [open $dir/webservices_ItfResidentTransactions20.asmx.body wb]; puts -nonewline $f [soap GetUnitInformation_Login ItfResidentTransactions20 $b]; close $f
set f [open $dir/webservices_ItfResidentTransactions20.asmx.type w]; puts $f "text/xml; charset=utf-8"; close $f
set b "<ResidentData xmlns=\"\"><Residents>"
for {set i 1} {$i <= $n} {incr i} {
  append b [format "<Resident><Id>t%07d</Id><Status>Current</Status><PropertyCode>p0001</PropertyCode><UnitCode>%d</UnitCode><FirstName>First%d</FirstName><LastName>Last%d</LastName><Email>first%d.last@example.com</Email><Phone><PhoneDescription>Cell</PhoneDescription><PhoneNumber>(555) 010-%04d</PhoneNumber></Phone><LeaseFrom>2025-01-01T00:00:00</LeaseFrom><LeaseTo>2025-12-31T00:00:00</LeaseTo><MoveIn>2025-01-01T00:00:00</MoveIn><Rent>1432.10</Rent><Roommate><Id>r%07d</Id><FirstName>Room%d</FirstName><LastName>Mate</LastName><Email>room%d@example.com</Email><Lessee>Yes</Lessee></Roommate></Resident>" $i $i $i $i $i [expr {$i % 10000}] $i $i $i]
}
append b "</Residents></ResidentData>"
set f [open $dir/webservices_ItfResidentData.asmx.body wb]; puts -nonewline $f [soap GetResidentsByStatus ItfResidentData $b]; close $f
set f [open $dir/webservices_ItfResidentData.asmx.type w]; puts $f "text/xml; charset=utf-8"; close $f
unset b

set chan [open "|[list [info nameofexecutable] $root/test/mock_pms.tcl $dir] 2>@stderr" r]
gets $chan line
regexp {listening on (http://\S+)} $line -> url

proc hwm {} {
  set f [open /proc/self/status]; set s [read $f]; close $f
  regexp {VmHWM:\s+(\d+) kB} $s -> k
  return $k
}
package require sqlite3
file delete -force $dir/rss.db
sqlite3 db $dir/rss.db
db enable_load_extension 1
db eval { SELECT load_extension($root || '/pmsql') }
db eval { SELECT pms_init() }
db eval { INSERT INTO pms_integrations(id, vendor, base_url, credentials, options)
          VALUES('big', 'YARDI', $url, '{"username":"u","password":"p","serverName":"s","database":"d","platform":"SQL Server","entity":"e","license":"l"}',
                 '{"max_requests_per_second":0}') }
db eval { SELECT pms_sync('big', 'properties') }
puts [format "%-10s %8s %12s %12s %10s" model records answer_bytes hwm_before_kB hwm_after_kB]
foreach {m file} {units ItfResidentTransactions20 residents ItfResidentData} {
  set before [hwm]
  set r [db onecolumn { SELECT pms_sync('big', $m) }]
  set after [hwm]
  puts [format "%-10s %8d %12d %12d %10d" $m [db onecolumn "SELECT count(*) FROM $m"] \
          [file size $dir/webservices_$file.asmx.body] $before $after]
}
db close
catch {exec kill [pid $chan]}
file delete -force $dir
