#!/usr/bin/env bash
# Measure what disaggregation costs: run one Sem program under `semeru run` in
# several heap modes, check that every mode prints the same thing, and tabulate
# wall time, slowdown, peak RSS and fabric traffic.
#
#   bench/disagg.sh [options] [PROGRAM.sem [ARGS...]]
#   bench/disagg.sh --rss [options] [PROGRAM.sem [ARGS...]]
#
# Modes (--modes, comma list; default local,embedded,tcp):
#   local      --memnodes 0                          all local, no fabric (the baseline)
#   embedded   --memnodes 1 --cache C                one in-process memnode
#   tcp        --memnode A --memnode B --cache C     two `semeru memnode` daemons on
#                                                    loopback, started fresh for the run
# --rss runs the resident-memory target instead: a 1g heap with --cache 128m over two
# TCP memnodes; the VM's peak RSS must stay under cache + nursery + 64 MiB, and the
# live heap (after the last full GC) should be at least 4x the cache. Its default
# program is examples/graph/GraphChurn.sem 600000 10 2 (about 560 MB live).
# Without a program the default is examples/graph/GraphChurn.sem (about 300 MB live).
#
# Options (each also settable through the environment variable in brackets):
#   --heap SIZE         --heap for every run                     [HEAP, default 1g; --rss: 1g]
#   --young SIZE        --young for every run          [YOUNG, default none = the VM's heap/8]
#   --cache SPEC        --cache for the cached modes         [CACHE, default 25%; --rss: 128m]
#   --modes LIST        modes to run                        [MODES, default local,embedded,tcp]
#   --runs N            runs per mode; the table shows the fastest     [RUNS, default 1]
#   --capacity SIZE     capacity of each TCP memnode                [CAPACITY, default 2g]
#   --expected FILE     also compare every output with FILE (e.g. examples/graph/expected/X.out)
#   --java              also run `java -Xmx2g --source 17` (its output is then the reference)
#   --semeru PATH       the binary                  [SEMERU, default target/release/semeru]
#   --keep DIR          keep every run's stdout, stderr, time -v and stats JSON in DIR
#   -h, --help          show this help
# Mode flags can be overridden for testing against a binary without them, e.g.
# LOCAL_FLAGS= EMBEDDED_FLAGS= CACHE_FLAG= TCP_FLAG= bench/disagg.sh ...:
#   LOCAL_FLAGS     [default "--memnodes 0"]    EMBEDDED_FLAGS [default "--memnodes 1"]
#   CACHE_FLAG      [default "--cache"]         TCP_FLAG       [default "--memnode"]
#   MEMNODE_CMD     how to start a memnode   [default "$SEMERU memnode"]
#   RUN_EXTRA       extra `semeru run` flags (e.g. a token file)        [default none]
#   MEMNODE_EXTRA   extra `semeru memnode` flags                        [default none]
#
# Columns: wall s (the VM's wall_ms), slowdown against the local mode, peak RSS of the
# VM (/usr/bin/time -v), cache size (heap.cache_bytes), cache hit rate, MiB fetched and
# written back over the fabric (fabric.bytes_fetched / bytes_written_back), the live heap
# after the last full GC (from --gc-log), and the peak RSS of the memnode daemons.
# Exit status: 0 when all outputs agree (and, with --rss, the RSS bound holds), 1 if not,
# 2 on a usage error or a failure to start.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "disagg.sh: $*" >&2; exit 2; }

SEMERU=${SEMERU:-$ROOT/target/release/semeru}
HEAP=${HEAP:-}
YOUNG=${YOUNG:-}
CACHE=${CACHE:-}
MODES=${MODES:-}
RUNS=${RUNS:-1}
CAPACITY=${CAPACITY:-2g}
LOCAL_FLAGS=${LOCAL_FLAGS---memnodes 0}
EMBEDDED_FLAGS=${EMBEDDED_FLAGS---memnodes 1}
CACHE_FLAG=${CACHE_FLAG---cache}
TCP_FLAG=${TCP_FLAG---memnode}
RUN_EXTRA=${RUN_EXTRA:-}
MEMNODE_EXTRA=${MEMNODE_EXTRA:-}
EXPECTED=""
JAVA=0
RSS=0
KEEP=""

