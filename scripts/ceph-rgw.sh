#!/usr/bin/env bash
# A one-node Ceph cluster with a RADOS Gateway (S3) on loopback, for tests and
# for developers trying `lanyard serve --blob-store s3://...`.
#
#   scripts/ceph-rgw.sh start DIR   install the Debian packages if missing, start
#                                   (or find running) and print the environment
#   scripts/ceph-rgw.sh env DIR     print the environment of a running gateway
#   scripts/ceph-rgw.sh stop DIR    kill the daemons by their pid files and remove
#                                   the cluster's state
#
# Everything (configuration, keys, logs, pid files, sockets) lives in DIR, a
# folder of its own (e.g. .tmp/ceph, ignored by git); nothing outside it is
# touched. One ceph-mon, one ceph-mgr, one ceph-osd whose object store is
# memstore (the data lives in the OSD's memory, capped at 2 GiB: no disk to
# prepare, gone when it stops) and radosgw. Ports are free loopback ports chosen
# at each start, so several folders (worktrees, CI runs) can each run one. From
# nothing to a working S3 endpoint takes about 5 s once the packages are there.
#
# What `start` and `env` print, one `export NAME=value` a line, for `eval`:
#   AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
#       what `lanyard serve --blob-store s3://BUCKET/PREFIX` reads
#   LANYARD_TEST_S3_ENDPOINT, LANYARD_TEST_S3_ACCESS_KEY_ID, LANYARD_TEST_S3_SECRET_ACCESS_KEY
#       what the tests read (names of their own, so a developer's real AWS
#       settings are never what a test writes to)
# Progress and errors go to standard error. Any failure exits non-zero with the
# reason and the end of the daemon's log.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|env DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
case "$cmd" in start | stop | env) ;; *) usage ;; esac
[ -n "$2" ] || usage

ACCESS_KEY=LANYARDTESTACCESSKEY0
SECRET_KEY=lanyard-test-secret-key-not-for-production
REGION=us-east-1
MARKER=.lanyard-ceph-rgw

say() { echo "ceph-rgw: $*" >&2; }
starting=
die() {
  echo "ceph-rgw: cannot start: $*" >&2
  # Daemons already up are stopped; their logs stay in the folder until the next start.
  if [ -n "$starting" ]; then
    kill_daemons
    echo "ceph-rgw: logs are in $dir/log" >&2
  fi
  exit 1
}

not_running() {
  echo "ceph-rgw: nothing runs in $1; start it with: $0 start $1" >&2
  exit 1
}

# Only start makes the folder; env and stop leave a folder that is not ours as it is.
[ "$cmd" = start ] && mkdir -p "$2"
if [ ! -d "$2" ]; then
  [ "$cmd" = env ] && not_running "$2"
  [ "$cmd" = stop ] && exit 0
  usage
fi
dir=$(cd "$2" && pwd)
if [ ! -e "$dir/$MARKER" ]; then
  [ "$cmd" = env ] && not_running "$dir"
  [ "$cmd" = stop ] && exit 0
  # A folder that is not ours (not empty, no marker) is never written to or wiped.
  if [ -n "$(ls -A "$dir")" ]; then
    echo "ceph-rgw: $dir is not empty and was not made by this script; give it a folder of its own" >&2
    exit 1
  fi
  touch "$dir/$MARKER"
fi
conf=$dir/ceph.conf
run=$dir/run
daemons=(mon.a osd.0 mgr.x client.rgw.a)

# One command at a time per folder (two test files may ask to start at once).
exec 9>>"$dir/.lock"
flock 9

pid_of() { cat "$run/$1.pid" 2>/dev/null || true; }
alive() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
# A daemon writes its pid file a moment after it forks: only a pid file whose
# process is gone means it died.
died() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
}

rgw_port() { cat "$dir/rgw.port" 2>/dev/null || true; }

