//! Building the class table: built-in classes, user classes (top-level and
//! static nested), superclasses, fields and their layout, methods, constructors,
//! and vtables.

use super::classes::{
    ClassInfo, ClassOrigin, ConstState, FieldId, FieldInfo, FieldSlot, MId, MethodInfo, MethodSrc,
};
use super::generics::GTy;
use super::library::LibUnit;
use super::state::Compiler;
use super::types::Ty;
use crate::ast::{self, ClassDecl, ClassKind, CompilationUnit, Member, Modifiers};
use crate::diag::Span;
use semeru_gc::{ClassId, ElemKind, InstanceLayout, Layout};
use semeru_stdlib::builtins::{BuiltinShape, BUILTINS, OBJECT, STRING, THROWABLE};
use semeru_stdlib::natives::Native;

fn access_of(m: &Modifiers) -> u8 {
    if m.public {
        3
    } else if m.protected {
        2
    } else if m.private {
        0
    } else {
        1
    }
}

impl<'a> Compiler<'a> {
    /// Fills the class table from the built-ins and the compilation unit.
    /// Fills the class table from the built-ins, the standard-library files and
    /// the compilation unit. Returns the user's classes.
    pub fn declare(&mut self, unit: &'a CompilationUnit, libs: &'a [LibUnit]) -> Vec<ClassId> {
        self.declare_builtins();
        let mut users = Vec::new();
        for c in &unit.classes {
            self.collect_class(c, None, None, &mut users);
        }
        let mut all = users.clone();
        for l in libs {
            for c in &l.unit.classes {
                self.collect_class(c, None, Some(&l.package), &mut all);
            }
        }
        for &c in &all {
            self.resolve_super(c);
        }
        self.break_cycles(&all);
        self.break_interface_cycles(&all);
        let mut order = all.clone();
        order.sort_by_key(|c| self.table.chain(*c).len());
        for &c in &order {
            self.declare_fields(c);
        }
        for &c in &order {
            self.declare_methods(c);
        }
        // Built-in classes too: a library file may give a built-in superclass
        // (`Throwable`) methods that its built-in subclasses inherit.
        let mut vt_order: Vec<ClassId> = (0..self.table.classes.len() as u32)
            .map(ClassId)
            .filter(|&c| {
                c.0 != OBJECT && !matches!(self.table.class(c).origin, ClassOrigin::Array(_))
            })
            .collect();
        vt_order.sort_by_key(|c| self.table.chain(*c).len());
        for &c in &vt_order {
            self.build_vtable(c);
        }
        for &c in &order {
            self.build_itable(c);
        }
        self.string_interfaces();
        users
    }

    fn declare_builtins(&mut self) {
        for b in BUILTINS {
            let internal = b.internal.to_string();
            let simple = internal.rsplit('/').next().unwrap_or("").to_string();
            let super_ = b.super_id.map(ClassId);
            let mut layout = InstanceLayout::default();
            let (origin, heap_layout) = match b.shape {
                BuiltinShape::Instance(fields) => {
                    if let Some(s) = super_ {
                        layout = self.table.class(s).layout.clone();
                    }
                    let kinds: Vec<ElemKind> = fields
                        .iter()
                        .map(|(_, d)| {
                            self.table
                                .parse_desc(d)
                                .map_or(ElemKind::Ref, |(t, _)| t.elem_kind())
                        })
                        .collect();
                    layout = layout.extend(&kinds).0;
                    (ClassOrigin::Builtin, layout.to_layout())
                }
                BuiltinShape::String => (
                    ClassOrigin::Builtin,
                    Layout::Array {
                        elem: ElemKind::Char,
                    },
                ),
                BuiltinShape::Array(d) => {
                    let elem = self.table.parse_desc(d).map_or(Ty::Error, |(t, _)| t);
                    let kind = elem.elem_kind();
                    self.table.arrays.insert(elem.clone(), ClassId(b.id));
                    (ClassOrigin::Array(elem), Layout::Array { elem: kind })
                }
            };
            let display = match &origin {
                ClassOrigin::Array(e) => format!("{}[]", self.table.display(e)),
                _ => simple.clone(),
            };
            let vtable = super_.map_or(Vec::new(), |s| self.table.class(s).vtable.clone());
            self.table.classes.push(ClassInfo {
                name: semeru_stdlib::builtins::java_name(&internal),
                internal,
                display,
                simple,
                super_,
                origin,
                outer: None,
                nested: Vec::new(),
                fields: Vec::new(),
                methods: Vec::new(),
                ctors: Vec::new(),
                layout,
                heap_layout,
                vtable,
                clinit: None,
                is_abstract: false,
                span: Span::default(),
            });
            let id = ClassId(b.id);
            if b.id == OBJECT {
                for (i, n) in [Native::ObjToString, Native::ObjEquals, Native::ObjHashCode]
                    .into_iter()
                    .enumerate()
                {
                    let m = self.native_method(id, n, Some(i as u16));
                    self.table.class_mut(id).methods.push(m);
                    self.table.class_mut(id).vtable.push(m);
                }
            } else if b.id == STRING {
                for (i, n) in [Native::StrToString, Native::StrEquals, Native::StrHashCode]
                    .into_iter()
                    .enumerate()
                {
                    let m = self.native_method(id, n, Some(i as u16));
                    self.table.class_mut(id).vtable[i] = m;
                }
            }
        }
    }

