//! The compiler's driver: declare, check and lower every body, then assemble
//! the [`Program`] the VM loads.

use super::classes::{ClassOrigin, MId, MethodSrc};
use super::convert::string_ty;
use super::library::LibUnit;
use super::state::Compiler;
use super::types::Ty;
use crate::ast::{ClassKind, CompilationUnit};
use crate::diag::{Diagnostic, Span};
use semeru_gc::ClassId;
use semeru_vm::program::{Body, Class, Method, MethodId, Program, RetKind};

pub fn compile_unit(
    source_file: &str,
    src: Option<&str>,
    unit: &CompilationUnit,
    libs: &[LibUnit],
) -> Result<Program, Vec<Diagnostic>> {
    // Enums and records become ordinary classes first.
    let desugared = super::desugar::unit(unit);
    let unit = desugared.as_ref().unwrap_or(unit);
    let mut g = Compiler::new(src, libs);
    g.declare(unit, libs);
    let main = find_main(&mut g, unit);
    for m in 0..g.table.methods.len() {
        if let Some(code) = g.compile_body(MId(m as u32)) {
            g.codes.insert(MId(m as u32), code);
        }
    }
    if g.table.classes.len() > u16::MAX as usize || g.table.methods.len() > u16::MAX as usize {
        g.error(Span::default(), "program too large");
    }
    if g.has_errors() || main.is_none() {
        let mut d = g.take_diags();
        super::library::relocate(&mut d, &g.sources);
        return Err(d);
    }
    let Some(main) = main else {
        return Err(Vec::new());
    };
    Ok(assemble(&mut g, source_file, main))
}

fn find_main(g: &mut Compiler, unit: &CompilationUnit) -> Option<MId> {
    let Some(first) = unit.classes.first() else {
        g.error(Span::default(), "no class declared in source file");
        return None;
    };
    if first.kind == ClassKind::Interface {
        return None;
    }
    let c = *g.table.top_level.get(&first.name.name)?;
    let want = vec![Ty::Array(Box::new(string_ty()))];
    let found = g.table.class(c).methods.iter().copied().find(|m| {
        let mi = g.table.method(*m);
        mi.name == "main" && mi.params == want
    });
    match found {
        Some(m) => {
            let mi = g.table.method(m);
            if !mi.is_static || mi.access != 3 {
                g.error(mi.span, "'main' method is not declared 'public static'");
            } else if mi.ret != Ty::Void {
                g.error(
                    mi.span,
                    "'main' method is not declared with a return type of 'void'",
                );
            }
            Some(m)
        }
        None => {
            g.error(
                first.name.span,
                format!(
                    "can't find main(String[]) method in class: {}",
                    first.name.name
                ),
            );
            None
        }
    }
}

fn assemble(g: &mut Compiler, source_file: &str, main: MId) -> Program {
    // A `<clinit>` that only returns (all static fields were constants) is dropped.
    for c in 0..g.table.classes.len() {
        let Some(m) = g.table.classes[c].clinit else {
            continue;
        };
        if g.codes.get(&m).is_some_and(|code| code.insns.len() == 1) {
            g.table.classes[c].clinit = None;
        }
    }
    // Element classes may create further array classes; iterate to a fixpoint.
    let mut elem = Vec::new();
    let mut i = 0;
    while i < g.table.classes.len() {
        let e = g.table.elem_class(ClassId(i as u32));
        elem.push(e);
        i += 1;
    }
    let classes = g
        .table
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| Class {
            name: c.name.clone(),
            super_class: c.super_,
            interfaces: g.table.cext(ClassId(i as u32)).interfaces.clone(),
            is_interface: g.table.is_interface(ClassId(i as u32)),
            is_abstract: c.is_abstract,
            layout: c.heap_layout.clone(),
            elem_class: elem.get(i).copied().flatten(),
            vtable: c.vtable.iter().map(|m| MethodId(m.0 as u16)).collect(),
            clinit: c.clinit.map(|m| MethodId(m.0 as u16)),
            itable: g
                .table
                .cext(ClassId(i as u32))
                .itable
                .iter()
                .map(|(m, k)| (MethodId(m.0 as u16), MethodId(k.0 as u16)))
                .collect(),
        })
        .collect();
    let mut methods = Vec::new();
    for (i, m) in g.table.methods.iter().enumerate() {
        let p = m.params.iter().filter(|t| t.is_prim()).count() as u16;
        let r = m.params.len() as u16 - p + if m.is_static { 0 } else { 1 };
        let ret = match m.ret.file() {
            super::types::File::P => RetKind::Prim,
            super::types::File::R => RetKind::Ref,
            super::types::File::None => RetKind::Void,
        };
        let body = match &m.src {
            MethodSrc::Native(n) => Body::Native(*n as u16),
            _ => match g.codes.remove(&MId(i as u32)) {
                Some(code) => Body::Code(code),
                None => Body::Abstract,
            },
        };
        let _ = ClassOrigin::Builtin;
        methods.push(Method {
            name: m.name.clone(),
            class: m.class,
            desc: g.table.method_desc(&m.params, &m.ret),
            is_static: m.is_static,
            params_p: p,
            params_r: r,
            ret,
            body,
        });
    }
    Program {
        source_file: source_file.to_string(),
        classes,
        methods,
        consts: std::mem::take(&mut g.consts),
        strings: std::mem::take(&mut g.strings),
        static_p: g.table.static_p_names.len() as u32,
        static_r: g.table.static_r_names.len() as u32,
        static_p_names: g.table.static_p_names.clone(),
        static_r_names: g.table.static_r_names.clone(),
        main: MethodId(main.0 as u16),
    }
}
