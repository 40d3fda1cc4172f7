// Records what OpenJDK 17 prints/parses, for vm/tests/jnum_java.rs.
//
//   java --add-opens java.base/jdk.internal.math=ALL-UNNAMED \
//       vm/tests/data/GenDoubles.java > vm/tests/data/jnum_fixture.txt
// (--add-opens lets it read FloatingDecimal's non-toString digits, "E" lines.)
//   java vm/tests/data/GenDoubles.java big COUNT SEED > /tmp/big.txt   (local stress data)
//   java vm/tests/data/GenDoubles.java floathash > /tmp/floathash.txt   (all positive floats)
//
// Line formats (fields separated by one space; strings are escaped so they
// contain no spaces: chars outside '!'..'~' and '\' become \\uXXXX):
//   D <double bits, 16 hex> <Double.toString>
//   F <float bits, 8 hex> <Float.toString>
//   P <input> <parseDouble: 16 hex bits | !message> <parseFloat: 8 hex bits | !message>
//   I <radix> <input> <parseInt: value | !message> <parseLong: value | !message>
//   S <radix> <long value> <Long.toString(v, radix)> <Integer.toString((int) v, radix)>
//   U <long value> <Integer.toBinaryString/OctalString/HexString((int) v)> <Long.toBinaryString/OctalString/HexString(v)>
//   C <char code, hex> <Character.digit(c, 36)>        (only chars with a digit value)
//   E <double bits, 16 hex> <digits> <decimal exponent>  (getBinaryToASCIIConverter(d, false))
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

public class GenDoubles {
    static final StringBuilder out = new StringBuilder();

