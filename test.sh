#!/usr/bin/env bash
# Runs every test of the portal.
# On a fresh machine with the .NET SDK and Node.js it first installs what the tests need where it is
# missing (Debian's postgresql, chromium and a C compiler), starts a throwaway PostgreSQL cluster on
# loopback for the data tests, runs the whole suite, and removes the cluster again.
set -euo pipefail
cd "$(dirname "$0")"

infra/scripts/install-test-prerequisites.sh

# llama.cpp's native libraries, pinned in package-lock.json; its install script also extracts the
# matching llama.h (integrity-checked) that the ABI test compiles against.
npm ci --no-audit --no-fund

cluster=infra/scripts/postgres-test-cluster.sh
"$cluster" stop >/dev/null 2>&1 || true # one left behind by an interrupted run
export "$("$cluster" start)"
trap '"$cluster" stop' EXIT

dotnet test Portal.sln "$@"
