//! `semeru repl` end to end: piped input (exact stdout and stderr), and a
//! pseudo-terminal session (prompts, continuation, Ctrl-C, history file).

use std::io::Write;
use std::process::{Command, Stdio};

struct Out {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// A scratch `$HOME`, so no test reads or writes the user's history.
fn home(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("semeru-repl-{tag}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn repl(input: &str) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_semeru"))
        .arg("repl")
        .env("HOME", home("pipe"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn semeru repl");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write input");
    let out = child.wait_with_output().expect("wait");
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

#[test]
fn variables_and_expressions() {
    let o = repl("int x = 2;\nx * 21\nx\n$1 + 1\nx = 5\nx++\nx\n");
    assert_eq!(
        o.stdout,
        "x ==> 2\n$1 ==> 42\nx ==> 2\n$2 ==> 43\nx ==> 5\n$3 ==> 5\nx ==> 6\n"
    );
    assert_eq!(o.stderr, "");
    assert_eq!(o.code, Some(0));
}

#[test]
fn value_formats() {
    let o = repl(concat!(
        "\"a\\tb\\\"\"\n",
        "'c'\n",
        "1.5f\n",
        "1.0 / 3\n",
        "10L * 3\n",
        "true && false\n",
        "(byte) 200\n",
        "null\n",
        "int[] a = {1, 2, 3};\n",
        "new String[]{\"s\", null}\n",
        "new int[2][]\n",
        "new char[]{'x'}\n",
        "var s = \"str\";\n",
        "s.length()\n",
    ));
    assert_eq!(
        o.stdout,
        concat!(
            "$1 ==> \"a\\tb\\\"\"\n",
            "$2 ==> 'c'\n",
            "$3 ==> 1.5\n",
            "$4 ==> 0.3333333333333333\n",
            "$5 ==> 30\n",
            "$6 ==> false\n",
            "$7 ==> -56\n",
            "$8 ==> null\n",
            "a ==> int[3] { 1, 2, 3 }\n",
            "$9 ==> String[2] { \"s\", null }\n",
            "$10 ==> int[2][] { null, null }\n",
            "$11 ==> char[1] { 'x' }\n",
            "s ==> \"str\"\n",
            "$12 ==> 3\n",
        )
    );
    assert_eq!(o.stderr, "");
}

#[test]
fn statements_print_and_several_per_line() {
    let o = repl(concat!(
        "for (int i = 0; i < 3; i++) System.out.print(i);\n",
        "System.out.println();\n",
        "int a = 1; int b = 2; a + b\n",
        "System.out.println(\"no echo for void\")\n",
        "while (a < 5) a++\n",
        "a\n",
    ));
    assert_eq!(
        o.stdout,
        "012\na ==> 1\nb ==> 2\n$1 ==> 3\nno echo for void\na ==> 5\n"
    );
    assert_eq!(o.stderr, "");
}

#[test]
fn earlier_output_is_not_repeated() {
    let o = repl("int n = 0;\nn++; System.out.println(\"once \" + n);\nn\n");
    assert_eq!(o.stdout, "n ==> 0\n$1 ==> 0\nonce 1\nn ==> 1\n");
}

#[test]
fn survives_a_compile_error() {
    let o = repl("int x = 2;\nint y = x +;\nx + undefined\nx * 21\n");
    assert_eq!(o.stdout, "x ==> 2\n$1 ==> 42\n");
    assert_eq!(
        o.stderr,
        concat!(
            "error: expected an expression, found `;`\n",
            " --> input:1:12\n",
            "  |\n",
            "1 | int y = x +;\n",
            "  |            ^ unexpected token\n",
            "error: cannot find symbol: variable undefined\n",
            " --> input:1:5\n",
            "  |\n",
            "1 | x + undefined\n",
            "  |     ^^^^^^^^^\n",
        )
    );
    assert_eq!(o.code, Some(0));
}

#[test]
fn survives_an_uncaught_exception() {
    let o = repl(concat!(
        "int x = 7;\n",
        "int div(int d) {\n",
        "    return x / d;\n",
        "}\n",
        "div(0)\n",
        "int[] a = new int[2];\n",
        "a[5] = 1;\n",
        "div(7)\n",
    ));
    assert_eq!(o.stdout, "x ==> 7\na ==> int[2] { 0, 0 }\n$1 ==> 1\n");
    assert_eq!(
        o.stderr,
        concat!(
            "Exception in thread \"main\" java.lang.ArithmeticException: / by zero\n",
            "\tat $Repl.div(repl:2)\n",
            "\tat $Repl.main(repl:1)\n",
            "Exception in thread \"main\" java.lang.ArrayIndexOutOfBoundsException: ",
            "Index 5 out of bounds for length 2\n",
            "\tat $Repl.main(repl:1)\n",
        )
    );
    assert_eq!(o.code, Some(0));
}

#[test]
fn multi_line_class_and_redefinition() {
    let o = repl(concat!(
        "class Point {\n",
        "    int x, y;\n",
        "    Point(int x, int y) { this.x = x; this.y = y; }\n",
        "    public String toString() { return \"(\" + x + \", \" + y + \")\"; }\n",
        "}\n",
        "Point p = new Point(1, 2);\n",
        "class Point {\n",
        "    int x, y;\n",
        "    Point(int x, int y) { this.x = x; this.y = y; }\n",
        "    public String toString() { return \"P\" + (x + y); }\n",
        "}\n",
        "p\n",
        "int sq(int v) { return v * v; }\n",
        "sq(3)\n",
        "int sq(int v) { return -v; }\n",
        "sq(3)\n",
    ));
    assert_eq!(o.stdout, "p ==> (1, 2)\np ==> P3\n$1 ==> 9\n$2 ==> -3\n");
    assert_eq!(o.stderr, "");
}

#[test]
fn redefinition_drops_what_no_longer_compiles() {
    let o = repl(concat!(
        "int twice(int v) { return 2 * v; }\n",
        "int y = twice(4);\n",
        "String twice(int v) { return \"two\"; }\n",
        "twice(1)\n",
        "y\n",
    ));
    // y's initialization is dropped: y keeps its declaration and default value.
    assert_eq!(o.stdout, "y ==> 8\n$1 ==> \"two\"\ny ==> 0\n");
    assert_eq!(
        o.stderr,
        "note: dropped `y = twice(4);`: it no longer compiles\n"
    );
}

#[test]
fn system_exit_ends_the_session_with_its_status() {
    let o = repl("System.out.println(\"bye\");\nSystem.exit(3);\n1 + 1\n");
    assert_eq!(o.stdout, "bye\n");
    assert_eq!(o.code, Some(3));
}

#[test]
fn commands() {
    let o = repl(":help\n");
    assert!(o.stdout.contains(":disasm [NAME]"), "{}", o.stdout);
    assert!(o.stdout.contains(":heap"));
    // The exact registers are the compiler's business: check the shape.
    let o = repl("int sq(int v) { return v * v; }\n:disasm sq\n");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("  static method #"), "{}", o.stdout);
    assert!(lines[0].contains(" sq(I)I "), "{}", o.stdout);
    assert!(lines[1].contains("L1  IMul"), "{}", o.stdout);
    assert!(lines[2].contains("RetP"), "{}", o.stdout);
    assert_eq!(lines.len(), 3, "{}", o.stdout);
    let o = repl("class A { int f() { return 1; } }\n:disasm A\n");
    assert!(o.stdout.starts_with("class A (#"), "{}", o.stdout);
    assert!(o.stdout.contains("method #"), "{}", o.stdout);
    let o = repl(":heap\nint[] big = new int[100000];\n:heap\n");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("heap: max 256.0 MiB"), "{}", o.stdout);
    assert_eq!(
        lines[1],
        "session: 0 classes, 0 methods, 0 variables, 0 statements replayed per input"
    );
    assert_eq!(lines[2], "no snippet has run yet");
    assert!(
        lines.iter().any(|l| l.starts_with("last run: used ")),
        "{}",
        o.stdout
    );
    assert!(lines.iter().any(|l| l.starts_with("GC: ")), "{}", o.stdout);
    let o = repl("int x = 1;\n:reset\nx\n:list\n:quit\nx\n");
    assert_eq!(o.stdout, "x ==> 1\n");
    assert!(o.stderr.contains("cannot find symbol: variable x"));
    assert_eq!(o.code, Some(0));
    let o = repl(":nope\n");
    assert_eq!(o.stderr, "error: unknown command :nope (try :help)\n");
}

