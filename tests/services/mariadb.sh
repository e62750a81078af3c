#!/usr/bin/env bash
# CTest fixture: a throw-away MariaDB on 127.0.0.1 (no fsync, small buffers)
# with database fbtest and user fbuser / password fbpw (mysql_native_password).
# Usage: mariadb.sh start|stop DIR. As root the server runs as `nobody`
# (mariadbd refuses root); stop kills exactly DIR/mariadb.pid.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
owner=$(id -un); [ "$(id -u)" = 0 ] && owner=nobody
case "$cmd" in
  start)
    stop_pidfile "$dir/mariadb.pid"
    rm -rf "$dir/data"
    mkdir -p "$dir/data"
    [ "$(id -u)" = 0 ] && chown nobody "$dir/data" && chmod 755 "$dir"
    mariadb-install-db --no-defaults --user="$owner" --datadir="$dir/data" --auth-root-authentication-method=socket \
      --skip-test-db >"$dir/install.log" 2>&1 || { echo "mariadb-install-db failed; see $dir/install.log" >&2; exit 1; }
    port=$(free_port)
    mariadbd --no-defaults --user="$owner" --datadir="$dir/data" --bind-address=127.0.0.1 --port="$port" \
      --socket="$dir/data/mariadb.sock" --pid-file="$dir/data/server.pid" --skip-name-resolve \
      --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=64M \
      --max-connections=200 --log-error="$dir/data/mariadb.err" >"$dir/mariadb.out" 2>&1 &
    echo $! > "$dir/mariadb.pid"
    wait_port 127.0.0.1 "$port" 30 || { echo "mariadb did not start; see $dir/data/mariadb.err" >&2; exit 1; }
    mariadb --no-defaults -S "$dir/data/mariadb.sock" -u root -e \
      "CREATE DATABASE fbtest; CREATE USER 'fbuser'@'127.0.0.1' IDENTIFIED BY 'fbpw'; GRANT ALL ON fbtest.* TO 'fbuser'@'127.0.0.1';"
    echo "$port" > "$dir/mariadb.port"
    echo "mariadb on 127.0.0.1:$port (pid $(cat "$dir/mariadb.pid"))"
    ;;
  stop) stop_pidfile "$dir/mariadb.pid"; rm -f "$dir/mariadb.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
