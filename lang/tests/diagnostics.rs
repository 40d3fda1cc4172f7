//! Snapshots of the compiler's diagnostics for broken programs, rendered as the
//! CLI prints them.

use semeru_lang::compile::compile_with_source;
use semeru_lang::diag::render;
use semeru_lang::parser::parse;

fn diagnose(src: &str) -> String {
    let (unit, diags) = parse(src);
    if !diags.is_empty() {
        return format!("PARSE ERROR\n{}", render("Main.sem", src, &diags));
    }
    let Some(unit) = unit else {
        return "PARSE ERROR (no unit)".into();
    };
    match compile_with_source("Main.sem", src, &unit) {
        Ok(_) => "compiled".into(),
        Err(d) => render("Main.sem", src, &d),
    }
}

macro_rules! snap {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(diagnose($src));
        }
    };
}

snap!(
    string_to_int,
    r#"
class Main {
    public static void main(String[] args) {
        int x = "hello";
        System.out.println(x);
    }
}
"#
);

snap!(
    unknown_variable_and_method,
    r#"
class Main {
    public static void main(String[] args) {
        int y = foo + 1;
        bar(y);
        System.out.println(y.length);
    }
}
"#
);

snap!(
    missing_return,
    r#"
class Main {
    static int sign(int x) {
        if (x > 0) return 1;
        else if (x < 0) return -1;
    }
    public static void main(String[] args) {
        System.out.println(sign(3));
    }
}
"#
);

snap!(
    unreachable_statement,
    r#"
class Main {
    public static void main(String[] args) {
        while (true) {
            break;
        }
        return;
        System.out.println("never");
    }
}
"#
);

snap!(
    bad_operands,
    r#"
class Main {
    public static void main(String[] args) {
        boolean b = true;
        int x = b + 1;
        String s = "a" - "b";
        System.out.println(x + s);
    }
}
"#
);

snap!(
    lossy_conversion,
    r#"
class Main {
    public static void main(String[] args) {
        double d = 3.5;
        int i = d;
        long l = 5;
        int j = l * 2;
        byte b = 200;
        byte ok = 100;
        System.out.println(i + j + b + ok);
    }
}
"#
);

snap!(
    static_context,
    r#"
class Main {
    int count;
    void inc() { count++; }
    public static void main(String[] args) {
        count = 5;
        inc();
        System.out.println(this);
    }
}
"#
);

snap!(
    final_assignment,
    r#"
class Main {
    static final int LIMIT = 10;
    public static void main(String[] args) {
        final int x = 1;
        x = 2;
        LIMIT = 20;
        System.out.println(x + LIMIT);
    }
}
"#
);

snap!(
    uninitialized_variable,
    r#"
class Main {
    public static void main(String[] args) {
        int x;
        if (args.length > 0) x = 1;
        System.out.println(x);
    }
}
"#
);

snap!(
    already_defined,
    r#"
class Main {
    public static void main(String[] args) {
        int a = 1;
        for (int i = 0; i < 3; i++) {
            int a = i;
        }
        String args = "x";
    }
}
"#
);

snap!(
    ambiguous_and_inapplicable,
    r#"
class Main {
    static void f(int a, long b) {}
    static void f(long a, int b) {}
    static void g(String s) {}
    public static void main(String[] args) {
        f(1, 2);
        g(42);
    }
}
"#
);

snap!(
    unsupported_features,
    r#"
import java.util.*;
class Main {
    class Inner { }
    interface Shape { double area(); }
    public static void main(String[] args) {
        List<String> xs = new ArrayList<>();
        Shape s = new Shape() { public double area() { return 1; } };
        Runnable r = () -> System.out.println("hi");
    }
}
"#
);

snap!(
    inner_class_and_lambda,
    r#"
class Main {
    class Inner { int v; }
    public static void main(String[] args) {
        Runnable r = () -> System.out.println("hi");
        Object o = new Object() { };
    }
}
"#
);

snap!(
    impossible_cast_and_incomparable,
    r#"
class Main {
    static class A {}
    static class B {}
    public static void main(String[] args) {
        A a = new A();
        B b = (B) a;
        String s = "x";
        System.out.println(a == s);
        int n = (int) "5";
    }
}
"#
);

snap!(
    no_main,
    r#"
class Main {
    static void helper() {}
}
"#
);

snap!(
    bad_override_and_break,
    r#"
class Main {
    static class A { int size() { return 1; } }
    static class B extends A { long size() { return 2; } }
    public static void main(String[] args) {
        break;
        outer: for (int i = 0; i < 2; i++) { continue inner; }
    }
}
"#
);

snap!(
    switch_problems,
    r#"
class Main {
    public static void main(String[] args) {
        int k = args.length;
        int v = 3;
        switch (k) {
            case 1: break;
            case 1: break;
            case v: break;
            default: break;
            default: break;
        }
        long big = 5;
        switch (big) { case 1: break; }
    }
}
"#
);
