#!/usr/bin/env bash
# Installs, from Debian's packages, what the tests need and the machine lacks:
# a PostgreSQL server (the tests start a throwaway cluster of their own) and Chromium (browser tests).
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v cc >/dev/null || missing+=(gcc)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing test prerequisites: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
