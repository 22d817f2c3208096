#!/usr/bin/env bash
# Prepares this machine for the worker image: Docker's engine and mmdebstrap (Debian's packages),
# and the tools aws-lambda-ric's native build uses on the host (`npm ci` builds it as an optional
# dependency). Starts dockerd without a bridge when no engine answers and records that it did, so
# that scripts/image/stop-daemon.sh stops only a daemon started here. Idempotent.
set -euo pipefail

STATE_DIR=${AGENT_RUNNER_DOCKER_STATE:-/tmp/agent-runner-docker}
PACKAGES=(docker.io mmdebstrap cmake autoconf automake libtool make g++ xz-utils perl)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "image set-up: installing ${missing[*]}" >&2
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if engine_answers; then
  exit 0
fi
mkdir -p "$STATE_DIR"
echo "image set-up: starting dockerd (no bridge; containers use --network host or none)" >&2
# Never a bridge: containers must not get private-range addresses on this machine.
nohup dockerd --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
  >"$STATE_DIR/dockerd.log" 2>&1 &
echo $! >"$STATE_DIR/dockerd.pid"
for _ in $(seq 1 60); do
  if engine_answers; then exit 0; fi
  if ! kill -0 "$(cat "$STATE_DIR/dockerd.pid")" 2>/dev/null; then break; fi
  sleep 1
done
echo "image set-up: dockerd did not start; its log:" >&2
tail -n 30 "$STATE_DIR/dockerd.log" >&2 || true
exit 1
