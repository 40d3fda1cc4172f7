//! The class table: built-in and user classes, array classes, their fields,
//! methods, instance layouts and vtables, and subtyping between them.

use super::types::{Const, Ty};
use crate::ast;
use crate::diag::Span;
use semeru_gc::{ClassId, InstanceLayout, Layout};
use semeru_stdlib::builtins::{self, OBJECT, STRING};
use semeru_stdlib::natives::Native;
use std::collections::HashMap;

/// Index into [`ClassTable::fields`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldId(pub u32);

/// Index into [`ClassTable::methods`]; equal to the program's `MethodId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MId(pub u32);

#[derive(Clone, Debug)]
pub enum ClassOrigin<'a> {
    Builtin,
    User(&'a ast::ClassDecl),
    /// An array class with this element type.
    Array(Ty),
}

pub struct ClassInfo<'a> {
    /// Binary name as Java prints it: `Main$Node`, `java.lang.String`, `[I`.
    pub name: String,
    /// Name in JVM descriptors: `Main$Node`, `java/lang/String`, `[I`.
    pub internal: String,
    /// Name in diagnostics: `Main.Node`, `String`.
    pub display: String,
    /// The simple name (`Node`).
    pub simple: String,
    pub super_: Option<ClassId>,
    pub origin: ClassOrigin<'a>,
    /// Enclosing class of a static nested class.
    pub outer: Option<ClassId>,
    pub nested: Vec<(String, ClassId)>,
    pub fields: Vec<FieldId>,
    /// Methods declared here (not constructors).
    pub methods: Vec<MId>,
    pub ctors: Vec<MId>,
    pub layout: InstanceLayout,
    pub heap_layout: Layout,
    pub vtable: Vec<MId>,
    pub clinit: Option<MId>,
    pub is_abstract: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum FieldSlot {
    /// Byte offset in the object.
    Instance(u16),
    /// Static slot in the primitive or reference statics.
    Static(u16),
}

pub struct FieldInfo<'a> {
    pub name: String,
    pub class: ClassId,
    pub ty: Ty,
    pub is_static: bool,
    pub is_final: bool,
    pub is_private: bool,
    pub slot: FieldSlot,
    pub decl: Option<&'a ast::Declarator>,
    pub span: Span,
    /// Constant value, computed lazily (a `final` field with a constant initializer).
    pub constant: ConstState,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstState {
    Unknown,
    InProgress,
    Done(Option<Const>),
}

#[derive(Clone, Debug)]
pub enum MethodSrc<'a> {
    Method(&'a ast::MethodDecl),
    Ctor(&'a ast::ConstructorDecl),
    DefaultCtor,
    Clinit,
    Native(Native),
}

pub struct MethodInfo<'a> {
    pub name: String,
    pub class: ClassId,
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub is_static: bool,
    pub is_private: bool,
    pub is_abstract: bool,
    pub is_final: bool,
    /// 0 private, 1 package, 2 protected, 3 public.
    pub access: u8,
    pub vslot: Option<u16>,
    pub src: MethodSrc<'a>,
    pub span: Span,
}

#[derive(Default)]
pub struct ClassTable<'a> {
    pub classes: Vec<ClassInfo<'a>>,
    pub fields: Vec<FieldInfo<'a>>,
    pub methods: Vec<MethodInfo<'a>>,
    /// Array classes by element type.
    pub arrays: HashMap<Ty, ClassId>,
    /// Top-level user classes by simple name.
    pub top_level: HashMap<String, ClassId>,
    /// Top-level standard-library classes (Sem files and built-ins) by simple name.
    pub lib_top_level: HashMap<String, ClassId>,
    /// Standard-library classes by internal name (`java/util/HashMap$Node`).
    pub lib_internal: HashMap<String, ClassId>,
    /// Which classes come from the standard library (built-ins included), by id.
    pub lib: Vec<bool>,
    pub static_p_names: Vec<String>,
    pub static_r_names: Vec<String>,
    /// Generic signatures and interface data (see `generics.rs`).
    pub gen: super::generics::GenTables,
}

