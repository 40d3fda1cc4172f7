//! The disassembler (`semeru disasm`): every user class and its methods, one
//! instruction per line with its index and source line, then switch tables and
//! exception handlers.

use crate::program::{Body, Method, Program, SwitchTable};
use semeru_stdlib::builtins::FIRST_FREE_ID;
use std::fmt::Write;

/// Lists every class of the program (ids from `FIRST_FREE_ID`, standard-library
/// classes left out) with its methods.
pub fn disassemble(p: &Program) -> String {
    disassemble_classes(p, false)
}

/// Like [`disassemble`]; with `library`, the standard-library classes that the
/// program was compiled with are listed too.
pub fn disassemble_classes(p: &Program, library: bool) -> String {
    let mut out = String::new();
    for (id, c) in p.classes.iter().enumerate().skip(FIRST_FREE_ID as usize) {
        // Array classes have no code; library classes have a package.
        if c.name.starts_with('[') || (!library && c.name.contains('.')) {
            continue;
        }
        let _ = write!(out, "class {} (#{id})", c.name);
        if let Some(s) = c.super_class {
            let _ = write!(
                out,
                " extends {}",
                p.classes.get(s.0 as usize).map_or("?", |k| k.name.as_str())
            );
        }
        out.push('\n');
        for (mid, m) in p.methods.iter().enumerate() {
            if m.class.0 as usize == id {
                out.push_str(&disassemble_method(p, mid));
            }
        }
        out.push('\n');
    }
    out
}

/// One method: header, instructions, switch tables, handlers.
pub fn disassemble_method(p: &Program, id: usize) -> String {
    let mut out = String::new();
    let Some(m) = p.methods.get(id) else {
        return out;
    };
    let _ = write!(
        out,
        "  {}method #{id} {}{}",
        if m.is_static { "static " } else { "" },
        m.name,
        m.desc
    );
    match &m.body {
        Body::Native(n) => {
            let _ = writeln!(out, " native#{n}");
        }
        Body::Abstract => {
            let _ = writeln!(out, " abstract");
        }
        Body::Code(code) => {
            let _ = writeln!(
                out,
                "  [params p{} r{}, regs p{} r{}]",
                m.params_p, m.params_r, code.regs_p, code.regs_r
            );
            let mut last_line = None;
            for (pc, insn) in code.insns.iter().enumerate() {
                let line = code.line_of(pc);
                let col = if line != last_line {
                    last_line = line;
                    line.map_or(String::new(), |l| format!("L{l}"))
                } else {
                    String::new()
                };
                let _ = writeln!(out, "    {pc:>4} {col:>6}  {}", annotate(p, m, insn));
            }
            for (i, t) in code.switches.iter().enumerate() {
                match t {
                    SwitchTable::Dense {
                        low,
                        targets,
                        default,
                    } => {
                        let _ = write!(out, "    table#{i} dense low={low}:");
                        for (k, t) in targets.iter().enumerate() {
                            let _ = write!(out, " {}->{t}", *low as i64 + k as i64);
                        }
                        let _ = writeln!(out, " default->{default}");
                    }
                    SwitchTable::Sparse {
                        keys,
                        targets,
                        default,
                    } => {
                        let _ = write!(out, "    table#{i} sparse:");
                        for (k, t) in keys.iter().zip(targets) {
                            let _ = write!(out, " {k}->{t}");
                        }
                        let _ = writeln!(out, " default->{default}");
                    }
                }
            }
            for h in &code.handlers {
                let cls = h
                    .class
                    .and_then(|c| p.classes.get(c.0 as usize))
                    .map_or("any", |c| c.name.as_str());
                let _ = writeln!(
                    out,
                    "    handler [{}, {}) {cls} -> {} in {}",
                    h.start, h.end, h.target, h.reg
                );
            }
        }
    }
    out
}

/// The instruction, plus a comment naming what its ids refer to.
fn annotate(p: &Program, _m: &Method, insn: &crate::insn::Insn) -> String {
    use crate::insn::Insn::*;
    let text = insn.to_string();
    let note = match *insn {
        CallStatic { m, .. } | CallSpecial { m, .. } | CallInterface { m, .. } => {
            p.methods.get(m.0 as usize).map(|t| {
                let cls = p
                    .classes
                    .get(t.class.0 as usize)
                    .map_or("?", |c| c.name.as_str());
                format!("{cls}.{}{}", t.name, t.desc)
            })
        }
        CallNative { n, .. } => semeru_stdlib::natives::Native::from_index(n.0).map(|n| {
            let d = n.desc();
            format!("{}.{}{}", d.class, d.name, d.desc)
        }),
        New { c, .. }
        | NewArray { c, .. }
        | NewMultiArray { c, .. }
        | InstanceOf { c, .. }
        | CheckCast { c, .. }
        | InitClass { c } => p.classes.get(c.0 as usize).map(|c| c.name.clone()),
        SConst { k, .. } => p
            .strings
            .get(k.0 as usize)
            .map(|s| format!("{:?}", String::from_utf16_lossy(s))),
        KConst { k, .. } => p.consts.get(k.0 as usize).map(|v| format!("{v:#x}")),
        GetStaticP { s, .. } | PutStaticP { s, .. } => p.static_p_names.get(s.0 as usize).cloned(),
        GetStaticR { s, .. } | PutStaticR { s, .. } => p.static_r_names.get(s.0 as usize).cloned(),
        _ => None,
    };
    match note {
        Some(n) => format!("{text:<40} ; {n}"),
        None => text,
    }
}
