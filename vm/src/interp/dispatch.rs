//! The dispatch loop: a `match` over [`Insn`] in a loop, with the running frame's
//! pc, code and register window kept in locals. Calls push explicit frames, so Sem
//! recursion never recurses in Rust.

use super::calls::code_of;
use super::frame::Win;
use super::Vm;
use super::{Ctl, VmError};
use crate::insn::{Cond, Insn};
use crate::program::{Body, SwitchTable};
use semeru_gc::layout::ARRAY_DATA_OFFSET;
use semeru_gc::{ClassId, Ref};
use semeru_stdlib::builtins::{
    ARITHMETIC_EXCEPTION, ARRAY_INDEX_OUT_OF_BOUNDS_EXCEPTION, ARRAY_STORE_EXCEPTION,
    CLASS_CAST_EXCEPTION, NEGATIVE_ARRAY_SIZE_EXCEPTION, NULL_POINTER_EXCEPTION, OBJECT,
};
use std::rc::Rc;

/// `COND[c][o]`: whether condition `c` holds for outcome `o` (0 less, 1 equal,
/// 2 greater, 3 unordered). A table lookup keeps comparisons branch-free.
const COND: [[bool; 4]; 6] = [
    [false, true, false, false], // ==
    [true, false, true, true],   // !=
    [true, false, false, false], // <
    [true, true, false, false],  // <=
    [false, false, true, false], // >
    [false, true, true, false],  // >=
];

#[inline(always)]
fn cmp<T: PartialOrd>(a: T, b: T, c: Cond) -> bool {
    #[allow(clippy::eq_op)]
    let unordered = (a != a) | (b != b);
    let o = (a == b) as usize | (((a > b) as usize) << 1) | ((unordered as usize) * 3);
    COND[c as usize][o]
}

fn fault(msg: &str) -> Ctl {
    Ctl::Fault(VmError(msg.to_string()))
}

impl Vm {
    /// Runs the top frame until the frame count drops to `stop` (its caller's
    /// depth). An exception not handled above `stop` is returned as `Ctl::Throw`.
    pub(crate) fn execute(&mut self, stop: usize) -> Result<(), Ctl> {
        if self.trace {
            self.run_loop::<true>(stop)
        } else {
            self.run_loop::<false>(stop)
        }
    }

