//! Line charts as SVG, shown inline by evcxr.
//!
//! Introduced in lesson 1 (loss).

use crate::error::{Error, Result, same_shape};
use crate::table::print_rich;
use ndarray::{Array1, Array2};
use plotters::prelude::*;
use std::borrow::Borrow;

/// One named line of (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend's label.
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series from a name and points, owned or borrowed (`&points` needs no clone).
    pub fn new<P: Borrow<(f64, f64)>>(
        name: impl Into<String>,
        points: impl IntoIterator<Item = P>,
    ) -> Series {
        Series {
            name: name.into(),
            points: points.into_iter().map(|p| *p.borrow()).collect(),
        }
    }

    /// A series from its x values and its y values, paired in order.
    ///
    /// # Shapes
    /// `xs`: (n), `ys`: (n)
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let h = Array1::linspace(-1.0, 1.0, 3);
    /// let s = Series::xy("σ(h)", &h, &sigmoid(&h))?;
    /// assert_eq!(s.points[1], (0.0, 0.5));
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn xy(name: impl Into<String>, xs: &Array1<f64>, ys: &Array1<f64>) -> Result<Series> {
        crate::error::same_len("Series::xy", ("xs", xs.len()), ("ys", ys.len()))?;
        Ok(Series::new(
            name,
            xs.iter().copied().zip(ys.iter().copied()),
        ))
    }
}

/// A finished chart: SVG text that evcxr shows when it is a cell's last value.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    svg: String,
}

impl Figure {
    /// A figure from an SVG document drawn elsewhere in the library.
    pub(crate) fn from_svg(svg: String) -> Figure {
        Figure { svg }
    }

    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Called by evcxr to show the figure inline.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT",
            self.svg
        );
    }

    /// This figure and `other` side by side, to show in one cell: evcxr shows only a cell's
    /// last image, so two figures printed one after the other would hide the first.
    pub fn beside(self, other: Figure) -> Figures {
        Figures(vec![self, other])
    }
}

/// Figures shown side by side in one cell (wrapping onto new lines when the page is narrow).
#[derive(Debug, Clone, PartialEq)]
pub struct Figures(pub Vec<Figure>);

impl Figures {
    /// Adds one more figure.
    pub fn beside(mut self, other: Figure) -> Figures {
        self.0.push(other);
        self
    }

    /// The figures' SVGs inline in one HTML block.
    pub fn to_html(&self) -> String {
        let svgs: String = self
            .0
            .iter()
            .map(|f| {
                let svg = f.svg.trim_start();
                let svg = match svg.strip_prefix("<?xml") {
                    Some(rest) => rest.split_once("?>").map_or(svg, |(_, body)| body),
                    None => svg,
                };
                format!("<div>{}</div>", svg.trim())
            })
            .collect();
        format!("<div style=\"display:flex;flex-wrap:wrap;gap:1em\">{svgs}</div>")
    }

    /// Called by evcxr: all the figures as one HTML block.
    pub fn evcxr_display(&self) {
        print_rich(&self.to_html(), &format!("{} figures", self.0.len()));
    }
}

/// A drawing backend's failure as the library's error.
pub(crate) fn plot_err(e: impl std::fmt::Display) -> Error {
    Error::Plot(e.to_string())
}

/// The smallest range holding every value, widened a little so lines clear the frame.
fn span(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return None;
    }
    let pad = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
    Some((lo - pad, hi + pad))
}

/// How a chart draws its series.
#[derive(Clone, Copy)]
enum Marks {
    Lines,
    Points,
}

/// A line chart of one or more series, with a title, axis labels and a legend.
///
/// ```
/// use backprop::prelude::*;
/// let fig = line_chart("Loss", "epoch", "MSE", &[Series::new("train", [(0.0, 1.0), (1.0, 0.5)])])?;
/// assert!(fig.svg().starts_with("<svg") && fig.svg().contains("epoch"));
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<Figure> {
    xy_chart(title, x_label, y_label, series, Marks::Lines)
}

/// A scatter chart: each series a set of dots in its own colour, with a legend.
///
/// ```
/// use backprop::prelude::*;
/// let fig = scatter_chart("Points", "x", "y", &[Series::new("a", [(0.0, 1.0), (2.0, 3.0)])])?;
/// assert_eq!(fig.svg().matches("<circle").count(), 2 + 1); // two dots and the legend's
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn scatter_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<Figure> {
    xy_chart(title, x_label, y_label, series, Marks::Points)
}

fn xy_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    marks: Marks,
) -> Result<Figure> {
    let points = || series.iter().flat_map(|s| s.points.iter());
    let (Some((x0, x1)), Some((y0, y1))) =
        (span(points().map(|p| p.0)), span(points().map(|p| p.1)))
    else {
        return Err(Error::Empty {
            op: "a chart",
            what: "the series",
        });
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        for (i, s) in series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let drawn = match marks {
                Marks::Lines => chart.draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                )),
                Marks::Points => chart.draw_series(
                    s.points
                        .iter()
                        .map(|&p| Circle::new(p, 3, color.mix(0.7).filled())),
                ),
            }
            .map_err(plot_err)?;
            drawn
                .label(s.name.as_str())
                .legend(move |(x, y)| match marks {
                    Marks::Lines => {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                            .into_dyn()
                    }
                    Marks::Points => Circle::new((x + 10, y), 4, color.filled()).into_dyn(),
                });
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(Figure { svg })
}

/// How many colour bands a surface is drawn with: their edges read as contour lines.
const BANDS: f64 = 14.0;

