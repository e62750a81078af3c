#!/usr/bin/env bash
# Sanity check of an Apptainer definition file where `apptainer` itself is not
# installed (CI, this repository's test machine): apptainer has no "lint"
# command, and `apptainer build` needs the tool, root or fakeroot and a
# registry. What is checked here is what can go wrong without any of them:
#
#   - every stage has a Bootstrap and a From header, stage names are unique,
#     `%files from X` names an earlier stage;
#   - the sections an fbload image needs are there (%files, %post, %runscript,
#     %test, %labels);
#   - the build stage's %post configures and builds fbload with CMake from the
#     folder %files copies in, and that folder is fbload's standalone CMake
#     project (core/clients/CMakeLists.txt with project(fbload …));
#   - the file the final stage copies from the build stage is the one the
#     build stage installs;
#   - packages CMake needs to find fbload's optional drivers are installed
#     (pkg-config, when core/clients uses pkg_check_modules);
#   - every %post, %test and %runscript body is valid shell (`sh -n`).
#
#   check-def.sh DEF_FILE REPO_ROOT
set -euo pipefail

def=${1:?usage: check-def.sh DEF_FILE REPO_ROOT}
root=${2:?usage: check-def.sh DEF_FILE REPO_ROOT}
fails=0
fail() { echo "$def:$1: $2" >&2; fails=$((fails + 1)); }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split into stages and sections: $work/<stage#>/<section> (headers in "header").
awk -v out="$work" '
  /^Bootstrap:/ { stage++; section = "header" }
  /^%[a-z]+/    { section = substr($1, 2); if ($2 == "from") section = section "-from-" $3; next }
  stage > 0     { f = out "/" stage "/" section; system("mkdir -p " out "/" stage); print >> f; close(f) }
' "$def"

stages=$(find "$work" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$stages" -ge 1 ] || fail 1 "no stage (no line starting with Bootstrap:)"

line_of() { grep -n -m1 -- "$1" "$def" | cut -d: -f1 || true; }
names=()
for s in $(seq 1 "$stages"); do
  d="$work/$s"
  grep -q '^From:' "$d/header" || fail "$(line_of '^Bootstrap:')" "stage $s has no From: header"
  name=$(sed -n 's/^Stage:[[:space:]]*//p' "$d/header")
  for n in "${names[@]}"; do
    [ "$n" != "$name" ] || fail "$(line_of "^Stage: $name")" "stage name \"$name\" used twice"
  done
  names+=("$name")
  for from in "$d"/files-from-*; do
    [ -e "$from" ] || continue
    src=${from##*/files-from-}
    printf '%s\n' "${names[@]}" | grep -qx "$src" || fail "$(line_of "%files from $src")" "%files from \"$src\": no earlier stage of that name"
  done
  [ -f "$d/post" ] || fail "$(line_of '^Bootstrap:')" "stage ${name:-$s} has no %post"
done

last="$work/$stages"
for sec in runscript test labels; do
  [ -s "$last/$sec" ] || fail 1 "the final stage has no %$sec section"
done

# The build stage: the one whose %post runs cmake.
build=$(grep -l 'cmake -S' "$work"/*/post 2>/dev/null | head -1 || true)
if [ -z "$build" ]; then
  fail "$(line_of '%post')" "no stage's %post configures fbload with cmake -S"
else
  bdir=$(dirname "$build")
  src=$(sed -n 's/.*cmake -S[[:space:]]*\([^[:space:]]*\).*/\1/p' "$build" | head -1)
  grep -q 'cmake --build' "$build" || fail "$(line_of 'cmake -S')" "%post configures but never runs cmake --build"
  # %files of the build stage: "<repo path> <image path>"; the cmake source must be one of them.
  repo_path=$(awk -v dst="$src" 'NF >= 2 && $2 == dst { print $1 }' "$bdir/files" 2>/dev/null || true)
  if [ -z "$repo_path" ]; then
    fail "$(line_of 'cmake -S')" "cmake -S $src: no %files entry copies anything to $src"
  elif ! grep -q '^project(fbload' "$root/$repo_path/CMakeLists.txt" 2>/dev/null; then
    fail "$(line_of "$repo_path")" "$root/$repo_path is not fbload's standalone CMake project"
  elif grep -q 'pkg_check_modules' "$root/$repo_path/CMakeLists.txt" && ! grep -q 'pkg-config\|pkgconf' "$build"; then
    fail "$(line_of 'apt-get install')" "$repo_path finds drivers with pkg_check_modules but %post installs no pkg-config"
  fi
  installed=$(sed -n 's/.*install .* \(\/[^[:space:]]*\)$/\1/p' "$build" | tail -1)
  copied=$(awk 'NF >= 1 { print $1 }' "$last"/files-from-* 2>/dev/null | head -1 || true)
  if [ -z "$installed" ] || [ "$installed" != "$copied" ]; then
    fail "$(line_of '%files from')" "the final stage copies \"$copied\" but the build stage installs \"$installed\""
  fi
fi

for body in "$work"/*/post "$work"/*/test "$work"/*/runscript; do
  [ -f "$body" ] || continue
  sh -n "$body" 2>"$work/sh.err" || fail "$(line_of "%$(basename "$body")")" "not valid shell: $(head -1 "$work/sh.err")"
done

if [ "$fails" -gt 0 ]; then
  echo "check-def: $fails problem(s) in $def" >&2
  exit 1
fi
echo "check-def: $def ok ($stages stage(s); fbload built with cmake from $repo_path)"
