#!/bin/sh
# BENCHMARKS.md (r): the admission bench with the server on CPU 0 and the load generator on CPU 1.
# Pins every thread of each server process (rampart admission serve, bench/floorServer.mjs) to CPU 0
# as it appears, while the bench itself (the generator) runs on CPU 1.
#
#   sh bench/pinServer.sh [ARGS FOR bench/admission.mjs, e.g. --floor]
set -u
cd "$(dirname "$0")/.."
(
  seen=""
  while true; do
    for pid in $(pgrep -f "admission serve|floorServer.mjs"); do
      case " $seen " in
        *" $pid "*) ;;
        *) taskset -a -p -c 0 "$pid" >/dev/null 2>&1 && seen="$seen $pid" ;;
      esac
    done
    sleep 0.2
  done
) &
pinner=$!
trap 'kill $pinner 2>/dev/null' EXIT
taskset -c 1 node bench/admission.mjs "$@"
