#!/usr/bin/env bash
# bench.sh — `make bench`: runs bench/bench.tcl (BENCH_SIZE=small for the
# one-minute run) and, however it ends (error, Ctrl-C, SIGTERM), stops any
# sandbox it started: bench.tcl lists their pids in build/bench/sandbox.pids.
set -u
cd "$(dirname "$0")/.."
pidfile=build/bench/sandbox.pids
cleanup() {
  if [ -f "$pidfile" ]; then
    while read -r p; do
      [ -n "$p" ] && kill "$p" 2>/dev/null
    done < "$pidfile"
    rm -f "$pidfile"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p build/bench
tclsh bench/bench.tcl
