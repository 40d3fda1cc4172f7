//! Interface dispatch: a dense selector table built at load time.
//!
//! Every interface method that appears in some class's `itable` gets a small
//! selector number; every class with a non-empty `itable` gets a row indexed by
//! selector. `CallInterface` is then two indexed loads, as fast as a vtable call.

use crate::program::Program;

const NONE: u32 = u32::MAX;

#[derive(Default)]
pub struct ITab {
    /// Selector of each method id (`NONE` for methods that are not interface methods).
    sel: Vec<u32>,
    /// Per class: implementation method ids by selector (empty for classes that
    /// implement no interface).
    rows: Vec<Box<[u32]>>,
    /// Per class: every interface it implements (directly or not), sorted.
    supers: Vec<Box<[u32]>>,
}

impl ITab {
    pub fn build(p: &Program) -> ITab {
        let mut sel = vec![NONE; p.methods.len()];
        let mut n = 0u32;
        for c in &p.classes {
            for (m, _) in &c.itable {
                if let Some(s) = sel.get_mut(m.0 as usize) {
                    if *s == NONE {
                        *s = n;
                        n += 1;
                    }
                }
            }
        }
        let rows = p
            .classes
            .iter()
            .map(|c| {
                if c.itable.is_empty() {
                    return Box::default();
                }
                let mut row = vec![NONE; n as usize].into_boxed_slice();
                for (m, t) in &c.itable {
                    if let Some(&s) = sel.get(m.0 as usize) {
                        if let Some(slot) = row.get_mut(s as usize) {
                            *slot = t.0 as u32;
                        }
                    }
                }
                row
            })
            .collect();
        let supers = (0..p.classes.len())
            .map(|c| all_interfaces(p, c as u32).into_boxed_slice())
            .collect();
        ITab { sel, rows, supers }
    }

    /// Whether class `c` implements interface `i` (directly or not).
    #[inline]
    pub fn implements(&self, c: u32, i: u32) -> bool {
        self.supers
            .get(c as usize)
            .is_some_and(|s| s.binary_search(&i).is_ok())
    }

    /// The implementation of interface method `m` in class `c`.
    #[inline(always)]
    pub fn lookup(&self, c: u32, m: u16) -> Option<u32> {
        let s = *self.sel.get(m as usize)?;
        let t = *self.rows.get(c as usize)?.get(s as usize)?;
        (t != NONE).then_some(t)
    }
}

/// The interfaces of `c`, its superclasses and their superinterfaces, sorted.
fn all_interfaces(p: &Program, c: u32) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    let mut work = vec![c];
    let mut seen = Vec::new();
    while let Some(k) = work.pop() {
        if seen.contains(&k) || seen.len() > 100_000 {
            continue;
        }
        seen.push(k);
        let Some(kc) = p.classes.get(k as usize) else {
            continue;
        };
        if k != c && kc.is_interface {
            out.push(k);
        }
        if let Some(s) = kc.super_class {
            work.push(s.0);
        }
        work.extend(kc.interfaces.iter().map(|i| i.0));
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Class, MethodId};
    use semeru_gc::Layout;

    fn class(itable: Vec<(MethodId, MethodId)>) -> Class {
        Class {
            name: "C".into(),
            super_class: None,
            interfaces: vec![],
            is_interface: false,
            is_abstract: false,
            layout: Layout::Array {
                elem: semeru_gc::ElemKind::Int,
            },
            elem_class: None,
            vtable: vec![],
            clinit: None,
            itable,
        }
    }

    #[test]
    fn looks_up_per_class_implementations() {
        let mut p = Program {
            source_file: String::new(),
            classes: vec![
                class(vec![]),
                class(vec![(MethodId(0), MethodId(2)), (MethodId(1), MethodId(3))]),
                class(vec![(MethodId(1), MethodId(4))]),
            ],
            methods: Vec::new(),
            consts: vec![],
            strings: vec![],
            static_p: 0,
            static_r: 0,
            static_p_names: vec![],
            static_r_names: vec![],
            main: MethodId(0),
        };
        p.methods = (0..5)
            .map(|i| crate::program::Method {
                name: format!("m{i}"),
                class: semeru_gc::ClassId(0),
                desc: "()V".into(),
                is_static: false,
                params_p: 0,
                params_r: 1,
                ret: crate::program::RetKind::Void,
                body: crate::program::Body::Abstract,
            })
            .collect();
        let t = ITab::build(&p);
        assert_eq!(t.lookup(1, 0), Some(2));
        assert_eq!(t.lookup(1, 1), Some(3));
        assert_eq!(t.lookup(2, 1), Some(4));
        assert_eq!(t.lookup(2, 0), None);
        assert_eq!(t.lookup(0, 1), None);
        assert_eq!(t.lookup(9, 1), None);
    }
}
