#!/usr/bin/env bash
# Record expected outputs for Sem programs from the oracle, `java --source 17`.
#
#   tests/record.sh [FILE.sem | DIR]...     (default: tests/conformance examples)
#
# For each X.sem it writes, beside it:
#   X.out   exact standard output
#   X.err   first line of standard error (empty when there is none)
#   X.exit  exit status
# An optional X.args holds command-line arguments (one line, split on spaces).
# An optional X.in is fed to standard input.
set -euo pipefail
command -v java >/dev/null || { echo "record.sh: java is not on PATH" >&2; exit 2; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tests/conformance examples)
mapfile -t files < <(find "${targets[@]}" -name '*.sem' | sort)
failed=0
for f in "${files[@]}"; do
  base="${f%.sem}"
  args=()
  [ -f "$base.args" ] && read -r -a args < "$base.args"
  input=/dev/null
  [ -f "$base.in" ] && input="$(realpath "$base.in")"
  dir=$(dirname "$f"); name=$(basename "$f")
  set +e
  (cd "$dir" && timeout 60 java -Xss1m -XX:-OmitStackTraceInFastThrow --source 17 "$name" "${args[@]}" <"$input" >"$name.stdout.tmp" 2>"$name.stderr.tmp")
  code=$?
  set -e
  mv "$base.sem.stdout.tmp" "$base.out"
  head -n 1 "$base.sem.stderr.tmp" > "$base.err"
  echo "$code" > "$base.exit"
  if grep -q '^error: compilation failed' "$base.sem.stderr.tmp" || [ "$code" = 124 ]; then
    echo "record.sh: $f did not compile or timed out under java (exit $code)" >&2
    failed=1
  fi
  rm -f "$base.sem.stderr.tmp"
done
echo "recorded ${#files[@]} program(s)"
exit "$failed"
