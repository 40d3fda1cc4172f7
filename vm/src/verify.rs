//! Load-time verification: the interpreter accesses registers, code and pools
//! without bounds checks, so every operand is checked here once.

use crate::insn::{Insn, Operand};
use crate::interp::VmError;
use crate::program::{Body, Method, Program, SwitchTable};
use semeru_stdlib::natives::{Native, NativeKind};

/// `(primitive, reference)` argument slots of a JVM descriptor's parameters.
pub fn desc_arg_counts(desc: &str) -> (usize, usize) {
    let params = desc
        .strip_prefix('(')
        .and_then(|d| d.split_once(')'))
        .map_or("", |(p, _)| p);
    let (mut p, mut r) = (0, 0);
    let mut chars = params.chars();
    while let Some(c) = chars.next() {
        match c {
            'L' => {
                r += 1;
                for c in chars.by_ref() {
                    if c == ';' {
                        break;
                    }
                }
            }
            '[' => {
                r += 1;
                // Skip the element type.
                let mut c = chars.next();
                while c == Some('[') {
                    c = chars.next();
                }
                if c == Some('L') {
                    for c in chars.by_ref() {
                        if c == ';' {
                            break;
                        }
                    }
                }
            }
            _ => p += 1,
        }
    }
    (p, r)
}

/// The result kind of a descriptor: `'V'`, `'P'` (primitive) or `'R'`.
fn desc_ret(desc: &str) -> char {
    match desc.rsplit(')').next().and_then(|r| r.chars().next()) {
        Some('V') => 'V',
        Some('L') | Some('[') => 'R',
        _ => 'P',
    }
}

fn err(p: &Program, m: &Method, pc: usize, what: &str) -> VmError {
    let cls = p
        .classes
        .get(m.class.0 as usize)
        .map_or("?", |c| c.name.as_str());
    VmError(format!(
        "bad bytecode in {cls}.{}{} at {pc}: {what}",
        m.name, m.desc
    ))
}

/// Appends `Ret {}` to methods whose end is reachable by falling through or by a
/// jump to one past the last instruction (a label bound at the very end). For a
/// `void` method that is the implicit return; the compiler never lets a value
/// method reach its end, so there the padding is dead code that keeps the
/// interpreter's unchecked instruction fetch in bounds.
pub fn pad_code_ends(p: &mut Program) {
    for m in &mut p.methods {
        let Body::Code(code) = &mut m.body else {
            continue;
        };
        let n = code.insns.len();
        let falls = !matches!(
            code.insns.last(),
            Some(
                Insn::Jmp { .. }
                    | Insn::Ret {}
                    | Insn::RetP { .. }
                    | Insn::RetR { .. }
                    | Insn::Throw { .. }
                    | Insn::Switch { .. }
            )
        );
        let mut jumps_to_end = false;
        for insn in &code.insns {
            insn.for_each_operand(&mut |_, op| {
                if let Operand::Pc(t) = op {
                    jumps_to_end |= t.0 as usize == n;
                }
            });
        }
        let switch_to_end = code.switches.iter().any(|t| match t {
            SwitchTable::Dense {
                targets, default, ..
            }
            | SwitchTable::Sparse {
                targets, default, ..
            } => targets.iter().chain([default]).any(|t| t.0 as usize == n),
        });
        if falls || jumps_to_end || switch_to_end {
            code.insns.push(Insn::Ret {});
        }
    }
}

/// Checks every method of `p`.
pub fn verify(p: &Program) -> Result<(), VmError> {
    if p.main.0 as usize >= p.methods.len() {
        return Err(VmError("main method id out of range".into()));
    }
    for c in &p.classes {
        for m in c.vtable.iter().chain(c.clinit.iter()) {
            if m.0 as usize >= p.methods.len() {
                return Err(VmError(format!("class {} names a missing method", c.name)));
            }
        }
        for k in c.super_class.iter().chain(c.elem_class.iter()) {
            if k.0 as usize >= p.classes.len() {
                return Err(VmError(format!("class {} names a missing class", c.name)));
            }
        }
    }
    for m in &p.methods {
        if let Body::Code(_) = m.body {
            verify_method(p, m)?;
        }
        if let Body::Native(n) = m.body {
            if Native::from_index(n).is_none_or(|n| n.desc().kind == NativeKind::Intrinsic) {
                return Err(err(p, m, 0, "native body is not a callable native"));
            }
        }
    }
    Ok(())
}

