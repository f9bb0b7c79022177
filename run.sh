#!/usr/bin/env bash
# Runs the portal on this machine: restore + publish, apply database migrations (an explicit step:
# the portal never migrates on its own), then serve. On the first start against an empty database
# the portal creates the platform administrator and prints a generated password once.
#
#   ./run.sh                      http://127.0.0.1:5080, SQLite database in ./.data
#   PORT=8080 ./run.sh            another port
#   HOST=0.0.0.0 ./run.sh         listen on every interface
#   PORTAL_DATA=/srv/portal ./run.sh   another data folder
#   Portal__Bootstrap__AdminPassword=... ./run.sh   choose the first administrator's password
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
    echo "run.sh: the .NET SDK is needed (see global.json for the version): https://dotnet.microsoft.com/download" >&2
    exit 1
fi

PORT="${PORT:-5080}"
HOST="${HOST:-127.0.0.1}"
DATA="$(mkdir -p "${PORTAL_DATA:-.data}" && cd "${PORTAL_DATA:-.data}" && pwd)"
APP="$PWD/artifacts/run/portal"

echo "==> Restoring and publishing Portal.Web to $APP"
dotnet publish Portal.Web/Portal.Web.csproj -c Release -o "$APP" --nologo -v quiet

cd "$APP"
echo "==> Applying database migrations ($DATA)"
dotnet Portal.Web.dll --migrate --Portal:DataDirectory="$DATA"

echo "==> Starting the portal: http://$HOST:$PORT  (Ctrl+C stops it)"
exec dotnet Portal.Web.dll --urls "http://$HOST:$PORT" --Portal:DataDirectory="$DATA"
