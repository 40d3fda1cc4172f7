//! Diagnostics of interfaces, abstract classes and generics (checked by message).

use semeru_lang::compile::compile_with_source;
use semeru_lang::diag::render;
use semeru_lang::parser::parse;

fn diagnose(src: &str) -> String {
    let (unit, diags) = parse(src);
    assert!(diags.is_empty(), "parse errors: {diags:?}");
    let unit = unit.expect("a unit");
    match compile_with_source("Main.sem", src, &unit) {
        Ok(_) => "compiled".into(),
        Err(d) => render("Main.sem", src, &d),
    }
}

fn program(classes: &str, body: &str) -> String {
    format!(
        "public class Main {{\n{classes}\n    public static void main(String[] args) {{\n{body}\n    }}\n}}\n"
    )
}

#[test]
fn abstract_class_cannot_be_instantiated() {
    let d = diagnose(&program(
        "static abstract class A { abstract int f(); }",
        "A a = new A();",
    ));
    assert!(
        d.contains("Main.A is abstract; cannot be instantiated"),
        "{d}"
    );
}

#[test]
fn interface_cannot_be_instantiated() {
    let d = diagnose(&program("interface I { int f(); }", "I i = new I();"));
    assert!(
        d.contains("Main.I is abstract; cannot be instantiated"),
        "{d}"
    );
}

#[test]
fn missing_interface_method_is_reported() {
    let d = diagnose(&program(
        "interface I { int f(); default int g() { return 1; } }\nstatic class C implements I { }",
        "",
    ));
    assert!(
        d.contains("Main.C is not abstract and does not override abstract method f() in Main.I"),
        "{d}"
    );
}

#[test]
fn missing_abstract_method_is_reported() {
    let d = diagnose(&program(
        "static abstract class A { abstract void run(String s); }\nstatic class B extends A { }",
        "",
    ));
    assert!(
        d.contains("does not override abstract method run(String) in Main.A"),
        "{d}"
    );
}

#[test]
fn generic_implementation_through_substitution_is_accepted() {
    let d = diagnose(&program(
        "interface Fn<A, B> { B apply(A a); }\nstatic class Len implements Fn<String, String> { public String apply(String s) { return s; } }",
        "Fn<String, String> f = new Len(); System.out.println(f.apply(\"x\").length());",
    ));
    assert_eq!(d, "compiled");
}

#[test]
fn wrong_number_of_type_arguments() {
    let d = diagnose(&program(
        "static class Box<T> { T v; }",
        "Box<String, String> b = null;",
    ));
    assert!(
        d.contains("wrong number of type arguments; required 1"),
        "{d}"
    );
}

#[test]
fn anonymous_classes_and_lambdas_stay_unsupported() {
    let d = diagnose(&program(
        "interface I { int f(); }",
        "I a = new I() { public int f() { return 1; } };",
    ));
    assert!(d.contains("an anonymous class"), "{d}");
    let d = diagnose(&program("interface I { int f(); }", "I a = () -> 1;"));
    assert!(d.contains("not supported"), "{d}");
}

#[test]
fn varargs_must_be_last() {
    let d = diagnose(&program("static void f(int... a, int b) { }", ""));
    assert!(d.contains("error"), "{d}");
}
