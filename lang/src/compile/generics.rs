//! Generics by erasure, and the interface side of the class table.
//!
//! Every expression keeps its erased [`Ty`] (what the code generator needs);
//! where the source type is parameterized, the checker also tracks a [`GTy`]
//! (`List<String>`, `T`, `Map.Entry<K, V>[]`). Member types are substituted
//! through the receiver's type arguments ([`ClassTable::member_map`]), generic
//! methods get their type arguments inferred from the arguments ([`infer`]),
//! and where an erased result is wider than the substituted one, the checker
//! inserts a checked cast, as javac does.
//!
//! The side tables here (`ClassExt`, `MethodExt`, field generic types) are kept
//! beside the class table's records so that those records stay unchanged.

use super::body::FnCx;
use super::classes::{ClassTable, FieldId, MId};
use super::state::Compiler;
use super::texpr::{TExpr, TK};
use super::types::Ty;
use crate::ast::{TypeArg, TypeExpr, TypeExprKind, TypeParam};
use semeru_gc::ClassId;
use semeru_stdlib::builtins::OBJECT;
use std::collections::HashMap;

/// A type variable: index into [`ClassTable::tvars`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TvId(pub u32);

#[derive(Clone, Debug)]
pub struct TvInfo {
    pub name: String,
    /// Bounds as written (`T extends Comparable<T>`); empty means `Object`.
    pub bounds: Vec<GTy>,
    /// Erasure: the erasure of the first bound, or `Object`.
    pub erasure: Ty,
}

/// A source-level (generic) type.
#[derive(Clone, Debug, PartialEq)]
pub enum GTy {
    /// A type without type arguments: a primitive, a non-generic or raw class,
    /// an array of such, `null`, `void` or the error type.
    Plain(Ty),
    /// A parameterized class type `C<A1, …, An>` (wildcards are replaced by
    /// their bound: `? extends N` and `? super N` by `N`, `?` by `Object`).
    Class(ClassId, Vec<GTy>),
    Var(TvId),
    Array(Box<GTy>),
}

impl GTy {
    pub fn object() -> GTy {
        GTy::Plain(Ty::Class(ClassId(OBJECT)))
    }
    /// The class of a class type (parameterized or not).
    pub fn class(&self) -> Option<ClassId> {
        match self {
            GTy::Plain(Ty::Class(c)) | GTy::Class(c, _) => Some(*c),
            _ => None,
        }
    }
    /// Whether the type mentions type arguments or variables (otherwise it is
    /// fully described by its erasure).
    pub fn is_generic(&self) -> bool {
        !matches!(self, GTy::Plain(_))
    }
}

/// Per-class generic and interface information.
#[derive(Clone, Debug, Default)]
pub struct ClassExt {
    pub is_interface: bool,
    /// Direct superinterfaces (`implements` of a class, `extends` of an interface).
    pub interfaces: Vec<ClassId>,
    /// The class's type parameters.
    pub tparams: Vec<TvId>,
    /// Direct supertypes as written, with type arguments (superclass first when
    /// it is generic, then interfaces); raw or non-generic ones as `Plain`.
    pub gsupers: Vec<GTy>,
    /// `(interface method, implementation)` for the VM's interface dispatch.
    pub itable: Vec<(MId, MId)>,
}

/// Per-method generic information.
#[derive(Clone, Debug, Default)]
pub struct MethodExt {
    pub tparams: Vec<TvId>,
    /// Declared parameter and result types (`None` when not generic).
    pub gparams: Vec<GTy>,
    pub gret: Option<GTy>,
    /// The last parameter is `T...`.
    pub varargs: bool,
    /// A `default` method of an interface.
    pub is_default: bool,
}

/// The generic side tables of the class table.
#[derive(Default)]
pub struct GenTables {
    pub tvars: Vec<TvInfo>,
    pub classes: HashMap<ClassId, ClassExt>,
    pub methods: HashMap<MId, MethodExt>,
    pub fields: HashMap<FieldId, GTy>,
}

