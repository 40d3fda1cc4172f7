//! The session: everything accepted so far, kept as source text, and the
//! synthetic program built from it for each input.
//!
//! ```text
//! public class $Repl {
//!     static int x;                      // session variables (and $1, $2, ...)
//!     static int sq(int v) { ... }       // session methods
//!     static String $show(int v) ...     // value formatting for the echo
//!     static void $r0() { x = 2; }       // earlier statements, replayed in order
//!     public static void main(String[] $args) { ... }   // the new input
//! }
//! class Point { ... }                    // session classes
//! ```

use super::synth::{Code, Synth};
use std::fmt::Write as _;

/// Name of the session class (the program's main class).
pub const SESSION_CLASS: &str = "$Repl";
/// Prefix of the replay methods `$r0`, `$r1`, ...
pub const REPLAY_PREFIX: &str = "$r";

#[derive(Clone, Debug)]
pub struct ClassDef {
    pub id: u64,
    pub name: String,
    pub code: Code,
}

#[derive(Clone, Debug)]
pub struct MethodDef {
    pub id: u64,
    pub key: String,
    pub code: Code,
}

#[derive(Clone, Debug)]
pub struct VarDef {
    pub id: u64,
    pub name: String,
    /// The declared type (as Java text).
    pub ty: Code,
}

#[derive(Clone, Debug)]
pub struct StmtDef {
    pub id: u64,
    pub code: Code,
}

/// A declaration that does not compile yet for want of another one (jshell's
/// forward references): it joins the session once it compiles.
#[derive(Clone, Debug)]
pub enum Parked {
    Class(ClassDef),
    Method(MethodDef),
}

impl Parked {
    /// `class Point`, `method sq(int)`.
    pub fn describe(&self) -> String {
        match self {
            Parked::Class(c) => format!("class {}", c.name),
            Parked::Method(m) => format!("method {}", m.key),
        }
    }
}

/// The session state. Cloned for each input; the clone replaces it only when
/// the input compiled (and, for code that runs, ran to completion).
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub classes: Vec<ClassDef>,
    pub methods: Vec<MethodDef>,
    pub vars: Vec<VarDef>,
    pub stmts: Vec<StmtDef>,
    /// Declarations waiting for what they use.
    pub pending: Vec<Parked>,
    /// The number of the last `$N` value variable.
    pub values: usize,
    next_id: u64,
}

/// The new input's code, run after the replay.
#[derive(Default)]
pub struct MainBody {
    /// `(item id, code)` statements of `main`.
    pub parts: Vec<(u64, Code)>,
}

impl Session {
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Adds (or replaces, by name) a class.
    pub fn define_class(&mut self, def: ClassDef) -> bool {
        self.pending
            .retain(|p| !matches!(p, Parked::Class(c) if c.name == def.name));
        let replaced = self.remove_class(&def.name);
        self.classes.push(def);
        replaced
    }

    fn remove_class(&mut self, name: &str) -> bool {
        let n = self.classes.len();
        self.classes.retain(|c| c.name != name);
        n != self.classes.len()
    }

    /// Adds (or replaces, by signature) a method.
    pub fn define_method(&mut self, def: MethodDef) -> bool {
        self.pending
            .retain(|p| !matches!(p, Parked::Method(m) if m.key == def.key));
        let n = self.methods.len();
        self.methods.retain(|m| m.key != def.key);
        let replaced = n != self.methods.len();
        self.methods.push(def);
        replaced
    }

    /// Adds a declaration that waits for others (replacing a waiting one of the
    /// same name or signature).
    pub fn park(&mut self, p: Parked) {
        self.pending.retain(|q| q.describe() != p.describe());
        self.pending.push(p);
    }

    /// Adds a waiting declaration to the session proper.
    pub fn unpark(&mut self, p: Parked) {
        match p {
            Parked::Class(c) => {
                self.define_class(c);
            }
            Parked::Method(m) => {
                self.define_method(m);
            }
        }
    }

