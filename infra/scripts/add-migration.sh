#!/usr/bin/env bash
# Adds one EF Core migration, with the same name, for every database provider the portal supports.
# Usage: infra/scripts/add-migration.sh NAME
# Each provider has its own migrations project (migrations/Portal.Migrations.<Provider>) with a
# design-time factory, so no web app, configuration or running database is needed.
set -euo pipefail

if [[ $# -ne 1 || ! "$1" =~ ^[A-Za-z][A-Za-z0-9_]*$ ]]; then
  echo "usage: $0 NAME   (NAME: a C# identifier, e.g. AddQuotaWindow)" >&2
  exit 2
fi
name="$1"

cd "$(dirname "$0")/../.."
dotnet tool restore >/dev/null
dotnet build Portal.Data --nologo -v quiet

for provider in Sqlite SqlServer PostgreSql; do
  project="migrations/Portal.Migrations.$provider"
  echo "== $provider: adding migration $name"
  dotnet ef migrations add "$name" \
    --project "$project" \
    --startup-project "$project" \
    --context PortalDbContext \
    --output-dir Migrations
done

echo "Added migration $name for Sqlite, SqlServer and PostgreSql. Review the files under migrations/*/Migrations."
