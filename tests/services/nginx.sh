#!/usr/bin/env bash
# CTest fixture: nginx serving a small static file on 127.0.0.1.
# Usage: nginx.sh start|stop DIR   (WORKERS=n to change worker_processes)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$(mkdir -p "$2" && cd "$2" && pwd)
case "$cmd" in
  start)
    stop_pidfile "$dir/nginx.pid"
    port=$(free_port)
    mkdir -p "$dir/www" "$dir/nginx-tmp"
    head -c 100 /dev/zero | tr '\0' 'x' > "$dir/www/index.html"
    userline=""
    [ "$(id -u)" = 0 ] && userline="user root;"
    cat > "$dir/nginx.conf" <<CONF
$userline
worker_processes ${WORKERS:-1};
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  log_format fbtest '\$request_method \$uri \$http_x_fbload_test \$content_length \$http_connection';
  client_body_temp_path $dir/nginx-tmp/body;
  proxy_temp_path $dir/nginx-tmp/proxy;
  fastcgi_temp_path $dir/nginx-tmp/fastcgi;
  uwsgi_temp_path $dir/nginx-tmp/uwsgi;
  scgi_temp_path $dir/nginx-tmp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60;
  server {
    listen 127.0.0.1:$port;
    root $dir/www;
    location /status500 { return 500; }
    location = /echo { return 200 "posted\n"; }
    # Test hooks: server-side request counter, and a log of what arrived.
    location = /nginx_status { stub_status; }
    location = /logged { access_log $dir/logged.log fbtest; return 200 "logged\n"; }
  }
}
CONF
    nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log"
    wait_port 127.0.0.1 "$port" 10 || { echo "nginx did not start; see $dir/nginx-error.log" >&2; exit 1; }
    echo "$port" > "$dir/nginx.port"
    echo "nginx on 127.0.0.1:$port (pid $(cat "$dir/nginx.pid"))"
    ;;
  stop) stop_pidfile "$dir/nginx.pid"; rm -f "$dir/nginx.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
