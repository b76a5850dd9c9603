#!/bin/bash
# Manager container entrypoint: prepares the shared folders, then waits; the orchestrator execs the manager agent
# (java -jar /opt/polarstack/orchestrator.jar manager-agent <action>) into this container.
set -u
mkdir -p /log/core /log/pg_log
chown postgres:postgres /log /log/pg_log /log/core 2>/dev/null || true
trap 'exit 0' TERM INT
while true; do sleep 3600 & wait $!; done
