package PKG;

import java.util.*;

public class ListDriver {
    static StringBuilder out = new StringBuilder();
    static Random rnd;

    static void p(Object o) { out.append(o).append('\n'); }

    static String ex(Throwable e) {
        if (e instanceof NullPointerException) return "NPE";
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static Integer val() {
        int r = rnd.nextInt(20);
        if (r == 0 && allowNull) return null;
        return rnd.nextInt(10);
    }
    static boolean allowNull;

    static int idx(List<Integer> l) {
        int n = l.size();
        int r = rnd.nextInt(10);
        if (r == 0) return -1 - rnd.nextInt(2);
        if (r == 1) return n + rnd.nextInt(2);
        return n == 0 ? 0 : rnd.nextInt(n);
    }

    static List<Integer> newList(int kind) {
        switch (kind) {
            case 0: return new ArrayList<Integer>();
            case 1: return new LinkedList<Integer>();
            case 2: return new ArrayList<Integer>(3);
            default: return new LinkedList<Integer>(Arrays.asList(1, 2, 3));
        }
    }

    static List<Integer> small() {
        List<Integer> c = new ArrayList<Integer>();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) c.add(rnd.nextInt(10));
        return c;
    }

    static void ops(List<Integer> l, int steps, boolean nested) {
        for (int s = 0; s < steps; s++) {
            int op = rnd.nextInt(nested ? 34 : 40);
            try {
                switch (op) {
                    case 0: case 1: case 2: p("add " + l.add(val())); break;
                    case 3: { int i = idx(l); Integer v = val(); l.add(i, v); p("addAt " + i); break; }
                    case 4: { int i = idx(l); p("get " + i + " " + l.get(i)); break; }
                    case 5: { int i = idx(l); p("set " + i + " " + l.set(i, val())); break; }
                    case 6: { int i = idx(l); p("removeAt " + i + " " + l.remove(i)); break; }
                    case 7: { Integer v = val(); p("removeObj " + v + " " + l.remove(v)); break; }
                    case 8: { Integer v = val(); p("indexOf " + l.indexOf(v) + " " + l.lastIndexOf(v) + " " + l.contains(v)); break; }
                    case 9: p("size " + l.size() + " " + l.isEmpty() + " " + l); break;
                    case 10: p("hash " + l.hashCode()); break;
                    case 11: { List<Integer> c = new ArrayList<Integer>(l); p("eq " + l.equals(c) + " " + c.equals(l) + " " + l.equals(new LinkedList<Integer>(l)) + " " + l.equals(small()) + " " + l.equals("x")); break; }
                    case 12: { List<Integer> c = small(); p("addAll " + l.addAll(c)); break; }
                    case 13: { int i = idx(l); List<Integer> c = small(); p("addAllAt " + i + " " + l.addAll(i, c)); break; }
                    case 14: { List<Integer> c = small(); p("removeAll " + c + " " + l.removeAll(c)); break; }
                    case 15: { List<Integer> c = small(); c.add(rnd.nextInt(10)); p("retainAll " + c + " " + l.retainAll(c)); break; }
                    case 16: { List<Integer> c = small(); p("containsAll " + l.containsAll(c)); break; }
                    case 17: { Iterator<Integer> it = l.iterator(); StringBuilder b = new StringBuilder("iter");
                        while (it.hasNext()) { Integer x = it.next(); b.append(' ').append(x); if (x != null && x % 3 == 0) { it.remove(); b.append('r'); } }
                        p(b); break; }
                    case 18: { ListIterator<Integer> it = l.listIterator(rnd.nextInt(l.size() + 3) - 1); StringBuilder b = new StringBuilder("litr");
                        for (int k = 0; k < 8; k++) {
                            int o = rnd.nextInt(7);
                            try {
                                if (o == 0) b.append(" n").append(it.next());
                                else if (o == 1) b.append(" p").append(it.previous());
                                else if (o == 2) { it.set(val()); b.append(" s"); }
                                else if (o == 3) { it.add(val()); b.append(" a"); }
                                else if (o == 4) { it.remove(); b.append(" r"); }
                                else b.append(" i").append(it.nextIndex()).append(',').append(it.previousIndex()).append(it.hasNext()).append(it.hasPrevious());
                            } catch (RuntimeException e) { b.append(" [").append(ex(e)).append(']'); }
                        }
                        p(b + " " + l); break; }
                    case 19: { Object[] a = l.toArray(); p("toArray " + a.length + " " + Arrays.toString(a)); break; }
                    case 20: { Integer[] a = new Integer[rnd.nextInt(6)]; Arrays.fill(a, 77); Integer[] r = l.toArray(a); p("toArrayT " + (r == a) + " " + Arrays.toString(r) + " " + r.getClass().getSimpleName()); break; }
                    case 21: { if (!allowNull) { l.sort(null); p("sort " + l); } break; }
                    case 22: { if (!allowNull) { l.sort(Collections.reverseOrder()); p("sortRev " + l); } break; }
                    case 23: { if (!allowNull) { Collections.sort(l, new ModCmp()); p("sortMod " + l); } break; }
                    case 24: { Collections.reverse(l); p("reverse " + l); break; }
                    case 25: { Collections.shuffle(l, new Random(rnd.nextInt(100))); p("shuffle " + l); break; }
                    case 26: { int i = idx(l), j = idx(l); Collections.swap(l, i, j); p("swap " + l); break; }
                    case 27: { if (!allowNull) p("maxmin " + Collections.max(l) + " " + Collections.min(l) + " " + Collections.max(l, new ModCmp()) + " " + Collections.min(l, new ModCmp())); break; }
                    case 28: { p("freq " + Collections.frequency(l, val())); break; }
                    case 29: { if (!allowNull) { Collections.sort(l); Integer v = rnd.nextInt(12); p("bsearch " + v + " " + Collections.binarySearch(l, v) + " " + l); } break; }
                    case 30: { Collections.rotate(l, rnd.nextInt(7) - 3); p("rotate " + l); break; }
                    case 31: { List<Integer> u = Collections.unmodifiableList(l); p("unmod " + u + " " + u.hashCode() + " " + u.equals(l)); u.add(1); break; }
                    case 32: { for (Integer x : l) { if (x != null && x == 5) l.add(5); } p("foreach ok"); break; }
                    case 33: { for (Integer x : l) { if (x != null && x == 4) l.remove(x); } p("foreach2 ok " + l); break; }
                    case 34: case 35: case 36: { int a = idx(l), b = idx(l); List<Integer> sub = l.subList(Math.min(a, b), Math.max(a, b)); p("subList " + sub); ops(sub, 6, true); p("after sub " + l); break; }
                    case 37: { int a = idx(l), b = idx(l); l.subList(Math.min(a, b), Math.max(a, b)).clear(); p("subClear " + l); break; }
                    case 38: { int a = idx(l), b = idx(l); List<Integer> sub = l.subList(Math.min(a, b), Math.max(a, b)); l.add(1); p("sub CME " + sub.size()); break; }
                    case 39: { if (rnd.nextInt(5) == 0) { l.clear(); p("clear " + l); } break; }
                }
            } catch (RuntimeException e) {
                p("  -> " + ex(e));
            }
        }
    }