while [ $# -gt 0 ]; do
  case "$1" in
    --heap) HEAP=$2; shift 2 ;;
    --young) YOUNG=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --capacity) CAPACITY=$2; shift 2 ;;
    --expected) EXPECTED=$(realpath "$2"); shift 2 ;;
    --java) JAVA=1; shift ;;
    --semeru) SEMERU=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    --rss) RSS=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done

if [ $# -gt 0 ]; then
  PROGRAM=$1; shift
  PROG_ARGS=("$@")
elif [ "$RSS" = 1 ]; then
  PROGRAM=$ROOT/examples/graph/GraphChurn.sem
  PROG_ARGS=(600000 10 2)
else
  PROGRAM=$ROOT/examples/graph/GraphChurn.sem
  PROG_ARGS=()
fi
[ -f "$PROGRAM" ] || die "no such program: $PROGRAM"
PROGRAM=$(realpath "$PROGRAM")
[ -x "$SEMERU" ] || die "no semeru binary at $SEMERU (cargo build --release, or --semeru PATH)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed for peak RSS (apt-get install time)"
command -v python3 >/dev/null || die "python3 is needed to read the stats JSON"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number"
if [ "$RSS" = 1 ]; then
  HEAP=${HEAP:-1g}
  CACHE=${CACHE:-128m}
  MODES=${MODES:-tcp}
else
  HEAP=${HEAP:-1g}
  CACHE=${CACHE:-25%}
  MODES=${MODES:-local,embedded,tcp}
fi
MEMNODE_CMD=${MEMNODE_CMD:-$SEMERU memnode}
IFS=, read -r -a MODE_LIST <<< "$MODES"
for m in "${MODE_LIST[@]}"; do
  case "$m" in local|embedded|tcp) ;; *) die "unknown mode '$m' (local, embedded, tcp)" ;; esac
done

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  WORK=$(realpath "$KEEP")
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/disagg.XXXXXX")
fi

