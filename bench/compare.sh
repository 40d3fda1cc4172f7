#!/usr/bin/env bash
# Compare Semeru against Java (JIT and -Xint), Lua 5.4 and Python 3 on four
# Benchmarks Game programs. See bench/README.md.
#
#   bench/compare.sh [options]
#
# Options (each also settable through the environment variable in brackets):
#   --quick                 use the small default sizes (10, 7, 1000, 100)
#   --runs N                timed runs per command                      [RUNS, default 3]
#   --warmup N              untimed warm-up runs per command            [WARMUP, default 0]
#   --runtimes LIST         comma list out of: semeru,java,java-xint,lua,python,java-source
#                           [RUNTIMES, default semeru,java,java-xint,lua,python]
#   --benchmarks LIST       comma list out of: binarytrees,fannkuchredux,nbody,spectralnorm
#                           [BENCHMARKS, default all four]
#   --binarytrees N         size for binary-trees                       [BT_N, default 16]
#   --fannkuchredux N       size for fannkuch-redux                     [FK_N, default 10]
#   --nbody N               size for n-body                             [NB_N, default 1000000]
#   --spectralnorm N        size for spectral-norm                      [SN_N, default 1000]
#   --semeru PATH           semeru binary               [SEMERU, default target/release/semeru]
#   --lua CMD / --python CMD  interpreters                     [LUA=lua5.4, PYTHON=python3]
#   --metric wall|cpu       what the table reports: mean wall-clock seconds, or mean
#                           user+system CPU seconds (steadier on a busy machine, but
#                           counts the JVM's JIT/GC threads too)      [METRIC, default wall]
#   --no-hyperfine          time with a plain bash loop even if hyperfine is installed
#   --out FILE              JSON results file         [default bench/results/<date>.json]
#   -h, --help              show this help
#
# Every runtime's output is first checked (one untimed run) against the expected output
# (examples/bench/expected/<name>-<N>.out, or examples/bench/<name>.out for the default
# small size; for other sizes java's output is used as the reference when java runs).
# A runtime that is not installed is reported as "skipped"; a wrong output is reported
# as MISMATCH (and still timed, flagged with '!' in the table); a crash is FAILED
# (not timed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-0}
RUNTIMES=${RUNTIMES:-semeru,java,java-xint,lua,python}
BENCHMARKS=${BENCHMARKS:-binarytrees,fannkuchredux,nbody,spectralnorm}
SEMERU=${SEMERU:-target/release/semeru}
LUA=${LUA:-lua5.4}
PYTHON=${PYTHON:-python3}
CHECK_TIMEOUT=${CHECK_TIMEOUT:-900}
METRIC=${METRIC:-wall}
USE_HYPERFINE=1
QUICK=0
OUT=""
declare -A SIZE_FLAG=()

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --runtimes) RUNTIMES=$2; shift ;;
    --benchmarks) BENCHMARKS=$2; shift ;;
    --binarytrees|--fannkuchredux|--nbody|--spectralnorm) SIZE_FLAG[${1#--}]=$2; shift ;;
    --semeru) SEMERU=$2; shift ;;
    --lua) LUA=$2; shift ;;
    --python) PYTHON=$2; shift ;;
    --metric) METRIC=$2; shift ;;
    --no-hyperfine) USE_HYPERFINE=0 ;;
    --out) OUT=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

case "$METRIC" in wall|cpu) ;; *) echo "compare.sh: --metric must be wall or cpu" >&2; exit 2 ;; esac
declare -A SMALL=([binarytrees]=10 [fannkuchredux]=7 [nbody]=1000 [spectralnorm]=100)
declare -A LARGE=([binarytrees]=${BT_N:-16} [fannkuchredux]=${FK_N:-10} [nbody]=${NB_N:-1000000} [spectralnorm]=${SN_N:-1000})
declare -A SIZE=()
IFS=, read -r -a BENCH_LIST <<<"$BENCHMARKS"
IFS=, read -r -a RT_LIST <<<"$RUNTIMES"
for b in "${BENCH_LIST[@]}"; do
  [ -n "${SMALL[$b]:-}" ] || { echo "compare.sh: unknown benchmark '$b'" >&2; exit 2; }
  if [ -n "${SIZE_FLAG[$b]:-}" ]; then SIZE[$b]=${SIZE_FLAG[$b]}
  elif [ "$QUICK" = 1 ]; then SIZE[$b]=${SMALL[$b]}
  else SIZE[$b]=${LARGE[$b]}; fi
