#!/usr/bin/env bash
# Packaging test (issue 10): builds the DEB and the RPM of the CURRENT build
# tree with cpack, checks them (lintian, same file list), unpacks the DEB into
# a fake root with `dpkg -x` and runs the installed programs from there — with
# the source and build trees hidden (a private mount namespace mounts empty
# tmpfs over them), so whatever they find can only come from the fake root.
#
#   tests/installers/package_test.sh <build dir> <source dir>
#
# debootstrap needs the network, so the clean-root check uses `dpkg -x` (the
# same files under a prefix we can delete). As root it then also installs the
# DEB onto this machine with apt-get (proving its Depends resolve), runs it
# from /usr and purges it.
set -euo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fb-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $* ($(date +%T))"; }

for tool in cpack dpkg-deb lintian rpmbuild rpm desktop-file-validate appstreamcli xmllint; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/setup-debian.sh installs it)"
done
for exe in gui/factorybench core/fbctl/fbctl core/clients/fbload; do
  [ -x "$build/$exe" ] || fail "$build/$exe is not built: build the project before running this test"
done

step "cpack DEB + RPM"
# The DEB and RPM are made from one staging install (cpack -G "DEB;RPM").
if ! cpack --config "$build/CPackConfig.cmake" -G "DEB;RPM" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log" >&2
  fail "cpack failed"
