#!/usr/bin/env bash
# Until Laurel's first release the schema is one initial revision: regenerate it from
# the models after a model change (needs no database: it diffs against an empty SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/*.py
LAUREL_ENV=development LAUREL_INSTANCE_PATH="$tmp" DATABASE_URL="sqlite:///$tmp/regen.db" \
  .venv/bin/laurel db migrate -m "initial schema" --rev-id 0001
