# many.tcl — the many_integrations benchmark (issue 17), sourced by bench.tcl.
#
# One pmsql process syncs many integrations: one sandbox per vendor serving
# many customer accounts (pms-sandbox --accounts N --size 20-200: accounts of
# 20 to 200 residents, each with its own credentials and rate-limit windows,
# the vendors' limits on), one integration per account with default options,
# and one SELECT pms_sync_due() (bench/many_child.tcl, a process of its own).
# Measured: the call's wall time, CPU per record fetched, peak RSS, each
# sandbox's maximum of concurrent connections (against the vendor manifest's
# "connections", the per-host cap), the 429s the sandboxes answered, and the
# time-to-fresh of each integration (its last run's end, from the call's
# start), whose p95 over the smallest tenth of the accounts says whether
# small customers wait behind large ones.
#
# The baseline is curl fetching the same requests: the sandboxes record every
# API call pmsql made (--record-requests); curl replays them with each
# account's credentials, one curl per sandbox, all at once, each with
# --parallel-max at that vendor's cap. The sandboxes' rate limits are off for
# the replay (curl cannot pace per account), so it is the bound the per-host
# caps set. Rent Manager's replay logs in first (its token headers are not
# replayable) and signs out last.
#
# Run twice (100 and 1,000 integrations; BENCH_SIZE=small: 24 and 120) for
# the RSS ratio. BENCH_ONLY=many runs this section alone.

set ::many_vendors {
  buildium     BUILDIUM
  rentmanager  RENTMANAGER
  propertyware PROPERTYWARE_REST
  rentvine     RENTVINE
  entrata      ENTRATA
  appfolio     APPFOLIO
}
set ::many_seed 1
set ::many_size 20-200

# The vendor manifest's connections: the per-host cap the sync should keep.
proc many_cap {sbname} {
  set f [open [file join $::topdir capability $sbname.json] r]
  set j [read $f]
  close $f
  jget $j {$.connections}
}

