#!/usr/bin/env bash
# The whole test suite, runnable on a fresh Debian machine: installs what the
# tests drive for real (when missing), then builds, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# System programs the tests run for real, as "command:package".
programs=(
  sshd:openssh-server ssh:openssh-client sshpass:sshpass rsyslogd:rsyslog
  nft:nftables ip:iproute2 ss:iproute2 unshare:util-linux
  iptables:iptables ip6tables:iptables ipset:ipset ufw:ufw
  chromium:chromium
  sqlite3:sqlite3 setpriv:util-linux gzip:gzip
  dpkg-deb:dpkg strip:binutils systemd-analyze:systemd man:man-db groff:groff-base zsh:zsh
  nats-server:nats-server openssl:openssl
)
# Packages without a command: fonts, so the browser tests' screenshots show Korean and emoji.
packages=(fonts-nanum fonts-noto-color-emoji)
# The fleet's central store: the tests start throwaway clusters with its initdb and pg_ctl
# (src/testing/postgres.ts finds them under /usr/lib/postgresql), never the packaged service.
packages+=(postgresql)
need=()
for pair in "${programs[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing test dependencies: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Debian's fail2ban, unpacked and NOT installed (installed, it would start banning on this
# machine's firewall): `sheriff import fail2ban` is measured against its filter.d and its
# annotated test logs (src/testing/fail2ban-dist.ts finds them here).
if [ ! -d .cache/fail2ban/etc/fail2ban ]; then
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get download fail2ban >/dev/null 2>&1); then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    (cd "$tmp" && apt-get download fail2ban >/dev/null)
  fi
  mkdir -p .cache/fail2ban
  dpkg-deb -x "$tmp"/fail2ban_*.deb .cache/fail2ban
  rm -rf "$tmp"
fi

# The Node.js this project needs (into .runtime/ when the machine's is older),
# then the npm packages built for it.
# shellcheck source=scripts/runtime.sh
. scripts/runtime.sh
install_dependencies
npm run build
npx eslint .
npx prettier --check .
node --test --test-concurrency=2 dist/
