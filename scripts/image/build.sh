#!/usr/bin/env bash
# Builds the worker's container image: the worker bundle (as `npm run build` makes it), then
# image/Dockerfile from a build context holding only what the Dockerfile copies (so a build of
# dist/ running at the same time cannot mix in), on the local base image of base.sh unless
# BASE_IMAGE names another one. Docker's layer cache makes a rebuild with the same bundle fast.
#   scripts/image/build.sh [TAG]      (default agent-runner-worker:local); prints the tag
set -euo pipefail
source "$(dirname "$0")/common.sh"

TAG=${1:-agent-runner-worker:local}
BASE=${BASE_IMAGE:-$(bash "$(dirname "$0")/base.sh")}
CTX=$(mktemp -d "${TMPDIR:-/tmp}/agent-runner-image.XXXXXX")
trap 'rm -rf "$CTX"' EXIT
ROOT="$ROOT" CTX="$CTX" node --input-type=module -e '
  const { buildFunctions } = await import(`${process.env.ROOT}/scripts/build.mjs`);
  await buildFunctions({ root: process.env.ROOT, outDir: `${process.env.CTX}/dist`, names: ["worker"], log: () => {} });'
cp "$ROOT/package-lock.json" "$CTX/"
cp -r "$ROOT/image" "$CTX/image"
if ! docker build --network host --build-arg BASE_IMAGE="$BASE" -f "$CTX/image/Dockerfile" -t "$TAG" "$CTX" >"$CTX/build.log" 2>&1; then
  tail -n 60 "$CTX/build.log" >&2
  echo "image build failed (docker build of image/Dockerfile on $BASE)" >&2
  exit 1
fi
echo "$TAG"