# A sandbox of vendor sbname with the bench's seed and ARGS; a dict url pid chan.
proc many_sb {sbname args} {
  set cmd [list $::sbbin --vendor $sbname --port 0 --seed $::many_seed {*}$args]
  set chan [open "|$cmd 2>@stderr" r]
  set pid [lindex [pid $chan] 0]
  lappend ::sb_pids $pid
  pidfile_write
  if {[gets $chan line] < 0 || ![regexp {listening on (http://127\.0\.0\.1:\d+)} $line -> url]} {
    error "sandbox did not start ($cmd): '$line'"
  }
  dict create url $url pid $pid chan $chan
}
proc many_sb_start {sbname n reqfile} {
  file delete -force $reqfile
  many_sb $sbname --size $::many_size --accounts $n --record-requests $reqfile
}
proc many_creds {sbname k} {
  exec $::sbbin --vendor $sbname --seed $::many_seed --size $::many_size --print-credentials --account $k
}
proc many_get {sb path} {
  exec curl -s -S --max-time 30 "[dict get $sb url]$path"
}
proc many_post {sb path body} {
  exec curl -s -S --max-time 30 -H "Content-Type: application/json" --data-binary $body "[dict get $sb url]$path"
}

# A string as a double-quoted curl config value.
proc many_q {s} {
  return "\"[string map [list \\ \\\\ \" \\\" \n \\n \r \\r \t \\t] $s]\""
}
# The auth headers of one account's credentials, as curl config lines
# (Rent Manager's token comes from its login: tok).
proc many_auth {sbname creds {tok ""}} {
  set g [list apply {{creds p} { jget $creds "\$.$p" }} $creds]
  switch $sbname {
    buildium {
      list "x-buildium-client-id: [{*}$g client_id]" "x-buildium-client-secret: [{*}$g client_secret]"
    }
    propertyware {
      list "x-propertyware-client-id: [{*}$g client_id]" "x-propertyware-client-secret: [{*}$g client_secret]" \
           "x-propertyware-system-id: [{*}$g system_id]"
    }
    entrata { list "X-Api-Key: [{*}$g api_key]" }
    rentvine {
      list "Authorization: Basic [binary encode base64 [{*}$g api_key]:[{*}$g api_secret]]"
    }
    appfolio {
      list "Authorization: Basic [binary encode base64 [{*}$g client_id]:[{*}$g client_secret]]" \
           "X-AppFolio-Developer-ID: [{*}$g developer_id]"
    }
    rentmanager { list "X-RM12Api-ApiToken: $tok" "X-RM12Api-LocationId: 1" }
    default { error "many_auth: no headers for $sbname" }
  }
}
# One curl config of recorded requests (a list of dicts method path query
# body account), written to file; outputs to /dev/null or into dir/<i>.out.
proc many_curl_config {file sbname base reqs creds tokens {outdir ""}} {
  set f [open $file w]
  fconfigure $f -encoding utf-8
  set i 0
  foreach r $reqs {
    if {$i} { puts $f "next" }
    puts $f "globoff"
    puts $f "write-out = \"%{http_code}\\n\""
    set u "$base[dict get $r path]"
    if {[dict get $r query] ne ""} { append u "?[dict get $r query]" }
    puts $f "url = [many_q $u]"
    puts $f "request = [dict get $r method]"
    set k [dict get $r account]
    set tok [expr {[dict exists $tokens $k] ? [dict get $tokens $k] : ""}]
    foreach h [many_auth $sbname [dict get $creds $k] $tok] { puts $f "header = [many_q $h]" }
    if {[dict get $r body] ne ""} {
      puts $f "header = \"Content-Type: application/json\""
      puts $f "data-binary = [many_q [dict get $r body]]"
    }
    puts $f "output = [many_q [expr {$outdir eq "" ? "/dev/null" : [file join $outdir $i.out]}]]"
    incr i
  }
  close $f
  return $i
}
# The recorded requests of one sandbox, in order, as dicts.
proc many_requests {reqfile} {
  set f [open $reqfile r]
  fconfigure $f -encoding utf-8
  set out {}
  while {[gets $f line] >= 0} {
    if {$line eq ""} continue
    lappend out [::J eval {
      SELECT 'method', json_extract($line, '$.method'), 'path', json_extract($line, '$.path'),
             'query', json_extract($line, '$.query'), 'body', json_extract($line, '$.request'),
             'account', coalesce(json_extract($line, '$.account'), 0)
    }]
  }
  close $f
  return $out
}

# The replay of every sandbox's recorded requests, all sandboxes at once;
# returns [list ms requests non2xx].
proc many_replay {sbs creds} {
  set stage1 {}
  set stage2 {}
  set stage3 {}
  set total 0
  foreach {sbname sb} $sbs {
    set reqs [many_requests [dict get $sb reqfile]]
    incr total [llength $reqs]
    set cap [many_cap $sbname]
    set base [dict get $sb url]
    if {$sbname eq "rentmanager"} {
      set login [lsearch -all -inline -regexp $reqs {(?i)authorizeuser}]
      set logout [lsearch -all -inline -regexp $reqs {(?i)deauthorize}]
      set rest [lsearch -all -inline -not -regexp $reqs {(?i)authorizeuser|deauthorize}]
      set dir [file join $::work many-rm-login]
      file delete -force $dir
      file mkdir $dir
      many_curl_config $dir.cfg $sbname $base $login [dict get $creds $sbname] {} $dir
      lappend stage1 [list $sbname $dir.cfg $cap $login $dir]
      lappend stage2 [list $sbname $rest $cap $base]
      lappend stage3 [list $sbname $logout $cap $base]
    } else {
      lappend stage2 [list $sbname $reqs $cap $base]
    }
  }
  set bad 0
  set t0 [us_now]
  # Rent Manager's logins; their answers are the tokens
  set tokens {}
  foreach s $stage1 {
    lassign $s sbname cfg cap login dir
    set out [exec curl --parallel --parallel-max $cap --no-progress-meter --max-time 600 -K $cfg]
    incr bad [llength [lsearch -all -not -regexp $out {^2}]]
    set i 0
    foreach r $login {
      set fh [open [file join $dir $i.out] r]; set tok [string trim [read $fh] \"]; close $fh
      dict set tokens [dict get $r account] $tok
      incr i
    }
  }
  foreach st [list $stage2 $stage3] {
    set chans {}
    foreach s $st {
      lassign $s sbname reqs cap base
      if {![llength $reqs]} continue
      set cfg [file join $::work many-$sbname.cfg]
      many_curl_config $cfg $sbname $base $reqs [dict get $creds $sbname] $tokens
      lappend chans [open "|curl --parallel --parallel-max $cap --no-progress-meter --max-time 1200 -K $cfg" r]
    }
    foreach ch $chans {
      set out [read $ch]
      close $ch
      incr bad [llength [lsearch -all -not -regexp $out {^2}]]
    }
  }
  set t1 [us_now]
  list [expr {($t1 - $t0) / 1000.0}] $total $bad
}

# One run over total integrations (rounded to a multiple of the vendors).
proc many_run {total} {
  set nv [expr {[llength $::many_vendors] / 2}]
  set per [expr {max(1, ($total + $nv - 1) / $nv)}]
  set n [expr {$per * $nv}]
  section "many_integrations: $n integrations ($per accounts per vendor sandbox, --size $::many_size, vendor rate limits on), one pms_sync_due()"
  set db [file join $::work many-$n.db]
  rm_db $db
  set sbs {}
  set creds {}
  set res [dict create n $n]
  try {
    sqlite3 mdb $db
    mdb enable_load_extension 1
    mdb eval {SELECT load_extension($::ext)}
    mdb eval {SELECT pms_init()}
    foreach {sbname vendor} $::many_vendors {
      set sb [many_sb_start $sbname $per [file join $::work many-$sbname.req]]
      dict set sb reqfile [file join $::work many-$sbname.req]
      dict set sbs $sbname $sb
      set url [dict get $sb url]
      mdb transaction {
        for {set k 0} {$k < $per} {incr k} {
          set c [many_creds $sbname $k]
          dict set creds $sbname $k $c
          set id "$sbname-$k"
          mdb eval {INSERT INTO pms_integrations(id, vendor, base_url, credentials) VALUES($id, $vendor, $url, $c)}
        }
      }
    }
    mdb close
    set out [exec timeout 3000 tclsh [file join $::topdir bench many_child.tcl] $::ext $db]
    set wall [dict get $out wall_ms]
    set cpu [dict get $out cpu_ms]
    set recs [dict get $out records]
    say "  pms_sync_due: [dict get $out status]; wall [ms $wall] ms; $recs records;\
           CPU [ms $cpu] ms = [format %.2f [expr {$recs ? 1000.0 * $cpu / $recs : 0}]] us/record;\
           peak RSS (VmHWM) [dict get $out rss_kb] kB (before: [dict get $out rss_base_kb] kB);\
           failed integrations: [llength [dict get $out failed]] [lrange [dict get $out failed] 0 4]"
    # each sandbox: concurrency against its cap, 429s, requests
    set maxratio 0
    set n429 0
    set per_sb {}
    foreach {sbname sb} $sbs {
      set st [many_get $sb /__sandbox/stats]
      set cap [many_cap $sbname]
      set mc [jget $st {$.connections.max_concurrent}]
      set rl [jget $st {$.rate_limited}]
      incr n429 $rl
      set maxratio [expr {max($maxratio, double($mc) / $cap)}]
      set hwm ?
      catch {
        set fh [open /proc/[dict get $sb pid]/status r]
        regexp {VmHWM:\s+(\d+)} [read $fh] -> hwm
        close $fh
      }
      lappend per_sb "$sbname [jget $st {$.requests}] requests, max $mc connections (cap $cap), [jget $st {$.in_flight.max_concurrent}] in flight, $rl 429s, sandbox peak RSS $hwm kB"
    }
    say "  sandboxes: [join $per_sb {; }]"
    # time-to-fresh; the small accounts are the tenth with fewest residents
    sqlite3 mdb $db
    mdb enable_load_extension 1
    mdb eval {SELECT load_extension($::ext)}
    set order [mdb eval {
      SELECT i.id FROM pms_integrations i LEFT JOIN residents_cache r ON r.integration_id = i.id
      GROUP BY i.id ORDER BY count(r.id), i.id
    }]
    set nsmall [expr {max(1, [llength $order] / 10)}]
    set small [lrange $order 0 [expr {$nsmall - 1}]]
    set smallres [mdb eval "SELECT min(c), max(c) FROM (SELECT count(*) AS c FROM residents_cache WHERE integration_id IN ([join [lmap i $small {format '%s' $i}] ,]) GROUP BY integration_id)"]
    mdb close
    set fresh [dict get $out fresh]
    set fall [dict values $fresh]
    set fsmall [lmap i $small { expr {[dict exists $fresh $i] ? [dict get $fresh $i] : $wall} }]
    say "  time-to-fresh: all p50 [ms [percentile $fall 0.5]] ms, p95 [ms [percentile $fall 0.95]] ms;\
           the $nsmall smallest accounts ([lindex $smallres 0]-[lindex $smallres 1] residents)\
           p50 [ms [percentile $fsmall 0.5]] ms, p95 [ms [percentile $fsmall 0.95]] ms"
    # the curl baseline
    foreach {sbname sb} $sbs {
      many_post $sb /__sandbox/config {{"rate_limit": false}}
      many_post $sb /__sandbox/reset-stats {}
    }
    lassign [many_replay $sbs $creds] dl nreq bad
    set mc {}
    foreach {sbname sb} $sbs { lappend mc "$sbname [jget [many_get $sb /__sandbox/stats] {$.connections.max_concurrent}]" }
    say "  curl replay of the same $nreq requests, --parallel-max = each vendor's cap, all sandboxes at once:\
           [ms $dl] ms ($bad answers not 2xx); max connections: [join $mc {, }]"
    say "  wall/replay = [format %.2f [expr {$wall / $dl}]]"
    dict set res wall_ms $wall
    dict set res download_ms $dl
    dict set res us_per_record [expr {$recs ? 1000.0 * $cpu / $recs : 0}]
    dict set res rss_kb [dict get $out rss_kb]
    dict set res conn_vs_cap $maxratio
    dict set res n429 $n429
    dict set res small_p95_ms [percentile $fsmall 0.95]
    dict set res failed [llength [dict get $out failed]]
  } finally {
    catch {mdb close}
    foreach {sbname sb} $sbs { sb_stop $sb }
    rm_db $db
  }
  return $res
}

# Both runs; returns [list lo hi] of their results.
proc bench_many {} {
  if {$::mode eq "small"} { set counts {24 120} } else { set counts {100 1000} }
  set lo [many_run [lindex $counts 0]]
  set hi [many_run [lindex $counts 1]]
  say "  peak RSS at [dict get $lo n] vs [dict get $hi n] integrations: [dict get $lo rss_kb] kB vs [dict get $hi rss_kb] kB"
  say "  p95 time-to-fresh of the smallest tenth / the whole pms_sync_due wall: [format %.2f [expr {[dict get $hi small_p95_ms] / [dict get $hi wall_ms]}]]"
  list $lo $hi
}
# The target lines. The last is this bench's own: the smallest tenth of the
# accounts fresh (p95) within half the whole pass, so small customers do not
# wait behind large ones.
proc many_targets {lohi} {
  lassign $lohi lo hi
  set counts [list [dict get $lo n] [dict get $hi n]]
  target many_integrations_vs_download [expr {[dict get $hi wall_ms] / [dict get $hi download_ms]}] 1.25
  target many_integrations_cpu_us_per_record [dict get $hi us_per_record] 5
  target many_integrations_rss_[join $counts _vs_] [expr {double([dict get $hi rss_kb]) / [dict get $lo rss_kb]}] 1.2
  target many_integrations_connections_vs_cap [dict get $hi conn_vs_cap] 1
  target many_integrations_429s [dict get $hi n429] 0
  target many_integrations_failed [dict get $hi failed] 0
  target many_integrations_small_p95_fresh_vs_wall [expr {[dict get $hi small_p95_ms] / [dict get $hi wall_ms]}] 0.5
}
