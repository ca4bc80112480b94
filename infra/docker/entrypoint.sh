#!/bin/sh
# Runs the part of Genuine named by the first argument. `exec` makes node the container's main process, so it
# receives SIGTERM itself and drains (each main exits 0 within 10 s).
set -eu
part="${1:-}"
case "$part" in
  registry | audit | gateway) exec node -r @swc-node/register "services/$part/src/main.ts" ;;
  migrate) exec node -r @swc-node/register scripts/migrate.ts ;;
  *)
    echo "usage: <registry | audit | gateway | migrate> (got '$part')" >&2
    exit 64
    ;;
esac
