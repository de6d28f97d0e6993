//! Showing arrays and data frames as small HTML tables in a notebook.
//!
//! evcxr shows a cell's last value by calling its `evcxr_display` method when it has one, and
//! its `Debug` text otherwise. [`Show`], imported with the prelude, gives ndarray's vectors and
//! matrices and polars' data frames that method: a table with the shape, the first rows and
//! columns, and a plain-text fallback. [`ShowPlain`] gives the plain values a cell most often
//! ends with (numbers, flags, text) the same `Debug` text evcxr would print, in one build.
//!
//! Introduced in lesson 4 (the admissions data) and lesson 5 (the forward pass).

use crate::table::{Table, escape, print_rich};
use ndarray::{Array1, Array2};
use std::fmt;

/// Rows and columns shown at most; the rest is counted in the caption.
const SHOWN: usize = 12;

/// A value that shows itself as an HTML table with a caption, in a notebook.
pub trait Show {
    /// A caption (what it is, its shape) and the table of its first rows and columns.
    fn to_table(&self) -> (String, Table);

    /// The caption and table as HTML.
    fn to_html(&self) -> String {
        let (caption, table) = self.to_table();
        captioned_html(&caption, &table)
    }

    /// Called by evcxr on a cell's last value: the table as HTML, with a text fallback.
    fn evcxr_display(&self) {
        let (caption, table) = self.to_table();
        print_rich(
            &captioned_html(&caption, &table),
            &format!("{caption}\n{table}"),
        );
    }
}

/// A plain value shown as evcxr shows it (its `Debug` text), in one build instead of two.
///
/// evcxr builds a cell that ends in a value with a call to `value.evcxr_display()` first; a
/// value without that method fails that build, and evcxr builds the cell again to print the
/// value's `Debug` text: about 0.1 s more for every cell that ends in a number
/// (BENCHMARKS.md, "Where a cell's time goes"). With this trait in scope the first build
/// succeeds and prints the same text. evcxr's `:fmt` and `:types` do not apply to these
/// values.
///
/// Introduced in lesson 1 (a cell that ends in a loss).
pub trait ShowPlain: fmt::Debug {
    /// What evcxr prints for the value: its `Debug` text, as plain text.
    fn plain_content(&self) -> String {
        format!("EVCXR_BEGIN_CONTENT text/plain\n{self:?}\nEVCXR_END_CONTENT")
    }

    /// Called by evcxr on a cell's last value.
    fn evcxr_display(&self) {
        println!("{}", self.plain_content());
    }
}

macro_rules! show_plain {
    ($($t:ty),*) => { $(impl ShowPlain for $t {})* };
}
show_plain! {
    f64, f32, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char, str,
    String, ()
}

fn captioned_html(caption: &str, table: &Table) -> String {
    format!(
        "<div><small>{}</small>{}</div>",
        escape(caption),
        table.to_html()
    )
}
// "showing the first 12 of 400 rows", or nothing when all are shown.
fn cut(what: &str, total: usize) -> String {
    if total > SHOWN {
        format!("; first {SHOWN} of {total} {what} shown")
    } else {
        String::new()
    }
}

