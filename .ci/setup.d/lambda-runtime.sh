#!/usr/bin/env bash
# For local Lambda runs and the worker image suite: Docker's engine without a bridge, mmdebstrap
# and the native build tools (scripts/image/machine.sh), the local Debian base image
# (scripts/image/base.sh), then the Runtime Interface Client for local runs (scripts/image/ric.sh),
# which compiles it in the worker image's `ric` stage: the image suite's build then finds that
# stage done, so the native client is compiled once. Each step is idempotent and quick when done.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
bash scripts/image/machine.sh
bash scripts/image/base.sh >/dev/null
echo "lambda-runtime set-up: base image after $((SECONDS - started)) s" >&2
bash scripts/image/ric.sh >/dev/null
echo "lambda-runtime set-up: $((SECONDS - started)) s" >&2
