#!/usr/bin/env bash
# Times the manager agent from process start to JSON answer for `health` against a real local PostgreSQL 15
# instance (installed and started by the agent itself in a scratch directory), RUNS times per launch mode, and
# prints median and p99 in milliseconds, last through the rootfs script to the resident agent beside the one-shot
# agent behind the same script. Not a test: it asserts nothing, it measures.
# Usage: bench/manager-agent-health.sh [RUNS]   (default 25; needs target/orchestrator.jar: mvn package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-25}
JAR=$PWD/target/orchestrator.jar
PGBIN=/usr/lib/postgresql/15/bin
[ -r "$JAR" ] || { echo "build the jar first: mvn -B package -DskipTests" >&2; exit 1; }

as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
S=$(mktemp -d /tmp/polarstack-agent-bench.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$S"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
REQ="{\"flavour\":\"postgresql\",\"dataDir\":\"$S/data\",\"logDir\":\"$S/log\",\"binDir\":\"$PGBIN\"}"
cleanup() {
  pkill -f "manager-agent serve --socket $S/" 2>/dev/null || true
  "${as_pg[@]}" "$PGBIN/pg_ctl" stop -D "$S/data" -m fast -w >/dev/null 2>&1 || true
  rm -rf "$S"
}
trap cleanup EXIT

agent() {  # agent <action> <request> <java options...>
  local action=$1 request=$2; shift 2
  printf '%s' "$request" | "${as_pg[@]}" java "$@" -jar "$JAR" manager-agent "$action"
}
agent install "${REQ%\}},\"role\":\"rw\",\"port\":$PORT,\"listenAddresses\":\"127.0.0.1\",\"hbaCidrs\":[\"127.0.0.1/32\"]}" >/dev/null
agent start "$REQ" >/dev/null

measure() {  # measure <label> <java options...>
  local label=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    agent health "$REQ" "$@" | grep -q '"state":"running"'
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$RUNS" '
    { v[NR] = $1 }
    END {
      median = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      p99 = v[int(0.99 * n + 0.999)]
      printf "%-44s runs=%d median=%d ms p99=%d ms min=%d ms max=%d ms\n", label, n, median, p99, v[1], v[n]
    }'
}

# The jar extracted to a plain class path, plus an application class-data archive recorded by one training run:
# what a manager image can bake in at build time.
X=$S/extracted
java -Djarmode=tools -jar "$JAR" extract --destination "$X" >/dev/null
[ "$(id -u)" = 0 ] && chown -R postgres: "$X"
JAR=$X/orchestrator.jar
FAST=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
agent health "$REQ" "${FAST[@]}" -XX:ArchiveClassesAtExit="$X/orchestrator.jsa" >/dev/null 2>&1

echo "manager-agent health, process start to JSON out ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1))"
JAR=$PWD/target/orchestrator.jar
measure "java -jar (defaults)"
measure "java -jar, rootfs wrapper flags" "${FAST[@]}" -Xshare:auto
JAR=$X/orchestrator.jar
measure "extracted jar + AppCDS archive, wrapper flags" "${FAST[@]}" -XX:SharedArchiveFile="$X/orchestrator.jsa"

# The resident agent as the manager container runs it, reached through the same rootfs script the orchestrator execs
# (its socket client), against the one-shot agent behind that script: the difference a pod exec no longer pays.
SCRIPT=$PWD/rootfs/usr/local/bin/manager-agent
SOCKET=$S/agent/agent.sock
"${as_pg[@]}" env POLARSTACK_ORCHESTRATOR_JAR="$X/orchestrator.jar" POLARSTACK_AGENT_SOCKET="$SOCKET" "$SCRIPT" serve \
  > "$S/resident.log" 2>&1 &
for _ in $(seq 100); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || { cat "$S/resident.log" >&2; echo "the resident agent did not start" >&2; exit 1; }
agent() {  # the script instead of java: the resident agent unless POLARSTACK_AGENT_ONE_SHOT is set
  local action=$1 request=$2; shift 2
  printf '%s' "$request" | "${as_pg[@]}" env POLARSTACK_ORCHESTRATOR_JAR="$X/orchestrator.jar" \
    POLARSTACK_AGENT_SOCKET="$SOCKET" "$@" "$SCRIPT" "$action"
}
measure "rootfs script, resident agent"
measure "rootfs script, one-shot agent (baseline)" POLARSTACK_AGENT_ONE_SHOT=1
pkill -f "manager-agent serve --socket $SOCKET" || true
