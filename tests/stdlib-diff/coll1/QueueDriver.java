package PKG;

import java.util.*;

public class QueueDriver {
    static StringBuilder out = new StringBuilder();
    static Random rnd;

    static void p(Object o) { out.append(o).append('\n'); }

    static String ex(Throwable e) {
        if (e instanceof NullPointerException) return "NPE";
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static Integer val() {
        if (rnd.nextInt(30) == 0) return null;
        return rnd.nextInt(50);
    }

    static List<Integer> small() {
        List<Integer> c = new ArrayList<Integer>();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) c.add(rnd.nextInt(50));
        return c;
    }

    static void dequeOps(Deque<Integer> d, int steps) {
        for (int s = 0; s < steps; s++) {
            int op = rnd.nextInt(30);
            try {
                switch (op) {
                    case 0: case 1: d.addFirst(val()); p("addFirst"); break;
                    case 2: case 3: d.addLast(val()); p("addLast"); break;
                    case 4: p("offerFirst " + d.offerFirst(val())); break;
                    case 5: p("offerLast " + d.offerLast(val())); break;
                    case 6: p("removeFirst " + d.removeFirst()); break;
                    case 7: p("removeLast " + d.removeLast()); break;
                    case 8: p("pollFirst " + d.pollFirst() + " pollLast " + d.pollLast()); break;
                    case 9: p("getFirst " + d.getFirst() + " getLast " + d.getLast()); break;
                    case 10: p("peek " + d.peekFirst() + " " + d.peekLast() + " " + d.peek()); break;
                    case 11: { Integer v = val(); p("rfo " + d.removeFirstOccurrence(v) + " rlo " + d.removeLastOccurrence(v)); break; }
                    case 12: p("add " + d.add(val()) + " offer " + d.offer(val())); break;
                    case 13: p("remove " + d.remove() + " poll " + d.poll()); break;
                    case 14: p("element " + d.element()); break;
                    case 15: d.push(val()); p("push"); break;
                    case 16: p("pop " + d.pop()); break;
                    case 17: { Integer v = val(); p("removeObj " + d.remove(v) + " contains " + d.contains(v)); break; }
                    case 18: p("size " + d.size() + " " + d.isEmpty() + " " + d); break;
                    case 19: { Iterator<Integer> it = d.iterator(); StringBuilder b = new StringBuilder("it");
                        while (it.hasNext()) { Integer x = it.next(); b.append(' ').append(x); if (x % 3 == 0) { it.remove(); b.append('r'); } }
                        p(b + " " + d); break; }
                    case 20: { Iterator<Integer> it = d.descendingIterator(); StringBuilder b = new StringBuilder("dit");
                        while (it.hasNext()) { Integer x = it.next(); b.append(' ').append(x); if (x % 4 == 0) { it.remove(); b.append('r'); } }
                        p(b + " " + d); break; }
                    case 21: p("addAll " + d.addAll(small()) + " " + d); break;
                    case 22: p("removeAll " + d.removeAll(small()) + " " + d); break;
                    case 23: { List<Integer> c = small(); c.add(rnd.nextInt(50)); p("retainAll " + d.retainAll(c) + " " + d); break; }
                    case 24: p("toArray " + Arrays.toString(d.toArray()) + " " + Arrays.toString(d.toArray(new Integer[rnd.nextInt(4)]))); break;
                    case 25: { for (Integer x : d) { if (x == 7) d.addLast(8); } p("foreach ok " + d); break; }
                    case 26: { Iterator<Integer> it = d.iterator(); it.remove(); break; }
                    case 27: { Iterator<Integer> it = d.iterator(); while (it.hasNext()) it.next(); it.next(); break; }
                    case 28: if (rnd.nextInt(4) == 0) { d.clear(); p("clear " + d); } break;
                    case 29: { for (int k = 0; k < 20; k++) d.addLast(k); p("bulk " + d.size()); break; }
                }
            } catch (RuntimeException e) {
                p("  -> " + ex(e));
            }
        }
    }

    static class Rev implements Comparator<Integer> {
        public int compare(Integer a, Integer b) { return b.compareTo(a); }
    }
    static class Mod implements Comparator<Integer> {
        public int compare(Integer a, Integer b) { return Integer.compare(a % 7, b % 7); }
    }

    static void pqOps(PriorityQueue<Integer> q, int steps) {
        for (int s = 0; s < steps; s++) {
            int op = rnd.nextInt(16);
            try {
                switch (op) {
                    case 0: case 1: case 2: case 3: p("offer " + q.offer(val()) + " " + q); break;
                    case 4: p("add " + q.add(val())); break;
                    case 5: case 6: p("poll " + q.poll() + " " + q); break;
                    case 7: p("peek " + q.peek() + " size " + q.size()); break;
                    case 8: p("remove " + q.remove() + " element " + q.element()); break;
                    case 9: { Integer v = val(); p("removeObj " + v + " " + q.remove(v) + " " + q + " " + q.contains(v)); break; }
                    case 10: { Iterator<Integer> it = q.iterator(); StringBuilder b = new StringBuilder("it");
                        while (it.hasNext()) { Integer x = it.next(); b.append(' ').append(x); if (x % 3 == 0) { it.remove(); b.append('r'); } }
                        p(b + " " + q); break; }
                    case 11: p("addAll " + q.addAll(small()) + " " + q); break;
                    case 12: p("removeAll " + q.removeAll(small()) + " " + q); break;
                    case 13: p("toArray " + Arrays.toString(q.toArray()) + " " + Arrays.toString(q.toArray(new Integer[2]))); break;
                    case 14: { for (Integer x : q) { if (x == 7) q.add(8); } p("foreach ok"); break; }
                    case 15: { PriorityQueue<Integer> c = new PriorityQueue<Integer>(q); StringBuilder b = new StringBuilder("drain");
                        while (!c.isEmpty()) b.append(' ').append(c.poll()); p(b); break; }
                }
            } catch (RuntimeException e) {
                p("  -> " + ex(e));
            }
        }
    }

    public static void main(String[] args) {
        int runs = Integer.parseInt(args[0]);
        for (int seed = 0; seed < runs; seed++) {
            rnd = new Random(seed);
            Deque<Integer> d = seed % 2 == 0 ? new ArrayDeque<Integer>(seed % 5) : new LinkedList<Integer>();
            p("== deque " + seed);
            dequeOps(d, 80);
            p("final " + d);
        }
        for (int seed = 0; seed < runs; seed++) {
            rnd = new Random(seed);
            PriorityQueue<Integer> q;
            switch (seed % 4) {
                case 0: q = new PriorityQueue<Integer>(); break;
                case 1: q = new PriorityQueue<Integer>(new Rev()); break;
                case 2: q = new PriorityQueue<Integer>(3, new Mod()); break;
                default: q = new PriorityQueue<Integer>(small()); break;
            }
            p("== pq " + seed);
            pqOps(q, 80);
            p("final " + q);
        }
        try { new PriorityQueue<Integer>(0); } catch (RuntimeException e) { p(ex(e)); }
        System.out.print(out);
    }
}
