#!/usr/bin/env bash
# Measure offloaded old-space collection: run one allocation-heavy Sem program over
# two TCP memnodes with `--gc offload` (the memnodes mark and compact) and with
# `--gc local` (the VM marks and compacts through its page cache), and with
# `--memnodes 0` (no fabric at all) as the baseline; check that every run prints
# the same thing, and tabulate wall time, GC fabric traffic and pauses.
#
#   bench/offload.sh [options] [PROGRAM.sem [ARGS...]]
#   bench/offload.sh --quick [options]
#
# Default program: examples/graph/GraphChurn.sem (300000 vertices, about 300 MB live,
# 1.5 GB allocated) at --heap 1g --cache 25%. --quick runs GraphChurn 60000 10 6 at
# --heap 128m (about 60 MB live: a smoke test of the script, the flags and a few old
# collections, in about a minute).
#
# Modes (--modes, comma list; default offload,local,nomem):
#   offload  --memnode A --memnode B --cache C --gc offload   two fresh `semeru memnode`
#   local    --memnode A --memnode B --cache C --gc local     daemons on loopback per run
#   nomem    --memnodes 0                                     all local, no fabric
#
# Options (each also settable through the environment variable in brackets):
#   --heap SIZE       --heap for every run               [HEAP, default 1g; --quick 128m]
#   --young SIZE      --young for every run        [YOUNG, default none = the VM's heap/8]
#   --cache SPEC      --cache of the memnode modes                   [CACHE, default 25%]
#   --modes LIST      modes to run                   [MODES, default offload,local,nomem]
#   --runs N          runs per mode; the table shows the fastest         [RUNS, default 1]
#   --capacity SIZE   capacity of each memnode                     [CAPACITY, default 2g]
#   --threads N       GC worker threads of each memnode  [THREADS, default: its CPU count]
#   --expected FILE   also compare every output with FILE (default for the default
#                     program: examples/graph/expected/GraphChurn.out)
#   --semeru PATH     the binary                 [SEMERU, default target/release/semeru]
#   --keep DIR        keep every run's stdout, stderr (--gc-log) and stats JSON in DIR
#   -h, --help        show this help
#   RUN_EXTRA         extra `semeru run` flags, e.g. "--gc-trigger 40%"  [default none]
#   MEMNODE_EXTRA     extra `semeru memnode` flags                       [default none]
#
# Columns: wall s (the VM's wall_ms); wall time against --gc local and against
# --memnodes 0; gc.fabric_bytes (the old-space collector's fabric bytes: every byte
# the VM moved in old-collection pauses and GC control messages, less the flushed
# pages that were later evicted clean, whose write-back eviction would have made
# anyway; young collections are the same collector in every mode and are reported
# apart) in MiB, and offload's share of local's; the number of pauses,
# their p99 and maximum (gc.p99_pause_ms, gc.max_pause_ms); the offloaded cycles and
# the share of marking that ran concurrently with the program.
# Targets (issue 5), checked when both memnode modes ran: offload's gc.fabric_bytes
# at most 5% of local's, and offload faster than local end to end.
# Exit status: 0 when all outputs agree and the targets hold, 1 if not, 2 on a usage
# error or a failure to start.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "offload.sh: $*" >&2; exit 2; }

SEMERU=${SEMERU:-$ROOT/target/release/semeru}
HEAP=${HEAP:-}
YOUNG=${YOUNG:-}
CACHE=${CACHE:-25%}
MODES=${MODES:-offload,local,nomem}
RUNS=${RUNS:-1}
CAPACITY=${CAPACITY:-2g}
THREADS=${THREADS:-}
RUN_EXTRA=${RUN_EXTRA:-}
MEMNODE_EXTRA=${MEMNODE_EXTRA:-}
EXPECTED=""
QUICK=0
KEEP=""

while [ $# -gt 0 ]; do
  case "$1" in
    --heap) HEAP=$2; shift 2 ;;
    --young) YOUNG=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --capacity) CAPACITY=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --expected) EXPECTED=$(realpath "$2"); shift 2 ;;
    --semeru) SEMERU=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done

