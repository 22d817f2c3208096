# Shared by the scripts in scripts/image (sourced): the project root, the Node.js version of the
# tests and Lambda runtime (package-lock's `node`), and npm package tarballs fetched once into a
# cache (the npm registry is the one source these machines reach).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NODE_VERSION=${NODE_VERSION:-$(sed -n '/"node_modules\/node": {/,/}/s/.*"version": "\([^"]*\)".*/\1/p' "$ROOT/package-lock.json" | head -n 1)}
case "$(uname -m)" in
  x86_64) NODE_ARCH=x64 ;;
  aarch64) NODE_ARCH=arm64 ;;
  *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/agent-runner-image

# fetch <package@version>: prints the path of the package's tarball, downloading it once.
fetch() {
  local file
  file="$CACHE/$(echo "$1" | tr '@/' '--').tgz"
  if [ ! -s "$file" ]; then
    mkdir -p "$CACHE"
    local dir
    dir=$(mktemp -d "$CACHE/pack.XXXXXX")
    (cd "$dir" && npm pack --silent "$1" >/dev/null)
    mv "$dir"/*.tgz "$file"
    rm -rf "$dir"
  fi
  echo "$file"
}

# node_dir: prints a folder holding bin/node and include/node of NODE_VERSION (the project's `node`
# dev dependency when installed, else the npm package unpacked into the cache).
node_dir() {
  local installed="$ROOT/node_modules/node/node_modules/node-linux-$NODE_ARCH"
  if [ -x "$installed/bin/node" ] && [ -f "$installed/include/node/common.gypi" ] &&
    [ "$("$installed/bin/node" --version)" = "v$NODE_VERSION" ]; then
    echo "$installed"
    return
  fi
  local dir="$CACHE/node-$NODE_VERSION-linux-$NODE_ARCH"
  if [ ! -x "$dir/bin/node" ]; then
    local tgz
    tgz=$(fetch "node-linux-$NODE_ARCH@$NODE_VERSION")
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    tar -xzf "$tgz" -C "$dir.tmp" --strip-components=1 --no-same-owner package/bin package/include
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}
