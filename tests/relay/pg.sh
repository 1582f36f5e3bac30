#!/usr/bin/env bash
# A throwaway PostgreSQL from Debian's packages for the relay's tests and benchmark, on loopback.
#   pg.sh start NAME [--durable]   initdb into /tmp/crm-pg-NAME, start it on a free port; prints the
#                                   conninfo (also written to /tmp/crm-pg-NAME/conninfo)
#   pg.sh stop NAME                 stop it and remove the folder
#   pg.sh pause NAME / resume NAME  stop it keeping its data, and start it again on the same port
# As root it runs the server as the system user crmtest (initdb refuses root; scripts/deps.sh
# creates the user). Without --durable, fsync is off: the tests kill relays, not PostgreSQL.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|pause|resume NAME [--durable]}
name=${2:?usage: pg.sh start|stop|pause|resume NAME [--durable]}
durable=${3:-}
dir=/tmp/crm-pg-$name
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $bin/initdb ]] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql; scripts/deps.sh does)" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) == 0 ]]; then
    id crmtest >/dev/null 2>&1 || { echo "pg.sh: user crmtest is missing (run scripts/deps.sh as root)" >&2; exit 1; }
    runuser -u crmtest -- "$@"
  else
    "$@"
  fi
}

stop() {
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case $cmd in
  start)
    stop
    mkdir -p "$dir"
    [[ $(id -u) == 0 ]] && chown crmtest "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U crm -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [[ $durable == --durable ]] && options=""
    for attempt in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
          -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=200 $options" start >/dev/null 2>&1; then
        echo "host=127.0.0.1 port=$port user=crm dbname=postgres" > "$dir/conninfo"
        echo "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=200 $options" > "$dir/options"
        cat "$dir/conninfo"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2 || true
    echo "pg.sh: PostgreSQL did not start" >&2
    exit 1
    ;;
  stop) stop ;;
  pause) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null ;;
  resume) as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" start >/dev/null ;;
  *) echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