if [ $# -gt 0 ]; then
  PROGRAM=$1; shift
  PROG_ARGS=("$@")
elif [ "$QUICK" = 1 ]; then
  PROGRAM=$ROOT/examples/graph/GraphChurn.sem
  PROG_ARGS=(60000 10 6)
else
  PROGRAM=$ROOT/examples/graph/GraphChurn.sem
  PROG_ARGS=()
  if [ -z "$EXPECTED" ] && [ -f "$ROOT/examples/graph/expected/GraphChurn.out" ]; then
    EXPECTED=$ROOT/examples/graph/expected/GraphChurn.out
  fi
fi
if [ "$QUICK" = 1 ]; then
  HEAP=${HEAP:-128m}
else
  HEAP=${HEAP:-1g}
fi
[ -f "$PROGRAM" ] || die "no such program: $PROGRAM"
PROGRAM=$(realpath "$PROGRAM")
[ -x "$SEMERU" ] || die "no semeru binary at $SEMERU (cargo build --release, or --semeru PATH)"
command -v python3 >/dev/null || die "python3 is needed to read the stats JSON"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number"
[ -z "$THREADS" ] || [[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "--threads wants a positive number"
IFS=, read -r -a MODE_LIST <<< "$MODES"
for m in "${MODE_LIST[@]}"; do
  case "$m" in offload|local|nomem) ;; *) die "unknown mode '$m' (offload, local, nomem)" ;; esac
done

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  WORK=$(realpath "$KEEP")
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/offload.XXXXXX")
fi

# Memnode daemons: started per run, always stopped (by pid) on exit.
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
  [ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null || true
  stop_memnodes
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts one memnode (with a token file); fails if it does not say where it listens
# within 10 seconds or exits first.
TOKEN=$WORK/token
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TOKEN"
MEMNODE_ADDRS=()
start_memnode() {
  local log=$1 pid addr i extra=()
  [ -n "$THREADS" ] && extra+=(--threads "$THREADS")
  : > "$log"
  # shellcheck disable=SC2086 # MEMNODE_EXTRA is a word list
  "$SEMERU" memnode --listen 127.0.0.1:0 --capacity "$CAPACITY" --token-file "$TOKEN" \
    "${extra[@]}" $MEMNODE_EXTRA 2>"$log" >/dev/null &
  pid=$!
  MEMNODE_PIDS+=("$pid")
  for ((i = 0; i < 100; i++)); do
    addr=$(sed -n 's/.*memnode listening on \([^ ]*\).*/\1/p' "$log" | head -n 1)
    if [ -n "$addr" ]; then
      MEMNODE_ADDRS+=("$addr")
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "offload.sh: the memnode exited before listening:" >&2
      sed 's/^/  /' "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "offload.sh: the memnode did not say where it listens within 10 s:" >&2
  sed 's/^/  /' "$log" >&2
  return 1
}

# run_mode MODE RUN: one run; leaves WORK/MODE.RUN.{cmd,out,err,exit,json}.
run_mode() {
  local mode=$1 run=$2 base flags=() code
  base="$WORK/$mode.$run"
  flags=(--heap "$HEAP")
  [ -n "$YOUNG" ] && flags+=(--young "$YOUNG")
  case "$mode" in
    nomem) flags+=(--memnodes 0) ;;
    offload|local)
      MEMNODE_ADDRS=()
      start_memnode "$base.memnode1.log" || exit 2
      start_memnode "$base.memnode2.log" || exit 2
      flags+=(--token-file "$TOKEN" --memnode "${MEMNODE_ADDRS[0]}" --memnode "${MEMNODE_ADDRS[1]}")
      flags+=(--cache "$CACHE" --gc "$mode") ;;
  esac
  # shellcheck disable=SC2206 # RUN_EXTRA is a word list
  flags+=($RUN_EXTRA --gc-log --stats-json "$base.json")
  echo "$SEMERU run ${flags[*]} $PROGRAM ${PROG_ARGS[*]}" > "$base.cmd"
  echo "  $mode (run $run): semeru run ${flags[*]} $(basename "$PROGRAM") ${PROG_ARGS[*]}" >&2
  rm -f "$base.json"
  set +e
  # In the background so that a signal reaches the trap (and the memnodes stop) at once.
  "$SEMERU" run "${flags[@]}" "$PROGRAM" "${PROG_ARGS[@]}" > "$base.out" 2> "$base.err" < /dev/null &
  RUN_PID=$!
  wait "$RUN_PID"
  code=$?
  RUN_PID=""
  set -e
  echo "$code" > "$base.exit"
  stop_memnodes
  if [ "$code" != 0 ]; then
    echo "  $mode: exit status $code; stderr ends with:" >&2
    grep -v 'GC(' "$base.err" | grep -v '^\[gc\]' | tail -n 5 | sed 's/^/    /' >&2
  fi
}