fn verify_method(p: &Program, m: &Method) -> Result<(), VmError> {
    let Body::Code(code) = &m.body else {
        return Ok(());
    };
    let (rp, rr) = (code.regs_p as usize, code.regs_r as usize);
    let n = code.insns.len();
    if (m.params_p as usize) > rp || (m.params_r as usize) > rr {
        return Err(err(p, m, 0, "parameters exceed the register counts"));
    }
    match code.insns.last() {
        Some(
            Insn::Jmp { .. }
            | Insn::Ret {}
            | Insn::RetP { .. }
            | Insn::RetR { .. }
            | Insn::Throw { .. }
            | Insn::Switch { .. },
        ) => {}
        _ => return Err(err(p, m, n, "code can fall off its end")),
    }
    for (pc, insn) in code.insns.iter().enumerate() {
        let is_call = matches!(
            insn,
            Insn::CallStatic { .. }
                | Insn::CallSpecial { .. }
                | Insn::CallVirtual { .. }
                | Insn::CallInterface { .. }
                | Insn::CallNative { .. }
        );
        let mut bad: Option<&'static str> = None;
        let mut check = |ok: bool, what: &'static str| {
            if !ok && bad.is_none() {
                bad = Some(what);
            }
        };
        insn.for_each_operand(&mut |field, op| match op {
            Operand::P(x) => {
                let x = x.0 as usize;
                if is_call && field == "p" {
                    check(x <= rp, "argument window beyond the frame");
                } else {
                    check(x < rp, "primitive register out of range");
                }
            }
            Operand::R(x) => {
                let x = x.0 as usize;
                if is_call && field == "r" {
                    check(x <= rr, "argument window beyond the frame");
                } else {
                    check(x < rr, "reference register out of range");
                }
            }
            Operand::Pc(t) => check((t.0 as usize) < n, "jump target out of range"),
            Operand::Cls(c) => check((c.0 as usize) < p.classes.len(), "class out of range"),
            Operand::Meth(x) => check((x.0 as usize) < p.methods.len(), "method out of range"),
            Operand::Nat(x) => check(
                Native::from_index(x.0).is_some_and(|n| n.desc().kind != NativeKind::Intrinsic),
                "not a callable native",
            ),
            Operand::K(k) => check((k.0 as usize) < p.consts.len(), "constant out of range"),
            Operand::Str(s) => check((s.0 as usize) < p.strings.len(), "string out of range"),
            Operand::Tbl(t) => check(
                (t.0 as usize) < code.switches.len(),
                "switch table out of range",
            ),
            Operand::St(_) | Operand::Off(_) | Operand::VSlot(_) | Operand::Imm => {}
        });
        match *insn {
            Insn::GetStaticP { s, .. } | Insn::PutStaticP { s, .. } => {
                check((s.0 as u32) < p.static_p, "static slot out of range")
            }
            Insn::GetStaticR { s, .. } | Insn::PutStaticR { s, .. } => {
                check((s.0 as u32) < p.static_r, "static slot out of range")
            }
            Insn::NewMultiArray { dims, n, .. } => check(
                n >= 1 && dims.0 as usize + n as usize <= rp,
                "dimensions beyond the frame",
            ),
            Insn::CallStatic {
                m: callee,
                p: ap,
                r: ar,
            }
            | Insn::CallSpecial {
                m: callee,
                p: ap,
                r: ar,
            }
            | Insn::CallInterface {
                m: callee,
                p: ap,
                r: ar,
            } => {
                if let Some(c) = p.methods.get(callee.0 as usize) {
                    check(
                        ap.0 as usize + c.params_p as usize <= rp
                            && ar.0 as usize + c.params_r as usize <= rr,
                        "arguments beyond the frame",
                    );
                    let res_ok = match c.ret {
                        crate::program::RetKind::Prim => (ap.0 as usize) < rp,
                        crate::program::RetKind::Ref => (ar.0 as usize) < rr,
                        crate::program::RetKind::Void => true,
                    };
                    check(res_ok, "result register beyond the frame");
                }
            }
            Insn::CallVirtual { r: ar, .. } => check((ar.0 as usize) < rr, "no receiver"),
            Insn::CallNative {
                n: nat,
                p: ap,
                r: ar,
            } => {
                if let Some(nat) = Native::from_index(nat.0) {
                    let d = nat.desc();
                    let (np, mut nr) = desc_arg_counts(d.desc);
                    if d.kind == NativeKind::Instance {
                        nr += 1;
                    }
                    let ret = desc_ret(d.desc);
                    let need_p = np.max((ret == 'P') as usize);
                    let need_r = nr.max((ret == 'R') as usize);
                    check(
                        ap.0 as usize + need_p <= rp && ar.0 as usize + need_r <= rr,
                        "native arguments beyond the frame",
                    );
                }
            }
            _ => {}
        }
        if let Some(what) = bad {
            return Err(err(p, m, pc, what));
        }
    }
    for t in &code.switches {
        let (targets, default) = match t {
            SwitchTable::Dense {
                targets, default, ..
            } => (targets, default),
            SwitchTable::Sparse {
                keys,
                targets,
                default,
            } => {
                if keys.len() != targets.len() || !keys.windows(2).all(|w| w[0] < w[1]) {
                    return Err(err(p, m, 0, "malformed sparse switch"));
                }
                (targets, default)
            }
        };
        if targets.iter().chain([default]).any(|t| t.0 as usize >= n) {
            return Err(err(p, m, 0, "switch target out of range"));
        }
    }
    for h in &code.handlers {
        if h.target.0 as usize >= n || h.reg.0 as usize >= rr || h.start.0 > h.end.0 {
            return Err(err(p, m, 0, "malformed exception handler"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_descriptor_args() {
        assert_eq!(desc_arg_counts("(Ljava/lang/String;I)I"), (1, 1));
        assert_eq!(desc_arg_counts("([[I[Ljava/lang/String;JD)V"), (2, 2));
        assert_eq!(desc_ret("()[C"), 'R');
        assert_eq!(desc_ret("(I)V"), 'V');
    }
}
