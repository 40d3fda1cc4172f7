//! Programs that must compile, with structural checks of the `Program` and
//! snapshots of the bytecode of small programs.

use semeru_gc::{ClassId, Layout};
use semeru_lang::compile_source;
use semeru_vm::program::{Body, Program};

fn build(src: &str) -> Program {
    match compile_source("Main.sem", src) {
        Ok(p) => p,
        Err(d) => panic!("{}", semeru_lang::diag::render("Main.sem", src, &d)),
    }
}

fn class<'p>(p: &'p Program, name: &str) -> (usize, &'p semeru_vm::program::Class) {
    p.classes
        .iter()
        .enumerate()
        .find(|(_, c)| c.name == name)
        .unwrap_or_else(|| panic!("no class {name}"))
}

const NODES: &str = r#"
public class Main {
    static class Node {
        int value;
        Node next;
        double weight;
        Node(int v) { value = v; }
        public String toString() { return "Node" + value; }
    }
    static class Leaf extends Node {
        byte tag;
        Leaf() { super(0); }
        public boolean equals(Object o) { return o == this; }
    }
    static int[][] grid = new int[2][2];
    public static void main(String[] args) {
        Node[] ns = new Node[3];
        ns[0] = new Leaf();
        System.out.println(ns[0] + " " + grid.length);
    }
}
"#;

#[test]
fn classes_layouts_and_vtables() {
    let p = build(NODES);
    let (node_id, node) = class(&p, "Main$Node");
    let (_, leaf) = class(&p, "Main$Leaf");
    assert_eq!(leaf.super_class, Some(ClassId(node_id as u32)));
    // header 8 + ref 4 + pad 4 + double 8 + int 4, rounded to 8
    match &node.layout {
        Layout::Instance { size, ref_ranges } => {
            assert_eq!(*size, 32);
            assert_eq!(ref_ranges.len(), 1);
            assert_eq!(ref_ranges[0].offset, 8);
        }
        l => panic!("{l:?}"),
    }
    // Object's slots: toString, equals, hashCode.
    assert_eq!(node.vtable.len(), 3);
    assert_eq!(p.methods[node.vtable[0].0 as usize].name, "toString");
    assert!(matches!(
        p.methods[node.vtable[0].0 as usize].body,
        Body::Code(_)
    ));
    assert!(matches!(
        p.methods[node.vtable[1].0 as usize].body,
        Body::Native(_)
    ));
    assert_eq!(leaf.vtable[0], node.vtable[0]);
    assert_eq!(
        p.methods[leaf.vtable[1].0 as usize].class,
        ClassId(class(&p, "Main$Leaf").0 as u32)
    );
    // Array classes with their element classes.
    let (_, arr) = class(&p, "[LMain$Node;");
    assert_eq!(arr.elem_class, Some(ClassId(node_id as u32)));
    let (_, grid) = class(&p, "[[I");
    assert_eq!(grid.elem_class, Some(ClassId(class(&p, "[I").0 as u32)));
    // main and <clinit>.
    assert_eq!(p.methods[p.main.0 as usize].name, "main");
    let (_, main) = class(&p, "Main");
    assert!(main.clinit.is_some());
    // The program's own reference statics (library classes have theirs).
    let own = p
        .static_r_names
        .iter()
        .filter(|n| n.starts_with("Main"))
        .count();
    assert_eq!(own, 1);
}

#[test]
fn constants_are_folded_and_not_initialized() {
    let p = build(
        r#"
public class Main {
    static final String A = "a" + 1 + 'c' + 2.5 + true;
    static final int N = (byte) 200 + Integer.MAX_VALUE;
    public static void main(String[] args) {
        System.out.println(A + N);
    }
}
"#,
    );
    let (_, main) = class(&p, "Main");
    assert!(main.clinit.is_none());
    let strs: Vec<String> = p
        .strings
        .iter()
        .map(|s| String::from_utf16_lossy(s))
        .collect();
    assert!(
        strs.contains(&"a1c2.5true2147483591".to_string()),
        "{strs:?}"
    );
}

#[test]
fn line_table_covers_statements() {
    let p = build(
        r#"
public class Main {
    public static void main(String[] args) {
        int a = 1;
        int b = a / (a - 1);
        System.out.println(b);
    }
}
"#,
    );
    let Body::Code(code) = &p.methods[p.main.0 as usize].body else {
        panic!()
    };
    let div = code
        .insns
        .iter()
        .position(|i| i.name() == "IDiv")
        .expect("a division");
    assert_eq!(code.line_of(div), Some(5));
}

#[test]
fn bytecode_snapshot() {
    let p = build(
        r#"
public class Main {
    static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }
    public static void main(String[] args) {
        long sum = 0;
        for (int i = 0; i < 10; i++) {
            sum += fib(i);
        }
        String s = "sum=" + sum;
        switch (s.length()) {
            case 5: System.out.println("five"); break;
            case 6: case 7: System.out.println(s);
            default: System.out.println('!');
        }
    }
}
"#,
    );
    let text: String = (0..p.methods.len())
        .filter(|&i| {
            let c = p.methods[i].class.0;
            // The program's own classes (library classes have a package).
            c >= semeru_stdlib::builtins::FIRST_FREE_ID && !p.classes[c as usize].name.contains('.')
        })
        .map(|i| semeru_vm::disassemble_method(&p, i))
        .collect();
    insta::assert_snapshot!(text);
}
