#!/usr/bin/env bash
# CTest fixture: a throw-away PostgreSQL 15 on 127.0.0.1 (fsync off, trust auth
# for TCP from 127.0.0.1 plus an md5 user fbpw/fbpw for the auth test).
# Usage: postgres.sh start|stop DIR. initdb refuses root, so as root the
# cluster belongs to `nobody` (runuser); stop kills exactly DIR/postgres.pid.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$2
bin=/usr/lib/postgresql/15/bin
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    stop_pidfile "$dir/postgres.pid"
    rm -rf "$dir/data" "$dir/sock"
    mkdir -p "$dir/data" "$dir/sock"
    [ "$(id -u)" = 0 ] && chown nobody "$dir/data" "$dir/sock" && chmod 755 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { echo "initdb failed; see $dir/initdb.log" >&2; exit 1; }
    cat >"$dir/data/pg_hba.conf" <<'HBA'
local all all trust
host all fbpw 127.0.0.1/32 md5
host all all 127.0.0.1/32 trust
HBA
    port=$(free_port)
    as_owner "$bin/postgres" -D "$dir/data" -h 127.0.0.1 -p "$port" -k "$dir/sock" \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 \
      -c shared_buffers=64MB -c password_encryption=md5 >"$dir/postgres.log" 2>&1 &
    wait_port 127.0.0.1 "$port" 20 || { echo "postgres did not start; see $dir/postgres.log" >&2; exit 1; }
    # The postmaster's own PID ($! would be the subshell around runuser).
    for _ in $(seq 50); do [ -s "$dir/data/postmaster.pid" ] && break; sleep 0.1; done
    head -n 1 "$dir/data/postmaster.pid" > "$dir/postgres.pid"
    for _ in $(seq 100); do "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break; sleep 0.1; done
    psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
      -c "CREATE USER fbpw PASSWORD 'fbpw'" -c "CREATE DATABASE fbtest" -c "GRANT ALL ON DATABASE fbtest TO fbpw" \
      -c "ALTER DATABASE fbtest OWNER TO fbpw" >/dev/null
    echo "$port" > "$dir/postgres.port"
    echo "postgres on 127.0.0.1:$port (pid $(cat "$dir/postgres.pid"))"
    ;;
  stop) stop_pidfile "$dir/postgres.pid"; rm -f "$dir/postgres.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
