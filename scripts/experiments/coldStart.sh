#!/bin/sh
# Cold-start experiment of BENCHMARKS.md (a.2): builds every variant into $OUT
# (default /tmp/rampart-snap) from this checkout's dist/ (run `npm run build`
# first), checks that each one writes the same JSON report as bin/rampart.js,
# and with `--measure` runs the alternated sets. Nothing here is part of the
# build or the tests.
#
#   sh scripts/experiments/coldStart.sh [--measure] [RUNS]
set -eu
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/rampart-snap}
CORPUS=${CORPUS:-../shared/corpora/real-world-manifests}
RUNS=${2:-20}
X=scripts/experiments
mkdir -p "$OUT"

node $X/snapBuild.mjs $X/snapEntry.mjs "$OUT/plain.cjs"
node $X/snapBuild.mjs $X/snapEntryWarm.mjs "$OUT/warm.cjs"
node $X/snapBuild.mjs $X/snapEntryWarm.mjs "$OUT/warm-min.cjs" --scan-only --minify
node $X/snapBuild.mjs $X/cjsMain.mjs "$OUT/cjs-lib.cjs"
# The builder warns that node:child_process (imported by code the scan never runs) is not verified in snapshots.
node --snapshot-blob "$OUT/plain.blob" --build-snapshot "$OUT/plain.cjs" 2>/dev/null
node --snapshot-blob "$OUT/warm-ex.blob" --build-snapshot "$OUT/warm.cjs" 2>/dev/null
WARM_SAMPLE="$CORPUS" node --snapshot-blob "$OUT/warm-rw.blob" --build-snapshot "$OUT/warm.cjs" 2>/dev/null
node --snapshot-blob "$OUT/warm-min.blob" --build-snapshot "$OUT/warm-min.cjs" 2>/dev/null
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' > "$OUT/tiny.yaml"
: > "$OUT/empty.yaml"

export RAMPART_CJS_LIB="$OUT/cjs-lib.cjs" RAMPART_SNAPSHOT_BLOB="$OUT/warm-min.blob"
node bin/rampart.js scan "$CORPUS" --format json > "$OUT/base.json" || true
for blob in plain warm-ex warm-rw warm-min; do
  node --snapshot-blob "$OUT/$blob.blob" scan "$CORPUS" --format json > "$OUT/$blob.json" || true
  cmp "$OUT/base.json" "$OUT/$blob.json"
done
node $X/binCjs.mjs scan "$CORPUS" --format json | cmp "$OUT/base.json" -
node $X/reexec.mjs scan "$CORPUS" --format json | cmp "$OUT/base.json" -
ls -l "$OUT"/*.blob "$OUT"/*.cjs
echo "every variant's JSON report equals bin/rampart.js's"

[ "${1:-}" = "--measure" ] || exit 0
node $X/alt.mjs "$RUNS" base "node bin/rampart.js scan $CORPUS --format json" bin-cjs "node $X/binCjs.mjs scan $CORPUS --format json" \
  plain "node --snapshot-blob $OUT/plain.blob scan $CORPUS --format json" warm-ex "node --snapshot-blob $OUT/warm-ex.blob scan $CORPUS --format json" \
  warm-rw "node --snapshot-blob $OUT/warm-rw.blob scan $CORPUS --format json" warm-min "node --snapshot-blob $OUT/warm-min.blob scan $CORPUS --format json" \
  reexec-min "node $X/reexec.mjs scan $CORPUS --format json"
node $X/alt.mjs "$RUNS" base "node bin/rampart.js scan $OUT/empty.yaml --format json" bin-cjs "node $X/binCjs.mjs scan $OUT/empty.yaml --format json" \
  plain "node --snapshot-blob $OUT/plain.blob scan $OUT/empty.yaml --format json" warm-min "node --snapshot-blob $OUT/warm-min.blob scan $OUT/empty.yaml --format json" \
  reexec-min "node $X/reexec.mjs scan $OUT/empty.yaml --format json" node-e0 "node -e 0"