    /// A method-table entry for a native (used in vtables).
    fn native_method(&mut self, class: ClassId, n: Native, vslot: Option<u16>) -> MId {
        let d = n.desc();
        let (params, ret) = self
            .table
            .parse_method_desc(d.desc)
            .unwrap_or((Vec::new(), Ty::Void));
        let id = MId(self.table.methods.len() as u32);
        self.table.methods.push(MethodInfo {
            name: d.name.to_string(),
            class,
            params,
            ret,
            is_static: false,
            is_private: false,
            is_abstract: false,
            is_final: false,
            access: 3,
            vslot,
            src: MethodSrc::Native(n),
            span: Span::default(),
        });
        id
    }

    fn check_class_modifiers(&mut self, m: &Modifiers) {
        self.check_modifiers_allowing(m, &[]);
    }

    /// Like `check_class_modifiers`, accepting the listed extra modifiers
    /// (`default` on interface methods).
    fn check_modifiers_allowing(&mut self, m: &Modifiers, ok: &[&str]) {
        for o in &m.other {
            if ok.contains(&o.name.as_str()) {
                continue;
            }
            if o.name == "native" && self.declaring_lib {
                continue; // bound to the natives table (see `declare_methods`)
            }
            self.unsupported(o.span, &format!("the modifier '{}'", o.name));
        }
        for a in &m.annotations {
            // Annotations that only inform javac's checks: accepted and ignored.
            const KNOWN: &[&str] = &[
                "Override",
                "SuppressWarnings",
                "Deprecated",
                "SafeVarargs",
                "FunctionalInterface",
            ];
            if !KNOWN.contains(&a.name.as_str()) {
                self.unsupported(a.span, &format!("the annotation @{}", a.name));
            }
        }
    }