# True when something answers HTTP on the port with a status line.
http_answers() {
  local port=$1 line
  { exec 8<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&8
  IFS= read -r -t 5 line <&8 || line=
  exec 8<&-
  [[ $line == HTTP/1.?\ * ]]
}

running() {
  [ -e "$dir/$MARKER" ] || return 1
  for d in "${daemons[@]}"; do alive "$d" || return 1; done
  local port
  port=$(rgw_port)
  [ -n "$port" ] && http_answers "$port"
}

print_env() {
  local endpoint
  endpoint="http://127.0.0.1:$(rgw_port)"
  cat <<EOF
export AWS_ENDPOINT_URL=$endpoint
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=$REGION
export LANYARD_TEST_S3_ENDPOINT=$endpoint
export LANYARD_TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY
export LANYARD_TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY
EOF
}

kill_daemons() {
  local d pid pids=()
  # All at once: the state is thrown away below, so there is no order to keep.
  for d in client.rgw.a mgr.x osd.0 mon.a; do
    pid=$(pid_of "$d")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      pids+=("$d:$pid")
    fi
  done
  # A second's grace (radosgw often takes longer): nothing they hold is kept, so what is left is killed.
  local left
  for _ in $(seq 1 10); do
    left=0
    for d in "${pids[@]}"; do kill -0 "${d#*:}" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  for d in "${pids[@]}"; do
    pid=${d#*:}
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  for d in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "${d#*:}" 2>/dev/null || break; sleep 0.1; done
  done
}

stop_all() {
  kill_daemons
  # The cluster is kept in memory (memstore), so its state on disk is only
  # good for the daemons that just stopped: the next start makes a new one.
  find "$dir" -mindepth 1 -maxdepth 1 ! -name .lock ! -name "$MARKER" -exec rm -rf {} +
}

# A loopback port nothing listens on, from a range away from Ceph's own 6800-7300.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 7<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "found no free loopback port"
}

log_tail() {
  local f
  for f in "$dir/log/$1.log" "$dir/log/cli.log"; do
    if [ -s "$f" ]; then
      echo "--- last lines of $f:" >&2
      tail -n 20 "$f" >&2
    fi
  done
}

# Runs a Ceph command against this folder's cluster, never hanging for long.
c() { timeout 60 "$@" -c "$conf" 9>&-; }

install_packages() {
  local missing=() p
  for p in ceph-mon ceph-mgr ceph-osd radosgw ceph-common; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "the Debian packages ${missing[*]} are missing and installing them needs root (apt-get install -y --no-install-recommends ${missing[*]})"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2 || die "apt-get update failed"
  apt-get install -y --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

start_all() {
  install_packages
  stop_all
  starting=1
  touch "$dir/$MARKER"
  mkdir -p "$run" "$dir/log" "$dir/mon.a" "$dir/osd.0" "$dir/mgr.x"
  local fsid mon_port port
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port)
  port=$(free_port)
  echo "$port" >"$dir/rgw.port"

  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
run dir = $run
log file = $dir/log/\$name.log
mon data = $dir/\$name
osd data = $dir/\$name
mgr data = $dir/\$name
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
# The monitor batches map changes for a second by default; radosgw's first start
# makes a dozen pools one change at a time (10 s instead of 1).
paxos propose interval = 0.05

[mon]
admin socket = $run/\$name.asok
pid file = $run/\$name.pid
[osd]
admin socket = $run/\$name.asok
pid file = $run/\$name.pid
[mgr]
admin socket = $run/\$name.asok
pid file = $run/\$name.pid
[client.rgw.a]
admin socket = $run/\$name.asok
pid file = $run/\$name.pid
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/\$name
# Deleted and overwritten objects are freed by radosgw's garbage collector, by
# default two hours later: memstore would fill up over a few test runs.
rgw gc obj min wait = 5
rgw gc processor period = 10
EOF

  local kr=$dir/keyring
  ceph-authtool --create-keyring "$kr" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$kr" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$kr" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
  ceph-authtool "$kr" --gen-key -n mgr.x --cap mon 'allow profile mgr' --cap osd 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$kr" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null

  monmaptool --create --add a "v2:127.0.0.1:$mon_port" --fsid "$fsid" "$dir/monmap" >/dev/null
  c ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$kr" >>"$dir/log/cli.log" 2>&1 || { log_tail mon.a; die "ceph-mon --mkfs failed"; }
  c ceph-mon -i a >>"$dir/log/cli.log" 2>&1 || { log_tail mon.a; die "ceph-mon did not start"; }
  say "monitor on 127.0.0.1:$mon_port"

  local id
  id=$(c ceph --connect-timeout 30 osd create 2>>"$dir/log/cli.log") || { log_tail mon.a; die "the monitor does not answer (ceph osd create failed)"; }
  [ "$id" = 0 ] || die "expected OSD id 0, got '$id'"
  c ceph-osd -i 0 --mkfs >>"$dir/log/cli.log" 2>&1 || { log_tail osd.0; die "ceph-osd --mkfs failed"; }
  c ceph-osd -i 0 >>"$dir/log/cli.log" 2>&1 || { log_tail osd.0; die "ceph-osd did not start"; }
  c ceph-mgr -i x >>"$dir/log/cli.log" 2>&1 || { log_tail mgr.x; die "ceph-mgr did not start"; }

  local up=
  for _ in $(seq 1 120); do
    if c ceph --connect-timeout 10 osd stat 2>/dev/null | grep -q '1 up'; then
      up=1
      break
    fi
    ! died osd.0 || { log_tail osd.0; die "ceph-osd exited"; }
    sleep 0.5
  done
  [ -n "$up" ] || { log_tail osd.0; die "the OSD did not come up in 60 s"; }
  say "OSD up"

  c radosgw -n client.rgw.a >>"$dir/log/cli.log" 2>&1 || { log_tail client.rgw.a; die "radosgw did not start"; }
  local answered=
  for _ in $(seq 1 240); do
    if http_answers "$port"; then
      answered=1
      break
    fi
    ! died client.rgw.a || { log_tail client.rgw.a; die "radosgw exited"; }
    sleep 0.5
  done
  [ -n "$answered" ] || { log_tail client.rgw.a; die "radosgw did not answer on 127.0.0.1:$port in 120 s"; }

  c radosgw-admin user create --uid=lanyard-test --display-name="Lanyard tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >>"$dir/log/cli.log" 2>&1 ||
    { tail -n 25 "$dir/log/cli.log" >&2; die "radosgw-admin user create failed"; }
  say "S3 on http://127.0.0.1:$port (state in $dir; stop with: $0 stop $dir)"
}

case "$cmd" in
  start)
    if running; then
      say "already running"
    else
      start_all
    fi
    print_env
    ;;
  env)
    running || not_running "$dir"
    print_env
    ;;
  stop)
    stop_all
    say "stopped"
    ;;
  *) usage ;;
esac
