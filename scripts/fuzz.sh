#!/usr/bin/env bash
# libFuzzer + ASan/UBSan runs of every fuzz target (tests/fuzz/, issue 6 item 1).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 30; `scripts/fuzz.sh 600` is the long run). TARGETs default to
# all of them. Environment: FUZZ_JOBS (targets run at once, default 2, at most 2: the machine
# has 2 cores), FUZZ_NICE (default 15, so other builds keep the CPU).
# Builds with clang-14 into build/fuzz, regenerates the seed corpora (build/fuzz/seeds/<t>),
# keeps what the fuzzers learn in build/fuzz/corpus/<t>, logs in build/fuzz/logs/<t>.log,
# crashes in build/fuzz/crashes/, and appends one line per run to build/fuzz/results.tsv
# (date, target, seconds it really ran, execs, exec/s, cov, ft, corpus, crashes). Exit 1 if any target
# crashed or failed an invariant (the reproducer path is printed).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-30}
shift || true
ALL=(fuzz_record fuzz_manifest fuzz_import fuzz_lint fuzz_body fuzz_render fuzz_search fuzz_diff fuzz_translate fuzz_ingest fuzz_proof)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
JOBS=${FUZZ_JOBS:-2}
[ "$JOBS" -gt 2 ] && JOBS=2
NICE=${FUZZ_NICE:-15}

CXX=$(command -v clang++-14 || true)
if [ -z "$CXX" ] || [ ! -f "$(clang++-14 -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a" ]; then
  echo "fuzz.sh: clang-14 with the libFuzzer runtime is needed (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi

B=build/fuzz
if [ ! -f "$B/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$B" -DKELISIM_FUZZ=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
nice -n "$NICE" cmake --build "$B" --target fuzz_all -j2 2>&1 | grep -E "error|warning: unused|Error" || true
for t in "${TARGETS[@]}"; do
  [ -x "$B/$t" ] || { echo "fuzz.sh: $B/$t was not built" >&2; exit 1; }
done

rm -rf "$B/seeds"
"$B/fuzz_make_corpus" "$B/seeds" >/dev/null
mkdir -p "$B/logs" "$B/crashes"
[ -f "$B/results.tsv" ] || printf 'date\ttarget\tseconds\texecs\texec_per_s\tcov\tft\tcorpus\tcrashes\n' >"$B/results.tsv"

run_one() {
  local t=$1
  local dict=()
  mkdir -p "$B/corpus/$t"
  case $t in
    fuzz_record | fuzz_manifest) dict=("-dict=tests/fuzz/consent.dict") ;;
    fuzz_ingest | fuzz_proof) dict=("-dict=tests/fuzz/ingest.dict") ;;
    *) dict=("-dict=tests/fuzz/policy.dict") ;;
  esac
  local before
  before=$(ls "$B/crashes" | grep -c "^$t-" || true)
  # -max_len: the seeds are cut into ~3 KB pieces; 8 KB leaves room to grow.
  # -timeout: an input slower than 20 s is a hang (a bug); -rss_limit_mb: runaway memory.
  # -use_value_profile: helps past comparisons against magic strings ("k1~", "https:").
  # Inputs: what earlier runs learned, the seeds, and the reproducers of every crash found so
  # far (tests/fuzz/regressions/<t>), so a fixed bug that comes back fails at once.
  # Short runs (< 60 s, as in npm test) start from the seeds only, in a throwaway corpus, so
  # their length does not grow with what long runs have learned.
  local work="$B/corpus/$t"
  if [ "$SECS" -lt 60 ]; then
    work="$B/corpus-short/$t"
    rm -rf "$work"
    mkdir -p "$work"
  fi
  # Short runs also fix libFuzzer's seed, so npm test replays the same mutations every time
  # (a long run explores with a fresh seed).
  local seed=()
  [ "$SECS" -lt 60 ] && seed=("-seed=20261122")
  local inputs=("$work" "$B/seeds/$t")
  [ -d "tests/fuzz/regressions/$t" ] && inputs+=("tests/fuzz/regressions/$t")
  local t0=$SECONDS
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
  nice -n "$NICE" "$B/$t" "${inputs[@]}" "${dict[@]}" "${seed[@]}" \
    -max_total_time="$SECS" -max_len=8192 -timeout=20 -rss_limit_mb=2048 -use_value_profile=1 \
    -print_final_stats=1 -artifact_prefix="$B/crashes/$t-" >"$B/logs/$t.log" 2>&1 || true
  local execs eps cov ft corpus after
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$B/logs/$t.log" | grep -o '[0-9]*$' || echo 0)
  eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$B/logs/$t.log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$B/logs/$t.log" | tail -1 | grep -o '[0-9]*' || echo 0)
  ft=$(grep -o 'ft: [0-9]*' "$B/logs/$t.log" | tail -1 | grep -o '[0-9]*' || echo 0)
  corpus=$(ls "$work" | wc -l)
  after=$(ls "$B/crashes" | grep -c "^$t-" || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$((SECONDS - t0))" "${execs:-0}" "${eps:-0}" \
    "${cov:-0}" "${ft:-0}" "$corpus" "$((after - before))" >>"$B/results.tsv"
  printf '%-14s %4ss %9s execs %6s/s  cov %5s  ft %6s  corpus %5s  new crashes %s\n' "$t" "$((SECONDS - t0))" "${execs:-0}" "${eps:-0}" \
    "${cov:-0}" "${ft:-0}" "$corpus" "$((after - before))"
  if [ "$after" -gt "$before" ] || grep -qE '^==[0-9]+==ERROR|FUZZ_CHECK failed|runtime error:' "$B/logs/$t.log"; then
    echo "  CRASH: see $B/logs/$t.log; reproducers: $(ls "$B/crashes" | grep "^$t-" | sed "s|^|$B/crashes/|" | tr '\n' ' ')"
    return 1
  fi
}

echo "fuzz.sh: ${#TARGETS[@]} targets x ${SECS}s, $JOBS at a time (logs: $B/logs/)"
status=0
pids=()
names=()
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  pids+=($!)
  names+=("$t")
  if [ ${#pids[@]} -ge "$JOBS" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
