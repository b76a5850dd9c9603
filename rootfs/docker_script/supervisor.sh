#!/bin/bash
# Engine container entrypoint: runs the CMD (postgres) as user postgres and keeps it running, except while the
# stop lock /data/ins_lock exists (expiry lock, stop_instance): then postgres stays down until the file goes.
# A crash (non-zero exit) is held down for SUPERVISOR_CRASH_HOLD_SECONDS (a failover may fence it meanwhile), then
# ends the container so Kubernetes restarts it; a clean stop is followed by a restart.
set -u
DATA=${PGDATA:-/data}
LOCK=$DATA/ins_lock
POLL=${SUPERVISOR_POLL_SECONDS:-1}
CRASH_HOLD=${SUPERVISOR_CRASH_HOLD_SECONDS:-15}
child=0

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) supervisor: $*"; }

shutdown() {
  log "signal received; stopping postgres (fast)"
  if [ "$child" -gt 0 ]; then kill -INT "$child" 2>/dev/null; wait "$child"; fi
  exit 0
}
trap shutdown TERM INT

# Logs: the real folder is /log/pg_log; postgres writes to $DATA/log, a link to it. Cores go to /log/core.
layout() {
  mkdir -p /log/pg_log /log/core
  chown postgres:postgres /log/pg_log /log/core 2>/dev/null || true
  [ -e "$DATA/log" ] || [ -L "$DATA/log" ] || ln -s /log/pg_log "$DATA/log"
}

# A postmaster started by someone else (pg_ctl from the manager agent) owns the data folder until it exits.
foreign_postmaster() {
  local pid
  [ -f "$DATA/postmaster.pid" ] && pid=$(head -1 "$DATA/postmaster.pid") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

if [ "$(id -u)" = 0 ]; then
  # hostPath folders arrive owned by root; the engine and the manager agent (both postgres) need them.
  chown postgres:postgres "$DATA" /log 2>/dev/null || true
  # setpriv execs postgres in its place, so the child signalled below is the postmaster itself; runuser would stay
  # as a parent that ignores SIGINT, and a pod delete would wait out the whole termination grace period.
  set -- setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
fi
mkdir -p /dev/shm/polartrace /var/run/polartrace 2>/dev/null && chmod 777 /dev/shm/polartrace /var/run/polartrace 2>/dev/null

# Installed as the manager agent judges it: the done marker, and no unfinished install. The second half matters for a
# RO: its base backup copies the RW's done marker (and config) into $DATA seconds before the install ends; a postgres
# started then binds the RW's address, fails, and ends this container (kubelet back-off). The prepare marker lives
# in /log, which no base backup writes.
installed() {
  [ "$(cat "$DATA/ins_install_step" 2>/dev/null)" = done ] && [ ! -e /log/ins_install_prepare ]
}

while true; do
  if ! installed; then sleep "$POLL"; continue; fi
  if [ -e "$LOCK" ]; then sleep "$POLL"; continue; fi
  if foreign_postmaster; then sleep "$POLL"; continue; fi
  layout
  log "starting: $*"
  "$@" &
  child=$!
  wait "$child"
  rc=$?
  child=0
  if [ -e "$LOCK" ]; then log "postgres stopped (exit $rc) under $LOCK; staying down until it is removed"; continue; fi
  if [ "$rc" -ne 0 ]; then
    # A crashed RW must not come back on its own while the HA monitor fails it over: that would be a second
    # primary taking writes the promoted RO never sees. Hold, down, until the fence's stop lock says "stay down".
    log "postgres exited with $rc; holding ${CRASH_HOLD}s for a failover decision before the container restarts"
    held=0
    while [ "$held" -lt "$CRASH_HOLD" ] && [ ! -e "$LOCK" ]; do sleep 1; held=$((held + 1)); done
    if [ -e "$LOCK" ]; then log "stop lock set while held: staying down"; continue; fi
    log "no decision within ${CRASH_HOLD}s; leaving so the container restarts"
    exit "$rc"
  fi
  log "postgres stopped cleanly; starting it again"
done
