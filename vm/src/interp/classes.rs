//! Runtime class questions: subtype tests and static-initialization state.

use super::Vm;
use semeru_stdlib::builtins::OBJECT;

impl Vm {
    /// Is class `c` assignable to class `target`? Follows superclass chains,
    /// interfaces, and array covariance (`String[]` is an `Object[]`; `int[]` is
    /// only an `Object`).
    pub(crate) fn is_subclass(&self, c: u32, target: u32) -> bool {
        if c == target || target == OBJECT {
            return true;
        }
        let classes = &self.prog.classes;
        let (Some(cc), Some(tc)) = (classes.get(c as usize), classes.get(target as usize)) else {
            return false;
        };
        if let (Some(ce), Some(te)) = (cc.elem_class, tc.elem_class) {
            return self.is_subclass(ce.0, te.0);
        }
        if tc.is_interface {
            return self.itab.implements(c, target);
        }
        let mut k = Some(c);
        while let Some(x) = k {
            let Some(xc) = classes.get(x as usize) else {
                return false;
            };
            if x == target {
                return true;
            }
            if tc.is_interface && xc.interfaces.iter().any(|i| self.is_subclass(i.0, target)) {
                return true;
            }
            k = xc.super_class.map(|s| s.0);
        }
        false
    }

    /// The Java name of class `c` (`Main$Node`, `java.lang.String`, `[I`).
    pub(crate) fn class_name(&self, c: u32) -> &str {
        self.prog
            .classes
            .get(c as usize)
            .map(|k| k.name.as_str())
            .unwrap_or("?")
    }

    /// Marks the root-most class of `c`'s superclass chain whose initialization has
    /// not started as started, and returns its static initializer; classes without
    /// one are marked and skipped. `None` once the whole chain has started.
    /// (Like the JVM, a class counts as initialized for its own thread as soon as
    /// initialization starts, so recursive requests proceed.)
    pub(crate) fn next_clinit(&mut self, c: u32) -> Option<u32> {
        loop {
            let mut found = None;
            let mut k = Some(c);
            while let Some(x) = k {
                if !*self.init_started.get(x as usize)? {
                    found = Some(x);
                }
                k = self.prog.classes[x as usize].super_class.map(|s| s.0);
            }
            let x = found?;
            self.init_started[x as usize] = true;
            if let Some(m) = self.prog.classes[x as usize].clinit {
                return Some(m.0 as u32);
            }
        }
    }
}