/// The colour of a value at `t` ∈ [0, 1] of the way from the lowest to the highest loss.
fn band_colour(t: f64) -> HSLColor {
    let banded = (t * BANDS).floor().min(BANDS - 1.0) / (BANDS - 1.0);
    HSLColor(0.66 * (1.0 - banded), 0.75, 0.35 + 0.3 * banded)
}

/// A loss surface over two weights, as colour bands (dark blue low, light red high; each
/// band edge is a contour), with an optional descent path drawn on top.
///
/// `values[[i, j]]` is the loss at `(xs[j], ys[i])`. Colours follow log(1 + loss), so the
/// shape of the valley floor stays visible next to steep walls.
///
/// # Shapes
/// `xs`: (nx,), `ys`: (ny,), `values`: (ny, nx).
///
/// ```
/// use backprop::prelude::*;
/// let xs = Array1::linspace(-1.0, 1.0, 5);
/// let ys = Array1::linspace(-1.0, 1.0, 5);
/// let values = Array2::from_shape_fn((5, 5), |(i, j)| xs[j] * xs[j] + ys[i] * ys[i]);
/// let fig = surface_chart("bowl", "w1", "w2", &xs, &ys, &values, &[(1.0, 1.0), (0.0, 0.0)])?;
/// assert!(fig.svg().contains("bowl"));
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn surface_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    xs: &Array1<f64>,
    ys: &Array1<f64>,
    values: &Array2<f64>,
    path: &[(f64, f64)],
) -> Result<Figure> {
    same_shape(
        "surface_chart",
        ("values", values.shape()),
        ("(ys, xs)", &[ys.len(), xs.len()]),
        "values needs one row per y and one column per x",
    )?;
    let (Some((x0, x1)), Some((y0, y1))) = (span(xs.iter().copied()), span(ys.iter().copied()))
    else {
        return Err(Error::Empty {
            op: "surface_chart",
            what: "the grid",
        });
    };
    let level = |v: f64| (1.0 + v.max(0.0)).ln();
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(level(v)), hi.max(level(v)))
        });
    let scale = if hi > lo { hi - lo } else { 1.0 };
    let half = |a: &Array1<f64>, i: usize| {
        let prev = if i > 0 {
            a[i - 1]
        } else {
            a[i] - (a[1.min(a.len() - 1)] - a[0])
        };
        (prev + a[i]) / 2.0
    };
    let edge = |a: &Array1<f64>, i: usize| -> (f64, f64) {
        let lo = half(a, i);
        let hi = if i + 1 < a.len() {
            half(a, i + 1)
        } else {
            2.0 * a[i] - lo
        };
        (lo, hi)
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        let cells = values.indexed_iter().map(|((i, j), &v)| {
            let (xa, xb) = edge(xs, j);
            let (ya, yb) = edge(ys, i);
            let colour = band_colour((level(v) - lo) / scale);
            Rectangle::new([(xa, ya), (xb, yb)], colour.filled())
        });
        chart.draw_series(cells).map_err(plot_err)?;
        if !path.is_empty() {
            chart
                .draw_series(LineSeries::new(path.iter().copied(), WHITE.stroke_width(2)))
                .map_err(plot_err)?;
            chart
                .draw_series(path.iter().map(|&p| Circle::new(p, 3, WHITE.filled())))
                .map_err(plot_err)?;
        }
        root.present().map_err(plot_err)?;
    }
    Ok(Figure { svg })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_figures_side_by_side_are_one_html_block_holding_both_svgs() {
        let line = |title: &str| {
            line_chart(
                title,
                "x",
                "y",
                &[Series::new("s", [(0.0, 1.0), (1.0, 2.0)])],
            )
            .unwrap()
        };
        let both = line("first").beside(line("second")).beside(line("third"));
        let html = both.to_html();
        assert_eq!(both.0.len(), 3);
        assert_eq!(html.matches("<svg").count(), 3, "{html}");
        assert!(!html.contains("<?xml"));
        assert!(html.find("first").unwrap() < html.find("second").unwrap());
    }

    #[test]
    fn a_chart_draws_one_path_per_series_and_labels_its_axes() {
        let fig = line_chart(
            "Two lines",
            "records",
            "loss",
            &[
                Series::new("SSE", (1..=5).map(|n| (n as f64, n as f64))),
                Series::new("MSE", (1..=5).map(|n| (n as f64, 1.0))),
            ],
        )
        .unwrap();
        for text in ["Two lines", "records", "loss", "SSE", "MSE"] {
            assert!(fig.svg().contains(text), "missing {text}");
        }
        assert!(fig.svg().matches("<polyline").count() >= 2);
    }

    #[test]
    fn a_surface_draws_one_cell_per_grid_point_and_its_path() {
        let xs = Array1::linspace(0.0, 1.0, 4);
        let ys = Array1::linspace(0.0, 2.0, 3);
        let values = Array2::from_shape_fn((3, 4), |(i, j)| (i + j) as f64);
        let fig =
            surface_chart("s", "a", "b", &xs, &ys, &values, &[(0.0, 0.0), (1.0, 2.0)]).unwrap();
        assert_eq!(
            fig.svg().matches("<rect").count() - 1,
            12,
            "one background rect + 12 cells"
        );
        assert_eq!(fig.svg().matches("<circle").count(), 2);
        let wrong = surface_chart("s", "a", "b", &xs, &ys, &values.t().to_owned(), &[]);
        assert!(matches!(wrong, Err(Error::Shape { .. })));
    }

    #[test]
    fn a_chart_with_no_points_is_an_error() {
        let err = line_chart(
            "t",
            "x",
            "y",
            &[Series::new("none", Vec::<(f64, f64)>::new())],
        )
        .unwrap_err();
        assert!(matches!(err, Error::Empty { .. }));
    }
}
