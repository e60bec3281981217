#!/usr/bin/env bash
# Runs the libFuzzer targets, two at a time (a 2-core machine), each for SECONDS.
#
#   Fuzz/run.sh SECONDS [TARGET...]     targets: stream header config (default: all three)
#
# Expects the targets built into .build/fuzz (make fuzz-build). The corpus of each target
# starts from the seeds Fuzz/corpus.py makes of the golden streams and the config examples,
# in .build/fuzz-corpus/TARGET, and keeps what libFuzzer adds there for the next run. Logs go
# to .build/fuzz-logs/TARGET.log, crashing inputs to .build/fuzz-artifacts/TARGET/. Exits 1,
# naming each crashing input, when a target crashed.
set -u
seconds=${1:?usage: Fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(stream header config)
vectors=${OBJSTREAM_VECTORS:-Tests/Vectors}
root=.build
bin=$root/fuzz/debug

python3 Fuzz/corpus.py "$vectors" config "$root/fuzz-seeds" || exit 1
run() {
  local t=$1
  mkdir -p "$root/fuzz-corpus/$t" "$root/fuzz-artifacts/$t" "$root/fuzz-logs"
  cp -n "$root/fuzz-seeds/$t/"* "$root/fuzz-corpus/$t/"
  nice "$bin/objstream-fuzz-$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$root/fuzz-artifacts/$t/" "$root/fuzz-corpus/$t" >"$root/fuzz-logs/$t.log" 2>&1
}

for t in "${targets[@]}"; do
  [ -x "$bin/objstream-fuzz-$t" ] || { echo "no $bin/objstream-fuzz-$t: run make fuzz-build"; exit 1; }
done
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  run "$t" &
done
wait

status=0
for t in "${targets[@]}"; do
  log=$root/fuzz-logs/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, ft \2/p')
  crashes=$(grep -c 'Test unit written to' "$log")
  echo "fuzz $t: ${seconds}s, ${execs:-?} execs (${rate:-?}/s), ${cov:-coverage ?}, $crashes crashes (log $log)"
  if [ "$crashes" -gt 0 ] || ! grep -q '^stat::number_of_executed_units' "$log"; then
    status=1
    grep -E 'ERROR|Fatal error|SUMMARY' "$log" | head -5
    sed -n 's/.*Test unit written to \(.*\)/crashing input: \1/p' "$log"
    grep -q '^stat::number_of_executed_units' "$log" || echo "fuzz $t did not finish: see $log"
  fi
done
exit $status
