#!/usr/bin/env bash
# Installs the official Lambda Runtime Interface Client (aws-lambda-ric) for local runs: `agent-
# runner invoke`, `agent-runner dev` and the tests run the function bundles under it, as Lambda
# does. Its install compiles a native client (curl, aws-lambda-cpp, a Node-API addon), which needs
# cmake, make, g++ and python3, so it is not an npm dependency of the project (`npm ci` must work
# with Node.js and npm alone, and npm skips an optional dependency whose engines, Node >= 22, the
# installing Node does not meet). Installs into .cache/ of the repository (or
# AGENT_RUNNER_RIC_DIR). Where a Docker engine answers it is copied out of the worker image's `ric`
# stage (built on scripts/image/base.sh's base), so that the image build then finds it compiled;
# otherwise (or with AGENT_RUNNER_RIC_FROM_SOURCE=1) it is compiled here, with Node 22 and its
# headers as node-gyp's nodedir (node-gyp cannot download headers where only the npm registry is
# reachable). Idempotent; prints the folder.
set -euo pipefail
source "$(dirname "$0")/common.sh"

RIC_VERSION=${RIC_VERSION:-$(sed -n 's/^ARG RIC_VERSION=//p' "$ROOT/image/Dockerfile")}
DEST=${AGENT_RUNNER_RIC_DIR:-$ROOT/.cache/aws-lambda-ric-$RIC_VERSION-$(uname -s)-$(uname -m)}
if [ -f "$DEST/node_modules/aws-lambda-ric/rapid-client.node" ]; then
  echo "$DEST"
  exit 0
fi
if [ "$(uname -s)" != Linux ]; then
  echo "aws-lambda-ric builds on Linux only; on $(uname -s) run the worker image instead (--image)" >&2
  exit 1
fi
NODE_DIR=$(node_dir)
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"

# Where a Docker engine answers, the RIC is the one the worker image's `ric` stage compiles (on
# the same base image), copied out: one compile serves the image and the local runs. It is used
# when this machine's Node.js loads its native client (same or newer glibc than bookworm's; the
# client reads the Runtime API's address when loaded).
if [ -z "${AGENT_RUNNER_RIC_FROM_SOURCE:-}" ] && timeout 10 docker version >/dev/null 2>&1; then
  echo "aws-lambda-ric $RIC_VERSION: building the worker image's ric stage (compiles a native client once: minutes)" >&2
  BASE=${BASE_IMAGE:-$(bash "$(dirname "$0")/base.sh")}
  mkdir -p "$DEST.tmp/ctx" && cp -r "$ROOT/image" "$DEST.tmp/ctx/image"
  args=(--build-arg BASE_IMAGE="$BASE")
  [ "$RIC_VERSION" = "$(sed -n 's/^ARG RIC_VERSION=//p' "$ROOT/image/Dockerfile")" ] || args+=(--build-arg RIC_VERSION="$RIC_VERSION")
  TAG="agent-runner-ric:$RIC_VERSION"
  if docker build --network host --target ric "${args[@]}" -f "$DEST.tmp/ctx/image/Dockerfile" -t "$TAG" "$DEST.tmp/ctx" >"$DEST.tmp/build.log" 2>&1; then
    cid=$(docker create "$TAG")
    copied=0
    docker cp "$cid:/opt/aws-lambda-ric/node_modules" "$DEST.tmp/node_modules" >/dev/null && copied=1
    docker rm "$cid" >/dev/null
    echo '{"private":true}' >"$DEST.tmp/package.json"
    if [ "$copied" = 1 ] && AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 "$NODE_DIR/bin/node" -e 'require(require("node:path").resolve(process.argv[1]))' \
      "$DEST.tmp/node_modules/aws-lambda-ric/rapid-client.node" 2>"$DEST.tmp/load.log"; then
      rm -rf "$DEST.tmp/ctx" "$DEST" && mv "$DEST.tmp" "$DEST"
      echo "$DEST"
      exit 0
    fi
    echo "aws-lambda-ric: the image's native client does not load here ($(head -n 1 "$DEST.tmp/load.log")); compiling it on this machine" >&2
  else
    tail -n 40 "$DEST.tmp/build.log" >&2
    echo "aws-lambda-ric: the image's ric stage did not build (log above); compiling it on this machine" >&2
  fi
  rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
fi

missing=()
for tool in cmake make g++ python3 tar xz; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "aws-lambda-ric needs ${missing[*]} to build its native client (Debian: apt-get install cmake make g++ python3 xz-utils)" >&2
  exit 1
fi
echo "installing aws-lambda-ric $RIC_VERSION into $DEST (compiles a native client: a few minutes)" >&2
echo '{"private":true}' >"$DEST.tmp/package.json"
if ! (cd "$DEST.tmp" && PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
  npm install --no-audit --no-fund --no-package-lock --loglevel=error "aws-lambda-ric@$RIC_VERSION" >"$DEST.tmp/install.log" 2>&1); then
  tail -n 40 "$DEST.tmp/install.log" >&2
  echo "aws-lambda-ric: the install failed (log above, and $DEST.tmp/install.log)" >&2
  exit 1
fi
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "$DEST"
