//! Markdown tables with padded columns (readable as plain text too).

#[derive(Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose first column is left-aligned and the others right-aligned.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        let header: Vec<String> = header.into_iter().map(Into::into).collect();
        let align = (0..header.len())
            .map(|i| if i == 0 { Align::Left } else { Align::Right })
            .collect();
        Table {
            header,
            align,
            rows: Vec::new(),
        }
    }

    pub fn align(mut self, column: usize, a: Align) -> Table {
        if let Some(slot) = self.align.get_mut(column) {
            *slot = a;
        }
        self
    }

    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        cells.resize(self.header.len(), String::new());
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let header: Vec<String> = self.header.iter().map(|s| esc(s)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|s| esc(s)).collect())
            .collect();
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].chars().count(), 3])
                    .max()
                    .unwrap_or(3)
            })
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| match self.align[i] {
                    Align::Left => format!("{c:<w$}", w = widths[i]),
                    Align::Right => format!("{c:>w$}", w = widths[i]),
                })
                .collect();
            format!("| {} |\n", padded.join(" | "))
        };
        let mut out = line(&header);
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| match self.align[i] {
                Align::Left => format!(":{}", "-".repeat(w - 1)),
                Align::Right => format!("{}:", "-".repeat(w - 1)),
            })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for r in &rows {
            out.push_str(&line(r));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_aligned_columns() {
        let mut t = Table::new(["benchmark", "semeru"]);
        t.row(["fib 32", "0.25"]);
        t.row(["a|b", "10.00"]);
        assert_eq!(
            t.render(),
            "| benchmark | semeru |\n\
             | :-------- | -----: |\n\
             | fib 32    |   0.25 |\n\
             | a\\|b      |  10.00 |\n"
        );
    }

    #[test]
    fn short_rows_are_padded() {
        let mut t = Table::new(["a", "b", "c"]).align(2, Align::Left);
        t.row(["1"]);
        assert_eq!(t.render().lines().nth(2), Some("| 1   |     |     |"));
    }
}