fn number(v: f64) -> String {
    format!("{v:.6}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

impl Show for Array1<f64> {
    /// # Shapes
    /// `(n,)`: one row of up to 12 entries.
    fn to_table(&self) -> (String, Table) {
        let n = self.len();
        let header: Vec<String> = (0..n.min(SHOWN)).map(|i| i.to_string()).collect();
        let row: Vec<String> = self.iter().take(SHOWN).map(|&v| number(v)).collect();
        let caption = format!("Array1<f64>, shape [{n}]{}", cut("entries", n));
        (caption, Table::new(&header).row(&row))
    }
}

impl Show for Array2<f64> {
    /// # Shapes
    /// `(rows, cols)`: up to 12 rows of up to 12 columns, with row numbers.
    fn to_table(&self) -> (String, Table) {
        let (rows, cols) = self.dim();
        let mut header = vec![String::new()];
        header.extend((0..cols.min(SHOWN)).map(|j| j.to_string()));
        let mut table = Table::new(&header);
        for (i, row) in self.rows().into_iter().take(SHOWN).enumerate() {
            let mut cells = vec![i.to_string()];
            cells.extend(row.iter().take(SHOWN).map(|&v| number(v)));
            table = table.row(&cells);
        }
        let caption = format!(
            "Array2<f64>, shape [{rows}, {cols}]{}{}",
            cut("rows", rows),
            cut("columns", cols)
        );
        (caption, table)
    }
}

#[cfg(feature = "data")]
impl Show for polars::prelude::DataFrame {
    /// A header row of column names with their types, then the first rows.
    fn to_table(&self) -> (String, Table) {
        let columns = self.columns();
        let header: Vec<String> = columns
            .iter()
            .take(SHOWN)
            .map(|c| format!("{} ({})", c.name(), c.dtype()))
            .collect();
        let mut table = Table::new(&header);
        for i in 0..self.height().min(SHOWN) {
            let cells: Vec<String> = columns
                .iter()
                .take(SHOWN)
                .map(|c| c.get(i).map(|v| v.to_string()).unwrap_or_default())
                .collect();
            table = table.row(&cells);
        }
        let caption = format!(
            "DataFrame, shape ({}, {}){}{}",
            self.height(),
            self.width(),
            cut("rows", self.height()),
            cut("columns", self.width())
        );
        (caption, table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, array};

    #[test]
    fn a_matrix_shows_its_shape_row_numbers_and_values() {
        let m = array![[0.5, -0.25], [1.0, 2.0], [3.0, 0.1]];
        let (caption, table) = m.to_table();
        assert_eq!(caption, "Array2<f64>, shape [3, 2]");
        assert_eq!(table.rows()[1], ["1", "1", "2"]);
        assert_eq!(table.rows()[2], ["2", "3", "0.1"]);
        let html = m.to_html();
        assert!(
            html.starts_with("<div><small>Array2&lt;f64&gt;, shape [3, 2]</small><table>"),
            "{html}"
        );
        assert!(html.contains("<td>-0.25</td>"), "{html}");
    }

    #[test]
    fn a_large_matrix_shows_its_first_rows_and_columns_and_says_so() {
        let m = Array::from_shape_fn((400, 7), |(i, j)| (i * 10 + j) as f64);
        let (caption, table) = m.to_table();
        assert_eq!(
            caption,
            "Array2<f64>, shape [400, 7]; first 12 of 400 rows shown"
        );
        assert_eq!(table.rows().len(), 12);
        assert_eq!(table.rows()[11][7], "116");
    }

    #[test]
    fn a_plain_value_shows_the_debug_text_evcxr_would_print() {
        let shown = |content: String| {
            content
                .strip_prefix("EVCXR_BEGIN_CONTENT text/plain\n")
                .and_then(|rest| rest.strip_suffix("\nEVCXR_END_CONTENT"))
                .map(str::to_string)
        };
        assert_eq!(shown(4.75.plain_content()).as_deref(), Some("4.75"));
        assert_eq!(shown(1.0f64.plain_content()).as_deref(), Some("1.0"));
        assert_eq!(shown(360usize.plain_content()).as_deref(), Some("360"));
        assert_eq!(shown("ok".plain_content()).as_deref(), Some("\"ok\""));
        assert_eq!(shown(().plain_content()).as_deref(), Some("()"));
    }

    #[test]
    fn a_vector_shows_as_one_row() {
        let v = array![0.1, 0.3, -0.8];
        let (caption, table) = v.to_table();
        assert_eq!(caption, "Array1<f64>, shape [3]");
        assert_eq!(table.rows(), [vec!["0.1", "0.3", "-0.8"]]);
    }

    #[cfg(feature = "data")]
    #[test]
    fn a_data_frame_shows_names_types_and_first_rows() {
        use polars::prelude::*;
        let frame = df!("admit" => [0i64, 1, 1], "gpa" => [3.61, 3.67, 4.0]).unwrap();
        let (caption, table) = frame.to_table();
        assert_eq!(caption, "DataFrame, shape (3, 2)");
        assert_eq!(table.rows()[1], ["1", "3.67"]);
        assert!(
            frame
                .to_html()
                .contains("<th>admit (i64)</th><th>gpa (f64)</th>"),
            "{}",
            frame.to_html()
        );
    }
}