static NO_CLASS_EXT: std::sync::OnceLock<ClassExt> = std::sync::OnceLock::new();
static NO_METHOD_EXT: std::sync::OnceLock<MethodExt> = std::sync::OnceLock::new();

impl ClassTable<'_> {
    pub fn cext(&self, c: ClassId) -> &ClassExt {
        self.gen
            .classes
            .get(&c)
            .unwrap_or_else(|| NO_CLASS_EXT.get_or_init(ClassExt::default))
    }
    pub fn cext_mut(&mut self, c: ClassId) -> &mut ClassExt {
        self.gen.classes.entry(c).or_default()
    }
    pub fn mext(&self, m: MId) -> &MethodExt {
        self.gen
            .methods
            .get(&m)
            .unwrap_or_else(|| NO_METHOD_EXT.get_or_init(MethodExt::default))
    }
    pub fn mext_mut(&mut self, m: MId) -> &mut MethodExt {
        self.gen.methods.entry(m).or_default()
    }
    pub fn is_interface(&self, c: ClassId) -> bool {
        self.cext(c).is_interface
    }
    pub fn tvar(&self, v: TvId) -> &TvInfo {
        &self.gen.tvars[v.0 as usize]
    }
    pub fn new_tvar(&mut self, name: &str) -> TvId {
        self.gen.tvars.push(TvInfo {
            name: name.to_string(),
            bounds: Vec::new(),
            erasure: Ty::Class(ClassId(OBJECT)),
        });
        TvId(self.gen.tvars.len() as u32 - 1)
    }

    /// The nearest common superclass of two reference types (`Object` at worst).
    pub fn class_lub(&self, x: &Ty, y: &Ty) -> Ty {
        if let Ty::Class(c) = x {
            for k in self.chain(*c) {
                if self.ref_assignable(y, &Ty::Class(k)) {
                    return Ty::Class(k);
                }
            }
        }
        Ty::Class(ClassId(OBJECT))
    }

    /// The erasure of a generic type.
    pub fn erase(&self, g: &GTy) -> Ty {
        match g {
            GTy::Plain(t) => t.clone(),
            GTy::Class(c, _) => Ty::Class(*c),
            GTy::Var(v) => self.tvar(*v).erasure.clone(),
            GTy::Array(e) => match self.erase(e) {
                Ty::Error => Ty::Error,
                t => Ty::Array(Box::new(t)),
            },
        }
    }

    /// The generic type of a field (its plain type when not generic).
    pub fn field_gty(&self, f: FieldId) -> GTy {
        match self.gen.fields.get(&f) {
            Some(g) => g.clone(),
            None => GTy::Plain(self.field(f).ty.clone()),
        }
    }

    /// Declared generic parameter types of a method.
    pub fn method_gparams(&self, m: MId) -> Vec<GTy> {
        let e = self.mext(m);
        if e.gparams.len() == self.method(m).params.len() {
            e.gparams.clone()
        } else {
            self.method(m)
                .params
                .iter()
                .map(|t| GTy::Plain(t.clone()))
                .collect()
        }
    }

    pub fn method_gret(&self, m: MId) -> GTy {
        match &self.mext(m).gret {
            Some(g) => g.clone(),
            None => GTy::Plain(self.method(m).ret.clone()),
        }
    }

    /// `sub` is `sup`, a subclass, or implements it (directly or not).
    pub fn is_subtype(&self, sub: ClassId, sup: ClassId) -> bool {
        if sub == sup || sup.0 == OBJECT {
            return true;
        }
        let mut seen = Vec::new();
        let mut work = vec![sub];
        while let Some(c) = work.pop() {
            if c == sup {
                return true;
            }
            if seen.contains(&c) || c.0 as usize >= self.classes.len() || seen.len() > 10_000 {
                continue;
            }
            seen.push(c);
            if let Some(s) = self.class(c).super_ {
                work.push(s);
            }
            work.extend(self.cext(c).interfaces.iter().copied());
        }
        false
    }

    /// All superinterfaces of `c` (through its superclasses and other interfaces),
    /// nearest first, each once.
    pub fn all_interfaces(&self, c: ClassId) -> Vec<ClassId> {
        let mut out = Vec::new();
        let mut queue: std::collections::VecDeque<ClassId> = self.chain(c).into_iter().collect();
        let mut guard = 0;
        while let Some(k) = queue.pop_front() {
            guard += 1;
            if guard > 10_000 {
                break;
            }
            for &i in &self.cext(k).interfaces {
                if !out.contains(&i) {
                    out.push(i);
                    queue.push_back(i);
                }
            }
        }
        out
    }

    /// Substitutes type variables by `map`; unmapped variables stay.
    pub fn subst(&self, g: &GTy, map: &[(TvId, GTy)]) -> GTy {
        if map.is_empty() {
            return g.clone();
        }
        match g {
            GTy::Plain(_) => g.clone(),
            GTy::Class(c, args) => {
                GTy::Class(*c, args.iter().map(|a| self.subst(a, map)).collect())
            }
            GTy::Var(v) => map
                .iter()
                .find(|(k, _)| k == v)
                .map_or_else(|| g.clone(), |(_, t)| t.clone()),
            GTy::Array(e) => GTy::Array(Box::new(self.subst(e, map))),
        }
    }

    /// The parameterization of `target` that `g` (a subtype) has, e.g. `List<String>`
    /// for `ArrayList<String>` and target `List`. Raw types give raw results.
    pub fn as_super(&self, g: &GTy, target: ClassId) -> Option<GTy> {
        self.as_super_depth(g, target, 0)
    }

    fn as_super_depth(&self, g: &GTy, target: ClassId, depth: u32) -> Option<GTy> {
        if depth > 64 {
            return None;
        }
        let (c, args) = match g {
            GTy::Class(c, a) => (*c, a.clone()),
            GTy::Plain(Ty::Class(c)) => (*c, Vec::new()),
            GTy::Plain(Ty::Array(_)) | GTy::Array(_) => {
                return (target.0 == OBJECT).then(GTy::object);
            }
            GTy::Var(v) => {
                let b = self.tvar(*v).bounds.clone();
                if b.is_empty() {
                    return (target.0 == OBJECT).then(GTy::object);
                }
                return b
                    .iter()
                    .find_map(|x| self.as_super_depth(x, target, depth + 1));
            }
            _ => return None,
        };
        if c == target {
            return Some(g.clone());
        }
        let ext = self.cext(c);
        let raw = args.is_empty() && !ext.tparams.is_empty();
        let map: Vec<(TvId, GTy)> = ext.tparams.iter().copied().zip(args).collect();
        let mut supers = ext.gsupers.clone();
        if let Some(s) = self.class(c).super_ {
            if !supers.iter().any(|x| x.class() == Some(s)) {
                supers.push(GTy::Plain(Ty::Class(s)));
            }
        }
        for s in supers {
            let s = if raw {
                GTy::Plain(self.erase(&s))
            } else {
                self.subst(&s, &map)
            };
            if let Some(r) = self.as_super_depth(&s, target, depth + 1) {
                return Some(if raw {
                    GTy::Plain(Ty::Class(target))
                } else {
                    r
                });
            }
        }
        None
    }

    /// The substitution of `owner`'s type parameters that a receiver of type
    /// `recv` implies (empty for raw or unrelated receivers).
    pub fn member_map(&self, recv: &GTy, owner: ClassId) -> Vec<(TvId, GTy)> {
        let tps = self.cext(owner).tparams.clone();
        if tps.is_empty() {
            return Vec::new();
        }
        match self.as_super(recv, owner) {
            Some(GTy::Class(_, args)) if args.len() == tps.len() => {
                tps.into_iter().zip(args).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Records in `map` the bindings of the variables `vars` that make `formal`
    /// match `actual` (first binding wins).
    pub fn unify(&self, formal: &GTy, actual: &GTy, vars: &[TvId], map: &mut Vec<(TvId, GTy)>) {
        self.unify_depth(formal, actual, vars, map, 0)
    }

    fn unify_depth(
        &self,
        formal: &GTy,
        actual: &GTy,
        vars: &[TvId],
        map: &mut Vec<(TvId, GTy)>,
        depth: u32,
    ) {
        if depth > 32 {
            return;
        }
        match formal {
            GTy::Var(v) if vars.contains(v) => match actual {
                GTy::Plain(Ty::Null | Ty::Error | Ty::Void) => {}
                GTy::Plain(t) if t.is_prim() => {}
                a => match map.iter().position(|(k, _)| k == v) {
                    None => map.push((*v, a.clone())),
                    Some(i) => {
                        // A second, different binding: the least upper bound
                        // (by class; `Integer` and `Double` give `Number`).
                        let old = map[i].1.clone();
                        let (x, y) = (self.erase(&old), self.erase(a));
                        if self.ref_assignable(&y, &x) {
                            return;
                        }
                        map[i].1 = if self.ref_assignable(&x, &y) {
                            a.clone()
                        } else {
                            GTy::Plain(self.class_lub(&x, &y))
                        };
                    }
                },
            },
            GTy::Class(c, fargs) => {
                if let Some(GTy::Class(_, aargs)) = self.as_super(actual, *c) {
                    for (f, a) in fargs.iter().zip(&aargs) {
                        self.unify_depth(f, a, vars, map, depth + 1);
                    }
                }
            }
            GTy::Array(fe) => match actual {
                GTy::Array(ae) => self.unify_depth(fe, ae, vars, map, depth + 1),
                GTy::Plain(Ty::Array(ae)) => {
                    self.unify_depth(fe, &GTy::Plain((**ae).clone()), vars, map, depth + 1)
                }
                _ => {}
            },
            _ => {}
        }
    }
}

impl<'a> Compiler<'a> {
    /// A type variable named `name` in scope: the current generic method's, then
    /// those of `from` and its enclosing classes.
    pub fn lookup_tvar(&self, from: Option<ClassId>, name: &str) -> Option<TvId> {
        for v in self.tv_scope.iter().rev() {
            if self.table.tvar(*v).name == name {
                return Some(*v);
            }
        }
        let mut c = from;
        let mut guard = 0;
        while let Some(k) = c {
            guard += 1;
            if guard > 1000 || k.0 as usize >= self.table.classes.len() {
                break;
            }
            for v in &self.table.cext(k).tparams {
                if self.table.tvar(*v).name == name {
                    return Some(*v);
                }
            }
            c = self.table.class(k).outer;
        }
        None
    }

    /// Creates type variables for `params` (bounds resolved afterwards by
    /// [`Compiler::resolve_tparam_bounds`], so that they may mention each other).
    pub fn declare_tparams(&mut self, params: &[TypeParam]) -> Vec<TvId> {
        let mut out: Vec<TvId> = Vec::new();
        for p in params {
            if out.iter().any(|v| self.table.tvar(*v).name == p.name.name) {
                self.error(
                    p.name.span,
                    format!("type variable {} is already defined", p.name.name),
                );
            }
            out.push(self.table.new_tvar(&p.name.name));
        }
        out
    }

    /// Resolves the bounds of type variables declared by [`Compiler::declare_tparams`];
    /// the variables must be in scope (the class's, or pushed on `tv_scope`).
    pub fn resolve_tparam_bounds(
        &mut self,
        from: Option<ClassId>,
        vars: &[TvId],
        params: &[TypeParam],
    ) {
        for (v, p) in vars.iter().zip(params) {
            let bounds: Vec<GTy> = p
                .bounds
                .iter()
                .map(|b| self.resolve_gtype(from, b))
                .collect();
            let erasure = match bounds.first() {
                Some(GTy::Var(w)) if w != v => self.table.tvar(*w).erasure.clone(),
                Some(b @ (GTy::Class(..) | GTy::Plain(Ty::Class(_)))) => self.table.erase(b),
                Some(GTy::Plain(Ty::Error)) => Ty::Class(ClassId(OBJECT)),
                Some(_) => {
                    if let Some(b) = p.bounds.first() {
                        self.error(
                            b.span,
                            "unexpected type: a class or type variable is required here",
                        );
                    }
                    Ty::Class(ClassId(OBJECT))
                }
                None => Ty::Class(ClassId(OBJECT)),
            };
            let info = &mut self.table.gen.tvars[v.0 as usize];
            info.bounds = bounds;
            info.erasure = erasure;
        }
    }

    /// Resolves a type expression keeping its type arguments.
    pub fn resolve_gtype(&mut self, from: Option<ClassId>, t: &TypeExpr) -> GTy {
        match &t.kind {
            TypeExprKind::Array(e) => match self.resolve_gtype(from, e) {
                GTy::Plain(Ty::Error) => GTy::Plain(Ty::Error),
                GTy::Plain(x) => GTy::Plain(Ty::Array(Box::new(x))),
                g => GTy::Array(Box::new(g)),
            },
            TypeExprKind::Named { path, args } => {
                if let [only] = path.as_slice() {
                    if let Some(v) = self.lookup_tvar(from, &only.name) {
                        if args.iter().any(|a| !a.is_empty()) {
                            self.error(t.span, "unexpected type arguments on a type variable");
                        }
                        return GTy::Var(v);
                    }
                }
                let base = self.resolve_type(from, t);
                let targs = args.last().map_or(&[][..], |a| a.as_slice());
                let Ty::Class(c) = base else {
                    return GTy::Plain(base);
                };
                if targs.is_empty() {
                    return GTy::Plain(base);
                }
                let mut out = Vec::new();
                for a in targs {
                    let g = match a {
                        TypeArg::Type(te) => self.resolve_gtype(from, te),
                        TypeArg::Wildcard { bound: None, .. } => GTy::object(),
                        TypeArg::Wildcard {
                            bound: Some((_, te)),
                            ..
                        } => self.resolve_gtype(from, te),
                    };
                    if let GTy::Plain(p) = &g {
                        if p.is_prim() {
                            self.error(
                                t.span,
                                "unexpected type: a reference type is required as a type argument",
                            );
                            return GTy::Plain(Ty::Error);
                        }
                    }
                    out.push(g);
                }
                let n = self.table.cext(c).tparams.len();
                if n != out.len() {
                    let cn = self.table.class(c).display.clone();
                    if n == 0 {
                        self.error(t.span, format!("type {cn} does not take parameters"));
                    } else {
                        self.error(
                            t.span,
                            format!("wrong number of type arguments; required {n}"),
                        );
                    }
                    return GTy::Plain(base);
                }
                GTy::Class(c, out)
            }
            _ => GTy::Plain(self.resolve_type(from, t)),
        }
    }
}

impl ClassTable<'_> {
    /// The type of `this` inside class `c`: `C<T1, …>` for a generic class.
    pub fn this_gty(&self, c: ClassId) -> GTy {
        let tps = &self.cext(c).tparams;
        if tps.is_empty() {
            GTy::Plain(Ty::Class(c))
        } else {
            GTy::Class(c, tps.iter().map(|v| GTy::Var(*v)).collect())
        }
    }

    /// The erased parameter types of method `m` as a member of class `c` (a
    /// subtype of `m`'s class): `compareTo(S)` for `Comparable<S>.compareTo(T)`.
    pub fn params_in(&self, c: ClassId, m: MId) -> Vec<Ty> {
        let owner = self.method(m).class;
        let map = self.member_map(&self.this_gty(c), owner);
        if map.is_empty() {
            return self.method(m).params.clone();
        }
        self.method_gparams(m)
            .iter()
            .map(|g| self.erase(&self.subst(g, &map)))
            .collect()
    }
}

impl FnCx<'_, '_> {
    /// The source-level type of a checked expression.
    pub fn gty_of(&self, e: &TExpr) -> GTy {
        if let Some(g) = &e.g {
            return (**g).clone();
        }
        if let (TK::This, Ty::Class(c)) = (&e.kind, &e.ty) {
            let this = self.g.table.this_gty(self.class);
            if *c == self.class {
                return this;
            }
            return self
                .g
                .table
                .as_super(&this, *c)
                .unwrap_or(GTy::Plain(e.ty.clone()));
        }
        GTy::Plain(e.ty.clone())
    }

    /// The box class of a primitive type, when the library has it.
    fn boxed_gty(&self, t: &Ty) -> Option<GTy> {
        let name = match t {
            Ty::Bool => "Boolean",
            Ty::Byte => "Byte",
            Ty::Short => "Short",
            Ty::Char => "Character",
            Ty::Int => "Integer",
            Ty::Long => "Long",
            Ty::Float => "Float",
            Ty::Double => "Double",
            _ => return None,
        };
        match self.g.lookup_global_type(name, true) {
            Some(super::resolve::TypeName::Class(c)) => Some(GTy::Plain(Ty::Class(c))),
            _ => None,
        }
    }

    /// Infers `vars` from the arguments (then from the target type), filling
    /// unresolved ones with their erasure.
    fn infer(
        &self,
        vars: &[TvId],
        formals: &[GTy],
        varargs: bool,
        arg_gs: &[GTy],
        ret: Option<(&GTy, &GTy)>,
    ) -> Vec<(TvId, GTy)> {
        let t = &self.g.table;
        let mut map = Vec::new();
        for (i, a) in arg_gs.iter().enumerate() {
            let a = match a {
                GTy::Plain(p) if p.is_prim() => match self.boxed_gty(p) {
                    Some(b) => b,
                    None => continue,
                },
                a => a.clone(),
            };
            let last = formals.len().saturating_sub(1);
            let formal = match formals.get(i.min(last)) {
                Some(f) => f,
                None => continue,
            };
            if varargs && i >= last {
                let is_array = matches!(a, GTy::Array(_) | GTy::Plain(Ty::Array(_)));
                if !(is_array && arg_gs.len() == formals.len()) {
                    if let GTy::Array(e) = formal {
                        t.unify(e, &a, vars, &mut map);
                        continue;
                    }
                }
            }
            t.unify(formal, &a, vars, &mut map);
        }
        if let Some((gret, want)) = ret {
            if vars.iter().any(|v| !map.iter().any(|(k, _)| k == v)) {
                if let Some(wc) = want.class() {
                    if let Some(sup) = t.as_super(gret, wc) {
                        t.unify(&sup, want, vars, &mut map);
                    } else {
                        t.unify(gret, want, vars, &mut map);
                    }
                } else {
                    t.unify(gret, want, vars, &mut map);
                }
            }
        }
        for v in vars {
            if !map.iter().any(|(k, _)| k == v) {
                map.push((*v, GTy::Plain(t.tvar(*v).erasure.clone())));
            }
        }
        map
    }

    /// The result of a call of method `m`: its return type substituted through
    /// the receiver's type arguments and the inferred method type arguments,
    /// with a checked cast where that is narrower than the erased return type.
    pub fn generic_result(
        &mut self,
        call: TExpr,
        m: MId,
        recv_g: Option<&GTy>,
        arg_gs: &[GTy],
        expect: Option<&GTy>,
    ) -> TExpr {
        if call.ty.is_error() {
            return call;
        }
        let ext = self.g.table.mext(m).clone();
        if ext.gret.is_none() {
            return call;
        }
        let mi = self.g.table.method(m);
        let (owner, declared, is_static) = (mi.class, mi.ret.clone(), mi.is_static);
        let map = match (recv_g, is_static) {
            (Some(r), false) => self.g.table.member_map(r, owner),
            _ => Vec::new(),
        };
        let gret = self.g.table.subst(&self.g.table.method_gret(m), &map);
        let explicit = self.explicit_targs.take();
        let res = if ext.tparams.is_empty() {
            gret
        } else if let Some(targs) = explicit.filter(|t| t.len() == ext.tparams.len()) {
            let mmap: Vec<(TvId, GTy)> = ext.tparams.iter().copied().zip(targs).collect();
            self.g.table.subst(&gret, &mmap)
        } else {
            let formals: Vec<GTy> = self
                .g
                .table
                .method_gparams(m)
                .iter()
                .map(|f| self.g.table.subst(f, &map))
                .collect();
            let mmap = self.infer(
                &ext.tparams,
                &formals,
                ext.varargs,
                arg_gs,
                expect.map(|w| (&gret, w)),
            );
            self.g.table.subst(&gret, &mmap)
        };
        self.narrow(call, &declared, res)
    }

    /// The element type of the array built for a variable-arity call of generic
    /// method `m` (`None` when it is not generic there).
    pub fn generic_vararg_elem(
        &self,
        m: MId,
        recv_g: Option<&GTy>,
        arg_gs: &[GTy],
        explicit: Option<&[GTy]>,
    ) -> Option<Ty> {
        let ext = self.g.table.mext(m);
        let last = self.g.table.method_gparams(m).last().cloned()?;
        let GTy::Array(elem) = last else {
            return None;
        };
        let mi = self.g.table.method(m);
        let map = match (recv_g, mi.is_static) {
            (Some(r), false) => self.g.table.member_map(r, mi.class),
            _ => Vec::new(),
        };
        let elem = self.g.table.subst(&elem, &map);
        let elem = if ext.tparams.is_empty() {
            elem
        } else if let Some(t) = explicit.filter(|t| t.len() == ext.tparams.len()) {
            let mmap: Vec<(TvId, GTy)> =
                ext.tparams.iter().copied().zip(t.iter().cloned()).collect();
            self.g.table.subst(&elem, &mmap)
        } else {
            let formals: Vec<GTy> = self
                .g
                .table
                .method_gparams(m)
                .iter()
                .map(|f| self.g.table.subst(f, &map))
                .collect();
            let mmap = self.infer(&ext.tparams, &formals, true, arg_gs, None);
            self.g.table.subst(&elem, &mmap)
        };
        Some(self.g.table.erase(&elem))
    }

    /// Gives `e` (of erased type `declared`) the generic type `res`, casting
    /// when the erasure of `res` is narrower.
    pub fn narrow(&mut self, e: TExpr, declared: &Ty, res: GTy) -> TExpr {
        let erased = self.g.table.erase(&res);
        if erased != *declared
            && erased.is_ref()
            && declared.is_ref()
            && !erased.is_error()
            && self.g.table.ref_assignable(&erased, declared)
        {
            let class = self.class_of_ref(&erased);
            let span = e.span;
            return TExpr::new(
                TK::CheckCast {
                    e: Box::new(e),
                    class,
                },
                erased,
                span,
            )
            .with_g(res);
        }
        e.with_g(res)
    }

    /// The type of `new C<…>(args)`: as written, or for the diamond (or a raw
    /// generic class) inferred from the constructor arguments and the target type.
    pub fn new_gty(
        &mut self,
        c: ClassId,
        written: GTy,
        ctor: MId,
        arg_gs: &[GTy],
        expect: Option<&GTy>,
    ) -> GTy {
        let tps = self.g.table.cext(c).tparams.clone();
        if tps.is_empty() || written.is_generic() {
            return written;
        }
        let this = self.g.table.this_gty(c);
        let formals = self.g.table.method_gparams(ctor);
        let varargs = self.g.table.mext(ctor).varargs;
        let map = self.infer(&tps, &formals, varargs, arg_gs, expect.map(|w| (&this, w)));
        self.g.table.subst(&this, &map)
    }
}