    static class ModCmp implements Comparator<Integer> {
        public int compare(Integer a, Integer b) { return Integer.compare(a % 3, b % 3); }
    }

    public static void main(String[] args) {
        int runs = Integer.parseInt(args[0]);
        for (int seed = 0; seed < runs; seed++) {
            rnd = new Random(seed);
            allowNull = seed % 4 == 3;
            int kind = seed % 4;
            List<Integer> l = newList(kind);
            p("== seed " + seed + " kind " + kind);
            ops(l, 60, false);
            p("final " + l);
        }
        // fixed-size and unmodifiable lists
        for (int seed = 0; seed < runs / 4; seed++) {
            rnd = new Random(1000 + seed);
            allowNull = false;
            Integer[] arr = {5, 3, 8, 1, 9, 2};
            List<Integer> l = Arrays.asList(arr);
            p("== asList seed " + seed);
            ops(l, 30, true);
            p("arr " + Arrays.toString(arr));
            List<Integer> e = Collections.emptyList();
            p(e + " " + e.size() + " " + e.hashCode() + " " + e.equals(new ArrayList<Integer>()));
            List<String> s = Collections.singletonList("x");
            p(s + " " + s.hashCode() + " " + s.contains("x"));
            List<String> nc = Collections.nCopies(rnd.nextInt(5), "ab");
            p(nc + " " + nc.hashCode() + " " + nc.indexOf("ab") + " " + nc.lastIndexOf("ab"));
            try { e.get(0); } catch (RuntimeException x) { p(ex(x)); }
            try { s.get(1); } catch (RuntimeException x) { p(ex(x)); }
            try { s.add("y"); } catch (RuntimeException x) { p(ex(x)); }
            try { nc.get(7); } catch (RuntimeException x) { p(ex(x)); }
            try { Collections.nCopies(-1, "a"); } catch (RuntimeException x) { p(ex(x)); }
            List<Integer> lo = List.of(3, 1, 2);
            p(lo + " " + lo.hashCode() + " " + lo.equals(Arrays.asList(3, 1, 2)));
            try { lo.add(1); } catch (RuntimeException x) { p(ex(x)); }
            try { lo.set(0, 1); } catch (RuntimeException x) { p(ex(x)); }
        }
        // replaceAll / indexOfSubList / emptyIterator
        for (int seed = 0; seed < runs / 4; seed++) {
            rnd = new Random(9000 + seed);
            allowNull = true;
            List<Integer> a = newList(seed % 2);
            for (int i = rnd.nextInt(30); i > 0; i--) a.add(rnd.nextInt(4));
            List<Integer> t = new ArrayList<Integer>();
            for (int i = rnd.nextInt(4); i > 0; i--) t.add(rnd.nextInt(4));
            Integer from = val(), to = val();
            p("sublist " + a + " " + t + " " + Collections.indexOfSubList(a, t) + " " + Collections.lastIndexOfSubList(a, t)
                + " replace " + Collections.replaceAll(a, from, to) + " " + a);
        }
        try { Collections.emptyIterator().next(); } catch (RuntimeException e) { p(ex(e)); }
        try { Collections.emptyIterator().remove(); } catch (RuntimeException e) { p(ex(e)); }
        try { Collections.emptyListIterator().previous(); } catch (RuntimeException e) { p(ex(e)); }
        // iterators of the special lists
        List<String> el = Collections.emptyList();
        List<String> sl = Collections.singletonList("a");
        List<String> cl = Collections.nCopies(1, "a");
        for (int k = 0; k < 3; k++) {
            List<String> l = k == 0 ? el : k == 1 ? sl : cl;
            try { l.iterator().next(); p("ok"); } catch (RuntimeException e) { p(ex(e)); }
            try { l.iterator().remove(); } catch (RuntimeException e) { p(ex(e)); }
            try { Iterator<String> it = l.iterator(); it.next(); it.next(); } catch (RuntimeException e) { p(ex(e)); }
            try { Iterator<String> it = l.iterator(); it.next(); it.remove(); } catch (RuntimeException e) { p(ex(e)); }
            try { l.listIterator().previous(); } catch (RuntimeException e) { p(ex(e)); }
            try { l.listIterator().set("x"); } catch (RuntimeException e) { p(ex(e)); }
            try { l.listIterator().add("x"); } catch (RuntimeException e) { p(ex(e)); }
            try { l.listIterator().remove(); } catch (RuntimeException e) { p(ex(e)); }
            try { ListIterator<String> it = l.listIterator(); p(it.nextIndex() + " " + it.previousIndex() + it.hasNext() + it.hasPrevious()); it.next(); it.set("b"); } catch (RuntimeException e) { p(ex(e)); }
            try { l.listIterator(0).next(); p("ok"); } catch (RuntimeException e) { p(ex(e)); }
            try { l.listIterator(2); } catch (RuntimeException e) { p(ex(e)); }
            try { l.get(1); } catch (RuntimeException e) { p(ex(e)); }
            try { l.subList(0, 1); p("sub ok"); } catch (RuntimeException e) { p(ex(e)); }
        }
        // List.of / List.copyOf (immutable)
        for (int seed = 0; seed < runs / 2; seed++) {
            rnd = new Random(5000 + seed);
            allowNull = seed % 2 == 0;
            int n = rnd.nextInt(6);
            Integer[] vals = new Integer[n];
            for (int i = 0; i < n; i++) vals[i] = rnd.nextInt(10);
            List<Integer> l = seed % 3 == 0 ? List.copyOf(new ArrayList<Integer>(Arrays.asList(vals))) : List.of(vals);
            p("== List.of seed " + seed + " " + l);
            ops(l, 30, true);
            try { p("sub " + l.subList(0, n / 2) + " " + l.subList(0, n / 2).hashCode()); l.subList(0, n / 2).get(n); } catch (RuntimeException e) { p(ex(e)); }
            try { p(List.copyOf(l) == l); } catch (RuntimeException e) { p(ex(e)); }
            try { l.listIterator(n + 1); } catch (RuntimeException e) { p(ex(e)); }
            try { l.clear(); } catch (RuntimeException e) { p(ex(e)); }
        }
        System.out.print(out);
    }
}
