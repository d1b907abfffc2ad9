#!/usr/bin/env bash
# PostgreSQL and Redis for the scale mode (`make run-scale`, the scale tests, the bench), on
# 127.0.0.1 at their standard ports. A server that already answers is left exactly as it is.
# Otherwise, as root: apt-get install Debian's package, create and start a cluster / server
# bound to loopback. A cluster created here trusts connections from 127.0.0.1 and ::1 only (a
# development and CI setup, like the CI's own); production uses managed services (docs/deploy.md).
set -euo pipefail
PGPORT=5432
REDISPORT=6379

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "$1 没有在 127.0.0.1:$2 运行：请以 root 运行 make scale-deps，或自行安装启动（sudo apt-get install -y $3）" >&2
    exit 1
  fi
}

if ! answers $PGPORT; then
  need_root PostgreSQL $PGPORT postgresql
  command -v pg_ctlcluster >/dev/null 2>&1 || { apt-get update -q; DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }
  ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
    pg_createcluster "$ver" main -p $PGPORT -- --auth-local=peer --auth-host=scram-sha-256
  fi
  conf=/etc/postgresql/$ver/main
  # loopback only, and trusted from loopback (this machine's own users: dev and CI)
  sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "$conf/postgresql.conf"
  if ! grep -q "zhicheng scale-deps" "$conf/pg_hba.conf"; then
    sed -i "1i # zhicheng scale-deps: loopback trusted (development and CI only)\nhost all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust" "$conf/pg_hba.conf"
  fi
  pg_ctlcluster "$ver" main start || pg_ctlcluster "$ver" main reload
  for _ in $(seq 30); do answers $PGPORT && break; sleep 1; done
  answers $PGPORT || { echo "PostgreSQL 没有启动" >&2; exit 1; }
fi

if ! answers $REDISPORT; then
  need_root Redis $REDISPORT redis-server
  command -v redis-server >/dev/null 2>&1 || { apt-get update -q; DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; }
  redis-server --bind 127.0.0.1 --port $REDISPORT --daemonize yes --protected-mode yes \
    --dir /var/lib/redis --logfile /var/log/redis/redis-server.log 2>/dev/null \
    || redis-server --bind 127.0.0.1 --port $REDISPORT --daemonize yes --protected-mode yes
  for _ in $(seq 30); do answers $REDISPORT && break; sleep 1; done
  answers $REDISPORT || { echo "Redis 没有启动" >&2; exit 1; }
fi
echo "PostgreSQL（127.0.0.1:$PGPORT）和 Redis（127.0.0.1:$REDISPORT）已就绪。"