# Memnode daemons: started per TCP run, always stopped (by pid) on exit.
MEMNODE_PIDS=()
stop_memnodes() {
  local pid
  for pid in "${MEMNODE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${MEMNODE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  MEMNODE_PIDS=()
}
RUN_PID=""
cleanup() {
  if [ -n "$RUN_PID" ]; then
    # The timed run: its child (semeru or java) first, then /usr/bin/time itself.
    pkill -TERM -P "$RUN_PID" 2>/dev/null || true
    kill "$RUN_PID" 2>/dev/null || true
  fi
  stop_memnodes
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts one memnode; prints its address. Fails if it does not say where it listens
# within 10 seconds or exits first.
MEMNODE_ADDRS=()
start_memnode() {
  local log=$1 pid addr i
  : > "$log"
  # shellcheck disable=SC2086 # MEMNODE_CMD and MEMNODE_EXTRA are word lists
  $MEMNODE_CMD --listen 127.0.0.1:0 --capacity "$CAPACITY" $MEMNODE_EXTRA 2>"$log" >/dev/null &
  pid=$!
  MEMNODE_PIDS+=("$pid")
  for ((i = 0; i < 100; i++)); do
    addr=$(sed -n 's/.*memnode listening on \([^ ]*\).*/\1/p' "$log" | head -n 1)
    if [ -n "$addr" ]; then
      MEMNODE_ADDRS+=("$addr")
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "disagg.sh: the memnode exited before listening:" >&2
      sed 's/^/  /' "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "disagg.sh: the memnode did not say where it listens within 10 s:" >&2
  sed 's/^/  /' "$log" >&2
  return 1
}

# Peak RSS of the running memnodes (VmHWM, KiB), summed; empty if unknown.
memnode_hwm() {
  local pid kb total=0 any=0
  for pid in "${MEMNODE_PIDS[@]}"; do
    kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
    if [ -n "$kb" ]; then
      total=$((total + kb)); any=1
    fi
  done
  [ "$any" = 1 ] && echo "$total" || true
}

# run_mode MODE RUN: one timed run; leaves WORK/MODE.RUN.{out,err,time,json,mn}.
run_mode() {
  local mode=$1 run=$2 base flags=() code
  base="$WORK/$mode.$run"
  flags=(--heap "$HEAP")
  [ -n "$YOUNG" ] && flags+=(--young "$YOUNG")
  # shellcheck disable=SC2206 # the *_FLAGS variables are word lists
  case "$mode" in
    local) flags+=($LOCAL_FLAGS) ;;
    embedded)
      flags+=($EMBEDDED_FLAGS)
      [ -n "$CACHE_FLAG" ] && flags+=("$CACHE_FLAG" "$CACHE") ;;
    tcp)
      MEMNODE_ADDRS=()
      start_memnode "$base.memnode1.log" || exit 2
      start_memnode "$base.memnode2.log" || exit 2
      if [ -n "$TCP_FLAG" ]; then
        flags+=("$TCP_FLAG" "${MEMNODE_ADDRS[0]}" "$TCP_FLAG" "${MEMNODE_ADDRS[1]}")
      fi
      [ -n "$CACHE_FLAG" ] && flags+=("$CACHE_FLAG" "$CACHE") ;;
  esac
  # shellcheck disable=SC2206
  flags+=($RUN_EXTRA --gc-log --stats-json "$base.json")
  echo "$SEMERU run ${flags[*]} $PROGRAM ${PROG_ARGS[*]}" > "$base.cmd"
  echo "  $mode (run $run): semeru run ${flags[*]} $(basename "$PROGRAM") ${PROG_ARGS[*]}" >&2
  rm -f "$base.json"
  set +e
  # In the background so that a signal reaches the trap (and the memnodes stop) at once.
  /usr/bin/time -v -o "$base.time" "$SEMERU" run "${flags[@]}" "$PROGRAM" "${PROG_ARGS[@]}" \
    > "$base.out" 2> "$base.err" < /dev/null &
  RUN_PID=$!
  wait "$RUN_PID"
  code=$?
  RUN_PID=""
  set -e
  echo "$code" > "$base.exit"
  if [ "$mode" = tcp ]; then
    memnode_hwm > "$base.mn"
    stop_memnodes
  fi
  if [ "$code" != 0 ]; then
    echo "  $mode: exit status $code; stderr ends with:" >&2
    grep -v '^\[gc\]' "$base.err" | tail -n 5 | sed 's/^/    /' >&2
  fi
}

run_java() {
  local base="$WORK/java.1" code
  echo "  java: java -Xmx2g --source 17 $(basename "$PROGRAM") ${PROG_ARGS[*]}" >&2
  set +e
  (cd "$(dirname "$PROGRAM")" && exec /usr/bin/time -v -o "$base.time" java -Xmx2g --source 17 \
    "$(basename "$PROGRAM")" "${PROG_ARGS[@]}" > "$base.out" 2> "$base.err" < /dev/null) &
  RUN_PID=$!
  wait "$RUN_PID"
  code=$?
  RUN_PID=""
  set -e
  echo "$code" > "$base.exit"
}

echo "program: $PROGRAM ${PROG_ARGS[*]}" >&2
echo "heap $HEAP${YOUNG:+, young $YOUNG}, cache $CACHE, modes ${MODE_LIST[*]}, $RUNS run(s) each" >&2
[ "$JAVA" = 1 ] && run_java
for m in "${MODE_LIST[@]}"; do
  for ((r = 1; r <= RUNS; r++)); do
    run_mode "$m" "$r"
  done