    /// Enters class `d` (and its member classes) in the table. `package` is the
    /// package path of a standard-library file (`java/util`), `None` for the
    /// program's own classes.
    fn collect_class(
        &mut self,
        d: &'a ClassDecl,
        outer: Option<ClassId>,
        package: Option<&str>,
        out: &mut Vec<ClassId>,
    ) {
        let lib = package.is_some() || outer.is_some_and(|o| self.table.is_lib(o));
        if d.kind == ClassKind::Enum {
            if let Some(k) = d.enum_constants.iter().find(|k| k.body.is_some()) {
                self.unsupported(k.name.span, "an enum constant with a class body");
            }
        }
        let is_interface = d.kind == ClassKind::Interface;
        // Members of interfaces, and nested interfaces, are implicitly static.
        let implicitly_static = is_interface || outer.is_some_and(|o| self.table.is_interface(o));
        if outer.is_some() && !d.modifiers.static_ && !implicitly_static {
            self.unsupported(d.name.span, "an inner (non-static nested) class");
        }
        if is_interface {
            if let Some(e) = &d.extends {
                self.error(e.span, "'{' expected: an interface extends interfaces only");
            }
        }
        // `sealed`/`non-sealed` (and `permits`) restrict subclassing only.
        self.check_modifiers_allowing(&d.modifiers, &["sealed", "non-sealed"]);
        let simple = d.name.name.clone();
        let (name, display) = match outer {
            Some(o) => {
                let oc = self.table.class(o);
                (
                    format!("{}${simple}", oc.name),
                    format!("{}.{simple}", oc.display),
                )
            }
            None => match package {
                Some(p) if !p.is_empty() => {
                    (format!("{}.{simple}", p.replace('/', ".")), simple.clone())
                }
                _ => (simple.clone(), simple.clone()),
            },
        };
        let internal = match outer {
            Some(o) if lib => format!("{}${simple}", self.table.class(o).internal),
            _ => name.replace('.', "/"),
        };
        if lib && outer.is_none() {
            if let Some(b) = semeru_stdlib::builtins::by_internal(&internal) {
                // A library file for a built-in class: same id, methods from the file.
                let id = ClassId(b.id);
                let info = self.table.class_mut(id);
                info.origin = ClassOrigin::User(d);
                info.span = d.name.span;
                self.table.lib_top_level.insert(simple, id);
                self.table.lib_internal.insert(internal, id);
                out.push(id);
                self.collect_members(d, id, out);
                return;
            }
        }
        let dup = match outer {
            Some(o) => {
                self.table.class(o).nested.iter().any(|(n, _)| *n == simple)
                    || self.table.chain_outer_names(o).contains(&simple)
            }
            None if lib => self.table.lib_top_level.contains_key(&simple),
            None => self.table.top_level.contains_key(&simple),
        };
        if dup {
            let where_ = match outer {
                Some(o) => format!("class {}", self.table.class(o).display),
                None => "package unnamed package".to_string(),
            };
            self.error(
                d.name.span,
                format!("duplicate class: {simple} is already defined in {where_}"),
            );
            return;
        }
        let id = ClassId(self.table.classes.len() as u32);
        self.table.classes.push(ClassInfo {
            internal: internal.clone(),
            name,
            display,
            simple: simple.clone(),
            super_: None,
            origin: ClassOrigin::User(d),
            outer,
            nested: Vec::new(),
            fields: Vec::new(),
            methods: Vec::new(),
            ctors: Vec::new(),
            layout: InstanceLayout::default(),
            heap_layout: InstanceLayout::default().to_layout(),
            vtable: Vec::new(),
            clinit: None,
            is_abstract: d.modifiers.abstract_ || is_interface,
            span: d.name.span,
        });
        let tparams = self.declare_tparams(&d.type_params);
        let ext = self.table.cext_mut(id);
        ext.is_interface = is_interface;
        ext.tparams = tparams;
        match outer {
            Some(o) => self.table.class_mut(o).nested.push((simple, id)),
            None if lib => {
                self.table.lib_top_level.insert(simple, id);
            }
            None => {
                self.table.top_level.insert(simple, id);
            }
        }
        if lib {
            let n = self.table.classes.len();
            self.table.lib.resize(n, false);
            self.table.lib[id.0 as usize] = true;
            self.table.lib_internal.insert(internal, id);
        }
        out.push(id);
        self.collect_members(d, id, out);
    }

    fn collect_members(&mut self, d: &'a ClassDecl, id: ClassId, out: &mut Vec<ClassId>) {
        for m in &d.members {
            if let Member::Class(c) = m {
                self.collect_class(c, Some(id), None, out);
            }
        }
    }