echo "program: $PROGRAM ${PROG_ARGS[*]}" >&2
echo "heap $HEAP${YOUNG:+, young $YOUNG}, cache $CACHE, modes ${MODE_LIST[*]}, $RUNS run(s) each" >&2
for m in "${MODE_LIST[@]}"; do
  for ((r = 1; r <= RUNS; r++)); do
    run_mode "$m" "$r"
  done
done

# The table and the checks.
set +e
python3 - "$WORK" "$RUNS" "$EXPECTED" "${MODE_LIST[@]}" <<'PY'
import json, os, sys

work, runs, expected = sys.argv[1:4]
modes = sys.argv[4:]
runs = int(runs)
MiB = 1 << 20

def read(path, binary=False):
    try:
        with open(path, "rb" if binary else "r") as f:
            return f.read()
    except OSError:
        return None

def get(doc, path):
    cur = doc
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur

def num(x):
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) else None

rows = {}
for mode in modes:
    best = None
    for r in range(1, runs + 1):
        base = os.path.join(work, f"{mode}.{r}")
        code = int((read(base + ".exit") or "1").strip() or 1)
        doc = None
        raw = read(base + ".json")
        if raw:
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = None
        wall_ms = num(get(doc, "wall_ms"))
        row = dict(mode=mode, code=code, out=read(base + ".out", True), doc=doc,
                   wall=wall_ms / 1000 if wall_ms is not None else None)
        ok = lambda x: x is not None and x["code"] == 0 and x["wall"] is not None
        if best is None or (ok(row) and (not ok(best) or row["wall"] < best["wall"])):
            best = row
    rows[mode] = best

def fmt(x, spec=".2f", suffix=""):
    return "-" if x is None else format(x, spec) + suffix

def good(m):
    r = rows.get(m)
    return r if r is not None and r["code"] == 0 and r["wall"] is not None else None

def fabric(r):
    return num(get(r["doc"], "gc.fabric_bytes")) if r else None

def pauses(r):
    by = get(r["doc"], "gc.by_kind") if r else None
    if isinstance(by, dict):
        return sum(num(v.get("count")) or 0 for v in by.values() if isinstance(v, dict))
    if r:
        y, f = num(get(r["doc"], "gc.young_pauses")), num(get(r["doc"], "gc.full_pauses"))
        return (y or 0) + (f or 0) if y is not None else None
    return None

local, nomem = good("local"), good("nomem")
header = ["mode", "wall s", "vs local", "vs nomem", "gc fabric MiB", "vs local", "pauses",
          "p99 ms", "max ms", "cycles", "concurrent ms"]
table = []
for m in modes:
    r = rows[m]
    d = r["doc"]
    ok = r["code"] == 0 and r["wall"] is not None
    fb = fabric(r) if ok else None
    fl = fabric(local)
    table.append([
        m + ("" if r["code"] == 0 else f" (exit {r['code']})"),
        fmt(r["wall"]),
        fmt(r["wall"] / local["wall"], ".2f", "x") if ok and local else "-",
        fmt(r["wall"] / nomem["wall"], ".2f", "x") if ok and nomem else "-",
        fmt(fb / MiB if fb is not None else None, ".1f"),
        fmt(100.0 * fb / fl, ".2f", "%") if fb is not None and fl else "-",
        fmt(pauses(r), "d") if ok and pauses(r) is not None else "-",
        fmt(num(get(d, "gc.p99_pause_ms")), ".2f"),
        fmt(num(get(d, "gc.max_pause_ms")), ".2f"),
        fmt(num(get(d, "gc.offload.cycles")), "d") if num(get(d, "gc.offload.cycles")) is not None else "-",
        fmt(num(get(d, "gc.offload.concurrent_ms")), ".0f"),
    ])
widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]
line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
print(line(header))
print(line(["-" * w for w in widths]))
for t in table:
    print(line(t))

status = 0
outs = {m: r["out"] for m, r in rows.items() if r["code"] == 0}
if expected:
    ref, ref_name = read(expected, True), os.path.basename(expected)
elif outs:
    ref_name = next(iter(outs))
    ref = outs[ref_name]
else:
    ref, ref_name = None, None
for m, r in rows.items():
    if r["code"] != 0:
        print(f"{m}: exit status {r['code']}")
        status = 1
    elif ref is not None and r["out"] != ref:
        print(f"{m}: output differs from {ref_name}")
        status = 1
if status == 0 and ref is not None:
    print(f"outputs: all {len(rows)} agree" + (f" with {ref_name}" if expected else ""))

off = good("offload")
if off and local:
    fo, fl = fabric(off), fabric(local)
    if fo is not None and fl:
        share = 100.0 * fo / fl
        verdict = "PASS" if share <= 5.0 else "FAIL"
        print(f"target: gc.fabric_bytes offload {fo / MiB:.1f} MiB = {share:.2f}% of local "
              f"{fl / MiB:.1f} MiB (at most 5%): {verdict}")
        status = status if verdict == "PASS" else 1
    for key, what in (("gc.old_fabric_bytes", "old collector before the flush credit"),
                      ("gc.flushed_bytes", "pages flushed by offload pauses"),
                      ("gc.flush_saved_bytes", "of them evicted clean later"),
                      ("gc.young_fabric_bytes", "young collections"),
                      ("gc.total_fabric_bytes", "every GC pause and message, young included")):
        oo, ol = num(get(off["doc"], key)), num(get(local["doc"], key))
        if oo is not None and ol is not None:
            share = f" = {100.0 * oo / ol:.2f}% of local" if ol else ""
            print(f"  {key} ({what}): offload {oo / MiB:.1f} MiB{share}, local {ol / MiB:.1f} MiB")
    ratio = off["wall"] / local["wall"]
    verdict = "PASS" if ratio < 1.0 else "FAIL"
    base = f", {off['wall'] / nomem['wall']:.2f}x / {local['wall'] / nomem['wall']:.2f}x --memnodes 0" if nomem else ""
    print(f"target: wall offload {off['wall']:.2f} s / local {local['wall']:.2f} s = {ratio:.2f}x "
          f"(below 1){base}: {verdict}")
    status = status if verdict == "PASS" else 1
    for r in (off, local):
        print(f"  {r['mode']}: p99 pause {fmt(num(get(r['doc'], 'gc.p99_pause_ms')))} ms, "
              f"max pause {fmt(num(get(r['doc'], 'gc.max_pause_ms')))} ms")
    by = get(off["doc"], "gc.by_kind")
    if isinstance(by, dict):
        kinds = ", ".join(f"{k} {fmt(num(v.get('count')), 'd')} x (max {fmt(num(v.get('max_ms')))} ms)"
                          for k, v in by.items() if isinstance(v, dict) and num(v.get("count")))
        print(f"  offload pauses: {kinds}")
    o = get(off["doc"], "gc.offload")
    if isinstance(o, dict):
        print("  offload: " + ", ".join(
            f"{k} {o[k] / MiB:.1f} MiB" if k.endswith("_bytes") and num(o[k]) is not None else f"{k} {o[k]}"
            for k in ("cycles", "marked_bytes", "peer_bytes", "evacuated_bytes", "concurrent_ms",
                      "remark_wait_ms", "freed_regions", "evacuated_regions", "satb_refs",
                      "patched_slots", "dropped_pages", "kept_dirty_pages",
                      "pending_pages", "pending_flushed", "evac_flushed_source_pages",
                      "evac_flushed_other_pages", "kept_new_pages", "peeked_objects") if k in o))
sys.exit(status)
PY
status=$?
set -e
[ -n "$KEEP" ] && echo "logs kept in $WORK" >&2
exit "$status"