done

# The table and the checks.
set +e
python3 - "$WORK" "$RUNS" "$RSS" "$HEAP" "${YOUNG:-}" "$CACHE" "$EXPECTED" "$JAVA" "${MODE_LIST[@]}" <<'PY'
import json, os, re, sys

work, runs, rss, heap, young, cache, expected, java = sys.argv[1:9]
modes = sys.argv[9:]
runs, rss, java = int(runs), rss == "1", java == "1"
MiB = 1 << 20

def size(s, of=None):
    """'1g', '128m', '64k', '123' (bytes) or 'N%' of `of`; None if unparsable."""
    if not s:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*", s, re.I)
    if m:
        return int(float(m.group(1)) * 1024 ** "bkmgt".index(m.group(2).lower() or "b"))
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", s)
    if m and of is not None:
        return int(float(m.group(1)) * of / 100)
    return None

def get(doc, path):
    """doc['a']['b'] for 'a.b', or a flat 'a.b' key; None when absent."""
    if doc is None:
        return None
    if path in doc:
        return doc[path]
    cur = doc
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur

def read(path, binary=False):
    try:
        with open(path, "rb" if binary else "r") as f:
            return f.read()
    except OSError:
        return None

def time_v(path):
    """(peak RSS KiB, elapsed s) from /usr/bin/time -v."""
    text = read(path) or ""
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    el = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    secs = None
    if el:
        secs = 0.0
        for part in el.group(1).split(":"):
            secs = secs * 60 + float(part)
    return (int(rss.group(1)) if rss else None), secs

def live_after_full(err):
    """MiB after the last full GC, from --gc-log lines '... Pause Full 894M->292M(...)'."""
    last = None
    for line in (err or "").splitlines():
        m = re.search(r"Pause Full\S*\s+(\d+(?:\.\d+)?)([KMG])->(\d+(?:\.\d+)?)([KMG])", line)
        if m:
            last = float(m.group(3)) * {"K": 1 / 1024, "M": 1, "G": 1024}[m.group(4)]
    return last

heap_b = size(heap)
young_b = size(young) if young else (heap_b // 8 if heap_b else None)
cache_b = size(cache, heap_b)

rows = []   # one per mode: the fastest successful run (or the last one)
for mode in (["java"] if java else []) + modes:
    best = None
    for r in range(1, (1 if mode == "java" else runs) + 1):
        base = os.path.join(work, f"{mode}.{r}")
        code = int((read(base + ".exit") or "1").strip() or 1)
        rss_kb, elapsed = time_v(base + ".time")
        doc = None
        raw = read(base + ".json")
        if raw:
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = None
        wall_ms = get(doc, "wall_ms")
        wall = wall_ms / 1000 if isinstance(wall_ms, (int, float)) else elapsed
        err = read(base + ".err")
        mn = (read(base + ".mn") or "").strip()
        row = dict(mode=mode, run=r, code=code, out=read(base + ".out", True), wall=wall,
                   rss_kb=rss_kb, doc=doc, live=live_after_full(err),
                   mn_kb=int(mn) if mn else None)
        ok = lambda x: x is not None and x["code"] == 0 and x["wall"] is not None
        if best is None or (ok(row) and (not ok(best) or row["wall"] < best["wall"])):
            best = row
    rows.append(best)

def fmt(x, spec=".2f"):
    return "-" if x is None else format(x, spec)

base_wall = next((r["wall"] for r in rows if r["mode"] == "local" and r["code"] == 0), None)
header = ["mode", "wall s", "slowdown", "peak RSS MiB", "cache MiB", "hit %", "fetched MiB",
          "written back MiB", "live MiB", "memnodes RSS MiB"]
table = []
for r in rows:
    d = r["doc"]
    hits, misses = get(d, "cache.hits"), get(d, "cache.misses")
    hit = 100.0 * hits / (hits + misses) if isinstance(hits, int) and isinstance(misses, int) and hits + misses else None
    cb = get(d, "heap.cache_bytes")
    if r["mode"] in ("embedded", "tcp") and cb is None:
        cb = cache_b
    fetched, wb = get(d, "fabric.bytes_fetched"), get(d, "fabric.bytes_written_back")
    slow = r["wall"] / base_wall if base_wall and r["wall"] is not None and r["code"] == 0 else None
    table.append([
        r["mode"] + ("" if r["code"] == 0 else f" (exit {r['code']})"),
        fmt(r["wall"]), fmt(slow, ".2f") + ("x" if slow is not None else ""),
        fmt(r["rss_kb"] / 1024 if r["rss_kb"] else None, ".1f"),
        fmt(cb / MiB if isinstance(cb, (int, float)) else None, ".1f"),
        fmt(hit, ".2f"),
        fmt(fetched / MiB if isinstance(fetched, (int, float)) else None, ".1f"),
        fmt(wb / MiB if isinstance(wb, (int, float)) else None, ".1f"),
        fmt(r["live"], ".0f"),
        fmt(r["mn_kb"] / 1024 if r["mn_kb"] else None, ".1f"),
    ])
widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]
line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
print(line(header))
print(line(["-" * w for w in widths]))
for t in table:
    print(line(t))

