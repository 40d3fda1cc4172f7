//! A small builder for hand-assembled programs (the compiler is built in parallel).
#![allow(dead_code)]

use semeru_gc::{ClassId, ElemKind, HeapConfig, InstanceLayout, Layout};
use semeru_stdlib::builtins::{java_name, BuiltinShape, BUILTINS, OBJECT};
use semeru_stdlib::natives::Native;
use semeru_vm::insn::{Insn, Str, K};
use semeru_vm::program::{Body, Class, Code, Method, MethodId, Program, RetKind};
use semeru_vm::Vm;

pub fn elem_kind(desc: &str) -> ElemKind {
    match desc.as_bytes()[0] {
        b'Z' => ElemKind::Bool,
        b'B' => ElemKind::Byte,
        b'C' => ElemKind::Char,
        b'S' => ElemKind::Short,
        b'I' => ElemKind::Int,
        b'J' => ElemKind::Long,
        b'F' => ElemKind::Float,
        b'D' => ElemKind::Double,
        _ => ElemKind::Ref,
    }
}

pub struct Builder {
    pub p: Program,
    pub layouts: Vec<InstanceLayout>,
}

pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit: i32,
}

impl Builder {
    pub fn new() -> Builder {
        let mut p = Program {
            source_file: "Main.sem".into(),
            classes: Vec::new(),
            methods: Vec::new(),
            consts: Vec::new(),
            strings: Vec::new(),
            static_p: 0,
            static_r: 0,
            static_p_names: Vec::new(),
            static_r_names: Vec::new(),
            main: MethodId(0),
        };
        let mut layouts: Vec<InstanceLayout> = Vec::new();
        for b in BUILTINS {
            let (layout, il, elem_class) = match b.shape {
                BuiltinShape::Instance(fields) => {
                    let base = b
                        .super_id
                        .map(|s| layouts[s as usize].clone())
                        .unwrap_or_default();
                    let kinds: Vec<ElemKind> = fields.iter().map(|(_, d)| elem_kind(d)).collect();
                    let (il, _) = base.extend(&kinds);
                    (il.to_layout(), il, None)
                }
                BuiltinShape::String => (
                    Layout::Array {
                        elem: ElemKind::Char,
                    },
                    InstanceLayout::default(),
                    None,
                ),
                BuiltinShape::Array(d) => {
                    let ec = d
                        .strip_prefix('L')
                        .and_then(|x| x.strip_suffix(';'))
                        .and_then(semeru_stdlib::builtins::by_internal)
                        .map(|c| ClassId(c.id));
                    (
                        Layout::Array { elem: elem_kind(d) },
                        InstanceLayout::default(),
                        ec,
                    )
                }
            };
            layouts.push(il);
            p.classes.push(Class {
                name: java_name(b.internal),
                super_class: b.super_id.map(ClassId),
                interfaces: vec![],
                is_interface: false,
                is_abstract: false,
                layout,
                elem_class,
                vtable: vec![],
                clinit: None,
                itable: vec![],
            });
        }
        let mut b = Builder { p, layouts };
        // Object's virtual methods: hashCode, equals, toString.
        for (name, desc, n) in [
            ("hashCode", "()I", Native::ObjHashCode),
            ("equals", "(Ljava/lang/Object;)Z", Native::ObjEquals),
            ("toString", "()Ljava/lang/String;", Native::ObjToString),
        ] {
            let ret = if desc.ends_with('I') || desc.ends_with('Z') {
                RetKind::Prim
            } else {
                RetKind::Ref
            };
            let params_r = if desc.contains("Object;)") { 2 } else { 1 };
            let id = b.p.methods.len() as u16;
            b.p.methods.push(Method {
                name: name.into(),
                class: ClassId(OBJECT),
                desc: desc.into(),
                is_static: false,
                params_p: 0,
                params_r,
                ret,
                body: Body::Native(n as u16),
            });
            b.p.classes[0].vtable.push(MethodId(id));
        }
        let ov = b.p.classes[0].vtable.clone();
        for c in b.p.classes.iter_mut().skip(1) {
            c.vtable = ov.clone();
        }
        b
    }

    /// A user class with `fields`; returns its id and the fields' offsets.
    pub fn class(&mut self, name: &str, sup: u32, fields: &[ElemKind]) -> (u32, Vec<u16>) {
        let (il, offs) = self.layouts[sup as usize].extend(fields);
        let id = self.p.classes.len() as u32;
        self.p.classes.push(Class {
            name: name.into(),
            super_class: Some(ClassId(sup)),
            interfaces: vec![],
            is_interface: false,
            is_abstract: false,
            layout: il.to_layout(),
            elem_class: None,
            vtable: self.p.classes[sup as usize].vtable.clone(),
            clinit: None,
            itable: vec![],
        });
        self.layouts.push(il);
        (id, offs.iter().map(|&o| o as u16).collect())
    }

    /// An array class `name` of `elem` (element class for reference arrays).
    pub fn array_class(&mut self, name: &str, elem: ElemKind, elem_class: Option<u32>) -> u32 {
        let id = self.p.classes.len() as u32;
        self.p.classes.push(Class {
            name: name.into(),
            super_class: Some(ClassId(OBJECT)),
            interfaces: vec![],
            is_interface: false,
            is_abstract: false,
            layout: Layout::Array { elem },
            elem_class: elem_class.map(ClassId),
            vtable: self.p.classes[0].vtable.clone(),
            clinit: None,
            itable: vec![],
        });
        self.layouts.push(InstanceLayout::default());
        id
    }

