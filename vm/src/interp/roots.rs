//! The mutator's precise roots.

use crate::regfile::RegFile;
use semeru_gc::{Ref, RootSet};

/// Every place outside the heap that holds a reference. The heap rewrites these
/// slots in place when it moves objects, so the interpreter re-reads refs from
/// here (never from a local it held across an allocation).
pub struct Roots {
    /// Reference registers of all frames; slots `[0, top)` are live.
    pub regs: RegFile<Ref>,
    pub top: usize,
    /// Reference static slots.
    pub statics: Vec<Ref>,
    /// Interned strings: the program's literals first, then `intern()` results.
    pub interned: Vec<Ref>,
    /// `System.out` and `System.err`.
    pub out: Ref,
    pub err: Ref,
    /// The exception being thrown, if any.
    pub exc: Ref,
    /// The preallocated `OutOfMemoryError` (thrown when even it cannot be allocated).
    pub oom: Ref,
    /// Temporary roots for natives that allocate several objects.
    pub handles: Vec<Ref>,
}

impl Roots {
    pub fn new(regs: usize) -> Roots {
        Roots {
            regs: RegFile::new(regs),
            top: 0,
            statics: Vec::new(),
            interned: Vec::new(),
            out: Ref::NULL,
            err: Ref::NULL,
            exc: Ref::NULL,
            oom: Ref::NULL,
            handles: Vec::new(),
        }
    }
}

impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        let mut skip_null = |r: &mut Ref| {
            if !r.is_null() {
                visit(r)
            }
        };
        self.regs.for_each_mut(self.top, &mut skip_null);
        for r in self
            .statics
            .iter_mut()
            .chain(self.interned.iter_mut())
            .chain(self.handles.iter_mut())
            .chain([&mut self.out, &mut self.err, &mut self.exc, &mut self.oom])
        {
            skip_null(r);
        }
    }
}
