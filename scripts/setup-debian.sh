#!/usr/bin/env bash
# Installs every Debian (and npm) package that FactoryBench's build, demo and
# tests need on Debian 12. Idempotent: a second run installs nothing and is
# quick. Quiet on success; on failure it prints what failed and the log tail.
#
#   scripts/setup-debian.sh            # everything (build + demo + tests)
#   scripts/setup-debian.sh --build    # only what building the app needs
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
log=${FB_SETUP_LOG:-/tmp/factorybench-setup.log}
what=${1:-all}

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git clang
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev
  libqt6sql6-sqlite libqt6svg6 libqt6opengl6-dev qt6-qpa-plugins libgl-dev libxkbcommon-dev
  libssh-dev libyaml-cpp-dev libssl-dev qtkeychain-qt6-dev
  libasio-dev libpq-dev libmariadb-dev libfaiss-dev
)
test_pkgs=(
  # the local mini-cluster
  slurm-wlm slurm-client munge openssh-server openssh-client iproute2 procps psmisc
  # services the tests and benchmarks talk to
  redis-server redis-tools postgresql postgresql-client mariadb-server mariadb-client
  prometheus prometheus-node-exporter prometheus-pushgateway nginx-light
  sysbench fio wrk
  # figure and report checks (tests/charts/tst_figureexport): PDF tools, a headless browser
  poppler-utils chromium
  # GUI tests, script checks, second-factor test, misc
  xvfb xauth shellcheck libpam-oath oathtool python3 curl jq
  # packaging test (tests/installers): cpack DEB/RPM, checks, icon rendering
  lintian rpm desktop-file-utils librsvg2-bin appstream libxml2-utils dpkg-dev file
  fonts-dejavu-core
)

pkgs=("${build_pkgs[@]}")
[ "$what" = "--build" ] || pkgs+=("${test_pkgs[@]}")
# Node.js for s3rver: Debian's, unless a Node.js with npm is already installed
# (Debian's npm conflicts with the nodejs builds that bundle npm).
if [ "$what" != "--build" ] && ! command -v npm >/dev/null; then
  pkgs+=(nodejs npm)
fi

fail() {
  echo "setup-debian: $*" >&2
  [ -f "$log" ] && { echo "--- last lines of $log ---" >&2; tail -n 30 "$log" >&2; }
  exit 1
}

if [ ! -r /etc/debian_version ]; then
  fail "this script is for Debian 12; install the packages listed in it by hand elsewhere"
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "run as root or install sudo"
  sudo="sudo"
fi

: > "$log"
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  # Services installed here are started by our own scripts on private ports,
  # never by the package's init scripts: keep invoke-rc.d from starting them.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    made_policy=1
  fi
  trap '[ $made_policy = 1 ] && $sudo rm -f "$policy"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >>"$log" 2>&1 || fail "apt-get update failed"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 \
    || fail "apt-get install failed for: ${missing[*]}"
fi

if [ "$what" != "--build" ]; then
  # s3rver (an S3 API server in Node.js) for the object-storage tests.
  npm_dir="$top/tests/cluster/npm"
  if [ -f "$npm_dir/package.json" ] && [ ! -x "$npm_dir/node_modules/.bin/s3rver" ]; then
    (cd "$npm_dir" && npm ci --no-audit --no-fund --silent >>"$log" 2>&1) \
      || (cd "$npm_dir" && npm install --no-audit --no-fund --silent >>"$log" 2>&1) \
      || fail "npm install of s3rver failed"
  fi
fi
exit 0
