#!/usr/bin/env bash
# Runs every test of the portal. Placeholder: filled in by the foundation issue.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Portal.sln