    fn run_loop<const TRACE: bool>(&mut self, stop: usize) -> Result<(), Ctl> {
        let prog = Rc::clone(&self.prog);
        let itab = Rc::clone(&self.itab);
        let methods = &prog.methods;
        let classes = &prog.classes;
        let consts = &prog.consts;
        let pbase = self.prims.base();
        let rbase = self.rt.regs.base();

        let mut fr;
        let mut cur;
        let mut insns: &[Insn];
        let mut pc: usize;
        let mut w: Win;

        // Loads the top frame into the locals.
        macro_rules! reload {
            () => {{
                fr = match self.frames.last() {
                    Some(f) => *f,
                    None => return Err(fault("no frame to run")),
                };
                cur = code_of(&methods[fr.method as usize]);
                insns = cur.insns.as_slice();
                pc = fr.pc as usize;
                // SAFETY: frames are only pushed by `push_frame`, which checks that
                // the window fits in both register stacks; the method was verified.
                w = unsafe {
                    Win::new(pbase.add(fr.base_p as usize), rbase.add(fr.base_r as usize))
                };
            }};
        }
        // Records the pc of the instruction being run in the top frame.
        macro_rules! sync {
            () => {
                if let Some(f) = self.frames.last_mut() {
                    f.pc = (pc - 1) as u32;
                }
            };
        }
        // Handles a non-normal completion.
        macro_rules! ctl {
            ($c:expr) => {{
                match $c {
                    Ctl::Throw => {
                        if self.unwind(stop) {
                            reload!();
                            continue;
                        }
                        return Err(Ctl::Throw);
                    }
                    other => return Err(other),
                }
            }};
        }
        macro_rules! throw {
            ($cls:expr, $msg:expr) => {{
                sync!();
                let c = self.raise($cls, $msg);
                ctl!(c)
            }};
        }
        macro_rules! try_ {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(c) => ctl!(c),
                }
            };
        }
        macro_rules! nonnull {
            ($o:expr) => {{
                let o = w.r($o);
                if o.is_null() {
                    throw!(NULL_POINTER_EXCEPTION, None)
                }
                o
            }};
        }
        macro_rules! elem {
            ($a:expr, $i:expr, $size:expr) => {{
                let a = nonnull!($a);
                let i = w.i($i);
                let len = self.heap.array_len(a);
                if i as u32 >= len {
                    throw!(
                        ARRAY_INDEX_OUT_OF_BOUNDS_EXCEPTION,
                        Some(format!("Index {i} out of bounds for length {len}"))
                    )
                }
                (a, ARRAY_DATA_OFFSET + (i as u32) * $size)
            }};
        }
        macro_rules! int_op {
            ($d:expr, $a:expr, $b:expr, $f:ident) => {
                w.set_i($d, w.i($a).$f(w.i($b)))
            };
        }
        macro_rules! long_op {
            ($d:expr, $a:expr, $b:expr, $f:ident) => {
                w.set_l($d, w.l($a).$f(w.l($b)))
            };
        }
        // Calls method `m` with arguments at window offsets `p`/`r`.
        macro_rules! call {
            ($m:expr, $p:expr, $r:expr) => {{
                let m = $m as u32;
                let abs_p = fr.base_p as usize + $p.0 as usize;
                let abs_r = fr.base_r as usize + $r.0 as usize;
                sync!();
                match &methods[m as usize].body {
                    Body::Code(_) => {
                        try_!(self.push_frame(m, abs_p, abs_r));
                        reload!();
                    }
                    Body::Native(n) => {
                        let r = self.call_native(*n, abs_p, abs_r);
                        try_!(r);
                    }
                    Body::Abstract => {
                        return Err(fault("call of an abstract method"));
                    }
                }
            }};
        }
        macro_rules! ret {
            () => {{
                self.pop_frame();
                if self.frames.len() <= stop {
                    return Ok(());
                }
                reload!();
            }};
        }

        // Sets the pc to branch target `t`; a backward branch first polls the
        // interrupt flag (one relaxed load), so every loop can be interrupted.
        macro_rules! jump {
            ($t:expr) => {{
                let t = $t.0 as usize;
                if t < pc && super::interrupt::pending() {
                    sync!();
                    return Err(super::interrupt::stop());
                }
                pc = t
            }};
        }

        reload!();
        // The loop body is expanded twice so the CPU sees two indirect dispatch
        // branches (alternating instructions), which predicts better than one.
        macro_rules! step {
            () => {{
                // SAFETY: the verifier checked that every jump target, handler and
                // resume point is in bounds and that no method falls off its end.
                let insn = unsafe { *insns.get_unchecked(pc) };
                if TRACE {
                    self.trace_insn(fr.method, pc, &insn);
                }
                pc += 1;
                match insn {
                    Insn::Nop {} => {}
                    Insn::IConst { d, v } => w.set_i(d, v),
                    Insn::FConst { d, v } => w.set_f(d, v),
                    Insn::KConst { d, k } => w.set_p(d, consts[k.0 as usize]),
                    Insn::SConst { d, k } => w.set_r(d, self.rt.interned[k.0 as usize]),
                    Insn::Null { d } => w.set_r(d, Ref::NULL),
                    Insn::MovP { d, s } => w.set_p(d, w.p(s)),
                    Insn::MovR { d, s } => w.set_r(d, w.r(s)),

                    Insn::IAdd { d, a, b } => int_op!(d, a, b, wrapping_add),
                    Insn::IAddK { d, a, v } => w.set_i(d, w.i(a).wrapping_add(v as i32)),
                    Insn::ISub { d, a, b } => int_op!(d, a, b, wrapping_sub),
                    Insn::IMul { d, a, b } => int_op!(d, a, b, wrapping_mul),
                    Insn::IDiv { d, a, b } => {
                        let y = w.i(b);
                        if y == 0 {
                            throw!(ARITHMETIC_EXCEPTION, Some("/ by zero".into()))
                        }
                        w.set_i(d, w.i(a).wrapping_div(y))
                    }
                    Insn::IRem { d, a, b } => {
                        let y = w.i(b);
                        if y == 0 {
                            throw!(ARITHMETIC_EXCEPTION, Some("/ by zero".into()))
                        }
                        w.set_i(d, w.i(a).wrapping_rem(y))
                    }
                    Insn::IAnd { d, a, b } => w.set_i(d, w.i(a) & w.i(b)),
                    Insn::IOr { d, a, b } => w.set_i(d, w.i(a) | w.i(b)),
                    Insn::IXor { d, a, b } => w.set_i(d, w.i(a) ^ w.i(b)),
                    Insn::IShl { d, a, b } => w.set_i(d, w.i(a).wrapping_shl(w.i(b) as u32)),
                    Insn::IShr { d, a, b } => w.set_i(d, w.i(a).wrapping_shr(w.i(b) as u32)),
                    Insn::IUShr { d, a, b } => {
                        w.set_i(d, (w.i(a) as u32).wrapping_shr(w.i(b) as u32) as i32)
                    }
                    Insn::INeg { d, s } => w.set_i(d, w.i(s).wrapping_neg()),
                    Insn::INot { d, s } => w.set_i(d, !w.i(s)),
                    Insn::BNot { d, s } => w.set_i(d, w.i(s) ^ 1),

                    Insn::LAdd { d, a, b } => long_op!(d, a, b, wrapping_add),
                    Insn::LSub { d, a, b } => long_op!(d, a, b, wrapping_sub),
                    Insn::LMul { d, a, b } => long_op!(d, a, b, wrapping_mul),
                    Insn::LDiv { d, a, b } => {
                        let y = w.l(b);
                        if y == 0 {
                            throw!(ARITHMETIC_EXCEPTION, Some("/ by zero".into()))
                        }
                        w.set_l(d, w.l(a).wrapping_div(y))
                    }
                    Insn::LRem { d, a, b } => {
                        let y = w.l(b);
                        if y == 0 {
                            throw!(ARITHMETIC_EXCEPTION, Some("/ by zero".into()))
                        }
                        w.set_l(d, w.l(a).wrapping_rem(y))
                    }
                    Insn::LAnd { d, a, b } => w.set_l(d, w.l(a) & w.l(b)),
                    Insn::LOr { d, a, b } => w.set_l(d, w.l(a) | w.l(b)),
                    Insn::LXor { d, a, b } => w.set_l(d, w.l(a) ^ w.l(b)),
                    Insn::LShl { d, a, b } => w.set_l(d, w.l(a).wrapping_shl(w.i(b) as u32)),
                    Insn::LShr { d, a, b } => w.set_l(d, w.l(a).wrapping_shr(w.i(b) as u32)),
                    Insn::LUShr { d, a, b } => {
                        w.set_l(d, (w.l(a) as u64).wrapping_shr(w.i(b) as u32) as i64)
                    }
                    Insn::LNeg { d, s } => w.set_l(d, w.l(s).wrapping_neg()),
                    Insn::LNot { d, s } => w.set_l(d, !w.l(s)),

                    Insn::FAdd { d, a, b } => w.set_f(d, w.f(a) + w.f(b)),
                    Insn::FSub { d, a, b } => w.set_f(d, w.f(a) - w.f(b)),
                    Insn::FMul { d, a, b } => w.set_f(d, w.f(a) * w.f(b)),
                    Insn::FDiv { d, a, b } => w.set_f(d, w.f(a) / w.f(b)),
                    Insn::FRem { d, a, b } => w.set_f(d, w.f(a) % w.f(b)),
                    Insn::FNeg { d, s } => w.set_f(d, -w.f(s)),
                    Insn::DAdd { d, a, b } => w.set_d(d, w.d(a) + w.d(b)),
                    Insn::DSub { d, a, b } => w.set_d(d, w.d(a) - w.d(b)),
                    Insn::DMul { d, a, b } => w.set_d(d, w.d(a) * w.d(b)),
                    Insn::DDiv { d, a, b } => w.set_d(d, w.d(a) / w.d(b)),
                    Insn::DRem { d, a, b } => w.set_d(d, w.d(a) % w.d(b)),
                    Insn::DNeg { d, s } => w.set_d(d, -w.d(s)),

                    Insn::I2L { d, s } => w.set_l(d, w.i(s) as i64),
                    Insn::I2F { d, s } => w.set_f(d, w.i(s) as f32),
                    Insn::I2D { d, s } => w.set_d(d, w.i(s) as f64),
                    Insn::L2I { d, s } => w.set_i(d, w.l(s) as i32),
                    Insn::L2F { d, s } => w.set_f(d, w.l(s) as f32),
                    Insn::L2D { d, s } => w.set_d(d, w.l(s) as f64),
                    Insn::F2I { d, s } => w.set_i(d, w.f(s) as i32),
                    Insn::F2L { d, s } => w.set_l(d, w.f(s) as i64),
                    Insn::F2D { d, s } => w.set_d(d, w.f(s) as f64),
                    Insn::D2I { d, s } => w.set_i(d, w.d(s) as i32),
                    Insn::D2L { d, s } => w.set_l(d, w.d(s) as i64),
                    Insn::D2F { d, s } => w.set_f(d, w.d(s) as f32),
                    Insn::I2B { d, s } => w.set_i(d, w.i(s) as i8 as i32),
                    Insn::I2C { d, s } => w.set_i(d, w.i(s) as u16 as i32),
                    Insn::I2S { d, s } => w.set_i(d, w.i(s) as i16 as i32),

                    Insn::CmpI { d, a, b, c } => w.set_z(d, cmp(w.i(a), w.i(b), c)),
                    Insn::CmpL { d, a, b, c } => w.set_z(d, cmp(w.l(a), w.l(b), c)),
                    Insn::CmpF { d, a, b, c } => w.set_z(d, cmp(w.f(a), w.f(b), c)),
                    Insn::CmpD { d, a, b, c } => w.set_z(d, cmp(w.d(a), w.d(b), c)),
                    Insn::CmpR { d, a, b, c } => w.set_z(d, cmp(w.r(a), w.r(b), c)),

                    Insn::Jmp { t } => jump!(t),
                    Insn::BrI { a, b, c, t } => {
                        if cmp(w.i(a), w.i(b), c) {
                            jump!(t)
                        }
                    }
                    Insn::BrIK { a, v, c, t } => {
                        if cmp(w.i(a), v as i32, c) {
                            jump!(t)
                        }
                    }
                    Insn::BrL { a, b, c, t } => {
                        if cmp(w.l(a), w.l(b), c) {
                            jump!(t)
                        }
                    }
                    Insn::BrF { a, b, c, t } => {
                        if cmp(w.f(a), w.f(b), c) {
                            jump!(t)
                        }
                    }
                    Insn::BrD { a, b, c, t } => {
                        if cmp(w.d(a), w.d(b), c) {
                            jump!(t)
                        }
                    }
                    Insn::BrR { a, b, c, t } => {
                        if cmp(w.r(a), w.r(b), c) {
                            jump!(t)
                        }
                    }
                    Insn::BrNull { a, t } => {
                        if w.r(a).is_null() {
                            jump!(t)
                        }
                    }
                    Insn::BrNonNull { a, t } => {
                        if !w.r(a).is_null() {
                            jump!(t)
                        }
                    }
                    Insn::BrTrue { a, t } => {
                        if w.i(a) != 0 {
                            jump!(t)
                        }
                    }
                    Insn::BrFalse { a, t } => {
                        if w.i(a) == 0 {
                            jump!(t)
                        }
                    }
                    Insn::Switch { s, tbl } => {
                        let v = w.i(s);
                        pc = match &cur.switches[tbl.0 as usize] {
                            SwitchTable::Dense {
                                low,
                                targets,
                                default,
                            } => {
                                let i = v.wrapping_sub(*low) as u32 as usize;
                                targets.get(i).unwrap_or(default).0 as usize
                            }
                            SwitchTable::Sparse {
                                keys,
                                targets,
                                default,
                            } => match keys.binary_search(&v) {
                                Ok(i) => targets[i].0 as usize,
                                Err(_) => default.0 as usize,
                            },
                        };
                    }

                    Insn::New { d, c } => {
                        sync!();
                        let o = try_!(self.alloc(c.0 as u32));
                        w.set_r(d, o);
                    }
                    Insn::GetB { d, o, off } => {
                        let o = nonnull!(o);
                        w.set_i(d, self.heap.read::<i8>(o, off.0 as u32) as i32)
                    }
                    Insn::GetZ { d, o, off } => {
                        let o = nonnull!(o);
                        w.set_i(d, self.heap.read::<u8>(o, off.0 as u32) as i32)
                    }
                    Insn::GetC { d, o, off } => {
                        let o = nonnull!(o);
                        w.set_i(d, self.heap.read::<u16>(o, off.0 as u32) as i32)
                    }
                    Insn::GetS { d, o, off } => {
                        let o = nonnull!(o);
                        w.set_i(d, self.heap.read::<i16>(o, off.0 as u32) as i32)
                    }
                    Insn::Get32 { d, o, off } => {
                        let o = nonnull!(o);
                        w.set_p(d, self.heap.read::<u32>(o, off.0 as u32) as u64)
                    }
                    Insn::Get64 { d, o, off } => {
                        let o = nonnull!(o);
                        w.set_p(d, self.heap.read::<u64>(o, off.0 as u32))
                    }
                    Insn::GetR { d, o, off } => {
                        let o = nonnull!(o);
                        w.set_r(d, self.heap.read_ref(o, off.0 as u32))
                    }
                    Insn::Put8 { o, off, s } => {
                        let o = nonnull!(o);
                        self.heap.write::<u8>(o, off.0 as u32, w.p(s) as u8)
                    }
                    Insn::Put16 { o, off, s } => {
                        let o = nonnull!(o);
                        self.heap.write::<u16>(o, off.0 as u32, w.p(s) as u16)
                    }
                    Insn::Put32 { o, off, s } => {
                        let o = nonnull!(o);
                        self.heap.write::<u32>(o, off.0 as u32, w.p(s) as u32)
                    }
                    Insn::Put64 { o, off, s } => {
                        let o = nonnull!(o);
                        self.heap.write::<u64>(o, off.0 as u32, w.p(s))
                    }
                    Insn::PutR { o, off, s } => {
                        let o = nonnull!(o);
                        self.heap.write_ref(o, off.0 as u32, w.r(s))
                    }
                    Insn::GetStaticP { d, s } => w.set_p(d, self.statics_p[s.0 as usize]),
                    Insn::PutStaticP { s, v } => self.statics_p[s.0 as usize] = w.p(v),
                    Insn::GetStaticR { d, s } => w.set_r(d, self.rt.statics[s.0 as usize]),
                    Insn::PutStaticR { s, v } => self.rt.statics[s.0 as usize] = w.r(v),
                    Insn::InitClass { c } => {
                        if !self.init_started[c.0 as usize] {
                            if let Some(m) = self.next_clinit(c.0 as u32) {
                                sync!();
                                if let Some(f) = self.frames.last_mut() {
                                    f.reexec = true;
                                }
                                let (bp, br) = (
                                    fr.base_p as usize + cur.regs_p as usize,
                                    fr.base_r as usize + cur.regs_r as usize,
                                );
                                try_!(self.push_frame(m, bp, br));
                                reload!();
                            }
                        }
                    }

                    Insn::NewArray { d, len, c } => {
                        let n = w.i(len);
                        if n < 0 {
                            throw!(NEGATIVE_ARRAY_SIZE_EXCEPTION, Some(n.to_string()))
                        }
                        sync!();
                        let a = try_!(self.alloc_array(c.0 as u32, n as u32));
                        w.set_r(d, a);
                    }
                    Insn::NewMultiArray { d, dims, n, c } => {
                        let lens: Vec<i32> = (0..n as u16)
                            .map(|k| w.i(crate::insn::P(dims.0 + k)))
                            .collect();
                        if let Some(neg) = lens.iter().find(|&&l| l < 0) {
                            throw!(NEGATIVE_ARRAY_SIZE_EXCEPTION, Some(neg.to_string()))
                        }
                        sync!();
                        let a = try_!(self.new_multi_array(c.0 as u32, &lens));
                        w.set_r(d, a);
                    }
                    Insn::ALen { d, a } => {
                        let a = nonnull!(a);
                        w.set_i(d, self.heap.array_len(a) as i32)
                    }
                    Insn::ALoadB { d, a, i } => {
                        let (a, off) = elem!(a, i, 1);
                        w.set_i(d, self.heap.read::<i8>(a, off) as i32)
                    }
                    Insn::ALoadZ { d, a, i } => {
                        let (a, off) = elem!(a, i, 1);
                        w.set_i(d, self.heap.read::<u8>(a, off) as i32)
                    }
                    Insn::ALoadC { d, a, i } => {
                        let (a, off) = elem!(a, i, 2);
                        w.set_i(d, self.heap.read::<u16>(a, off) as i32)
                    }
                    Insn::ALoadS { d, a, i } => {
                        let (a, off) = elem!(a, i, 2);
                        w.set_i(d, self.heap.read::<i16>(a, off) as i32)
                    }
                    Insn::ALoad32 { d, a, i } => {
                        let (a, off) = elem!(a, i, 4);
                        w.set_p(d, self.heap.read::<u32>(a, off) as u64)
                    }
                    Insn::ALoad64 { d, a, i } => {
                        let (a, off) = elem!(a, i, 8);
                        w.set_p(d, self.heap.read::<u64>(a, off))
                    }
                    Insn::ALoadR { d, a, i } => {
                        let (a, off) = elem!(a, i, 4);
                        w.set_r(d, self.heap.read_ref(a, off))
                    }
                    Insn::AStore8 { a, i, s } => {
                        let (a, off) = elem!(a, i, 1);
                        self.heap.write::<u8>(a, off, w.p(s) as u8)
                    }
                    Insn::AStore16 { a, i, s } => {
                        let (a, off) = elem!(a, i, 2);
                        self.heap.write::<u16>(a, off, w.p(s) as u16)
                    }
                    Insn::AStore32 { a, i, s } => {
                        let (a, off) = elem!(a, i, 4);
                        self.heap.write::<u32>(a, off, w.p(s) as u32)
                    }
                    Insn::AStore64 { a, i, s } => {
                        let (a, off) = elem!(a, i, 8);
                        self.heap.write::<u64>(a, off, w.p(s))
                    }
                    Insn::AStoreR { a, i, s } => {
                        let (arr, off) = elem!(a, i, 4);
                        let v = w.r(s);
                        if !v.is_null() {
                            let ac = self.heap.class_of(arr).0;
                            let ec = classes[ac as usize].elem_class.map_or(OBJECT, |e| e.0);
                            let vc = self.heap.class_of(v).0;
                            if ec != OBJECT && !self.is_subclass(vc, ec) {
                                let name = self.class_name(vc).to_string();
                                throw!(ARRAY_STORE_EXCEPTION, Some(name))
                            }
                        }
                        self.heap.write_ref(arr, off, v)
                    }

                    Insn::InstanceOf { d, o, c } => {
                        let o = w.r(o);
                        let yes =
                            !o.is_null() && self.is_subclass(self.heap.class_of(o).0, c.0 as u32);
                        w.set_z(d, yes)
                    }
                    Insn::CheckCast { o, c } => {
                        let o = w.r(o);
                        if !o.is_null() {
                            let oc = self.heap.class_of(o).0;
                            if !self.is_subclass(oc, c.0 as u32) {
                                let msg = self.cast_message(oc, c.0 as u32);
                                throw!(CLASS_CAST_EXCEPTION, Some(msg))
                            }
                        }
                    }

                    Insn::CallStatic { m, p, r } => call!(m.0, p, r),
                    Insn::CallSpecial { m, p, r } => {
                        nonnull!(r);
                        call!(m.0, p, r)
                    }
                    Insn::CallVirtual { v, p, r } => {
                        let o = nonnull!(r);
                        let oc = self.heap.class_of(o);
                        let m = match classes
                            .get(oc.0 as usize)
                            .and_then(|k| k.vtable.get(v.0 as usize))
                        {
                            Some(m) => m.0,
                            None => return Err(fault("bad vtable slot")),
                        };
                        call!(m, p, r)
                    }
                    Insn::CallInterface { m, p, r } => {
                        let o = nonnull!(r);
                        let oc = self.heap.class_of(o);
                        let t = match itab.lookup(oc.0, m.0) {
                            Some(t) => t,
                            None => return Err(fault("no implementation of an interface method")),
                        };
                        call!(t, p, r)
                    }
                    Insn::CallNative { n, p, r } => {
                        sync!();
                        let abs_p = fr.base_p as usize + p.0 as usize;
                        let abs_r = fr.base_r as usize + r.0 as usize;
                        try_!(self.call_native(n.0, abs_p, abs_r));
                    }
                    Insn::Ret {} => ret!(),
                    Insn::RetP { s } => {
                        w.set_p(crate::insn::P(0), w.p(s));
                        ret!()
                    }
                    Insn::RetR { s } => {
                        w.set_r(crate::insn::R(0), w.r(s));
                        ret!()
                    }
                    Insn::Throw { s } => {
                        let e = nonnull!(s);
                        sync!();
                        let c = self.throw_ref(e);
                        ctl!(c)
                    }
                    Insn::NullCheck { o } => {
                        nonnull!(o);
                    }
                }
            }};
        }
        loop {
            step!();
            step!();
        }
    }

    /// `new c[l0][l1]…`: allocates each level, keeping the outer arrays rooted.
    pub(crate) fn new_multi_array(&mut self, c: u32, lens: &[i32]) -> Result<Ref, Ctl> {
        let Some((&n, rest)) = lens.split_first() else {
            return Err(fault("multi-array without dimensions"));
        };
        let a = self.alloc_array(c, n as u32)?;
        if rest.is_empty() {
            return Ok(a);
        }
        let Some(inner) = self.prog.classes[c as usize].elem_class else {
            return Err(fault("multi-array of a non-array class"));
        };
        self.rt.handles.push(a);
        for i in 0..n as u32 {
            let sub = match self.new_multi_array(inner.0, rest) {
                Ok(s) => s,
                Err(e) => {
                    self.rt.handles.pop();
                    return Err(e);
                }
            };
            let a = *self.rt.handles.last().unwrap_or(&Ref::NULL);
            self.heap.write_ref(
                a,
                semeru_gc::Heap::elem_offset(semeru_gc::ElemKind::Ref, i),
                sub,
            );
        }
        Ok(self.rt.handles.pop().unwrap_or_default())
    }

    /// Java 17's `ClassCastException` message. The module suffix is only
    /// reproducible for two `java.base` classes; user classes live in the source
    /// launcher's loader, whose identity hash Java prints, so they get none.
    fn cast_message(&self, from: u32, to: u32) -> String {
        let (a, b) = (self.class_name(from), self.class_name(to));
        // Built-ins and the standard library's `java.*` classes (and arrays of
        // them or of primitives) are in java.base.
        let java_base = |n: &str| {
            let e = n.trim_start_matches('[');
            (e.len() < n.len() && e.len() == 1) || e.starts_with("java.") || e.starts_with("Ljava.")
        };
        if java_base(a) && java_base(b) {
            format!(
                "class {a} cannot be cast to class {b} ({a} and {b} are in module java.base of loader 'bootstrap')"
            )
        } else {
            format!("class {a} cannot be cast to class {b}")
        }
    }

    fn trace_insn(&mut self, m: u32, pc: usize, insn: &Insn) {
        let meth = &self.prog.methods[m as usize];
        let text = format!(
            "[trace] {}.{} {:>4}: {}\n",
            self.class_name(meth.class.0),
            meth.name,
            pc,
            insn
        );
        self.out.write_err(text.as_bytes());
    }

    /// The class of a non-null object.
    #[inline]
    pub(crate) fn class_of(&self, r: Ref) -> ClassId {
        self.heap.class_of(r)
    }
}
