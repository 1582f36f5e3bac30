#!/usr/bin/env bash
# Runs the relay's libFuzzer target for a while: run.sh BINARY CORPUS_DIR SECONDS
# The corpus starts from seeds the target writes itself (real pushes, queries, JSON) and grows
# with each run. The relay's JSON logs go to CORPUS_DIR/../fuzz.log; a crash prints its tail and
# leaves the reproducer (crash-*) in the current folder.
set -uo pipefail
binary=${1:?usage: run.sh BINARY CORPUS_DIR SECONDS}
corpus=${2:?usage: run.sh BINARY CORPUS_DIR SECONDS}
seconds=${3:-5}
if [[ ! -x $binary ]]; then
  echo "fuzz: $binary is missing: ./crm build makes it (a clang tree in build/fuzz)" >&2
  exit 1
fi
mkdir -p "$corpus"
log=$(dirname "$corpus")/fuzz.log
CRM_FUZZ_SEEDS=$corpus "$binary" "$corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
  -print_final_stats=1 >"$log" 2>&1
status=$?
grep -v '^{' "$log" | tail -n 12
if ((status != 0)); then
  echo "fuzz: the relay failed on an input (exit $status); see $log" >&2
  grep -v '^{' "$log" | grep -A30 -m1 -E "ERROR|abort|answered" >&2
  exit "$status"
fi
echo "fuzz: no failure in ${seconds}s"