    /// Adds a method; `lines[i]` is the source line of instruction i (or line 1).
    #[allow(clippy::too_many_arguments)]
    pub fn method(
        &mut self,
        class: u32,
        name: &str,
        desc: &str,
        is_static: bool,
        params: (u16, u16),
        ret: RetKind,
        regs: (u16, u16),
        insns: Vec<Insn>,
    ) -> u16 {
        let id = self.p.methods.len() as u16;
        let lines = (0..insns.len() as u32).map(|i| (i, 10 + i)).collect();
        self.p.methods.push(Method {
            name: name.into(),
            class: ClassId(class),
            desc: desc.into(),
            is_static,
            params_p: params.0,
            params_r: params.1,
            ret,
            body: Body::Code(Code {
                insns,
                regs_p: regs.0,
                regs_r: regs.1,
                lines,
                switches: vec![],
                handlers: vec![],
            }),
        });
        id
    }

    /// Replaces method `m`'s code (line i is 10 + i).
    pub fn set_code(&mut self, m: u16, insns: Vec<Insn>) {
        let c = self.code_mut(m);
        c.lines = (0..insns.len() as u32).map(|i| (i, 10 + i)).collect();
        c.insns = insns;
    }

    pub fn code_mut(&mut self, m: u16) -> &mut Code {
        match &mut self.p.methods[m as usize].body {
            Body::Code(c) => c,
            _ => panic!("not code"),
        }
    }

    /// Puts method `m` into `class`'s vtable (overriding slot `slot`, or appending).
    pub fn virt(&mut self, class: u32, m: u16, slot: Option<usize>) -> u16 {
        let vt = &mut self.p.classes[class as usize].vtable;
        match slot {
            Some(s) => {
                vt[s] = MethodId(m);
                s as u16
            }
            None => {
                vt.push(MethodId(m));
                (vt.len() - 1) as u16
            }
        }
    }

    pub fn string(&mut self, s: &str) -> Str {
        self.p.strings.push(s.encode_utf16().collect());
        Str((self.p.strings.len() - 1) as u16)
    }

    pub fn konst(&mut self, bits: u64) -> K {
        self.p.consts.push(bits);
        K((self.p.consts.len() - 1) as u16)
    }

    pub fn main(&mut self, regs: (u16, u16), insns: Vec<Insn>) -> u16 {
        let (main_cls, _) = self.class("Main", OBJECT, &[]);
        let m = self.method(
            main_cls,
            "main",
            "([Ljava/lang/String;)V",
            true,
            (0, 1),
            RetKind::Void,
            regs,
            insns,
        );
        self.p.main = MethodId(m);
        m
    }

    pub fn run_with(self, heap: HeapConfig, args: &[&str]) -> Output {
        let mut vm = Vm::new(self.p, heap).expect("load");
        vm.capture_output();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let exit = vm.run_main(&args).expect("no internal error");
        let out = vm.take_output().expect("captured");
        Output {
            stdout: String::from_utf8(out.stdout).expect("utf8"),
            stderr: String::from_utf8(out.stderr).expect("utf8"),
            exit,
        }
    }

    pub fn run(self) -> Output {
        self.run_with(
            HeapConfig {
                heap_bytes: 8 << 20,
                young_bytes: 1 << 20,
                ..HeapConfig::default()
            },
            &[],
        )
    }
}

/// Instructions that print p`reg` (an int) with println, using r`scratch` for System.out.
pub fn println_int(reg: u16, scratch_p: u16, scratch_r: u16) -> Vec<Insn> {
    use semeru_vm::insn::{Nat, P, R};
    vec![
        Insn::CallNative {
            n: Nat(Native::SystemOut as u16),
            p: P(scratch_p),
            r: R(scratch_r),
        },
        Insn::MovP {
            d: P(scratch_p),
            s: P(reg),
        },
        Insn::CallNative {
            n: Nat(Native::PrintlnI as u16),
            p: P(scratch_p),
            r: R(scratch_r),
        },
    ]
}

/// Prints (with `native`, e.g. PrintlnJ/PrintlnD/PrintlnZ) primitive p`reg`.
pub fn println_prim(native: Native, reg: u16, scratch_p: u16, scratch_r: u16) -> Vec<Insn> {
    use semeru_vm::insn::{Nat, P, R};
    vec![
        Insn::CallNative {
            n: Nat(Native::SystemOut as u16),
            p: P(scratch_p),
            r: R(scratch_r),
        },
        Insn::MovP {
            d: P(scratch_p),
            s: P(reg),
        },
        Insn::CallNative {
            n: Nat(native as u16),
            p: P(scratch_p),
            r: R(scratch_r),
        },
    ]
}

/// Prints string register r`reg` with println.
pub fn println_str(reg: u16, scratch_p: u16, scratch_r: u16) -> Vec<Insn> {
    use semeru_vm::insn::{Nat, P, R};
    vec![
        Insn::CallNative {
            n: Nat(Native::SystemOut as u16),
            p: P(scratch_p),
            r: R(scratch_r),
        },
        Insn::MovR {
            d: R(scratch_r + 1),
            s: R(reg),
        },
        Insn::CallNative {
            n: Nat(Native::PrintlnStr as u16),
            p: P(scratch_p),
            r: R(scratch_r),
        },
    ]
}