done
case "$SEMERU" in /*) ;; *) SEMERU="$ROOT/$SEMERU" ;; esac

if [ "$USE_HYPERFINE" = 1 ] && ! command -v hyperfine >/dev/null; then
  echo "note: hyperfine not found, timing with a bash loop"
  USE_HYPERFINE=0
fi
command -v python3 >/dev/null || { echo "compare.sh: python3 is required for the report" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/semeru-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$ROOT/bench/results"
[ -n "$OUT" ] || OUT="$ROOT/bench/results/$(date +%Y-%m-%dT%H-%M-%S).json"

# ---- which runtimes are available -------------------------------------------------
declare -A AVAILABLE=()
have_java=0
if command -v java >/dev/null && command -v javac >/dev/null; then have_java=1; fi
for rt in "${RT_LIST[@]}"; do
  case "$rt" in
    semeru) [ -x "$SEMERU" ] && AVAILABLE[$rt]=1 ;;
    java|java-xint) [ "$have_java" = 1 ] && AVAILABLE[$rt]=1 ;;
    java-source) command -v java >/dev/null && AVAILABLE[$rt]=1 ;;
    lua) command -v "$LUA" >/dev/null && AVAILABLE[$rt]=1 ;;
    python)
      if command -v "$PYTHON" >/dev/null; then
        AVAILABLE[$rt]=1
        # Time the real interpreter, not a wrapper such as a pyenv shim (adds ~0.1 s).
        PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
      fi ;;
    *) echo "compare.sh: unknown runtime '$rt'" >&2; exit 2 ;;
  esac
  if [ -z "${AVAILABLE[$rt]:-}" ]; then
    case "$rt" in semeru) why="$SEMERU not built" ;; lua) why="$LUA not installed" ;; python) why="$PYTHON not installed" ;; *) why="not installed" ;; esac
    echo "$rt: skipped ($why)"
  fi
done

# Compile each program once with javac (class Main, so the source becomes Main.java).
if [ -n "${AVAILABLE[java]:-}${AVAILABLE[java-xint]:-}" ]; then
  for b in "${BENCH_LIST[@]}"; do
    mkdir -p "$TMP/java/$b"
    cp "examples/bench/$b.sem" "$TMP/java/$b/Main.java"
    javac -d "$TMP/java/$b" "$TMP/java/$b/Main.java"
  done
fi

# The command line of runtime $1 for benchmark $2 at size $3, one word per line.
command_for() {
  local rt=$1 b=$2 n=$3
  case "$rt" in
    semeru) printf '%s\n' "$SEMERU" run "$ROOT/examples/bench/$b.sem" "$n" ;;
    java) printf '%s\n' java -cp "$TMP/java/$b" Main "$n" ;;
    java-xint) printf '%s\n' java -Xint -cp "$TMP/java/$b" Main "$n" ;;
    java-source) printf '%s\n' java --source 17 "$ROOT/examples/bench/$b.sem" "$n" ;;
    lua) printf '%s\n' "$LUA" "$ROOT/bench/lua/$b.lua" "$n" ;;
    python) printf '%s\n' "$PYTHON" "$ROOT/bench/py/$b.py" "$n" ;;
  esac
}

# ---- check outputs, then time -------------------------------------------------------
STATUS="$TMP/status.tsv"      # benchmark \t size \t runtime \t status \t reference
: >"$STATUS"
mismatches=0
for b in "${BENCH_LIST[@]}"; do
  n=${SIZE[$b]}
  echo
  echo "=== $b $n"
  expected=""
  ref="expected"
  if [ -f "examples/bench/expected/$b-$n.out" ]; then expected="examples/bench/expected/$b-$n.out"
  elif [ "$n" = "${SMALL[$b]}" ] && [ -f "examples/bench/$b.out" ]; then expected="examples/bench/$b.out"
  fi
  names=(); cmds=()
  # check java first so its output can serve as the reference for unusual sizes
  order=()
  for rt in java java-xint java-source; do
    for r in "${RT_LIST[@]}"; do [ "$r" = "$rt" ] && order+=("$rt"); done
  done
  for r in "${RT_LIST[@]}"; do case "$r" in java|java-xint|java-source) ;; *) order+=("$r") ;; esac; done
  for rt in "${order[@]}"; do
    if [ -z "${AVAILABLE[$rt]:-}" ]; then
      printf '%s\t%s\t%s\tskipped\t\n' "$b" "$n" "$rt" >>"$STATUS"
      continue
    fi
    mapfile -t argv < <(command_for "$rt" "$b" "$n")
    set +e
    timeout "$CHECK_TIMEOUT" "${argv[@]}" >"$TMP/$b.$rt.out" 2>"$TMP/$b.$rt.err" </dev/null
    code=$?
    set -e
    if [ "$code" != 0 ]; then
      echo "!!!!! $rt FAILED on $b $n (exit $code): $(head -n 1 "$TMP/$b.$rt.err")" >&2
      printf '%s\t%s\t%s\tFAILED\t\n' "$b" "$n" "$rt" >>"$STATUS"
      mismatches=$((mismatches + 1))
      continue
    fi
    if [ -z "$expected" ] && [ "$rt" = java ]; then
      expected="$TMP/$b.java.out"; ref="java output"
    fi
    if [ "$ref" = "java output" ] && [ "$rt" = java ]; then
      st="reference"
      echo "$rt: output taken as the reference (no expected output for $b $n)"
    elif [ -z "$expected" ]; then
      st="unchecked"
      echo "$rt: output not checked (no expected output for $b $n)"
    elif cmp -s "$expected" "$TMP/$b.$rt.out"; then
      st="ok"
      echo "$rt: output ok"
    else
      st="MISMATCH"
      mismatches=$((mismatches + 1))
      {
        echo "!!!!! MISMATCH: $rt output for $b $n differs from $ref ($expected):"
        diff "$expected" "$TMP/$b.$rt.out" | head -n 20 || true
      } >&2
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$b" "$n" "$rt" "$st" "$ref" >>"$STATUS"
    names+=("$rt")
    cmds+=("$(printf '%q ' "${argv[@]}")")
  done
  [ ${#names[@]} -gt 0 ] || continue

  if [ "$USE_HYPERFINE" = 1 ]; then
    hf=(hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --export-json "$TMP/$b.json")
    for i in "${!names[@]}"; do hf+=(-n "${names[$i]}" "${cmds[$i]}"); done
    "${hf[@]}"
  else
    # bash timing loop; writes the same JSON shape as hyperfine
    : >"$TMP/$b.times"
    for i in "${!names[@]}"; do
      eval "argv=(${cmds[$i]})"
      for ((w = 0; w < WARMUP; w++)); do "${argv[@]}" >/dev/null 2>&1 </dev/null || true; done
      for ((r = 0; r < RUNS; r++)); do
        # TIMEFORMAT makes the `time` keyword print: real user system (seconds)
        { TIMEFORMAT="${names[$i]} %3R %3U %3S"; time "${argv[@]}" >/dev/null 2>&1 </dev/null || true; } 2>>"$TMP/$b.times"
      done
      echo "  ${names[$i]}: $(awk -v n="${names[$i]}" '$1 == n { printf "%s%s", sep, $2; sep = " " }' "$TMP/$b.times") s"
    done
    python3 - "$TMP/$b.times" "$TMP/$b.json" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, real, user, system = line.split()
    runs.setdefault(name, []).append((float(real), float(user), float(system)))
results = []
for name, rs in runs.items():
    times = [r[0] for r in rs]
    results.append({"command": name, "mean": statistics.mean(times),
                    "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
                    "median": statistics.median(times),
                    "user": statistics.mean(r[1] for r in rs),
                    "system": statistics.mean(r[2] for r in rs),
                    "min": min(times), "max": max(times), "times": times})
json.dump({"results": results}, open(sys.argv[2], "w"), indent=2)
PY
  fi
done

# ---- report ----------------------------------------------------------------------------
python3 - "$TMP" "$STATUS" "$OUT" "$RUNS" "$USE_HYPERFINE" "$RUNTIMES" "$METRIC" <<'PY'
import datetime, json, os, platform, sys
tmp, status_file, out, runs, use_hf, runtimes, metric = sys.argv[1:8]
status = {}
order = []
for line in open(status_file):
    b, n, rt, st, ref = line.rstrip("\n").split("\t")
    if b not in order:
        order.append(b)
    status[(b, rt)] = (n, st)
merged = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
          "host": platform.node(), "cpus": os.cpu_count(), "runs": int(runs),
          "timer": "hyperfine" if use_hf == "1" else "bash loop", "benchmarks": {}}
means = {}
for b in order:
    entry = {"size": None, "status": {}, "results": []}
    for (bb, rt), (n, st) in status.items():
        if bb == b:
            entry["size"] = int(n)
            entry["status"][rt] = st
    path = os.path.join(tmp, b + ".json")
    if os.path.exists(path):
        for r in json.load(open(path))["results"]:
            entry["results"].append(r)
            if metric == "cpu":
                means[(b, r["command"])] = r["user"] + r["system"]
            else:
                means[(b, r["command"])] = r["mean"]
    merged["benchmarks"][b] = entry
json.dump(merged, open(out, "w"), indent=2)

cols = [rt for rt in ["semeru", "java", "java-xint", "java-source", "lua", "python"]
        if rt in runtimes.split(",")]
label = {"semeru": "semeru", "java": "java", "java-xint": "java-Xint",
         "java-source": "java-src", "lua": "lua5.4", "python": "python3"}
ratio_cols = [rt for rt in ["java", "java-xint", "lua", "python"] if rt in cols]

def cell(b, rt):
    n, st = status.get((b, rt), ("", "skipped"))
    if st == "skipped":
        return "skipped"
    if st == "FAILED":
        return "FAILED"
    m = means.get((b, rt))
    if m is None:
        return "-"
    return "%.3f%s" % (m, "!" if st == "MISMATCH" else "")

header = ["benchmark"] + [label[c] for c in cols] + ["semeru/" + label[c] for c in ratio_cols]
rows = []
for b in order:
    n = merged["benchmarks"][b]["size"]
    row = ["%s %s" % (b, n)] + [cell(b, c) for c in cols]
    s = means.get((b, "semeru"))
    for c in ratio_cols:
        o = means.get((b, c))
        row.append("%.2f" % (s / o) if s is not None and o else "-")
    rows.append(row)
widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
fmt = lambda r: "  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i])
                          for i in range(len(r)))
print()
what = "user+system CPU seconds" if metric == "cpu" else "wall-clock seconds"
print("mean %s over %s run(s) (%s); '!' = output MISMATCH" % (what, runs, merged["timer"]))
print(fmt(header))
print("  ".join("-" * w for w in widths))
for r in rows:
    print(fmt(r))
print()
rel = os.path.relpath(out)
print("results: " + (out if rel.startswith("..") else rel))
PY

if [ "$mismatches" -gt 0 ]; then
  echo
  echo "!!!!! $mismatches output mismatch(es)/failure(s) -- see messages above !!!!!" >&2
  exit 1
fi
