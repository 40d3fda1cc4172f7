// Records OpenJDK 17 values for vm/tests/misc_java.rs:
//   "fd <doubleBits hex> <digits> <decExp>"  FloatingDecimal digits as java.util.Formatter uses them
//   "log <bits hex> <StrictMath.log bits hex>"
// Run: javac --add-exports java.base/jdk.internal.math=ALL-UNNAMED GenMisc.java &&
//      java --add-opens java.base/jdk.internal.math=ALL-UNNAMED GenMisc > misc_fixture.txt
import java.lang.reflect.*;
import java.util.Random;
public class GenMisc {
  public static void main(String[] a) throws Exception {
    Class<?> fd = Class.forName("jdk.internal.math.FloatingDecimal");
    Method conv = fd.getDeclaredMethod("getBinaryToASCIIConverter", double.class, boolean.class);
    conv.setAccessible(true);
    Class<?> b2a = Class.forName("jdk.internal.math.FloatingDecimal$BinaryToASCIIConverter");
    Method gd = b2a.getDeclaredMethod("getDigits", char[].class); gd.setAccessible(true);
    Method ge = b2a.getDeclaredMethod("getDecimalExponent"); ge.setAccessible(true);
    Random r = new Random(2026);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 4000; i++) {
      double v;
      switch (i % 5) {
        case 0: v = Double.longBitsToDouble(r.nextLong() & Long.MAX_VALUE); break;
        case 1: v = r.nextDouble(); break;
        case 2: v = r.nextInt(100000) / 1000.0; break;
        case 3: v = Math.abs(r.nextGaussian()) * Math.pow(10, r.nextInt(40) - 20); break;
        default: v = (float) (r.nextDouble() * 1000);
      }
      if (Double.isNaN(v) || Double.isInfinite(v)) continue;
      Object c = conv.invoke(null, v, false);
      char[] buf = new char[32];
      int n = (Integer) gd.invoke(c, (Object) buf);
      out.append("fd ").append(Long.toHexString(Double.doubleToRawLongBits(v))).append(' ')
         .append(new String(buf, 0, n)).append(' ').append(ge.invoke(c)).append('\n');
    }
    for (int i = 0; i < 4000; i++) {
      double v;
      switch (i % 4) {
        case 0: v = r.nextDouble(); break;
        case 1: { double v1 = 2 * r.nextDouble() - 1, v2 = 2 * r.nextDouble() - 1; v = v1 * v1 + v2 * v2; break; }
        case 2: v = Double.longBitsToDouble(r.nextLong() & Long.MAX_VALUE); break;
        default: v = 1 + (r.nextDouble() - 0.5) * 1e-5;
      }
      out.append("log ").append(Long.toHexString(Double.doubleToRawLongBits(v))).append(' ')
         .append(Long.toHexString(Double.doubleToRawLongBits(StrictMath.log(v)))).append('\n');
    }
    System.out.print(out);
  }
}
