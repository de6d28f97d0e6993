//! Cell-time figures: what a run's summary and the benchmark report of cell times.

use super::outcome::Status;
use super::CellReport;
use serde::Serialize;

/// Cell-time figures of one notebook (or of a whole side).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct CellTimes {
    /// Executed cells.
    pub cells: usize,
    /// Median seconds.
    pub median: f64,
    /// 95th percentile, seconds (nearest rank).
    pub p95: f64,
    /// The slowest cell, seconds.
    pub max: f64,
}

impl CellTimes {
    /// The figures of `times` (seconds); `None` when there are none.
    pub fn of(times: &[f64]) -> Option<CellTimes> {
        if times.is_empty() {
            return None;
        }
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
        Some(CellTimes {
            cells: n,
            median,
            p95: sorted[rank - 1],
            max: sorted[n - 1],
        })
    }
}

/// The seconds of the cells that ran (not those skipped after a failure).
pub fn executed_cell_times(cells: &[CellReport]) -> Vec<f64> {
    cells
        .iter()
        .filter(|c| c.outcome.status != Status::NotRun)
        .map(|c| c.seconds)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn cell_times_take_the_median_the_nearest_rank_p95_and_the_max() {
        let times: Vec<f64> = (1..=20).map(f64::from).collect();
        let t = CellTimes::of(&times).unwrap();
        assert_eq!(t.cells, 20);
        assert_relative_eq!(t.median, 10.5);
        assert_relative_eq!(t.p95, 19.0);
        assert_relative_eq!(t.max, 20.0);
        let one = CellTimes::of(&[0.25]).unwrap();
        assert_relative_eq!(one.p95, 0.25);
        assert!(CellTimes::of(&[]).is_none());
    }
}