#[test]
fn help_flag_documents_replay() {
    let o = Command::new(env!("CARGO_BIN_EXE_semeru"))
        .args(["repl", "--help"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("replayed"), "{text}");
}

#[cfg(unix)]
mod pty {
    use rexpect::session::{spawn_command, PtySession};
    use std::process::Command;

    fn start(home: &std::path::Path) -> PtySession {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_semeru"));
        cmd.arg("repl").env("HOME", home).env("TERM", "xterm");
        let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
        p.exp_string("semeru> ").expect("first prompt");
        p
    }

    #[test]
    fn interactive_session_with_ctrl_c() {
        let home = super::home("pty");
        let _ = std::fs::remove_file(home.join(".semeru_history"));
        let mut p = start(&home);
        p.send_line("int x = 2;").expect("send");
        p.exp_string("x ==> 2").expect("echo of x");
        p.exp_string("semeru> ").expect("prompt");
        // Multi-line input: the continuation prompt while braces are open.
        p.send_line("int sq(int v) {").expect("send");
        p.exp_string("...> ").expect("continuation prompt");
        p.send_line("return v * v; }").expect("send");
        p.exp_string("created method sq(int)").expect("feedback");
        p.exp_string("semeru> ").expect("prompt");
        // Ctrl-C stops a running loop and the session goes on.
        // Output shows line by line while the snippet runs.
        p.send_line("{ System.out.println(\"spinning\"); while (true) { x++; } }")
            .expect("send");
        p.exp_string("spinning").expect("output before the loop");
        std::thread::sleep(std::time::Duration::from_millis(200));
        p.send_control('c').expect("ctrl-c");
        p.exp_string("interrupted").expect("interrupted");
        p.exp_string("semeru> ").expect("prompt after interrupt");
        p.send_line("sq(x) + 1").expect("send");
        p.exp_string("$1 ==> 5")
            .expect("state kept after the interrupt");
        p.exp_string("semeru> ").expect("prompt");
        // Ctrl-C at the prompt clears the line.
        p.send("1 + ").expect("send");
        std::thread::sleep(std::time::Duration::from_millis(300));
        p.send_control('c').expect("ctrl-c");
        p.exp_string("semeru> ").expect("fresh prompt");
        p.send_line("x").expect("send");
        p.exp_string("x ==> 2").expect("echo");
        p.send_line(":quit").expect("send");
        p.exp_eof().expect("exit");
        let history = std::fs::read_to_string(home.join(".semeru_history")).unwrap_or_default();
        assert!(history.contains("int x = 2;"), "{history}");
    }

    #[test]
    fn pasted_lines_are_all_read() {
        let mut p = start(&super::home("paste"));
        // Several lines at once, as a paste delivers them.
        p.send("class A {\n  int v = 4;\n}\nint k = 3;\nnew A().v + k\n")
            .expect("send");
        p.exp_string("k ==> 3").expect("second input");
        p.exp_string("$1 ==> 7").expect("third input");
        p.send_line(":quit").expect("send");
        p.exp_eof().expect("exit");
    }

    #[test]
    fn tab_completes_session_names() {
        let mut p = start(&super::home("tab"));
        p.send_line("int squareIt(int v) { return v * v; }")
            .expect("send");
        p.exp_string("created method squareIt(int)")
            .expect("feedback");
        p.exp_string("semeru> ").expect("prompt");
        p.send("squ\t").expect("send");
        std::thread::sleep(std::time::Duration::from_millis(300));
        p.send_line("(3)").expect("send");
        p.exp_string("$1 ==> 9").expect("completed call");
        p.send_line(":quit").expect("send");
        p.exp_eof().expect("exit");
    }

    #[test]
    fn ctrl_d_ends_and_unwritable_home_is_fine() {
        let mut p = start(std::path::Path::new("/nonexistent/semeru-home"));
        p.send_line("1 + 1").expect("send");
        p.exp_string("$1 ==> 2").expect("echo");
        p.send_control('d').expect("ctrl-d");
        p.exp_eof().expect("exit");
    }
}

#[test]
fn methods_typed_together_may_call_each_other() {
    let o = repl(concat!(
        "boolean even(int n) { return n == 0 || odd(n - 1); } ",
        "boolean odd(int n) { return n != 0 && even(n - 1); }\n",
        "even(10)\n",
    ));
    assert_eq!(o.stdout, "$1 ==> true\n");
    assert_eq!(o.stderr, "");
}

#[test]
fn a_replayed_statement_that_now_throws_is_dropped() {
    let o = repl(concat!(
        "int d = 1;\n",
        "int inv(int v) { return 10 / v; }\n",
        "int r = inv(d);\n",
        "int inv(int v) { return 10 / (v - 1); }\n",
        "r\n",
        "d\n",
    ));
    assert_eq!(o.stdout, "d ==> 1\nr ==> 10\nr ==> 0\nd ==> 1\n");
    assert_eq!(
        o.stderr,
        concat!(
            "note: dropped `r = inv(d);`: replaying it threw an exception\n",
            "Exception in thread \"main\" java.lang.ArithmeticException: / by zero\n",
            "\tat $Repl.inv(repl:1)\n",
            "\tat $Repl.$r1(repl:1)\n",
        )
    );
}

#[test]
fn an_unclosed_input_at_the_end_is_reported() {
    let o = repl("int x = 2;\nint f() {\n  return x;\n");
    assert_eq!(o.stdout, "x ==> 2\n");
    assert!(o.stderr.contains("is never closed"), "{}", o.stderr);
    assert_eq!(o.code, Some(0));
}

#[test]
fn declarations_may_use_what_is_declared_later() {
    let o = repl(concat!(
        "boolean even(int n) { return n == 0 || odd(n - 1); }\n",
        "even(2)\n",
        "boolean odd(int n) { return n != 0 && even(n - 1); }\n",
        "even(10)\n",
        "int getX() { return x; }\n",
        "int x = 4;\n",
        "getX()\n",
        "class A { B b = new B(); }\n",
        "class B { int v = 3; }\n",
        "new A().b.v\n",
    ));
    assert_eq!(o.stdout, "$1 ==> true\nx ==> 4\n$2 ==> 4\n$3 ==> 3\n");
    assert_eq!(
        o.stderr,
        concat!(
            "note: method even(int) is kept, but cannot be used until it compiles: ",
            "cannot find symbol: method odd(int)\n",
            "error: cannot find symbol: method even(int)\n",
            " --> input:1:1\n",
            "  |\n",
            "1 | even(2)\n",
            "  | ^^^^\n",
            "note: method getX() is kept, but cannot be used until it compiles: ",
            "cannot find symbol: variable x\n",
            "note: class A is kept, but cannot be used until it compiles: ",
            "cannot find symbol: class B\n",
        )
    );
}

#[test]
fn long_arrays_are_cut_after_100_elements() {
    let o = repl("new int[101]\nnew int[100]\n");
    let zeros = |n: usize| vec!["0"; n].join(", ");
    assert_eq!(
        o.stdout,
        format!(
            "$1 ==> int[101] {{ {}, ... }}\n$2 ==> int[100] {{ {} }}\n",
            zeros(100),
            zeros(100)
        )
    );
}

#[test]
fn an_input_cut_short_goes_on_to_the_next_line() {
    let o = repl("String s = \"a\" +\n  \"b\";\nclass A\n{ int v = 1; }\nnew A().v\nx +\n");
    assert_eq!(o.stdout, "s ==> \"ab\"\n$1 ==> 1\n");
    assert_eq!(
        o.stderr,
        concat!(
            "error: expected an expression, found end of input\n",
            " --> input:1:4\n",
            "  |\n",
            "1 | x +\n",
            "  |    ^ the input ends here\n",
        )
    );
}

#[test]
fn classes_reach_session_variables_through_the_session_class() {
    let o = repl(concat!(
        "int x = 1;\n",
        "class A { int f() { return x; } }\n",
        "class B { int f() { return $Repl.x + 1; } }\n",
        "new B().f()\n",
    ));
    assert_eq!(o.stdout, "x ==> 1\n$1 ==> 2\n");
    assert!(
        o.stderr
            .contains("= note: a class reaches session variables and methods"),
        "{}",
        o.stderr
    );
}
