#!/usr/bin/env bash
# Stops the Docker daemon scripts/image/machine.sh started (and only that one: a daemon that was
# already running is left alone), removing the containers local runs left behind first.
set -uo pipefail
STATE_DIR=${AGENT_RUNNER_DOCKER_STATE:-/tmp/agent-runner-docker}
PID_FILE="$STATE_DIR/dockerd.pid"
[ -f "$PID_FILE" ] || exit 0
pid=$(cat "$PID_FILE")
if kill -0 "$pid" 2>/dev/null; then
  left=$(timeout 20 docker ps -aq --filter name=agent-runner-fn- 2>/dev/null || true)
  [ -n "$left" ] && timeout 60 docker rm -f $left >/dev/null 2>&1
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
fi
rm -f "$PID_FILE"
