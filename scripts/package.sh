#!/usr/bin/env bash
# `npm run package [-- OUT_DIR]`: builds sheriff_<version>_amd64.deb, which
# runs on its own: its Node.js (the pinned release, bin/node only), the
# production dependencies with better-sqlite3 built for that Node.js, the files
# npm would publish (package.json "files": no tests, helpers or benchmarks; the
# built-in filters/*.yaml, which dist/filters/registry.js finds two levels up),
# /usr/bin/sheriff, the systemd unit, /etc/sheriff/sheriff.yaml (a conffile),
# the man page and bash/zsh completions written from the CLI itself.
# Prints the .deb's path.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/runtime.sh
. scripts/runtime.sh
# SHERIFF_PREBUILT=1: package the dist/ and node_modules the test suite runs on, as they are
# (reinstalling them under a running suite, or through a worktree's symlinked node_modules,
# would pull them from under the other tests).
if [ "${SHERIFF_PREBUILT:-}" != 1 ]; then
  install_dependencies
  npm run build --silent
fi

out=$(realpath "${1:-.}")
{ read -r name && read -r version && read -r maintainer && read -r description; } < <(node -p '
  const p = require("./package.json");
  [p.name, p.version, p.author, p.description].join("\n")')
deb=$out/${name}_${version}_amd64.deb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
lib=$root/usr/lib/$name

# What npm would publish.
mkdir -p "$lib"
npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null
tar -xzf "$work/$name-$version.tgz" -C "$lib" --strip-components=1

# Production dependencies, exactly as locked. Install scripts stay off: the
# only one among them is better-sqlite3's (checked here), handled below.
node -e '
  const lock = require("./package-lock.json");
  const scripted = Object.entries(lock.packages)
    .filter(([path, p]) => path && !p.dev && p.hasInstallScript).map(([path]) => path);
  if (scripted.join() !== "node_modules/better-sqlite3") {
    console.error("package.sh: production dependencies with install scripts:", scripted.join(", ") || "none",
      "(expected only node_modules/better-sqlite3; handle the new ones in scripts/package.sh)");
    process.exit(1);
  }'
cp package-lock.json "$lib/"
(cd "$lib" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
rm "$lib/package-lock.json"
# recheck (the filters' backtracking check) runs its native binary; its Java jar would need a JVM.
rm -rf "$lib/node_modules/recheck-jar"

# Its own Node.js: the pinned release; headers too, for building better-sqlite3.
if [ -n "$sheriff_runtime" ]; then
  runtime=$sheriff_runtime
else
  runtime=$work/runtime
  install_node_runtime "$sheriff_node_version" "$runtime"
fi
mkdir -p "$lib/.runtime/bin"
cp "$runtime/bin/node" "$lib/.runtime/bin/node"
# Without its debug symbols: 117 MB instead of 150 (native modules link
# against the dynamic symbols, which stay).
strip "$lib/.runtime/bin/node"
cp "$runtime/LICENSE" "$lib/.runtime/LICENSE"

# better-sqlite3 compiles SQLite (minutes on a small machine): the development
# tree's build is reused when it is the same version for the same Node.js ABI.
sqlite=node_modules/better-sqlite3
abi=$("$runtime/bin/node" -p process.versions.modules)
if [ "$(cat node_modules/.sheriff-node-abi 2>/dev/null)" = "$abi" ] &&
  cmp -s "$sqlite/package.json" "$lib/$sqlite/package.json"; then
  mkdir -p "$lib/$sqlite/build/Release"
  cp "$sqlite/build/Release/better_sqlite3.node" "$lib/$sqlite/build/Release/"
else
  (cd "$lib" && PATH="$runtime/bin:$PATH" npm rebuild better-sqlite3 --nodedir="$runtime" --loglevel=error)
  find "$lib/$sqlite/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$lib/$sqlite/build/Release" -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
fi
rm -rf "$lib/$sqlite/deps" "$lib/$sqlite/src"
"$lib/.runtime/bin/node" -e 'new (require(process.argv[1]))(":memory:").close()' "$lib/$sqlite"

# The command, the service, the configuration, the manual, the completions.
# /etc/sheriff/filters.d: where the admin puts filters of their own (empty).
mkdir -p "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/$name/filters.d" "$root/usr/share/man/man1" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
  "$root/usr/share/doc/$name"
ln -s "../lib/$name/bin/sheriff" "$root/usr/bin/sheriff"
cp contrib/sheriff.service "$root/lib/systemd/system/"
cp contrib/sheriff.example.yaml "$root/etc/$name/sheriff.yaml"
node dist/packaging/main.js "$work/generated"
gzip -9n <"$work/generated/sheriff.1" >"$root/usr/share/man/man1/sheriff.1.gz"
cp "$work/generated/sheriff.bash" "$root/usr/share/bash-completion/completions/sheriff"
cp "$work/generated/_sheriff" "$root/usr/share/zsh/vendor-completions/_sheriff"
cat >"$root/usr/share/doc/$name/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $name

Files: *
License: GPL-2.0-or-later
 On Debian systems, the full text is in /usr/share/common-licenses/GPL-2.

Files: usr/lib/$name/.runtime/*
License: Node.js's (MIT, with third-party notices): usr/lib/$name/.runtime/LICENSE

Files: usr/lib/$name/node_modules/*
License: each package's own, in its directory
COPYRIGHT

# Package metadata and the maintainer scripts.
mkdir -p "$root/DEBIAN"
echo "/etc/$name/sheriff.yaml" >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libc6 (>= 2.28), libstdc++6, libgcc-s1, libatomic1
Recommends: nftables
Suggests: ipset, ufw
Section: admin
Priority: optional
Description: ${description%%:*}
 ${description#*: }
 .
 Sheriff tails the auth logs (files or the journal), detects brute force and
 break-ins, tells the admin (terminal, Telegram, webhook, web console) and
 bans in the firewall (nftables, ipset, ufw) once a human approves.
 It ships its own Node.js runtime in /usr/lib/$name.
CONTROL
cat >"$root/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
# Not enabled here: the admin reviews /etc/sheriff/sheriff.yaml, then runs
# systemctl enable --now sheriff.
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null || true; fi
SCRIPT
cat >"$root/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl disable --now sheriff.service >/dev/null 2>&1 || true
fi
SCRIPT
cat >"$root/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null || true; fi
# Purge: the store too (the unit's StateDirectory, under DynamicUser).
if [ "$1" = purge ]; then rm -rf /var/lib/sheriff /var/lib/private/sheriff; fi
SCRIPT
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p "$out"
# zstd -9: seconds, where xz takes minutes (on 2 cores) for a fifth less;
# dpkg reads zstd since Debian 12 and Ubuntu 21.10.
dpkg-deb --build --root-owner-group -Zzstd -z9 "$root" "$deb" >/dev/null
echo "$deb"
