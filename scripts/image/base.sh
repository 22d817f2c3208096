#!/usr/bin/env bash
# Builds the local base image the worker's Dockerfile can start FROM where no image registry is
# reachable: Debian bookworm (mmdebstrap), Node.js from npm's node-linux-<arch> package (the
# version the tests and the Lambda runtime use), npm from the npm package, this machine's CA
# bundle trusted by Node and npm (these machines reach the registries through a TLS proxy), and
# Node's headers as npm's nodedir (node-gyp cannot download them here). The tag is a digest of all
# that, so a second run finds the image and returns at once. Prints the tag on stdout.
#   scripts/image/base.sh            build when missing, print the tag
#   scripts/image/base.sh --tag      print the tag only
set -euo pipefail
source "$(dirname "$0")/common.sh"

SUITE=bookworm
MIRRORS=(
  "deb http://deb.debian.org/debian $SUITE main"
  "deb http://deb.debian.org/debian $SUITE-updates main"
  "deb http://deb.debian.org/debian-security $SUITE-security main"
)
CA_BUNDLE=${AGENT_RUNNER_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
NPM_VERSION=${NPM_VERSION:-10.9.9}

digest() {
  {
    cat "$0"
    printf '%s\n' "$SUITE" "${MIRRORS[@]}" "$NODE_VERSION" "$NPM_VERSION" "$NODE_ARCH"
    sha256sum <"$CA_BUNDLE"
  } | sha256sum | cut -c1-12
}
TAG="agent-runner-base:node$NODE_VERSION-$(digest)"
if [ "${1:-}" = "--tag" ]; then
  echo "$TAG"
  exit 0
fi
if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "$TAG"
  exit 0
fi

NODE_TGZ=$(fetch "node-linux-$NODE_ARCH@$NODE_VERSION")
NPM_TGZ=$(fetch "npm@$NPM_VERSION")
echo "base image: building $TAG (mmdebstrap $SUITE, Node $NODE_VERSION, npm $NPM_VERSION)" >&2
export NODE_TGZ NPM_TGZ CA_BUNDLE
# The hook runs with the new root file system as $1.
HOOK='set -e
  tar -xzf "$NODE_TGZ" -C "$1/usr/local" --strip-components=1 --no-same-owner package/bin package/include package/share
  mkdir -p "$1/usr/local/lib/node_modules/npm" "$1/usr/local/etc" "$1/usr/local/share/ca-certificates-host"
  tar -xzf "$NPM_TGZ" -C "$1/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"
  cp "$CA_BUNDLE" "$1/usr/local/share/ca-certificates-host/bundle.crt"
  printf "cafile=/usr/local/share/ca-certificates-host/bundle.crt\nnodedir=/usr/local\nupdate-notifier=false\nfund=false\naudit=false\n" >"$1/usr/local/etc/npmrc"'
mmdebstrap --quiet --variant=minbase --dpkgopt=force-unsafe-io --format=tar --customize-hook="$HOOK" "$SUITE" - "${MIRRORS[@]}" |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates-host/bundle.crt' \
    --change 'CMD ["/bin/bash"]' \
    - "$TAG" >/dev/null
docker run --rm --network none "$TAG" sh -c 'node --version && npm --version' >&2
echo "$TAG"
