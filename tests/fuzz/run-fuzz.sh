#!/usr/bin/env bash
# run-fuzz.sh SOURCE_DIR BUILD_DIR CLANGXX SECONDS
# Builds tests/fuzz/project with clang (libFuzzer + ASan + UBSan) in BUILD_DIR
# and fuzzes the recipe loader for SECONDS from a corpus of the checked-in
# recipes. Exit status: libFuzzer's (non-zero on a crash or sanitizer report).
set -euo pipefail
src=$1 build=$2 cxx=$3 secs=$4
clang=${cxx%++}
cmake -S "$src/tests/fuzz/project" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER="$clang" -DCMAKE_CXX_COMPILER="$cxx" -DFB_SOURCE_DIR="$src" >/dev/null
cmake --build "$build" -j2
corpus="$build/corpus"
mkdir -p "$corpus"
# Seeds: every example and template, the hostile test recipes, tests/fuzz/corpus/.
for f in "$src"/recipes/examples/*.yaml "$src"/recipes/services/*.yaml "$src"/tests/recipe/data/*.yaml "$src"/tests/fuzz/corpus/*; do
  [ -f "$f" ] && cp -f "$f" "$corpus/"
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
cd "$build"
exec ./fuzz_recipeloader -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
     -dict="$src/tests/fuzz/recipe.dict" -print_final_stats=1 "$corpus"
