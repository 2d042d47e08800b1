#!/usr/bin/env bash
# From a checkout to a runnable bin/sheriff: the Node.js this project needs
# (installed into .runtime/ when the machine's is too old), then the npm
# dependencies, built for it, and the build (npm's `prepare`).
set -euo pipefail
# shellcheck source=scripts/runtime.sh
. "$(dirname "$0")/runtime.sh"
install_dependencies