    fn user_decl(&self, c: ClassId) -> Option<&'a ClassDecl> {
        match self.table.class(c).origin {
            ClassOrigin::User(d) => Some(d),
            _ => None,
        }
    }

    fn resolve_super(&mut self, c: ClassId) {
        if (c.0 as usize) < BUILTINS.len() {
            return; // a library file for a built-in: the built-in's superclass stands
        }
        let Some(d) = self.user_decl(c) else { return };
        let tps = self.table.cext(c).tparams.clone();
        self.resolve_tparam_bounds(Some(c), &tps, &d.type_params);
        let mut sup = ClassId(OBJECT);
        let mut gsupers = Vec::new();
        let mut ifaces = Vec::new();
        for t in &d.implements {
            let g = self.resolve_gtype(Some(c), t);
            match self.table.erase(&g) {
                Ty::Class(i) if self.table.is_interface(i) => {
                    if ifaces.contains(&i) {
                        let n = self.table.class(i).display.clone();
                        self.error(t.span, format!("repeated interface {n}"));
                    }
                    ifaces.push(i);
                    gsupers.push(g);
                }
                Ty::Error => {}
                _ => self.error(t.span, "interface expected here"),
            }
        }
        {
            let ext = self.table.cext_mut(c);
            ext.interfaces = ifaces;
            ext.gsupers = gsupers;
        }
        if let Some(t) = &d.extends {
            let g = self.resolve_gtype(Some(c), t);
            if g.is_generic() {
                self.table.cext_mut(c).gsupers.insert(0, g);
            }
            let scope = self.table.class(c).outer;
            match self.resolve_type(scope.or(Some(c)), t) {
                Ty::Class(s) if s.0 == STRING => {
                    self.error(t.span, "cannot inherit from final String");
                }
                Ty::Class(s)
                    if s.0 != OBJECT
                        && (s.0 as usize) < BUILTINS.len()
                        && !self.table.chain(s).contains(&ClassId(THROWABLE)) =>
                {
                    let n = self.table.class(s).display.clone();
                    self.unsupported(t.span, &format!("extending the built-in class {n}"));
                }
                Ty::Class(s) if self.table.is_interface(s) => {
                    self.error(t.span, "no interface expected here");
                }
                Ty::Class(s) => {
                    if let Some(sd) = self.user_decl(s) {
                        if sd.modifiers.final_ {
                            let n = self.table.class(s).display.clone();
                            self.error(t.span, format!("cannot inherit from final {n}"));
                        }
                    }
                    sup = s;
                }
                Ty::Error => {}
                _ => self.error(t.span, "unexpected type: a class is required here"),
            }
        }
        self.table.class_mut(c).super_ = Some(sup);
    }

    fn break_cycles(&mut self, users: &[ClassId]) {
        for &c in users {
            let mut cur = self.table.class(c).super_;
            let mut steps = 0;
            while let Some(s) = cur {
                if s == c || steps > users.len() + 1 {
                    let span = self.table.class(c).span;
                    let n = self.table.class(c).display.clone();
                    self.error(span, format!("cyclic inheritance involving {n}"));
                    self.table.class_mut(c).super_ = Some(ClassId(OBJECT));
                    break;
                }
                steps += 1;
                cur = self.table.class(s).super_;
            }
        }
    }

    fn declare_fields(&mut self, c: ClassId) {
        let Some(d) = self.user_decl(c) else { return };
        let mut kinds = Vec::new();
        let mut inst = Vec::new();
        for m in &d.members {
            let Member::Field(fd) = m else { continue };
            self.check_class_modifiers(&fd.modifiers);
            let in_interface = self.table.is_interface(c);
            let gbase = self.resolve_gtype(Some(c), &fd.ty);
            let base = self.table.erase(&gbase);
            for decl in &fd.declarators {
                let mut ty = base.clone();
                let mut gty = gbase.clone();
                if !ty.is_error() {
                    for _ in 0..decl.extra_dims {
                        ty = Ty::Array(Box::new(ty));
                        gty = match gty {
                            GTy::Plain(t) => GTy::Plain(Ty::Array(Box::new(t))),
                            g => GTy::Array(Box::new(g)),
                        };
                    }
                }
                if in_interface && decl.init.is_none() {
                    self.error(decl.name.span, "= expected");
                }
                let name = decl.name.name.clone();
                let dup = self
                    .table
                    .class(c)
                    .fields
                    .iter()
                    .any(|f| self.table.field(*f).name == name);
                if dup {
                    let cn = self.table.class(c).display.clone();
                    self.error(
                        decl.name.span,
                        format!("variable {name} is already defined in class {cn}"),
                    );
                    continue;
                }
                let is_static = fd.modifiers.static_ || in_interface;
                let slot = if is_static {
                    let full = format!("{}.{name}", self.table.class(c).name);
                    if ty.is_prim() {
                        self.table.static_p_names.push(full);
                        FieldSlot::Static(self.table.static_p_names.len() as u16 - 1)
                    } else {
                        self.table.static_r_names.push(full);
                        FieldSlot::Static(self.table.static_r_names.len() as u16 - 1)
                    }
                } else {
                    FieldSlot::Instance(0)
                };
                let id = FieldId(self.table.fields.len() as u32);
                if gty.is_generic() {
                    self.table.gen.fields.insert(id, gty);
                }
                if !is_static {
                    kinds.push(ty.elem_kind());
                    inst.push(id);
                }
                self.table.fields.push(FieldInfo {
                    name,
                    class: c,
                    ty,
                    is_static,
                    is_final: fd.modifiers.final_ || in_interface,
                    is_private: fd.modifiers.private,
                    slot,
                    decl: Some(decl),
                    span: decl.name.span,
                    constant: ConstState::Unknown,
                });
                self.table.class_mut(c).fields.push(id);
            }
        }
        if let Some(b) = BUILTINS.get(c.0 as usize) {
            // A library file for a built-in class declares exactly its fields.
            let want: Vec<(String, ElemKind)> = match b.shape {
                BuiltinShape::Instance(fs) => fs
                    .iter()
                    .map(|(n, d)| {
                        let k = self
                            .table
                            .parse_desc(d)
                            .map_or(ElemKind::Ref, |(t, _)| t.elem_kind());
                        (n.to_string(), k)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let got: Vec<(String, ElemKind)> = inst
                .iter()
                .map(|f| {
                    let fi = self.table.field(*f);
                    (fi.name.clone(), fi.ty.elem_kind())
                })
                .collect();
            if got != want {
                let span = self.table.class(c).span;
                let n = self.table.class(c).display.clone();
                self.error(
                    span,
                    format!("the instance fields of built-in class {n} must be exactly {want:?}"),
                );
            }
            if !matches!(b.shape, BuiltinShape::Instance(_)) {
                return;
            }
        }
        let sup = self.table.class(c).super_.unwrap_or(ClassId(OBJECT));
        let (layout, offs) = self.table.class(sup).layout.extend(&kinds);
        for (f, off) in inst.iter().zip(offs) {
            if off > u16::MAX as u32 {
                let span = self.table.field(*f).span;
                self.error(span, "too many fields in class");
            }
            self.table.fields[f.0 as usize].slot = FieldSlot::Instance(off as u16);
        }
        let cls = self.table.class_mut(c);
        cls.heap_layout = layout.to_layout();
        cls.layout = layout;
    }

    /// Parameter types, erased and as written. A varargs parameter `T... a` is an
    /// array `T[]`.
    fn declare_params_g(&mut self, c: ClassId, params: &'a [ast::Param]) -> (Vec<Ty>, Vec<GTy>) {
        let mut out = Vec::new();
        let mut gout = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let mut g = self.resolve_gtype(Some(c), &p.ty);
            if p.varargs {
                if i + 1 != params.len() {
                    self.error(
                        p.name.span,
                        "a varargs parameter must be the last parameter",
                    );
                }
                g = match g {
                    GTy::Plain(Ty::Error) => GTy::Plain(Ty::Error),
                    GTy::Plain(t) => GTy::Plain(Ty::Array(Box::new(t))),
                    g => GTy::Array(Box::new(g)),
                };
            }
            out.push(self.table.erase(&g));
            gout.push(g);
        }
        (out, gout)
    }

    fn sig_string(&self, name: &str, params: &[Ty]) -> String {
        let ps: Vec<String> = params.iter().map(|p| self.table.display(p)).collect();
        format!("{name}({})", ps.join(","))
    }

    fn declare_methods(&mut self, c: ClassId) {
        let Some(d) = self.user_decl(c) else { return };
        let mut has_clinit = false;
        let in_interface = self.table.is_interface(c);
        for m in &d.members {
            match m {
                Member::Method(md) => {
                    let is_default = md.modifiers.other.iter().any(|o| o.name == "default");
                    self.declaring_lib = self.table.is_lib(c);
                    if in_interface {
                        self.check_modifiers_allowing(&md.modifiers, &["default"]);
                        if md.modifiers.protected {
                            self.error(md.name.span, "modifier protected not allowed here");
                        }
                    } else {
                        self.check_class_modifiers(&md.modifiers);
                    }
                    self.declaring_lib = false;
                    let is_native = self.table.is_lib(c)
                        && md.modifiers.other.iter().any(|o| o.name == "native");
                    let tparams = self.declare_tparams(&md.type_params);
                    let saved_scope = std::mem::replace(&mut self.tv_scope, tparams.clone());
                    self.resolve_tparam_bounds(Some(c), &tparams, &md.type_params);
                    let (params, gparams) = self.declare_params_g(c, &md.params);
                    let gret = match &md.ret {
                        None => GTy::Plain(Ty::Void),
                        Some(t) => self.resolve_gtype(Some(c), t),
                    };
                    self.tv_scope = saved_scope;
                    let ret = self.table.erase(&gret);
                    let is_static = md.modifiers.static_;
                    let is_abstract = md.modifiers.abstract_
                        || (in_interface
                            && md.body.is_none()
                            && !is_static
                            && !md.modifiers.private);
                    if in_interface
                        && md.body.is_none()
                        && (is_default || is_static || md.modifiers.private)
                    {
                        self.error(md.name.span, "missing method body, or declare abstract");
                    } else if in_interface
                        && md.body.is_some()
                        && !(is_default || is_static || md.modifiers.private)
                    {
                        self.error(md.name.span, "interface abstract methods cannot have body");
                    }
                    let varargs = md.params.last().is_some_and(|p| p.varargs);
                    let mut src = MethodSrc::Method(md);
                    match (&md.body, is_abstract) {
                        (None, false) if is_native => {
                            let internal = self.table.class(c).internal.clone();
                            let desc = self.table.method_desc(&params, &ret);
                            let found = semeru_stdlib::natives::lookup(&internal, &md.name.name)
                                .find(|(_, d)| d.desc == desc);
                            match found {
                                Some((n, _)) => src = MethodSrc::Native(n),
                                None => self.error(
                                    md.name.span,
                                    format!(
                                        "no native {internal}.{}{desc} in the natives table",
                                        md.name.name
                                    ),
                                ),
                            }
                        }
                        (None, false) => {
                            self.error(md.name.span, "missing method body, or declare abstract")
                        }
                        (Some(_), true) => {
                            self.error(md.name.span, "abstract methods cannot have a body")
                        }
                        _ => {}
                    }
                    let dup = self.table.class(c).methods.iter().any(|o| {
                        let o = self.table.method(*o);
                        o.name == md.name.name && o.params == params
                    });
                    if dup {
                        let cn = self.table.class(c).display.clone();
                        let sig = self.sig_string(&md.name.name, &params);
                        self.error(
                            md.name.span,
                            format!("method {sig} is already defined in class {cn}"),
                        );
                        continue;
                    }
                    let access = if in_interface && !md.modifiers.private {
                        3
                    } else {
                        access_of(&md.modifiers)
                    };
                    let id = self.push_method(MethodInfo {
                        name: md.name.name.clone(),
                        class: c,
                        params,
                        ret,
                        is_static,
                        is_private: md.modifiers.private,
                        is_abstract,
                        is_final: md.modifiers.final_,
                        access,
                        vslot: None,
                        src,
                        span: md.name.span,
                    });
                    self.table.class_mut(c).methods.push(id);
                    let generic = gret.is_generic() || gparams.iter().any(GTy::is_generic);
                    if generic || varargs || is_default || !tparams.is_empty() {
                        let e = self.table.mext_mut(id);
                        e.tparams = tparams;
                        e.varargs = varargs;
                        e.is_default = is_default;
                        if generic {
                            e.gparams = gparams;
                            e.gret = Some(gret);
                        }
                    }
                }
                Member::Constructor(cd) => {
                    self.check_class_modifiers(&cd.modifiers);
                    if cd.name.name != d.name.name {
                        self.error(
                            cd.name.span,
                            "invalid method declaration; return type required",
                        );
                        continue;
                    }
                    let (params, gparams) = self.declare_params_g(c, &cd.params);
                    let varargs = cd.params.last().is_some_and(|p| p.varargs);
                    let dup = self
                        .table
                        .class(c)
                        .ctors
                        .iter()
                        .any(|o| self.table.method(*o).params == params);
                    if dup {
                        let cn = self.table.class(c).display.clone();
                        let sig = self.sig_string(&d.name.name, &params);
                        self.error(
                            cd.name.span,
                            format!("constructor {sig} is already defined in class {cn}"),
                        );
                        continue;
                    }
                    let id = self.push_method(MethodInfo {
                        name: "<init>".into(),
                        class: c,
                        params,
                        ret: Ty::Void,
                        is_static: false,
                        is_private: cd.modifiers.private,
                        is_abstract: false,
                        is_final: false,
                        access: access_of(&cd.modifiers),
                        vslot: None,
                        src: MethodSrc::Ctor(cd),
                        span: cd.name.span,
                    });
                    self.table.class_mut(c).ctors.push(id);
                    if varargs || gparams.iter().any(GTy::is_generic) {
                        let e = self.table.mext_mut(id);
                        e.varargs = varargs;
                        e.gparams = gparams;
                    }
                }
                Member::Field(fd) => {
                    if (fd.modifiers.static_ || in_interface)
                        && fd.declarators.iter().any(|d| d.init.is_some())
                    {
                        has_clinit = true;
                    }
                }
                Member::Initializer { is_static, .. } => has_clinit |= *is_static,
                Member::Class(_) => {}
            }
        }
        if self.table.class(c).ctors.is_empty() && !in_interface {
            let id = self.push_method(MethodInfo {
                name: "<init>".into(),
                class: c,
                params: Vec::new(),
                ret: Ty::Void,
                is_static: false,
                is_private: false,
                is_abstract: false,
                is_final: false,
                access: access_of(&d.modifiers),
                vslot: None,
                src: MethodSrc::DefaultCtor,
                span: d.name.span,
            });
            self.table.class_mut(c).ctors.push(id);
        }
        if has_clinit {
            let id = self.push_method(MethodInfo {
                name: "<clinit>".into(),
                class: c,
                params: Vec::new(),
                ret: Ty::Void,
                is_static: true,
                is_private: true,
                is_abstract: false,
                is_final: false,
                access: 0,
                vslot: None,
                src: MethodSrc::Clinit,
                span: d.name.span,
            });
            self.table.class_mut(c).clinit = Some(id);
        }
    }

    fn push_method(&mut self, m: MethodInfo<'a>) -> MId {
        let id = MId(self.table.methods.len() as u32);
        self.table.methods.push(m);
        id
    }

    fn build_vtable(&mut self, c: ClassId) {
        let sup = self.table.class(c).super_.unwrap_or(ClassId(OBJECT));
        let mut vt = self.table.class(sup).vtable.clone();
        if self.table.is_interface(c) {
            // Interface methods are dispatched through itables; an interface
            // type's vtable is Object's (for toString and friends).
            self.table.class_mut(c).vtable = vt;
            return;
        }
        if c.0 == STRING {
            // `toString`, `equals` and `hashCode` of String are natives.
            let own = &self.table.class(c).vtable;
            let n = own.len().min(vt.len()).min(3);
            vt[..n].copy_from_slice(&own[..n]);
        }
        let methods = self.table.class(c).methods.clone();
        for m in methods {
            let mi = self.table.method(m);
            let (name, params, span) = (mi.name.clone(), mi.params.clone(), mi.span);
            let slot = vt.iter().position(|o| {
                let oi = self.table.method(*o);
                oi.name == name && (oi.params == params || self.table.params_in(c, *o) == params)
            });
            if mi.is_static || mi.is_private {
                if let (Some(i), true) = (slot, mi.is_static) {
                    let msg = self.override_msg(m, vt[i]);
                    self.error(
                        span,
                        format!("{msg}; overridden method is an instance method"),
                    );
                }
                continue;
            }
            match slot {
                Some(i) => {
                    let o = vt[i];
                    let (mi, oi) = (self.table.method(m), self.table.method(o));
                    let ret_ok = if mi.ret.is_ref() && oi.ret.is_ref() {
                        self.table.ref_assignable(&mi.ret, &oi.ret)
                    } else {
                        mi.ret == oi.ret || mi.ret.is_error() || oi.ret.is_error()
                    };
                    let msg = self.override_msg(m, o);
                    if !ret_ok {
                        let (a, b) = (self.table.display(&mi.ret), self.table.display(&oi.ret));
                        self.error(
                            span,
                            format!("{msg}; return type {a} is not compatible with {b}"),
                        );
                    } else if oi.is_final {
                        self.error(span, format!("{msg}; overridden method is final"));
                    } else if mi.access < oi.access {
                        let was = ["private", "package", "protected", "public"][oi.access as usize];
                        self.error(
                            span,
                            format!(
                                "{msg}; attempting to assign weaker access privileges; was {was}"
                            ),
                        );
                    }
                    vt[i] = m;
                    self.table.methods[m.0 as usize].vslot = Some(i as u16);
                }
                None => {
                    self.table.methods[m.0 as usize].vslot = Some(vt.len() as u16);
                    vt.push(m);
                }
            }
        }
        let cls = self.table.class(c);
        if !cls.is_abstract {
            if let Some(a) = vt.iter().find(|m| self.table.method(**m).is_abstract) {
                let am = self.table.method(*a);
                let sig = self.sig_string(&am.name, &am.params);
                let (cn, an) = (
                    cls.display.clone(),
                    self.table.class(am.class).display.clone(),
                );
                let span = cls.span;
                self.error(
                    span,
                    format!(
                        "{cn} is not abstract and does not override abstract method {sig} in {an}"
                    ),
                );
            }
        }
        self.table.class_mut(c).vtable = vt;
    }

    fn override_msg(&self, m: MId, o: MId) -> String {
        let (mi, oi) = (self.table.method(m), self.table.method(o));
        format!(
            "{} in {} cannot override {} in {}",
            self.sig_string(&mi.name, &mi.params),
            self.table.class(mi.class).display,
            self.sig_string(&oi.name, &oi.params),
            self.table.class(oi.class).display
        )
    }

    /// Reports `interface A extends B` / `B extends A` (and a class implementing
    /// itself) and drops the offending superinterfaces.
    fn break_interface_cycles(&mut self, all: &[ClassId]) {
        for &c in all {
            let direct = self.table.cext(c).interfaces.clone();
            let cyclic = direct
                .iter()
                .any(|&j| j == c || self.table.all_interfaces(j).contains(&c));
            if cyclic {
                let span = self.table.class(c).span;
                let n = self.table.class(c).display.clone();
                self.error(span, format!("cyclic inheritance involving {n}"));
                let ext = self.table.cext_mut(c);
                ext.interfaces.clear();
                ext.gsupers
                    .retain(|g| g.class().is_some_and(|k| !direct.contains(&k)));
            }
        }
    }

    /// `String implements Comparable<String>` (when the program uses `Comparable`):
    /// its `compareTo` is a native.
    fn string_interfaces(&mut self) {
        let Some(&cmp) = self.table.lib_top_level.get("Comparable") else {
            return;
        };
        let Some(&iface_m) = self
            .table
            .class(cmp)
            .methods
            .iter()
            .find(|m| self.table.method(**m).name == "compareTo")
        else {
            return;
        };
        let s = ClassId(STRING);
        let imp = self.native_method(s, Native::StrCompareTo, None);
        let ext = self.table.cext_mut(s);
        if !ext.interfaces.contains(&cmp) {
            ext.interfaces.push(cmp);
            ext.gsupers
                .push(GTy::Class(cmp, vec![GTy::Plain(Ty::Class(s))]));
        }
        ext.itable.push((iface_m, imp));
    }

    /// The interface dispatch table of class `c`, and the check that a concrete
    /// class implements every abstract interface method.
    fn build_itable(&mut self, c: ClassId) {
        if self.table.is_interface(c) {
            return;
        }
        let vt = self.table.class(c).vtable.clone();
        let ifaces = self.table.all_interfaces(c);
        let mut itable: Vec<(MId, MId)> = Vec::new();
        let is_abstract = self.table.class(c).is_abstract;
        for &i in &ifaces {
            let ms = self.table.class(i).methods.clone();
            for m in ms {
                let mi = self.table.method(m);
                if mi.is_static || mi.is_private {
                    continue;
                }
                let name = mi.name.clone();
                let want = [mi.params.clone(), self.table.params_in(c, m)];
                let matches = |t: &super::classes::ClassTable, k: MId| {
                    let ki = t.method(k);
                    ki.name == name
                        && !ki.is_static
                        && (want.contains(&ki.params) || want.contains(&t.params_in(c, k)))
                };
                let mut found = vt
                    .iter()
                    .copied()
                    .find(|k| matches(&self.table, *k) && !self.table.method(*k).is_abstract);
                if found.is_none() {
                    // The first default method along the (nearest-first) interfaces.
                    found =
                        ifaces.iter().find_map(|j| {
                            self.table.class(*j).methods.iter().copied().find(|k| {
                                matches(&self.table, *k) && self.table.mext(*k).is_default
                            })
                        });
                }
                match found {
                    Some(k) => itable.push((m, k)),
                    None if !is_abstract => {
                        let mi = self.table.method(m);
                        let sig = self.sig_string(&mi.name, &want[1]);
                        let cls = self.table.class(c);
                        let (cn, an, span) = (
                            cls.display.clone(),
                            self.table.class(mi.class).display.clone(),
                            cls.span,
                        );
                        self.error(
                            span,
                            format!(
                                "{cn} is not abstract and does not override abstract method {sig} in {an}"
                            ),
                        );
                        return;
                    }
                    None => {}
                }
            }
        }
        self.table.cext_mut(c).itable = itable;
    }
}
