#!/usr/bin/env bash
# Differential test of the java.util Sem sources (stdlib/sem/java/util) under javac/java:
# each .sem file is copied as Java into package `semlib`; every driver here is compiled twice,
# as package `semlib` (our classes shadow java.util's) and as package `ref` (java.util's),
# and both runs must print the same. Then the conformance programs in
# tests/conformance/collections run against the semlib classes and must match their .out/.exit.
#   tests/stdlib-diff/coll1/run.sh [RUNS]      (default 300 seeds per driver)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
HERE="$ROOT/tests/stdlib-diff/coll1"
RUNS=${1:-300}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p "$W/semlib" "$W/ref" "$W/out" "$W/conf"
SRC="$ROOT/stdlib/sem/java/util"
# The classes this branch (coll1) owns; other java.util files (Iterator, Comparator, maps, ...)
# are used from the JDK under javac.
OWN="AbstractCollection AbstractList AbstractQueue ArrayDeque ArrayList Arrays Collection Collections
ConcurrentModificationException Deque LinkedList List ListIterator NoSuchElementException Objects
PriorityQueue Queue RandomAccess TimSort"
# coll2's maps and sets (Collections' set/map helpers need them): compiled along when present.
COLL2="AbstractMap AbstractSet HashMap HashSet LinkedHashMap LinkedHashSet Map NavigableMap NavigableSet Set SortedMap SortedSet TreeMap TreeSet"
for n in $COLL2; do
  [ -f "$SRC/$n.sem" ] && OWN="$OWN $n"
done
MINE=$(echo $OWN | tr ' ' '|')
for n in $OWN; do
  f="$SRC/$n.sem"
  { echo "package semlib;"; echo "import java.util.Iterator; import java.util.Comparator; import java.util.Random;"
    grep -v '^import ' "$f"; } > "$W/semlib/$n.java"
done
{ echo "package semlib;"
  sed 's|public static native Object\[\] newArrayLike(Object\[\] a, int n);|public static Object[] newArrayLike(Object[] a, int n) { return (Object[]) java.lang.reflect.Array.newInstance(a.getClass().getComponentType(), n); }|' "$ROOT/stdlib/sem/jdk/internal/util/ArraysSupport.sem"; } > "$W/semlib/ArraysSupport.java"
for d in "$HERE"/*.java; do
  n=$(basename "$d")
  sed 's/^package PKG;/package semlib;/' "$d" > "$W/semlib/$n"
  sed 's/^package PKG;/package ref;/' "$d" > "$W/ref/$n"
done
javac -nowarn -Xlint:none -d "$W/out" "$W"/semlib/*.java "$W"/ref/*.java 2>&1 | grep -v '^Note:' || true
J="java -XX:-OmitStackTraceInFastThrow -cp $W/out"
fail=0
for d in "$HERE"/*.java; do
  n=$(basename "$d" .java)
  $J "semlib.$n" "$RUNS" > "$W/sem.txt"; $J "ref.$n" "$RUNS" > "$W/ref.txt"
  if cmp -s "$W/sem.txt" "$W/ref.txt"; then echo "ok   $n ($(wc -l < "$W/sem.txt") lines)"; else echo "FAIL $n"; diff "$W/sem.txt" "$W/ref.txt" | head -10; fail=1; fi
done
CONF="$ROOT/tests/conformance/collections"
for f in "$CONF"/*.sem; do
  n=$(basename "$f" .sem)
  { echo "package semlib;"; grep -vE "^import java\.util\.($MINE);" "$f" | sed -E "s/java\.util\.($MINE)\b/\1/g"; } > "$W/conf/$n.java"
done
javac -nowarn -d "$W/out" -cp "$W/out" "$W"/conf/*.java 2>&1 | grep -v '^Note' || true
pass=0
for f in "$CONF"/*.sem; do
  n=$(basename "$f" .sem)
  set +e
  args=(); [ -f "$CONF/$n.args" ] && read -r -a args < "$CONF/$n.args"
  $J "semlib.$n" "${args[@]}" 2>/dev/null | sed 's/semlib\./java.util./g' > "$W/conf/$n.out"; code=${PIPESTATUS[0]}
  set -e
  if cmp -s "$W/conf/$n.out" "$CONF/$n.out" && [ "$code" = "$(cat "$CONF/$n.exit")" ]; then pass=$((pass+1)); else echo "FAIL conformance $n"; fail=1; fi
done
echo "conformance programs against semlib: $pass passed"
exit $fail