impl<'a> ClassTable<'a> {
    /// Whether `c` is a standard-library class (a built-in or from a Sem file).
    pub fn is_lib(&self, c: ClassId) -> bool {
        (c.0 as usize) < semeru_stdlib::builtins::BUILTINS.len()
            || self.lib.get(c.0 as usize).copied().unwrap_or(false)
    }
    pub fn class(&self, c: ClassId) -> &ClassInfo<'a> {
        &self.classes[c.0 as usize]
    }
    pub fn class_mut(&mut self, c: ClassId) -> &mut ClassInfo<'a> {
        &mut self.classes[c.0 as usize]
    }
    pub fn field(&self, f: FieldId) -> &FieldInfo<'a> {
        &self.fields[f.0 as usize]
    }
    pub fn method(&self, m: MId) -> &MethodInfo<'a> {
        &self.methods[m.0 as usize]
    }

    /// `sub` is `sup` or one of its subclasses.
    pub fn is_subclass(&self, sub: ClassId, sup: ClassId) -> bool {
        let mut c = Some(sub);
        let mut guard = 0;
        while let Some(id) = c {
            if id == sup {
                return true;
            }
            guard += 1;
            if guard > 10_000 {
                return false;
            }
            c = self.classes.get(id.0 as usize).and_then(|k| k.super_);
        }
        false
    }

    /// Superclass chain starting at `c` itself.
    pub fn chain(&self, c: ClassId) -> Vec<ClassId> {
        let mut out = Vec::new();
        let mut cur = Some(c);
        while let Some(id) = cur {
            if out.contains(&id) || id.0 as usize >= self.classes.len() {
                break;
            }
            out.push(id);
            cur = self.class(id).super_;
        }
        out
    }

    /// Widening reference conversion or identity (JLS 5.1.5), `null` to any reference.
    pub fn ref_assignable(&self, from: &Ty, to: &Ty) -> bool {
        match (from, to) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Null, t) => t.is_ref(),
            (Ty::Class(a), Ty::Class(b)) => self.is_subtype(*a, *b),
            (Ty::Array(_), Ty::Class(b)) => b.0 == OBJECT,
            (Ty::Array(a), Ty::Array(b)) => {
                if a.is_prim() || b.is_prim() {
                    a == b
                } else {
                    self.ref_assignable(a, b)
                }
            }
            _ => false,
        }
    }

    /// Identity, widening primitive or widening reference conversion: the
    /// conversions of strict and loose invocation contexts without boxing.
    pub fn widens(&self, from: &Ty, to: &Ty) -> bool {
        if from.is_error() || to.is_error() {
            return true;
        }
        if from.is_prim() {
            from.prim_widens_to(to)
        } else {
            self.ref_assignable(from, to)
        }
    }

    /// Whether a cast from `from` to `to` can succeed (JLS 5.5), for references.
    pub fn ref_castable(&self, from: &Ty, to: &Ty) -> bool {
        if self.ref_assignable(from, to) || self.ref_assignable(to, from) {
            return true;
        }
        let final_class = |c: ClassId| match self.class(c).origin {
            ClassOrigin::User(d) => d.modifiers.final_,
            ClassOrigin::Builtin => c.0 == STRING,
            ClassOrigin::Array(_) => true,
        };
        match (from, to) {
            (Ty::Array(a), Ty::Array(b)) if a.is_ref() && b.is_ref() => self.ref_castable(a, b),
            // A cast between an interface and a class (or another interface)
            // may succeed unless the class is final and does not implement it.
            (Ty::Class(a), Ty::Class(b)) if self.is_interface(*b) => !final_class(*a),
            (Ty::Class(a), Ty::Class(b)) if self.is_interface(*a) => !final_class(*b),
            _ => false,
        }
    }

    /// Name of a type in diagnostics: `int`, `String`, `Main.Node`, `int[]`.
    pub fn display(&self, t: &Ty) -> String {
        match t {
            Ty::Class(c) => self.class(*c).display.clone(),
            Ty::Array(e) => format!("{}[]", self.display(e)),
            t => t.prim_name().unwrap_or("?").to_string(),
        }
    }

    /// JVM descriptor of a type: `I`, `Ljava/lang/String;`, `[[I`.
    pub fn desc(&self, t: &Ty) -> String {
        match t {
            Ty::Class(c) => format!("L{};", self.class(*c).internal),
            Ty::Array(e) => format!("[{}", self.desc(e)),
            t => t.prim_desc().map_or("V".to_string(), |c| c.to_string()),
        }
    }

    pub fn method_desc(&self, params: &[Ty], ret: &Ty) -> String {
        let mut s = String::from("(");
        for p in params {
            s.push_str(&self.desc(p));
        }
        s.push(')');
        s.push_str(&self.desc(ret));
        s
    }

    /// Parses a JVM field descriptor into a type (for natives and built-in fields).
    pub fn parse_desc(&mut self, d: &str) -> Option<(Ty, usize)> {
        let b = d.as_bytes();
        let t = match *b.first()? {
            b'Z' => Ty::Bool,
            b'B' => Ty::Byte,
            b'S' => Ty::Short,
            b'C' => Ty::Char,
            b'I' => Ty::Int,
            b'J' => Ty::Long,
            b'F' => Ty::Float,
            b'D' => Ty::Double,
            b'V' => Ty::Void,
            b'[' => {
                let (e, n) = self.parse_desc(&d[1..])?;
                return Some((Ty::Array(Box::new(e)), n + 1));
            }
            b'L' => {
                let end = d.find(';')?;
                let name = &d[1..end];
                let id = builtins::by_internal(name)?.id;
                return Some((Ty::Class(ClassId(id)), end + 1));
            }
            _ => return None,
        };
        Some((t, 1))
    }

    /// Parses a JVM method descriptor `(II)I`.
    pub fn parse_method_desc(&mut self, d: &str) -> Option<(Vec<Ty>, Ty)> {
        let mut rest = d.strip_prefix('(')?;
        let mut params = Vec::new();
        while !rest.starts_with(')') {
            let (t, n) = self.parse_desc(rest)?;
            params.push(t);
            rest = &rest[n..];
        }
        let (ret, _) = self.parse_desc(&rest[1..])?;
        Some((params, ret))
    }

    /// The array class whose elements have type `elem`, created on first use.
    pub fn array_class(&mut self, elem: &Ty) -> ClassId {
        if let Some(c) = self.arrays.get(elem) {
            return *c;
        }
        let elem_desc = self.desc(elem);
        let internal = format!("[{elem_desc}");
        if let Some(b) = builtins::by_internal(&internal) {
            let id = ClassId(b.id);
            self.arrays.insert(elem.clone(), id);
            return id;
        }
        // Make sure the element's own array class exists first (nested arrays).
        if let Ty::Array(inner) = elem {
            self.array_class(inner);
        }
        let id = ClassId(self.classes.len() as u32);
        let object_vtable = self.class(ClassId(OBJECT)).vtable.clone();
        let display = format!("{}[]", self.display(elem));
        self.classes.push(ClassInfo {
            name: builtins::java_name(&internal),
            internal,
            display: display.clone(),
            simple: display,
            super_: Some(ClassId(OBJECT)),
            origin: ClassOrigin::Array(elem.clone()),
            outer: None,
            nested: Vec::new(),
            fields: Vec::new(),
            methods: Vec::new(),
            ctors: Vec::new(),
            layout: InstanceLayout::default(),
            heap_layout: Layout::Array {
                elem: elem.elem_kind(),
            },
            vtable: object_vtable,
            clinit: None,
            is_abstract: false,
            span: Span::default(),
        });
        self.arrays.insert(elem.clone(), id);
        id
    }

    /// The element class of a reference array class, for `Program`.
    pub fn elem_class(&mut self, c: ClassId) -> Option<ClassId> {
        let ClassOrigin::Array(e) = self.class(c).origin.clone() else {
            return None;
        };
        match e {
            Ty::Class(k) => Some(k),
            Ty::Array(inner) => Some(self.array_class(&inner)),
            _ => None,
        }
    }

    /// Finds a field by name in `c` or its superclasses, then its interfaces'
    /// constants (the first one found hides the others).
    pub fn find_field(&self, c: ClassId, name: &str) -> Option<FieldId> {
        for k in self.chain(c).into_iter().chain(self.all_interfaces(c)) {
            for f in &self.class(k).fields {
                if self.field(*f).name == name {
                    return Some(*f);
                }
            }
        }
        None
    }

    /// The outermost class enclosing `c` (private access is per top-level class).
    pub fn top_of(&self, c: ClassId) -> ClassId {
        let mut c = c;
        let mut guard = 0;
        while let Some(o) = self.class(c).outer {
            c = o;
            guard += 1;
            if guard > 1000 {
                break;
            }
        }
        c
    }

    pub fn is_string(t: &Ty) -> bool {
        *t == Ty::Class(ClassId(STRING))
    }
}

impl ClassTable<'_> {
    /// Simple names of `c` and the classes enclosing it.
    pub fn chain_outer_names(&self, c: ClassId) -> Vec<String> {
        let mut out = vec![self.class(c).simple.clone()];
        let mut cur = self.class(c).outer;
        while let Some(o) = cur {
            if out.len() > 1000 {
                break;
            }
            out.push(self.class(o).simple.clone());
            cur = self.class(o).outer;
        }
        out
    }
}