status = 0
# Outputs: every mode must print the same (the reference is java's output when it ran,
# else --expected, else the first mode's).
ref_name, ref = None, None
if expected:
    ref_name, ref = os.path.basename(expected), read(expected, True)
    if ref is None:
        print(f"cannot read {expected}")
        status = 1
for r in rows:
    if ref is None:
        ref_name, ref = r["mode"], r["out"]
        continue
    if r["out"] != ref:
        print(f"MISMATCH: the output of {r['mode']} differs from {ref_name}'s")
        status = 1
if status == 0 and ref is not None:
    names = [r["mode"] for r in rows] + ([os.path.basename(expected)] if expected else [])
    print(f"outputs: identical ({', '.join(names)}; {len(ref)} bytes)")
for r in rows:
    if r["code"] != 0:
        status = 1
    if r["mode"] in ("embedded", "tcp") and r["code"] == 0:
        f = get(r["doc"], "fabric.bytes_fetched")
        if not f:
            print(f"note: {r['mode']}: fabric.bytes_fetched is {f!r}; did the heap live remotely?")

if rss:
    for r in rows:
        if r["mode"] == "java":
            continue
        cb = get(r["doc"], "heap.cache_bytes") or cache_b
        yb = get(r["doc"], "heap.young_bytes") or young_b
        if r["rss_kb"] is None or cb is None or yb is None:
            print(f"RSS target ({r['mode']}): cannot check (RSS, cache or nursery size unknown)")
            status = 1
            continue
        bound = cb + yb + 64 * MiB
        peak = r["rss_kb"] * 1024
        verdict = "PASS" if peak < bound else "FAIL"
        if verdict == "FAIL":
            status = 1
        print(f"RSS target ({r['mode']}): peak {peak / MiB:.1f} MiB < cache {cb / MiB:.0f} + nursery "
              f"{yb / MiB:.0f} + 64 = {bound / MiB:.0f} MiB: {verdict}")
        if r["live"] is not None:
            ratio = r["live"] * MiB / cb
            print(f"  live heap after the last full GC: {r['live']:.0f} MiB = {ratio:.1f}x the cache"
                  + ("" if ratio >= 4 else " (the target wants at least 4x: use a bigger program)"))
        else:
            print("  no full GC ran, so the live heap is unknown (see --gc-log)")
sys.exit(status)
PY
status=$?
set -e
[ -n "$KEEP" ] && echo "logs kept in $WORK" >&2
exit "$status"
