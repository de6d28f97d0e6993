//! Line charts as SVG, shown inline by evcxr.
//!
//! Introduced in lesson 1 (loss).

use crate::error::{Error, Result};
use plotters::prelude::*;

/// One named line of (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend's label.
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series from a name and points.
    pub fn new(name: impl Into<String>, points: impl IntoIterator<Item = (f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points: points.into_iter().collect(),
        }
    }
}

/// A finished chart: SVG text that evcxr shows when it is a cell's last value.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    svg: String,
}

impl Figure {
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
}

fn plot_err(e: impl std::fmt::Display) -> Error {
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

/// A line chart of one or more series, with a title, axis labels and a legend.
///
/// ```
/// use backprop::prelude::*;
/// let fig = line_chart("Loss", "epoch", "MSE", &[Series::new("train", [(0.0, 1.0), (1.0, 0.5)])])?;
/// assert!(fig.svg().starts_with("<svg") && fig.svg().contains("epoch"));
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<Figure> {
    let points = || series.iter().flat_map(|s| s.points.iter());
    let (Some((x0, x1)), Some((y0, y1))) =
        (span(points().map(|p| p.0)), span(points().map(|p| p.1)))
    else {
        return Err(Error::Empty {
            op: "line_chart",
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
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(plot_err)?
                .label(s.name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_chart_with_no_points_is_an_error() {
        let err = line_chart("t", "x", "y", &[Series::new("none", [])]).unwrap_err();
        assert!(matches!(err, Error::Empty { .. }));
    }
}
