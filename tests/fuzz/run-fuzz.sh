#!/usr/bin/env bash
# run-fuzz.sh SOURCE_DIR BUILD_DIR CLANGXX MODE [ARG]
# Builds tests/fuzz/project with clang (libFuzzer + ASan + UBSan) in BUILD_DIR,
# then runs the recipe-loader fuzzer from a fresh corpus of the checked-in
# recipes (every example and template, the hostile test recipes and
# tests/fuzz/corpus/, which holds every input a fuzzer ever found).
#
#   MODE=replay RUNS   deterministic (the default test run): every corpus input
#                      once, then RUNS mutations from the fixed seed 1. Same
#                      sources, same result, on any machine.
#   MODE=open SECONDS  open-ended (label fuzz-open, not in the default run):
#                      a random seed for SECONDS; a finding is written to
#                      BUILD_DIR/findings/ and belongs in tests/fuzz/corpus/.
# Exit status: libFuzzer's (non-zero on a crash, leak or sanitizer report).
set -euo pipefail
src=$1 build=$2 cxx=$3 mode=$4 arg=${5:-}
clang=${cxx%++}
cmake -S "$src/tests/fuzz/project" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER="$clang" -DCMAKE_CXX_COMPILER="$cxx" -DFB_SOURCE_DIR="$src" >/dev/null
cmake --build "$build" -j2
# A fresh corpus every time: libFuzzer adds what it finds to its corpus folder,
# and a grown corpus would make the next replay a different run.
corpus="$build/corpus-$mode"
rm -rf "$corpus"
mkdir -p "$corpus" "$build/findings"
for f in "$src"/recipes/examples/*.yaml "$src"/recipes/services/*.yaml "$src"/tests/recipe/data/*.yaml "$src"/tests/fuzz/corpus/*; do
  case "$f" in */README) continue ;; esac
  [ -f "$f" ] && cp -f "$f" "$corpus/"
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
cd "$build"
common=(-timeout=10 -rss_limit_mb=2048 -max_len=8192 -dict="$src/tests/fuzz/recipe.dict"
        -print_final_stats=1 -artifact_prefix="$build/findings/")
case "$mode" in
  replay)
    exec ./fuzz_recipeloader "${common[@]}" -seed=1 -runs="${arg:-20000}" "$corpus" ;;
  open)
    echo "run-fuzz: open-ended fuzzing for ${arg:-600} s; findings go to $build/findings/ (add them to tests/fuzz/corpus/)"
    exec ./fuzz_recipeloader "${common[@]}" -max_total_time="${arg:-600}" "$corpus" ;;
  *)
    echo "run-fuzz: MODE is replay or open, not '$mode'" >&2; exit 2 ;;
esac
