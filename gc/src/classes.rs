//! The class layout table: class id → [`Layout`]. The heap, the tracer and (later)
//! every memnode hold the same table (DESIGN.md §4).

use crate::layout::{ClassId, Layout};

#[derive(Default)]
pub struct ClassTable {
    layouts: Vec<Option<Layout>>,
}

impl ClassTable {
    pub fn define(&mut self, id: ClassId, layout: Layout) {
        let i = id.0 as usize;
        if self.layouts.len() <= i {
            self.layouts.resize(i + 1, None);
        }
        self.layouts[i] = Some(layout);
    }

    #[inline]
    pub fn get(&self, id: ClassId) -> Option<&Layout> {
        self.layouts.get(id.0 as usize)?.as_ref()
    }
}
