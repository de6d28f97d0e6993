//! Small tables that show as HTML in a notebook and as aligned text elsewhere.
//!
//! Introduced in lesson 1 (loss).

use std::fmt;

/// A table of strings with a header row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new<S: ToString>(header: &[S]) -> Table {
        Table {
            header: header.iter().map(ToString::to_string).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (extra cells are kept, missing ones shown empty): a slice of strings, or
    /// a tuple of mixed values, each shown as [`Cell`] shows it (numbers with 4 decimals).
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let t = Table::new(&["records", "SSE", "note"]).row((40, 4.75, "four")).row(&["x", "y", "z"]);
    /// assert_eq!(t.rows()[0], ["40", "4.7500", "four"]);
    /// ```
    pub fn row(mut self, cells: impl Row) -> Table {
        self.rows.push(cells.cells());
        self
    }

    /// The rows added so far.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as an HTML `<table>`.
    pub fn to_html(&self) -> String {
        let cells = |tag: &str, row: &[String]| -> String {
            row.iter()
                .map(|c| format!("<{tag}>{}</{tag}>", escape(c)))
                .collect()
        };
        let mut html = format!(
            "<table><thead><tr>{}</tr></thead><tbody>",
            cells("th", &self.header)
        );
        for row in &self.rows {
            html.push_str(&format!("<tr>{}</tr>", cells("td", row)));
        }
        html.push_str("</tbody></table>");
        html
    }

    /// Called by evcxr to show the table as HTML, with a plain-text fallback.
    pub fn evcxr_display(&self) {
        print_rich(&self.to_html(), &self.to_string());
    }
}

/// A value as one table cell shows it.
pub trait Cell {
    /// The cell's text.
    fn cell(&self) -> String;
}

impl Cell for f64 {
    /// Four decimals, the precision the lessons compare losses and weights at.
    fn cell(&self) -> String {
        format!("{self:.4}")
    }
}

macro_rules! plain_cells {
    ($($t:ty),*) => {
        $(impl Cell for $t {
            fn cell(&self) -> String {
                self.to_string()
            }
        })*
    };
}

plain_cells!(usize, u32, u64, i32, i64, bool, &str, String, &String);

/// The cells of one table row.
pub trait Row {
    /// The row's cells, as text.
    fn cells(self) -> Vec<String>;
}

impl<S: ToString> Row for &[S] {
    fn cells(self) -> Vec<String> {
        self.iter().map(ToString::to_string).collect()
    }
}

impl<S: ToString, const N: usize> Row for &[S; N] {
    fn cells(self) -> Vec<String> {
        self.as_slice().cells()
    }
}

impl<S: ToString> Row for &Vec<S> {
    fn cells(self) -> Vec<String> {
        self.as_slice().cells()
    }
}

macro_rules! tuple_rows {
    ($(($($name:ident),+)),+) => {
        $(impl<$($name: Cell),+> Row for ($($name,)+) {
            #[allow(non_snake_case)]
            fn cells(self) -> Vec<String> {
                let ($($name,)+) = self;
                vec![$($name.cell()),+]
            }
        })+
    };
}

tuple_rows!(
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H)
);

/// Prints what evcxr shows for a cell's value: `html`, with `text` for plain-text front ends.
pub(crate) fn print_rich(html: &str, text: &str) {
    println!("EVCXR_BEGIN_CONTENT text/html\n{html}\nEVCXR_END_CONTENT");
    println!("EVCXR_BEGIN_CONTENT text/plain\n{text}\nEVCXR_END_CONTENT");
}

/// The text with `&`, `<` and `>` escaped for HTML.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let width = |i: usize| {
            std::iter::once(&self.header)
                .chain(&self.rows)
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..n).map(width).collect();
        let line = |f: &mut fmt::Formatter<'_>, row: &[String]| -> fmt::Result {
            let cells: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        "{:<w$}",
                        row.get(i).map_or("", String::as_str),
                        w = widths[i]
                    )
                })
                .collect();
            writeln!(f, "{}", cells.join("  ").trim_end())
        };
        line(f, &self.header)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(f, "{}", rule.join("  "))?;
        for row in &self.rows {
            line(f, row)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_line_up_and_html_escapes() {
        let t = Table::new(&["loss", "value"])
            .row(&["SSE", "4.75"])
            .row(&["a<b", "1"]);
        assert_eq!(
            t.to_string(),
            "loss  value\n----  -----\nSSE   4.75\na<b   1\n"
        );
        assert!(t.to_html().contains("<td>a&lt;b</td>"));
        assert_eq!(t.rows().len(), 2);
    }
}
