package PKG;

import java.util.*;

public class ArraysDriver {
    static StringBuilder out = new StringBuilder();
    static Random rnd;

    static void p(Object o) { out.append(o).append('\n'); }

    static String ex(Throwable e) {
        if (e instanceof NullPointerException) return "NPE";
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static int len() {
        int r = rnd.nextInt(10);
        if (r < 3) return rnd.nextInt(5);
        if (r < 8) return rnd.nextInt(60);
        return rnd.nextInt(3000);
    }

    static int range(int bound) { return rnd.nextInt(bound + 1); }

    static class P {
        int key, id;
        P(int k, int i) { key = k; id = i; }
        public String toString() { return key + ":" + id; }
    }
    static class ByKey implements Comparator<P> {
        public int compare(P a, P b) { return Integer.compare(a.key, b.key); }
    }
    static class CP implements Comparable<CP> {
        int key, id;
        CP(int k, int i) { key = k; id = i; }
        public int compareTo(CP o) { return Integer.compare(key, o.key); }
        public String toString() { return key + "/" + id; }
    }
    static class Counting implements Comparator<Integer> {
        int n;
        public int compare(Integer a, Integer b) { n++; return a.compareTo(b); }
    }

    public static void main(String[] args) {
        int runs = Integer.parseInt(args[0]);
        for (int seed = 0; seed < runs; seed++) {
            rnd = new Random(seed);
            int n = len();
            int spread = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 1000000);
            int[] ia = new int[n]; long[] la = new long[n]; short[] sa = new short[n]; char[] ca = new char[n];
            byte[] ba = new byte[n]; double[] da = new double[n]; float[] fa = new float[n]; boolean[] za = new boolean[n];
            Integer[] oa = new Integer[n]; String[] stra = new String[n]; P[] pa = new P[n]; CP[] cpa = new CP[n];
            int pattern = rnd.nextInt(5);
            for (int i = 0; i < n; i++) {
                int v;
                if (pattern == 0) v = i; else if (pattern == 1) v = n - i; else if (pattern == 2) v = (i % 7) * 3; else v = rnd.nextInt(spread) - spread / 2;
                if (pattern == 4 && rnd.nextInt(5) == 0) v = Integer.MIN_VALUE + rnd.nextInt(3);
                ia[i] = v; la[i] = (long) v * 1000003L; sa[i] = (short) v; ca[i] = (char) v; ba[i] = (byte) v;
                int dk = rnd.nextInt(20);
                da[i] = dk == 0 ? Double.NaN : dk == 1 ? -0.0 : dk == 2 ? 0.0 : dk == 3 ? Double.NEGATIVE_INFINITY : v / 7.0;
                fa[i] = (float) da[i]; za[i] = v % 2 == 0;
                oa[i] = v; stra[i] = "s" + (v % 13); pa[i] = new P(v % 5, i); cpa[i] = new CP(v % 4, i);
            }
            p("== seed " + seed + " n " + n);
            p(Arrays.hashCode(ia) + " " + Arrays.hashCode(la) + " " + Arrays.hashCode(da) + " " + Arrays.hashCode(fa) + " " + Arrays.hashCode(za) + " " + Arrays.hashCode(oa) + " " + Arrays.hashCode(stra) + " " + Arrays.hashCode(ca) + " " + Arrays.hashCode(ba) + " " + Arrays.hashCode(sa));
            if (n < 40) {
                p(Arrays.toString(ia)); p(Arrays.toString(la)); p(Arrays.toString(sa)); p(Arrays.toString(ba)); p(Arrays.toString(za)); p(Arrays.toString(oa)); p(Arrays.toString(stra));
                p(Arrays.toString(da)); p(Arrays.toString(fa)); p(Arrays.toString(pa));
            }
            int from = range(n), to = range(n);
            boolean ranged = rnd.nextBoolean();
            try {
                if (ranged) {
                    Arrays.sort(ia, from, to); Arrays.sort(la, from, to); Arrays.sort(sa, from, to); Arrays.sort(ca, from, to); Arrays.sort(ba, from, to);
                    Arrays.sort(da, from, to); Arrays.sort(fa, from, to); Arrays.sort(oa, from, to); Arrays.sort(stra, from, to, Collections.reverseOrder());
                    Arrays.sort(pa, from, to, new ByKey()); Arrays.sort(cpa, from, to);
                } else {
                    Arrays.sort(ia); Arrays.sort(la); Arrays.sort(sa); Arrays.sort(ca); Arrays.sort(ba);
                    Arrays.sort(da); Arrays.sort(fa); Arrays.sort(oa); Arrays.sort(stra, Collections.reverseOrder());
                    Arrays.sort(pa, new ByKey()); Arrays.sort(cpa);
                }
            } catch (RuntimeException e) { p("sort -> " + ex(e)); }
            p("sorted " + Arrays.hashCode(ia) + " " + Arrays.hashCode(la) + " " + Arrays.hashCode(sa) + " " + Arrays.hashCode(ca) + " " + Arrays.hashCode(ba) + " " + Arrays.hashCode(da) + " " + Arrays.hashCode(fa) + " " + Arrays.hashCode(oa) + " " + Arrays.hashCode(stra));
            p(Arrays.toString(pa)); p(Arrays.toString(cpa));
            if (n < 80) { p(Arrays.toString(ia)); p(Arrays.toString(da)); p(Arrays.toString(fa)); p(Arrays.toString(ca).length()); }
            // binary search on sorted (full arrays only)
            if (!ranged) {
                for (int k = 0; k < 5; k++) {
                    int key = n == 0 ? 0 : ia[rnd.nextInt(n)] + rnd.nextInt(3) - 1;
                    p("bs " + Arrays.binarySearch(ia, key) + " " + Arrays.binarySearch(la, (long) key * 1000003L) + " " + Arrays.binarySearch(da, key / 7.0) + " " + Arrays.binarySearch(fa, (float) (key / 7.0)) + " " + Arrays.binarySearch(oa, key)
                        + " " + Arrays.binarySearch(da, -0.0) + " " + Arrays.binarySearch(da, Double.NaN) + " " + Arrays.binarySearch(sa, (short) key) + " " + Arrays.binarySearch(ca, (char) key) + " " + Arrays.binarySearch(ba, (byte) key));
                    try { p("bsr " + Arrays.binarySearch(ia, from, to, key) + " " + Arrays.binarySearch(oa, from, to, key) + " " + Arrays.binarySearch(oa, from, to, key, new Counting())); } catch (RuntimeException e) { p("bsr -> " + ex(e)); }
                }
            }
            // copies and fill
            int nl = rnd.nextInt(n + 5);
            try { p("copyOf " + Arrays.hashCode(Arrays.copyOf(ia, nl)) + " " + Arrays.toString(Arrays.copyOf(stra, Math.min(nl, 10))) + " " + Arrays.copyOf(stra, nl).getClass().getSimpleName() + " " + Arrays.hashCode(Arrays.copyOf(da, nl)) + " " + Arrays.toString(Arrays.copyOf(za, Math.min(nl, 5)))); } catch (RuntimeException e) { p("copyOf -> " + ex(e)); }
            try { p("copyOfRange " + Arrays.toString(Arrays.copyOfRange(ia, from, Math.min(to, from + 8))) + " " + Arrays.toString(Arrays.copyOfRange(oa, from, from + rnd.nextInt(4))) + " " + Arrays.copyOfRange(ca, from, from + rnd.nextInt(3)).length); } catch (RuntimeException e) { p("copyOfRange -> " + ex(e)); }
            try { Arrays.copyOfRange(ia, to, from); p("cor ok"); } catch (RuntimeException e) { p("cor -> " + ex(e)); }
            try { Arrays.fill(ia, from, to, 42); Arrays.fill(oa, from, to, 42); Arrays.fill(da, from, to, 1.5); p("fill " + Arrays.hashCode(ia) + " " + Arrays.hashCode(oa) + " " + Arrays.hashCode(da)); } catch (RuntimeException e) { p("fill -> " + ex(e)); }
            int[] ic = Arrays.copyOf(ia, n);
            p("eq " + Arrays.equals(ia, ic) + " " + Arrays.equals(ia, Arrays.copyOf(ia, n + 1)) + " " + Arrays.equals(da, Arrays.copyOf(da, n)) + " " + Arrays.equals(oa, Arrays.copyOf(oa, n)) + " " + Arrays.equals((int[]) null, null) + " " + Arrays.equals(ia, null));
            if (n > 0) { ic[rnd.nextInt(n)]++; p("neq " + Arrays.equals(ia, ic)); }
            // lists
            List<Integer> al = new ArrayList<Integer>(Arrays.asList(oa));
            List<Integer> ll = new LinkedList<Integer>(al);
            p("lists " + al.equals(ll) + " " + (al.hashCode() == ll.hashCode()) + " " + al.hashCode() + " " + Arrays.asList(oa).hashCode());
            Collections.shuffle(al, new Random(seed)); Collections.shuffle(ll, new Random(seed));
            p("shuf " + al.hashCode() + " " + ll.hashCode() + " " + (n < 30 ? al.toString() : ""));
            Collections.sort(al); Collections.sort(ll, Collections.reverseOrder());
            p("csort " + al.hashCode() + " " + ll.hashCode());
            Collections.reverse(ll);
            p("rev " + al.equals(ll));
            List<P> pl = new LinkedList<P>(Arrays.asList(pa));
            Collections.shuffle(pl, new Random(seed + 1));
            Collections.sort(pl, new ByKey());
            if (n < 60) p("stable " + pl);
            Counting cnt = new Counting();
            Integer[] small = Arrays.copyOf(oa, n);
            Arrays.sort(small, cnt);
            p("cmpcount " + cnt.n);
        }
        // special cases
        p(Arrays.toString((int[]) null) + " " + Arrays.toString(new int[0]) + " " + Arrays.hashCode((int[]) null) + " " + Arrays.toString(new char[] {'a', 'b'}));
        p(Arrays.deepToString(new Object[] {1, new int[] {1, 2}, new String[] {"a", null}, new Object[] {new double[] {0.5}, null}, new long[0], new char[] {'x'}}));
        Object[] self = new Object[2]; self[0] = self; self[1] = new Object[] {self};
        p(Arrays.deepToString(self));
        p(Arrays.deepEquals(new Object[] {new int[] {1}}, new Object[] {new int[] {1}}) + " " + Arrays.deepHashCode(new Object[] {new int[] {1}, "a"}));
        p(Arrays.toString(new float[] {1.5f, -0.0f, Float.NaN}) + Arrays.toString(new double[] {1e10, 1e-5, 100.0}) + Arrays.toString(new boolean[] {true}));
        try { Arrays.sort(new int[3], 2, 1); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.sort(new int[3], -1, 1); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.sort(new int[3], 0, 4); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.copyOf(new int[3], -1); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.copyOf(new String[3], -1); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.asList(1, 2).add(3); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.asList(1, 2).remove(0); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.asList(1, 2).iterator().remove(); } catch (RuntimeException e) { p(ex(e)); }
        try { Arrays.asList(1, 2).get(2); } catch (RuntimeException e) { p(ex(e)); }
        // Objects
        p(Objects.equals(null, null) + " " + Objects.equals("a", "a") + " " + Objects.equals("a", null) + " " + Objects.hash(1, "a", null) + " " + Objects.hash() + " " + Objects.hashCode(null) + " " + Objects.toString(null) + " " + Objects.toString(null, "dflt") + " " + Objects.isNull(null) + " " + Objects.nonNull(null));
        try { Objects.requireNonNull(null, "msg here"); } catch (NullPointerException e) { p(e.getMessage()); }
        try { Objects.requireNonNull(null); } catch (NullPointerException e) { p(e.getMessage()); }
        try { Objects.checkIndex(5, 3); } catch (RuntimeException e) { p(ex(e)); }
        try { Objects.checkIndex(-1, 3); } catch (RuntimeException e) { p(ex(e)); }
        try { Objects.checkFromToIndex(2, 1, 3); } catch (RuntimeException e) { p(ex(e)); }
        try { Objects.checkFromIndexSize(2, 5, 3); } catch (RuntimeException e) { p(ex(e)); }
        p(Objects.requireNonNullElse(null, "e") + " " + Objects.compare("a", "b", Collections.reverseOrder()));
        List<String> cl = new ArrayList<String>();
        p(Collections.addAll(cl, "b", "a", "c") + " " + cl + " " + Collections.max(cl) + Collections.min(cl) + " " + Collections.disjoint(cl, Arrays.asList("x")));
        Collections.fill(cl, "z"); p(cl);
        List<String> dst = new ArrayList<String>(Arrays.asList("1", "2", "3", "4")); Collections.copy(dst, Arrays.asList("a", "b")); p(dst);
        try { Collections.copy(cl, dst); } catch (RuntimeException e) { p(ex(e)); }
        try { Collections.max(new ArrayList<String>()); } catch (RuntimeException e) { p(ex(e)); }
        Comparator<String> rc = Collections.reverseOrder(Collections.<String>reverseOrder());
        List<String> w = new ArrayList<String>(Arrays.asList("d", "b", "c")); w.sort(rc); p(w);
        System.out.print(out);
    }
}
