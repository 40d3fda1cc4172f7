#!/usr/bin/env bash
# Superseded by `bench/run interp` (see bench/README.md); kept so that old
# instructions still work. Options are those of `bench/run interp --help`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
echo "compare.sh: superseded by bench/run interp; running that" >&2
exec "$ROOT/bench/run" interp "$@"
