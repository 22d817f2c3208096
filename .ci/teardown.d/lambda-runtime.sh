#!/usr/bin/env bash
# Stops the Docker daemon .ci/setup.d/lambda-runtime.sh started, if it started one.
cd "$(dirname "$0")/../.." && bash scripts/image/stop-daemon.sh