    static String esc(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '!' || c > '~' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() == 0) {
            return "\\e"; // the empty string
        }
        return b.toString();
    }

    static void d(double v) {
        out.append("D ").append(String.format("%016x", Double.doubleToRawLongBits(v)))
           .append(' ').append(Double.toString(v)).append('\n');
    }

    static void f(float v) {
        out.append("F ").append(String.format("%08x", Float.floatToRawIntBits(v)))
           .append(' ').append(Float.toString(v)).append('\n');
    }

    static void p(String s) {
        out.append("P ").append(esc(s)).append(' ');
        try {
            out.append(String.format("%016x", Double.doubleToRawLongBits(Double.parseDouble(s))));
        } catch (NumberFormatException e) {
            out.append('!').append(esc(e.getMessage()));
        }
        out.append(' ');
        try {
            out.append(String.format("%08x", Float.floatToRawIntBits(Float.parseFloat(s))));
        } catch (NumberFormatException e) {
            out.append('!').append(esc(e.getMessage()));
        }
        out.append('\n');
    }

    static void i(String s, int radix) {
        out.append("I ").append(radix).append(' ').append(esc(s)).append(' ');
        try {
            out.append(Integer.parseInt(s, radix));
        } catch (NumberFormatException e) {
            out.append('!').append(esc(e.getMessage()));
        }
        out.append(' ');
        try {
            out.append(Long.parseLong(s, radix));
        } catch (NumberFormatException e) {
            out.append('!').append(esc(e.getMessage()));
        }
        out.append('\n');
    }

    static void s(long v, int radix) {
        out.append("S ").append(radix).append(' ').append(v).append(' ')
           .append(Long.toString(v, radix)).append(' ')
           .append(Integer.toString((int) v, radix)).append('\n');
    }

    static void u(long v) {
        int iv = (int) v;
        out.append("U ").append(v).append(' ')
           .append(Integer.toBinaryString(iv)).append(' ')
           .append(Integer.toOctalString(iv)).append(' ')
           .append(Integer.toHexString(iv)).append(' ')
           .append(Long.toBinaryString(v)).append(' ')
           .append(Long.toOctalString(v)).append(' ')
           .append(Long.toHexString(v)).append('\n');
    }

    static double randomMagnitude(Random r) {
        int k = r.nextInt(61) - 30;
        return r.nextDouble() * Math.pow(10, k);
    }

    static void doubles(Random r) {
        double[] specials = {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0, -1.0, 0.1, 0.2,
            0.3, 1.0 / 3, 2.0 / 3, 100.0, 1e7, 1e-3, 9999999.999999998, 1e-4, 0.001, 1e21, 1e22,
            1e23, 2e23, 5e-324, 1.7976931348623157e308, Math.PI, Math.E, 123456789.0,
            (double) (1L << 60), 84565566804412192.0, (double) Long.MAX_VALUE,
            (double) Long.MIN_VALUE, 9007199254740993.0, 4.35, 0.3 + 0.6, 2.0E-3, 1.0E-5};
        for (double v : specials) {
            d(v);
            d(Math.nextUp(v));
            d(Math.nextDown(v));
        }
        d(Double.longBitsToDouble(0x7ff8000000000001L));
        d(Double.longBitsToDouble(0xfff0000000000001L));
        // powers of two and their neighbours
        for (int e = -1074; e <= 1023; e++) {
            double v = Math.scalb(1.0, e);
            d(v);
            if (e % 8 == 0) {
                d(Math.nextDown(v));
                d(Math.nextUp(v));
            }
        }
        // powers of ten and neighbours
        for (int e = -324; e <= 308; e++) {
            double v = Double.parseDouble("1e" + e);
            d(v);
            d(Math.nextDown(v));
            d(Math.nextUp(v));
        }
        // random bit patterns
        for (int k = 0; k < 5000; k++) {
            d(Double.longBitsToDouble(r.nextLong()));
        }
        // random magnitudes
        for (int k = 0; k < 3000; k++) {
            d(randomMagnitude(r));
        }
        // integral values, 1e15 .. 1e23 and the long range
        for (int k = 0; k < 2500; k++) {
            long lo = 1_000_000_000_000_000L;
            d((double) (lo + (long) (r.nextDouble() * (Long.MAX_VALUE - (double) lo))));
        }
        for (int k = 0; k < 2000; k++) {
            int e = 50 + r.nextInt(30); // 2^50 .. 2^80: integral
            long m = (1L << 52) | (r.nextLong() & ((1L << 52) - 1));
            d(Math.scalb((double) m, e - 52));
        }
        for (double base : new double[] {1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23,
                Math.scalb(1.0, 53), Math.scalb(1.0, 56), Math.scalb(1.0, 60),
                Math.scalb(1.0, 62), Math.scalb(1.0, 63)}) {
            double v = base;
            for (int k = 0; k < 40; k++) {
                d(v);
                v = Math.nextUp(v);
            }
            v = Math.nextDown(base);
            for (int k = 0; k < 20; k++) {
                d(v);
                v = Math.nextDown(v);
            }
        }
        // short decimals
        for (int k = 0; k < 1500; k++) {
            long digits = r.nextInt(1_000_000);
            int scale = r.nextInt(40) - 20;
            d(Double.parseDouble(digits + "e" + scale));
        }
        // subnormals
        for (long b = 1; b < 200; b++) {
            d(Double.longBitsToDouble(b));
        }
        for (int k = 0; k < 800; k++) {
            d(Double.longBitsToDouble(r.nextLong() & 0x000fffffffffffffL));
        }
        // floats widened
        for (int k = 0; k < 800; k++) {
            d((double) Float.intBitsToFloat(r.nextInt()));
        }
        // negative values of everything random
        for (int k = 0; k < 500; k++) {
            d(-randomMagnitude(r));
        }
    }

    static void floats(Random r) {
        float[] specials = {0.0f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.0f, -1.0f, 0.1f, 0.2f,
            0.3f, 1.0f / 3, 100.0f, 1e7f, 1e-3f, 1e-4f, 9999999.0f, 1.0e10f, 3.4028235e38f,
            (float) Math.PI, 16777216.0f, 16777217.0f, 33554432.0f, 1.17549435E-38f, 1.0E-45f,
            (float) (1L << 60), (float) Long.MAX_VALUE};
        for (float v : specials) {
            f(v);
            f(Math.nextUp(v));
            f(Math.nextDown(v));
        }
        for (int e = -149; e <= 127; e++) {
            float v = Math.scalb(1.0f, e);
            f(v);
            f(Math.nextDown(v));
            f(Math.nextUp(v));
        }
        for (int e = -45; e <= 38; e++) {
            float v = Float.parseFloat("1e" + e);
            f(v);
            f(Math.nextDown(v));
            f(Math.nextUp(v));
        }
        for (int k = 0; k < 4500; k++) {
            f(Float.intBitsToFloat(r.nextInt()));
        }
        for (int k = 0; k < 2000; k++) {
            f((float) randomMagnitude(r));
        }
        for (int k = 0; k < 1500; k++) {
            int e = 20 + r.nextInt(45); // 2^20 .. 2^64
            int m = (1 << 23) | (r.nextInt() & ((1 << 23) - 1));
            f(Math.scalb((float) m, e - 23));
        }
        for (float base : new float[] {1e7f, 1e8f, 1e9f, 1e10f, 1e12f, 1e15f, 1e18f,
                Math.scalb(1.0f, 24), Math.scalb(1.0f, 27), Math.scalb(1.0f, 30),
                Math.scalb(1.0f, 40), Math.scalb(1.0f, 62), Math.scalb(1.0f, 63)}) {
            float v = base;
            for (int k = 0; k < 30; k++) {
                f(v);
                v = Math.nextUp(v);
            }
            v = Math.nextDown(base);
            for (int k = 0; k < 15; k++) {
                f(v);
                v = Math.nextDown(v);
            }
        }
        for (int k = 0; k < 1000; k++) {
            int digits = r.nextInt(100_000);
            int scale = r.nextInt(30) - 15;
            f(Float.parseFloat(digits + "e" + scale));
        }
        for (int b = 1; b < 200; b++) {
            f(Float.intBitsToFloat(b));
        }
        for (int k = 0; k < 500; k++) {
            f(Float.intBitsToFloat(r.nextInt() & 0x007fffff));
        }
    }

    static String mid(BigDecimal a, BigDecimal b) {
        return a.add(b).divide(BigDecimal.valueOf(2)).toString();
    }

    static void parses(Random r) {
        String[] fixed = {"", " ", "  \t\n ", "0", "-0", "+0", "0.0", "-0.0", "00", ".0", "0.",
            ".", "-.", "+.", "-", "+", "1", "-1", "+1", "1.", ".5", "-.5", "+.5", "1.5", "1..5",
            "1.2.3", "..", "1.5.", "1e5", "1E5", "1e+5", "1e-5", "1e", "1e+", "1e-", "1e5.5",
            "1e5e5", "e5", ".e5", "0.e5", "1ee5", "1e5f", "1e5F", "1e5d", "1e5D", "1f", "1d", "1F",
            "1D", "1fd", "1df", "1.0f ", " 1.0d", "f", "d", "1x", "1 2", "NaN", "+NaN", "-NaN",
            "NaNd", "nan", "NAN", "NaN ", " NaN", "Infinity", "-Infinity", "+Infinity",
            "infinity", "Infinityf", "Inf", "INFINITY", "-", "--1", "+-1", "1-", "0x", "0x1",
            "0x1p", "0x1p1", "0X1P1", "0x1.8p3", "-0x1.8p3", "+0x1.8P3", "0x.8p1", "0x1.p1",
            "0x.p1", "0xp1", "0x1p+1", "0x1p-1", "0x1p1f", "0x1p1d", "0x1p1x", "0x1.8p3 ",
            " 0x1.8p3", "0x1.8p", "0x1.8p+", "0x1.8", "0xg.8p3", "0x1.8p3.5", "0x0p0", "-0x0p0",
            "0x0.000p99999999999", "0x1p99999999999", "0x1p-99999999999", "-0x1p99999999999",
            "-0x1p-99999999999", "0x1p2147483647", "0x1p2147483648", "0x1p-2147483648",
            "0x1p-2147483647", "0x1p-1074", "0x1p-1075", "0x1.0000000000001p-1075",
            "0x1p-1076", "0x1.fffffffffffffp1023", "0x1.fffffffffffff7ffp1023",
            "0x1.fffffffffffff8p1023", "0x1p1024", "0x1p-149", "0x1p-150", "0x1.000002p-150",
            "0x1.fffffep127", "0x1.ffffffp127", "0x1.fffffefffffffffp127", "0x1p128",
            "0x0.0000000000000000000000000001p0", "0x123456789abcdef0123456789p0",
            "0x1.00000000000008p0", "0x1.00000000000008000000000001p0",
            "0x1.00000000000018p0", "0x1.000001p0", "0x1.0000010000000001p0", "0x1.000003p0",
            "0x00000000000000000000000001p0", "0x1P-1022", "0x0.fffffffffffffp-1022",
            "0x0.fffffffffffff8p-1022", "0x1.fffffcp-127", "0x1.fffffep-127",
            "1e308", "1.7976931348623157e308", "1.7976931348623158e308",
            "1.7976931348623159e308", "1e309", "2e308", "4.9e-324", "2.5e-324", "2.4703282292062327e-324",
            "2.4703282292062328e-324", "2.47032822920623272e-324", "1e-324", "1e-400", "1e400",
            "-1e400", "-1e-400", "3.4028235e38", "3.4028236e38", "3.40282356779733661637539395458142568448e38",
            "3.40282356779733661637539395458142568447e38", "1.4e-45", "7.0e-46",
            "7.006492321624085e-46", "7.006492321624086e-46", "1e-46", "1e39",
            "0.000000000000000000000000000000000000000000000000000000000000000000000001",
            "100000000000000000000000000000000000000000000000000000000000000000000000000",
            "1e2147483647", "1e2147483648", "1e-2147483648", "1e-2147483649",
            "1e99999999999999999999", "1e-99999999999999999999", "0e99999999999999999999",
            "0.0000000000000000000000000000001e99999999999999999999",
            "100000000000000000000e-99999999999999999999", "123456789012345678901234567890",
            "9007199254740993", "9007199254740992.5", "9007199254740993.0000000000000001",
            "2.2250738585072012e-308", "2.2250738585072011e-308", "2.2250738585072014E-308",
            "1.00000017881393432617187499", "1.000000178813934326171875",
            "1.00000017881393432617187501", "0.1", "0.2", "0.3", "3.14159", "1.0E-5",
            "\u00a01", "1\u00a0", "\u0661", "\uff11", "1\u0000", "\u00001", "\u001f1\u001f",
            "\t-1.5e3\n", "1_000", "1,5", "١٢٣", "0x1.8p3\u0000", "+-0", "-+0", "0-", "00x1p1",
            "0xx1p1", "-0x", "0x-1p1", "1.0e+00001", "1.0e-00001", "000000000001.5000000000"};
        for (String s : fixed) {
            p(s);
        }
        // long decimal strings
        StringBuilder sb = new StringBuilder("0.");
        for (int k = 0; k < 1200; k++) sb.append((char) ('0' + (k % 10)));
        p(sb.toString());
        p("1" + "0".repeat(400) + "e-400");
        p("1" + "0".repeat(400) + "1e-400");
        p("0." + "0".repeat(400) + "1e400");
        p("0." + "0".repeat(400) + "1e80");
        p("4.9406564584124654" + "0".repeat(800) + "1e-324");
        p("2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324");
        p("2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125001e-324");
        // exact midpoints between adjacent doubles, and nearby strings
        for (int k = 0; k < 120; k++) {
            double v;
            switch (k % 4) {
                case 0: v = Double.longBitsToDouble(r.nextLong() & 0x7fffffffffffffffL); break;
                case 1: v = randomMagnitude(r); break;
                case 2: v = Double.longBitsToDouble(r.nextLong() & 0x000fffffffffffffL); break;
                default: v = Math.scalb(1.0, r.nextInt(2098) - 1074); break;
            }
            if (Double.isNaN(v) || Double.isInfinite(v) || v == Double.MAX_VALUE) continue;
            BigDecimal a = new BigDecimal(v), b = new BigDecimal(Math.nextUp(v));
            BigDecimal m = a.add(b).divide(BigDecimal.valueOf(2));
            p(m.toString());
            BigDecimal tiny = m.ulp().movePointLeft(3);
            p(m.add(tiny).toString());
            p(m.subtract(tiny).toString());
            p(m.round(new java.math.MathContext(17)).toString());
            p(Double.toString(v));
            p(Double.toString(-v) + (k % 2 == 0 ? "d" : ""));
        }
        // exact midpoints between adjacent floats
        for (int k = 0; k < 600; k++) {
            float v;
            switch (k % 4) {
                case 0: v = Float.intBitsToFloat(r.nextInt() & 0x7fffffff); break;
                case 1: v = (float) randomMagnitude(r); break;
                case 2: v = Float.intBitsToFloat(r.nextInt() & 0x007fffff); break;
                default: v = Math.scalb(1.0f, r.nextInt(277) - 149); break;
            }
            if (Float.isNaN(v) || Float.isInfinite(v) || v == Float.MAX_VALUE) continue;
            BigDecimal a = new BigDecimal(v), b = new BigDecimal(Math.nextUp(v));
            BigDecimal m = a.add(b).divide(BigDecimal.valueOf(2));
            p(m.toString());
            BigDecimal tiny = m.ulp().movePointLeft(3);
            p(m.add(tiny).toString());
            p(m.subtract(tiny).toString());
            p(m.round(new java.math.MathContext(9)).toString());
            p(m.round(new java.math.MathContext(12)).toString());
            p(Float.toString(v) + (k % 2 == 0 ? "f" : ""));
        }
        // random hex literals
        String hex = "0123456789abcdefABCDEF";
        for (int k = 0; k < 800; k++) {
            StringBuilder h = new StringBuilder(r.nextBoolean() ? "0x" : "-0X");
            int n = 1 + r.nextInt(20);
            int point = r.nextInt(n + 3);
            for (int j = 0; j < n; j++) {
                if (j == point) h.append('.');
                h.append(hex.charAt(r.nextInt(hex.length())));
            }
            h.append(r.nextBoolean() ? 'p' : 'P');
            int range = (k % 3 == 0) ? 40 : 2400;
            h.append(r.nextInt(range) - range / 2 - (k % 5 == 0 ? 1000 : 0));
            p(h.toString());
        }
        // random garbage from the literal alphabet
        String alpha = "0123456789.eE+-xXpPfFdDaN I\t";
        for (int k = 0; k < 1500; k++) {
            StringBuilder g = new StringBuilder();
            int n = 1 + r.nextInt(8);
            for (int j = 0; j < n; j++) g.append(alpha.charAt(r.nextInt(alpha.length())));
            p(g.toString());
        }
        // random decimal-ish strings
        for (int k = 0; k < 1000; k++) {
            StringBuilder g = new StringBuilder();
            if (r.nextInt(4) == 0) g.append(r.nextBoolean() ? '-' : '+');
            int n = 1 + r.nextInt(25);
            int point = r.nextInt(n + 5);
            for (int j = 0; j < n; j++) {
                if (j == point) g.append('.');
                g.append((char) ('0' + r.nextInt(10)));
            }
            if (r.nextBoolean()) {
                g.append(r.nextBoolean() ? 'e' : 'E').append(r.nextInt(700) - 350);
            }
            if (r.nextInt(5) == 0) g.append("fFdD".charAt(r.nextInt(4)));
            p(g.toString());
        }
    }

    static void ints(Random r) {
        String[] fixed = {"", "0", "-0", "+0", "1", "-1", "+1", "-", "+", "--1", "+-1", " 1",
            "1 ", "2147483647", "2147483648", "-2147483648", "-2147483649", "+2147483647",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "-9223372036854775809", "99999999999999999999", "00000000000000000000000000001",
            "abc", "ABC", "ff", "FF", "-ff", "7fffffff", "80000000", "-80000000", "ffffffff",
            "7fffffffffffffff", "8000000000000000", "-8000000000000000", "zz", "ZZ", "-zz",
            "1y2p0ij32e8e7", "1y2p0ij32e8e8", "-1y2p0ij32e8e8", "-1y2p0ij32e8e9", "zik0zj",
            "zik0zk", "-zik0zk", "-zik0zl", "101", "102", "1111111111111111111111111111111",
            "11111111111111111111111111111111", "-10000000000000000000000000000000",
            "\u0661\u0662\u0663", "\uff11\uff12", "\uff21", "\uff41", "\uff3a", "\u0966",
            "\u00b2", "\u2167", "1\u0000", "\ud835\udfce", "1.0", "1e3", "0x10", "#10",
            "\u0660", "\u1040\u1049", "\uabf9", "\u19da", "-\u0661", "+\uff10"};
        int[] radixes = {10, 2, 8, 16, 36, 1, 37, -1, 3};
        for (String s : fixed) {
            for (int radix : radixes) {
                i(s, radix);
            }
        }
        String alpha = "0123456789abcxyzABCXYZ+- ";
        for (int k = 0; k < 700; k++) {
            StringBuilder g = new StringBuilder();
            int n = r.nextInt(12);
            for (int j = 0; j < n; j++) g.append(alpha.charAt(r.nextInt(alpha.length())));
            i(g.toString(), 2 + r.nextInt(35));
        }
        for (int k = 0; k < 500; k++) {
            long v;
            switch (k % 3) {
                case 0: v = r.nextLong(); break;
                case 1: v = r.nextInt(); break;
                default: v = r.nextLong() >> r.nextInt(64); break;
            }
            int radix = 2 + r.nextInt(35);
            String str = Long.toString(v, radix);
            i(str, radix);
            i(Long.toString(v, 10), 10);
            if (k % 10 == 0) i(str.toUpperCase(), radix);
        }
    }

    static void tostrings(Random r) {
        long[] fixed = {0, 1, -1, 10, -10, 35, 36, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Long.MAX_VALUE, Long.MIN_VALUE, 255, -255, 1L << 32, (1L << 32) - 1};
        int[] radixes = {10, 2, 8, 16, 36, 1, 0, 37, -5, 3, 7};
        for (long v : fixed) {
            for (int radix : radixes) s(v, radix);
            u(v);
        }
        for (int k = 0; k < 300; k++) {
            long v = k % 2 == 0 ? r.nextLong() : r.nextLong() >> r.nextInt(64);
            s(v, 2 + r.nextInt(35));
            s(v, 10);
            u(v);
        }
    }

    static void chars() {
        for (int c = 0; c < 0x10000; c++) {
            int dg = Character.digit((char) c, 36);
            if (dg >= 0) {
                out.append("C ").append(Integer.toHexString(c)).append(' ').append(dg).append('\n');
            }
        }
    }

    static void formatterDigits(Random r) throws Exception {
        java.lang.reflect.Method conv;
        Class<?> ic = Class.forName("jdk.internal.math.FloatingDecimal$BinaryToASCIIConverter");
        try {
            conv = Class.forName("jdk.internal.math.FloatingDecimal")
                .getDeclaredMethod("getBinaryToASCIIConverter", double.class, boolean.class);
            conv.setAccessible(true);
        } catch (RuntimeException e) {
            System.err.println("run with --add-opens java.base/jdk.internal.math=ALL-UNNAMED: " + e);
            System.exit(1);
            return;
        }
        java.lang.reflect.Method getDigits = ic.getMethod("getDigits", char[].class);
        java.lang.reflect.Method getExp = ic.getMethod("getDecimalExponent");
        char[] buf = new char[32];
        List<Double> values = new ArrayList<>();
        for (int e = -30; e <= 30; e++) values.add(Double.parseDouble("1e" + e));
        values.add(Double.MIN_VALUE);
        values.add(Double.MAX_VALUE);
        values.add(Double.MIN_NORMAL);
        values.add(-0.0);
        values.add(0.0);
        for (int k = 0; k < 2500; k++) {
            switch (k % 4) {
                case 0: values.add(Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL)); break;
                case 1: values.add(randomMagnitude(r)); break;
                case 2: values.add((double) r.nextInt(1_000_000_000) / 1000); break;
                default: values.add((double) (r.nextLong() >>> r.nextInt(40))); break;
            }
        }
        for (double v : values) {
            Object c = conv.invoke(null, v, false);
            int n = (int) getDigits.invoke(c, (Object) buf);
            int e = (int) getExp.invoke(c);
            out.append("E ").append(String.format("%016x", Double.doubleToRawLongBits(v)))
               .append(' ').append(new String(buf, 0, n)).append(' ').append(e).append('\n');
        }
    }

    static void big(long count, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder();
        java.io.PrintStream ps = new java.io.PrintStream(
            new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false);
        for (long k = 0; k < count; k++) {
            double v;
            switch ((int) (k % 5)) {
                case 0: v = Double.longBitsToDouble(r.nextLong()); break;
                case 1: v = randomMagnitude(r); break;
                case 2: v = (double) (1_000_000_000_000_000L + (long) (r.nextDouble() * 9.0e18)); break;
                case 3: v = Math.scalb((double) ((1L << 52) | (r.nextLong() & ((1L << 52) - 1))), r.nextInt(40) + 1); break;
                default: {
                    float fv = Float.intBitsToFloat(r.nextInt());
                    ps.append("F ").append(String.format("%08x", Float.floatToRawIntBits(fv)))
                      .append(' ').append(Float.toString(fv)).append('\n');
                    v = Double.parseDouble((r.nextInt(100000000)) + "e" + (r.nextInt(60) - 30));
                }
            }
            ps.append("D ").append(String.format("%016x", Double.doubleToRawLongBits(v)))
              .append(' ').append(Double.toString(v)).append('\n');
        }
        ps.flush();
    }

    /** FNV-1a (64 bit) over the chars of Float.toString(f) + '\n' for every
     *  positive finite float, one hash per block of 2^23 bit patterns. */
    static void floatHash() {
        for (int block = 0; block < 255; block++) {
            long h = 0xcbf29ce484222325L;
            for (int b = block << 23, end = (block + 1) << 23; b < end; b++) {
                String s = Float.toString(Float.intBitsToFloat(b));
                for (int k = 0; k < s.length(); k++) {
                    h = (h ^ s.charAt(k)) * 0x100000001b3L;
                }
                h = (h ^ '\n') * 0x100000001b3L;
            }
            System.out.println(block + " " + Long.toHexString(h));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("floathash")) {
            floatHash();
            return;
        }
        if (args.length == 3 && args[0].equals("big")) {
            big(Long.parseLong(args[1]), Long.parseLong(args[2]));
            return;
        }
        Random r = new Random(20240917L);
        doubles(r);
        floats(r);
        parses(r);
        ints(r);
        tostrings(r);
        chars();
        formatterDigits(r);
        System.out.print(out);
    }
}
