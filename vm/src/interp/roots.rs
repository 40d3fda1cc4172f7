//! The mutator's precise roots.

use crate::regfile::RegFile;
use semeru_gc::{Ref, RootSet};

/// Every place outside the heap that holds a reference. The heap rewrites these
/// slots in place when it moves objects, so the interpreter re-reads refs from
/// here (never from a local it held across an allocation).
///
/// **Register invariant.** The collector scans reference registers `[0, top)`
/// only, so every register at or above `top` must be null: a register left
/// holding a reference while it was above `top` would miss the collections of
/// that time and come back dangling when `top` rises over it again (a callee's
/// window may end below its caller's, whose registers above the call's
/// arguments are dead). [`Roots::set_top`] keeps the invariant; nothing else
/// may lower `top`.
pub struct Roots {
    /// Reference registers of all frames; slots `[0, top)` are live, the rest null.
    pub regs: RegFile<Ref>,
    top: usize,
    /// Highest `top` so far: registers `[top, high)` are checked to be null
    /// when `check_regs` is set.
    high: usize,
    /// Check the register invariant at each root scan (`--verify-heap`).
    pub check_regs: bool,
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
            high: 0,
            check_regs: false,
            statics: Vec::new(),
            interned: Vec::new(),
            out: Ref::NULL,
            err: Ref::NULL,
            exc: Ref::NULL,
            oom: Ref::NULL,
            handles: Vec::new(),
        }
    }

    /// The end of the live reference registers.
    #[inline(always)]
    pub fn top(&self) -> usize {
        self.top
    }

    /// Moves the end of the live registers to `t`. Registers that drop out of
    /// `[0, top)` are nulled, so none holds a reference the collector would miss.
    #[inline]
    pub fn set_top(&mut self, t: usize) {
        if t < self.top {
            self.regs.fill(t, self.top, Ref::NULL);
        }
        self.top = t;
        self.high = self.high.max(t);
    }

    /// The first non-null register at or above `top`, if any (it breaks the
    /// register invariant).
    pub fn stale_register(&self) -> Option<(usize, Ref)> {
        (self.top..self.high.min(self.regs.len()))
            .map(|i| (i, self.regs.get(i, Ref::NULL)))
            .find(|(_, r)| !r.is_null())
    }
}

impl RootSet for Roots {
    fn visit_roots(&mut self, visit: &mut dyn FnMut(&mut Ref)) {
        if self.check_regs {
            if let Some((i, r)) = self.stale_register() {
                panic!(
                    "stale reference register: slot {i} holds {r:?} above the live top {}",
                    self.top
                );
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowering_top_nulls_the_registers_left_behind() {
        let mut r = Roots::new(16);
        r.set_top(8);
        for i in 0..8 {
            r.regs.set(i, Ref(i as u32 + 1));
        }
        r.set_top(3);
        assert_eq!(r.top(), 3);
        assert!((3..8).all(|i| r.regs.get(i, Ref(1)).is_null()));
        assert_eq!(r.regs.get(2, Ref::NULL), Ref(3));
        assert_eq!(r.stale_register(), None);
        // A register written above the live top breaks the invariant.
        r.regs.set(6, Ref(9));
        assert_eq!(r.stale_register(), Some((6, Ref(9))));
        let mut seen = 0;
        r.visit_roots(&mut |_| seen += 1);
        assert_eq!(seen, 3, "registers above top are not roots");
    }

    #[test]
    #[should_panic(expected = "stale reference register")]
    fn the_register_check_catches_a_stale_register() {
        let mut r = Roots::new(16);
        r.check_regs = true;
        r.set_top(8);
        r.set_top(2);
        r.regs.set(5, Ref(9));
        r.visit_roots(&mut |_| {});
    }
}