    /// Adds (or replaces, by name) a variable.
    pub fn define_var(&mut self, def: VarDef) {
        self.vars.retain(|v| v.name != def.name);
        self.vars.push(def);
    }

    pub fn var(&self, name: &str) -> Option<&VarDef> {
        self.vars.iter().find(|v| v.name == name)
    }

    /// Removes the item with `id`; returns its typed text.
    pub fn remove(&mut self, id: u64) -> Option<String> {
        if let Some(i) = self.classes.iter().position(|c| c.id == id) {
            return Some(self.classes.remove(i).code.typed());
        }
        if let Some(i) = self.methods.iter().position(|c| c.id == id) {
            return Some(self.methods.remove(i).code.typed());
        }
        if let Some(i) = self.vars.iter().position(|c| c.id == id) {
            let v = self.vars.remove(i);
            return Some(format!("{} {}", v.ty.text(), v.name));
        }
        if let Some(i) = self.stmts.iter().position(|c| c.id == id) {
            return Some(self.stmts.remove(i).code.text());
        }
        None
    }

    /// The synthetic program for `main`.
    pub fn synthesize(&self, main: &MainBody) -> Synth {
        let mut s = Synth::default();
        s.gen(&format!("public class {SESSION_CLASS} {{\n"));
        for v in &self.vars {
            s.gen("static ");
            s.code(v.id, &v.ty);
            s.gen(&format!(" {};\n", v.name));
        }
        for m in &self.methods {
            s.code(m.id, &m.code);
            s.gen("\n");
        }
        s.gen(SHOW_HELPERS);
        s.gen(&array_helpers());
        for (i, st) in self.stmts.iter().enumerate() {
            s.gen(&format!("static void {REPLAY_PREFIX}{i}() {{\n"));
            s.code(st.id, &st.code);
            s.gen("\n}\n");
        }
        s.gen("public static void main(String[] $args) {\n");
        for (id, c) in &main.parts {
            s.code(*id, c);
            s.gen("\n");
        }
        s.gen("}\n}\n");
        for c in &self.classes {
            s.code(c.id, &c.code);
            s.gen("\n");
        }
        s
    }

    /// The names a user may type: variables, methods and classes.
    pub fn names(&self) -> Vec<String> {
        let vars = self.vars.iter().map(|v| v.name.clone());
        let methods = self
            .methods
            .iter()
            .map(|m| m.key.split('(').next().unwrap_or("").to_string());
        let classes = self.classes.iter().map(|c| c.name.clone());
        vars.chain(methods).chain(classes).collect()
    }

    /// A listing of the session (`:list`), by kind, in the order of definition.
    pub fn listing(&self) -> String {
        let mut out = String::new();
        let mut section = |title: &str, items: Vec<String>| {
            if !items.is_empty() {
                let _ = writeln!(out, "// {title}");
                for i in items {
                    let _ = writeln!(out, "{i}");
                }
            }
        };
        section(
            "classes",
            self.classes.iter().map(|c| c.code.typed()).collect(),
        );
        section(
            "methods",
            self.methods.iter().map(|m| m.code.typed()).collect(),
        );
        section(
            "variables",
            self.vars
                .iter()
                .map(|v| format!("{} {};", v.ty.text(), v.name))
                .collect(),
        );
        section(
            "waiting for declarations they use",
            self.pending
                .iter()
                .map(|p| match p {
                    Parked::Class(c) => c.code.typed(),
                    Parked::Method(m) => m.code.typed(),
                })
                .collect(),
        );
        section(
            "statements (replayed before each input)",
            self.stmts.iter().map(|s| s.code.text()).collect(),
        );
        out
    }
}

