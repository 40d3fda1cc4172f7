//! A compiled program: classes, methods, constant pools. The compiler builds it;
//! the VM loads it and the disassembler prints it.

use crate::insn::{Insn, Pc, R};
use semeru_gc::{ClassId, Layout};

/// Index into [`Program::methods`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodId(pub u16);

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The source file's base name, for stack traces (`Main.sem`).
    pub source_file: String,
    /// All classes, indexed by `ClassId`; ids below
    /// `semeru_stdlib::builtins::FIRST_FREE_ID` are the built-ins, in that order.
    pub classes: Vec<Class>,
    pub methods: Vec<Method>,
    /// 64-bit constants (`KConst`).
    pub consts: Vec<u64>,
    /// String literals as UTF-16 (`SConst`), interned once at load.
    pub strings: Vec<Vec<u16>>,
    /// Number of primitive and reference static slots.
    pub static_p: u32,
    pub static_r: u32,
    /// Static slot names (`Main.count`), for debugging, indexed like the slots.
    pub static_p_names: Vec<String>,
    pub static_r_names: Vec<String>,
    /// `public static void main(String[])` of the first top-level class.
    pub main: MethodId,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    /// Binary name as Java prints it: `Main$Node`, `java.lang.String`, `[I`,
    /// `[Ljava.lang.String;`.
    pub name: String,
    pub super_class: Option<ClassId>,
    /// Interfaces implemented directly (issue 3).
    pub interfaces: Vec<ClassId>,
    pub is_interface: bool,
    pub is_abstract: bool,
    /// Heap layout descriptor.
    pub layout: Layout,
    /// For reference arrays, the element class (used by `instanceof`, casts and
    /// `ArrayStoreException`); `None` otherwise.
    pub elem_class: Option<ClassId>,
    /// Virtual methods by slot; a subclass's table starts with its superclass's.
    pub vtable: Vec<MethodId>,
    /// The static initializer (`<clinit>`: static field initializers and
    /// `static {}` blocks in source order).
    pub clinit: Option<MethodId>,
    /// Interface dispatch table: `(interface method, implementation)` for every
    /// non-static interface method of every interface the class implements
    /// (empty for interfaces and abstract gaps). `CallInterface` looks it up.
    pub itable: Vec<(MethodId, MethodId)>,
}

/// Where a method's result goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetKind {
    Void,
    Prim,
    Ref,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    pub name: String,
    pub class: ClassId,
    /// JVM descriptor, `(I[Ljava/lang/String;)V`, for the disassembler and messages.
    pub desc: String,
    pub is_static: bool,
    /// Primitive and reference parameter counts (the receiver counts as a reference).
    pub params_p: u16,
    pub params_r: u16,
    pub ret: RetKind,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Code(Code),
    /// Implemented by the VM (`semeru_stdlib::natives::Native` as u16).
    Native(u16),
    /// Abstract or interface method: never called directly.
    Abstract,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Code {
    pub insns: Vec<Insn>,
    /// Register file sizes of a frame (parameters included).
    pub regs_p: u16,
    pub regs_r: u16,
    /// `(first pc, source line)`, sorted by pc: the line of pc is that of the last
    /// entry at or before it.
    pub lines: Vec<(u32, u32)>,
    pub switches: Vec<SwitchTable>,
    /// Exception handlers, innermost first (issue 3).
    pub handlers: Vec<Handler>,
}

impl Code {
    /// The source line of instruction `pc`.
    pub fn line_of(&self, pc: usize) -> Option<u32> {
        let i = self.lines.partition_point(|&(p, _)| p as usize <= pc);
        i.checked_sub(1).map(|i| self.lines[i].1)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SwitchTable {
    /// `targets[v - low]` for `low <= v < low + targets.len()`.
    Dense {
        low: i32,
        targets: Vec<Pc>,
        default: Pc,
    },
    /// `keys` sorted ascending, with their targets.
    Sparse {
        keys: Vec<i32>,
        targets: Vec<Pc>,
        default: Pc,
    },
}

/// `try { [start, end) } catch (class e) { goto target }` with the exception put in `reg`.
#[derive(Clone, Debug, PartialEq)]
pub struct Handler {
    pub start: Pc,
    pub end: Pc,
    pub target: Pc,
    /// `None` catches everything (`finally`).
    pub class: Option<ClassId>,
    pub reg: R,
}
