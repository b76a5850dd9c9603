#!/bin/bash
# Manager container entrypoint: prepares the shared folders, keeps the resident manager agent running (started
# again a second after it ends), then waits. The orchestrator execs `manager-agent <action>` into this container;
# that script forwards the request to the resident agent, or runs a one-shot agent while none listens.
set -u
mkdir -p /log/core /log/pg_log
chown postgres:postgres /log /log/pg_log /log/core 2>/dev/null || true
if command -v java > /dev/null; then
  (
    trap 'kill "$agent" 2>/dev/null; exit 0' TERM INT
    while true; do
      manager-agent serve &
      agent=$!
      wait "$agent"
      echo "resident manager agent ended ($?); starting it again in 1 s" >&2
      sleep 1
    done
  ) &
  supervisor=$!
fi
trap 'kill "${supervisor:-}" 2>/dev/null; exit 0' TERM INT
while true; do sleep 3600 & wait $!; done