/// How an echo prints a value of static type `ty` (Java text) held in `expr`.
pub fn show_call(ty: &str, expr: &str) -> String {
    let ty: String = ty.split_whitespace().collect();
    match ty.strip_suffix("[]") {
        // Reference arrays carry their static element type for the header.
        Some(elem) if !PRIMS.contains(&elem) => format!("$arr(\"{elem}\", {expr})"),
        _ => format!("$show({expr})"),
    }
}

const PRIMS: [&str; 8] = [
    "boolean", "byte", "short", "char", "int", "long", "float", "double",
];

/// Value formatting as jshell prints it: strings and chars quoted with escapes,
/// arrays as `int[3] { 1, 2, 3 }` (at most `$MAX` elements, then `...`),
/// objects by `toString()`.
const SHOW_HELPERS: &str = r#"static final int $MAX = 100;
static String $show(boolean v) { return "" + v; }
static String $show(byte v) { return "" + v; }
static String $show(short v) { return "" + v; }
static String $show(int v) { return "" + v; }
static String $show(long v) { return "" + v; }
static String $show(float v) { return "" + v; }
static String $show(double v) { return "" + v; }
static String $show(char v) { return "'" + $esc(v, '\'') + "'"; }
static String $show(String v) {
  if (v == null) return "null";
  int n = v.length();
  int extra = 0;
  for (int i = 0; i < n; i++) extra += $esc(v.charAt(i), '"').length() - 1;
  if (extra == 0) return "\"" + v + "\"";
  char[] out = new char[n + extra + 2];
  int k = 0;
  out[k++] = '"';
  for (int i = 0; i < n; i++) {
    String e = $esc(v.charAt(i), '"');
    for (int j = 0; j < e.length(); j++) out[k++] = e.charAt(j);
  }
  out[k++] = '"';
  return new String(out);
}
static String $show(Object v) { return $obj(v); }
static String $esc(char c, char q) {
  if (c == q) return "\\" + c;
  switch (c) {
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\0': return "\\0";
    default: return "" + c;
  }
}
static String $arr(String t, Object[] a) {
  if (a == null) return "null";
  int k = t.indexOf('[');
  String r = (k < 0 ? t + "[" + a.length + "]" : t.substring(0, k) + "[" + a.length + "]" + t.substring(k)) + " { ";
  String e = t.endsWith("[]") ? t.substring(0, t.length() - 2) : "";
  for (int i = 0; i < a.length; i++) {
    if (i == $MAX) { r = r + ", ..."; break; }
    if (i > 0) r = r + ", ";
    if (e.length() > 0 && a[i] instanceof Object[]) r = r + $arr(e, (Object[]) a[i]);
    else r = r + $obj(a[i]);
  }
  return r + " }";
}
"#;

/// `$obj(Object)`: dynamic formatting, with one branch per primitive array type.
fn array_helpers() -> String {
    let mut s = String::from(
        "static String $obj(Object o) {\n  if (o == null) return \"null\";\n  \
         if (o instanceof String) return $show((String) o);\n",
    );
    for p in PRIMS {
        let _ = writeln!(
            s,
            "  if (o instanceof {p}[]) {{ {p}[] a = ({p}[]) o; String r = \"{p}[\" + a.length + \"] {{ \"; \
             for (int i = 0; i < a.length; i++) {{ if (i == $MAX) {{ r = r + \", ...\"; break; }} \
             r = r + (i > 0 ? \", \" : \"\") + $show(a[i]); }} return r + \" }}\"; }}"
        );
    }
    s.push_str("  if (o instanceof Object[]) return $arr(\"Object\", (Object[]) o);\n");
    s.push_str("  return \"\" + o;\n}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::show_call;

    #[test]
    fn echo_calls_by_static_type() {
        assert_eq!(show_call("int", "x"), "$show(x)");
        assert_eq!(show_call("int[]", "x"), "$show(x)");
        assert_eq!(show_call("String[]", "x"), "$arr(\"String\", x)");
        assert_eq!(show_call("int [] []", "x"), "$arr(\"int[]\", x)");
    }
}
