//! Resolution of type names: simple and qualified class names (the program's,
//! then the standard library's and the built-ins) and type expressions.

use super::state::Compiler;
use super::types::Ty;
use crate::ast::{Ident, TypeExpr, TypeExprKind};
use semeru_gc::ClassId;
use semeru_stdlib::builtins::BUILTINS;

/// What a type name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeName {
    Class(ClassId),
}

/// Library classes a Java programmer may reach for that Sem does not have (yet).
pub const UNSUPPORTED_LIB: &[&str] = &[
    "ArrayList",
    "List",
    "LinkedList",
    "HashMap",
    "Map",
    "TreeMap",
    "HashSet",
    "Set",
    "TreeSet",
    "StringBuilder",
    "StringBuffer",
    "Scanner",
    "Random",
    "Arrays",
    "Collections",
    "Iterator",
    "Iterable",
    "Deque",
    "ArrayDeque",
    "Queue",
    "PriorityQueue",
    "Optional",
    "Thread",
    "Runnable",
    "Comparable",
    "Comparator",
    "Objects",
    "BufferedReader",
    "InputStreamReader",
    "Stream",
    "IntStream",
    "BigInteger",
    "BigDecimal",
];

impl<'a> Compiler<'a> {
    /// Looks up a simple type name as seen from inside class `from` (JLS 6.5.5.1):
    /// the class itself, member classes of it, its superclasses and its enclosing
    /// classes, then top-level classes, then `java.lang`.
    pub fn lookup_type(&self, from: Option<ClassId>, name: &str) -> Option<TypeName> {
        let mut scope = from;
        let mut guard = 0;
        while let Some(c) = scope {
            guard += 1;
            if guard > 1000 {
                break;
            }
            let info = self.table.class(c);
            if info.simple == name && info.outer.is_some() {
                return Some(TypeName::Class(c));
            }
            for k in self
                .table
                .chain(c)
                .into_iter()
                .chain(self.table.all_interfaces(c))
            {
                if let Some((_, n)) = self.table.class(k).nested.iter().find(|(n, _)| n == name) {
                    return Some(TypeName::Class(*n));
                }
            }
            scope = info.outer;
        }
        self.lookup_global_type(name, from.is_some_and(|c| self.table.is_lib(c)))
    }

    /// Top-level classes, then the standard library's. The program's classes
    /// shadow library classes of the same name, but library code (`lib`) never
    /// sees the program's classes.
    pub fn lookup_global_type(&self, name: &str, lib: bool) -> Option<TypeName> {
        if !lib {
            if let Some(c) = self.table.top_level.get(name) {
                return Some(TypeName::Class(*c));
            }
        }
        if let Some(c) = self.table.lib_top_level.get(name) {
            return Some(TypeName::Class(*c));
        }
        BUILTINS
            .iter()
            .find(|b| b.internal.strip_prefix("java/lang/") == Some(name))
            .map(|b| TypeName::Class(ClassId(b.id)))
    }

    /// A member class `name` of `outer` (or of its superclasses).
    pub fn member_type(&self, outer: ClassId, name: &str) -> Option<ClassId> {
        for k in self
            .table
            .chain(outer)
            .into_iter()
            .chain(self.table.all_interfaces(outer))
        {
            if let Some((_, n)) = self.table.class(k).nested.iter().find(|(n, _)| n == name) {
                return Some(*n);
            }
        }
        None
    }

    /// Resolves a dotted type path such as `Outer.Inner` or `java.lang.String`.
    pub fn resolve_path(&mut self, from: Option<ClassId>, path: &[Ident]) -> Option<TypeName> {
        let first = path.first()?;
        let mut i = 1;
        let mut cur = match self.lookup_type(from, &first.name) {
            Some(t) => t,
            None => {
                // A package prefix: `java.util.Map.Entry`.
                let names: Vec<&str> = path.iter().map(|p| p.name.as_str()).collect();
                let found = (2..names.len()).find_map(|k| {
                    let internal = names[..=k].join("/");
                    let c = self.table.lib_internal.get(&internal).copied().or_else(|| {
                        semeru_stdlib::builtins::by_internal(&internal).map(|b| ClassId(b.id))
                    });
                    c.map(|c| (k, c))
                });
                match found {
                    Some((k, c)) => {
                        i = k + 1;
                        TypeName::Class(c)
                    }
                    None if names.len() >= 3 && names[0] == "java" && names[1] == "lang" => {
                        i = 3;
                        self.lookup_global_type(names[2], true)?
                    }
                    None => return None,
                }
            }
        };
        while i < path.len() {
            let TypeName::Class(c) = cur;
            cur = TypeName::Class(self.member_type(c, &path[i].name)?);
            i += 1;
        }
        Some(cur)
    }

    /// Resolves a type expression; reports and returns `Ty::Error` when unknown.
    pub fn resolve_type(&mut self, from: Option<ClassId>, t: &TypeExpr) -> Ty {
        match &t.kind {
            TypeExprKind::Prim(p) => Ty::from_prim(*p),
            TypeExprKind::Array(e) => {
                let e = self.resolve_type(from, e);
                if e.is_error() {
                    Ty::Error
                } else {
                    Ty::Array(Box::new(e))
                }
            }
            TypeExprKind::Var => {
                self.error(t.span, "'var' is not allowed here");
                Ty::Error
            }
            TypeExprKind::Named { path, .. } => {
                // Type arguments are erased (`resolve_gtype` checks them).
                if let [only] = path.as_slice() {
                    if let Some(v) = self.lookup_tvar(from, &only.name) {
                        return self.table.tvar(v).erasure.clone();
                    }
                }
                match self.resolve_path(from, path) {
                    Some(TypeName::Class(c)) => Ty::Class(c),
                    None => {
                        let name: Vec<&str> = path.iter().map(|p| p.name.as_str()).collect();
                        if let Some(lib) = UNSUPPORTED_LIB
                            .iter()
                            .find(|n| Some(**n) == name.last().copied())
                        {
                            self.unsupported(t.span, &format!("the library class {lib}"));
                            return Ty::Error;
                        }
                        self.error(
                            t.span,
                            format!("cannot find symbol: class {}", name.join(".")),
                        );
                        Ty::Error
                    }
                }
            }
        }
    }
}
