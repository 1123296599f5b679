#!/bin/sh
# BENCHMARKS.md (a.3): `rampart scan` from this checkout against another built
# checkout BASE (e.g. the parent commit: git archive + symlinked node_modules +
# npm run build), on the corpora, every format and the scan options; compares
# stdout, stderr and the exit code of each pair with cmp. Exit 1 if any differ.
#
#   sh scripts/experiments/scanOutputs.sh /tmp/base-onefile
set -u
BASE=$(cd "$1" && pwd)
NEW=$(cd "$(dirname "$0")/../.." && pwd)
C=${CORPORA:-$NEW/../shared/corpora}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat > "$OUT/checks.yaml" <<'YAML'
apiVersion: rampart.dev/v1alpha1
kind: CelCheck
metadata: {name: no-latest}
spec:
  id: CUSTOM-no-latest
  title: Images are pinned to a tag other than latest
  severity: high
  forEachContainer: true
  expression: "container.image.contains(':') && !container.image.endsWith(':latest')"
  messageExpression: "'container ' + container.name + ' uses image ' + container.image"
---
apiVersion: rampart.dev/v1alpha1
kind: CelCheck
metadata: {name: name-regex}
spec:
  id: CUSTOM-name-regex
  title: Names are lower-case words
  severity: low
  expression: "object.metadata.name.matches('^[a-z][a-z0-9-]*$') && object.metadata.name.lowerAscii() == object.metadata.name"
  message: bad name
---
apiVersion: rampart.dev/v1alpha1
kind: CelCheck
metadata: {name: broken}
spec:
  id: CUSTOM-broken
  title: broken
  severity: low
  expression: "object.metadata.name +"
YAML
cat > "$OUT/config.yaml" <<'YAML'
kind: RampartConfig
pss: {level: baseline}
failOn: medium
checks:
  disabled: [container-image-tag]
exceptions:
  - checks: [PSS-runAsNonRoot, PSS-privileged, container-privileged]
    match: {namespace: default}
    reason: test
    owner: me
    expires: "2099-01-01"
YAML
(cd "$BASE" && node bin/rampart.js scan "$C/badpods" --format json > "$OUT/baseline.json")
STDIN=$(find "$C/badpods/manifests" -name '*.yaml' | sort | head -1)
fail=0
runs=0
run() { # NAME ARGS... (evaluated by the shell, in each checkout)
  name=$1
  shift
  runs=$((runs + 1))
  (cd "$BASE" && eval "node bin/rampart.js $*" > "$OUT/base.out" 2> "$OUT/base.err"); b=$?
  (cd "$NEW" && eval "node bin/rampart.js $*" > "$OUT/new.out" 2> "$OUT/new.err"); n=$?
  if cmp -s "$OUT/base.out" "$OUT/new.out" && cmp -s "$OUT/base.err" "$OUT/new.err" && [ $b = $n ]; then
    echo "same    $name: exit $b, $(wc -c < "$OUT/new.out") + $(wc -c < "$OUT/new.err") bytes"
  else
    echo "DIFFER  $name: exit $b / $n"
    fail=1
  fi
}
for corpus in real-world-manifests badpods kubesec kube-linter; do
  for format in json sarif junit table; do run "$corpus $format" scan "$C/$corpus" --format $format; done
done
for format in json sarif junit table; do
  run "--policies $format" scan "$C/real-world-manifests" --policies "$OUT/checks.yaml" --format $format
  run "--config $format" scan "$C/badpods" --config "$OUT/config.yaml" --format $format
  run "--baseline $format" scan "$C/badpods" "$C/kubesec" --baseline "$OUT/baseline.json" --format $format
  run "stdin $format" "scan - --format $format < '$STDIN'"
done
run "--fail-on" scan "$C/badpods" --fail-on critical --format json
run "--pss-level --pss-version" scan "$C/badpods" --pss-level baseline --pss-version v1.25 --format json
run "--no-inline-exceptions" scan "$C/kubesec" --no-inline-exceptions --format json
run "-o" "scan '$C/kube-linter' --format sarif -o /dev/stdout"
run "bad --format" scan "$C/badpods" --format xml
run "missing file" scan /nonexistent.yaml
run "no paths" scan
run "--help" scan --help
run "--kubeconfig without --cluster" scan "$C/badpods" --kubeconfig /nonexistent
run "--cluster, missing kubeconfig" scan --cluster --kubeconfig /nonexistent
run "bad --baseline" scan "$C/badpods" --baseline "$OUT/checks.yaml"
run "bad --config" scan "$C/badpods" --config "$OUT/checks.yaml"
run "missing --images" scan "$C/badpods" --images /nonexistent
run "--version" --version
run "pss" pss "$C/badpods"
echo "$runs pairs compared"
exit $fail