fi
deb=$(ls "$tmp"/pkg/*.deb) || fail "no .deb in $tmp/pkg"
rpmf=$(ls "$tmp"/pkg/*.rpm) || fail "no .rpm in $tmp/pkg"
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1)), $(basename "$rpmf") ($(du -h "$rpmf" | cut -f1))"
dpkg-deb -f "$deb" Package Version Depends
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libqt6core6 libqt6widgets6 libssh-4 libyaml-cpp qt6-qpa-plugins; do
  [[ $depends == *"$dep"* ]] || fail "DEB does not depend on $dep"
done
[ "$(rpm -qp --qf '%{LICENSE}' "$rpmf" 2>/dev/null)" = GPL-3.0-or-later ] || fail "RPM licence is not GPL-3.0-or-later"
rpm -qpR "$rpmf" 2>/dev/null | grep -q 'libssh.so' || fail "RPM does not require libssh"

step "lintian"
lintian --fail-on error "$deb" >"$tmp/lintian.log" 2>&1 \
  || { cat "$tmp/lintian.log" >&2; fail "lintian reports errors on $(basename "$deb")"; }
grep '^[WE]:' "$tmp/lintian.log" || echo "lintian: no errors or warnings"

step "same files in DEB and RPM"
dpkg-deb -c "$deb" | awk 'substr($1,1,1) != "d" { p = $6; sub(/^\./, "", p); print p }' | sort >"$tmp/deb.list"
rpm -qlpv "$rpmf" 2>/dev/null | awk 'substr($1,1,1) != "d" { print $9 }' | sort >"$tmp/rpm.list"
[ -s "$tmp/deb.list" ] || fail "empty DEB file list"
diff -u "$tmp/deb.list" "$tmp/rpm.list" || fail "DEB and RPM list different files"
echo "$(wc -l <"$tmp/deb.list") files in both"
for f in /usr/bin/factorybench /usr/bin/fbctl /usr/bin/fbload \
         /usr/share/factorybench/recipes/examples/local-redis.yaml \
         /usr/share/factorybench/recipes/services/redis.yaml \
         /usr/share/factorybench/fbload/CMakeLists.txt /usr/share/factorybench/fbload/src/main.cpp \
         /usr/share/applications/org.factorybench.FactoryBench.desktop \
         /usr/share/metainfo/org.factorybench.FactoryBench.metainfo.xml \
         /usr/share/mime/packages/factorybench.xml \
         /usr/share/icons/hicolor/scalable/apps/org.factorybench.FactoryBench.svg \
         /usr/share/icons/hicolor/48x48/apps/org.factorybench.FactoryBench.png \
         /usr/share/icons/hicolor/512x512/apps/org.factorybench.FactoryBench.png; do
  grep -qxF "$f" "$tmp/deb.list" || fail "$f missing from the package"
done

step "unpack into a fake root"
root="$tmp/root"
dpkg -x "$deb" "$root"
desktop-file-validate "$root/usr/share/applications/org.factorybench.FactoryBench.desktop" \
  || fail "desktop-file-validate rejects the .desktop file"
appstreamcli validate --no-net "$root/usr/share/metainfo/org.factorybench.FactoryBench.metainfo.xml" >"$tmp/as.log" 2>&1 \
  || { cat "$tmp/as.log" >&2; fail "appstreamcli rejects the metainfo"; }
xmllint --noout "$root/usr/share/mime/packages/factorybench.xml" || fail "mime XML is not well-formed"
grep -q 'application/x-factorybench-recipe' "$root/usr/share/mime/packages/factorybench.xml" || fail "mime type missing"

step "run the installed programs with the source and build trees hidden"
mkdir -p "$tmp/home"
cat >"$tmp/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs inside the private mount namespace: $1 root, $2 tmp, then the trees to hide.
set -euo pipefail
root=$1 tmp=$2; shift 2
for d in "$@"; do mount -t tmpfs -o size=1m fbhidden "$d"; done
for d in "$@"; do [ -z "$(ls -A "$d")" ] || { echo "FAIL: $d still visible" >&2; exit 1; }; done
cd /
unset FB_DATA_DIR
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_DATA_HOME=$tmp/home/.local/share
export FB_CONFIG_DIR=$tmp/home/config FB_STATE_DIR=$tmp/home/state QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=$tmp/home/run
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
"$root/usr/bin/fbctl" --version >"$tmp/fbctl-version.txt"
"$root/usr/bin/factorybench" --version >"$tmp/gui-version.txt"
"$root/usr/bin/fbctl" validate "$root/usr/share/factorybench/recipes/examples/local-redis.yaml" >"$tmp/validate.txt" 2>&1 \
  || { cat "$tmp/validate.txt" >&2; echo "FAIL: fbctl validate failed" >&2; exit 1; }
"$root/usr/bin/factorybench" --print-paths >"$tmp/paths.txt" 2>&1 \
  || { cat "$tmp/paths.txt" >&2; echo "FAIL: factorybench --print-paths found no data" >&2; exit 1; }
timeout 60 "$root/usr/bin/factorybench" --screenshot "$tmp/shot.png" \
  "$root/usr/share/factorybench/recipes/examples/local-redis.yaml" >"$tmp/shot.log" 2>&1 \
  || { cat "$tmp/shot.log" >&2; echo "FAIL: factorybench --screenshot failed" >&2; exit 1; }
RUN
chmod +x "$tmp/run.sh"
hide=("$src")
case "$build/" in "$src"/*) ;; *) hide+=("$build") ;; esac
if unshare -m true 2>/dev/null; then
  unshare -m "$tmp/run.sh" "$root" "$tmp" "${hide[@]}"
else
  # No mount namespaces (unprivileged CI container): the path checks below
  # still prove where the data came from.
  echo "note: cannot hide the source tree here (unshare -m not permitted)"
  "$tmp/run.sh" "$root" "$tmp"
fi

cat "$tmp/fbctl-version.txt" "$tmp/gui-version.txt" "$tmp/paths.txt"
grep -Eq '^fbctl [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-z]+\)$' "$tmp/fbctl-version.txt" || fail "fbctl --version"
grep -Eq '^factorybench [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-z]+\)$' "$tmp/gui-version.txt" || fail "factorybench --version"
ver=$(dpkg-deb -f "$deb" Version)
grep -q " $ver " "$tmp/fbctl-version.txt" || fail "fbctl --version does not print the package version $ver"
for key in data catalog fbload; do
  value=$(sed -n "s/^$key: //p" "$tmp/paths.txt")
  case "$value" in
    "$root"/usr/share/factorybench*) ;;
    *) fail "$key found at '$value', not in the installed root $root" ;;
  esac
done
grep -qx "fbload: $root/usr/share/factorybench/fbload" "$tmp/paths.txt" || fail "fbload bundle path"
grep -qx "catalog: $root/usr/share/factorybench/recipes" "$tmp/paths.txt" || fail "catalog path"
[ "$(head -c 8 "$tmp/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "screenshot is not a PNG"
[ "$(stat -c %s "$tmp/shot.png")" -gt 10000 ] || fail "screenshot is suspiciously small"
echo "screenshot $(stat -c %s "$tmp/shot.png") bytes; validate: $(tail -1 "$tmp/validate.txt")"

# A real installation onto this machine with apt (which proves the package's
# Depends resolve on Debian 12), used from /usr, then purged. Only as root, and
# only when no other factorybench package is installed (a user's own install
# is left alone).
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null \
   && ! dpkg-query -W -f='${Status}' factorybench 2>/dev/null | grep -q installed; then
  step "apt-get install the DEB onto this machine"
  trap 'dpkg --purge factorybench >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  case "$deb" in /*) ;; *) deb=$PWD/$deb ;; esac
  apt-get install -y -q "$deb" >"$tmp/apt.log" 2>&1 \
    || { cat "$tmp/apt.log" >&2; fail "apt-get cannot install the DEB (dependencies?)"; }
  (
    cd /
    export HOME=$tmp/home FB_CONFIG_DIR=$tmp/home/config2 FB_STATE_DIR=$tmp/home/state2 QT_QPA_PLATFORM=offscreen
    export XDG_RUNTIME_DIR=$tmp/home/run
    /usr/bin/fbctl --version
    /usr/bin/fbctl validate /usr/share/factorybench/recipes/examples/local-redis.yaml
    /usr/bin/factorybench --print-paths | grep -qx "catalog: /usr/share/factorybench/recipes"
    timeout 60 /usr/bin/factorybench --screenshot "$tmp/shot-installed.png" >/dev/null 2>&1
  ) || fail "the installed programs in /usr do not run"
  [ "$(stat -c %s "$tmp/shot-installed.png")" -gt 10000 ] || fail "screenshot from /usr is suspiciously small"
  dpkg --purge factorybench >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; fail "dpkg --purge failed"; }
  [ ! -e /usr/bin/factorybench ] || fail "purge left /usr/bin/factorybench behind"
  echo "installed with apt-get, ran from /usr, purged"
fi
echo "PASS"
