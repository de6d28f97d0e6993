//! How a class did, lesson by lesson: how many submissions passed each graded cell, the
//! commonest reasons for failing it, and how the total scores spread. Written as `stats.md`
//! (a text table) and `stats.html` (the same with a histogram drawn in CSS, no JavaScript).

use super::gradebook::save;
use super::gradebook::ReportError;
use super::Grade;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// How many failure reasons each cell lists.
const TOP_REASONS: usize = 3;

/// How long a reason may be in the tables before it is cut short.
const SHOWN_CHARS: usize = 100;

/// One lesson's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonStats {
    /// The lesson's name.
    pub lesson: String,
    /// Submissions graded against it.
    pub submissions: usize,
    /// Points possible.
    pub max_points: f64,
    /// The mean total score.
    pub mean: f64,
    /// One entry per graded cell, in notebook order.
    pub cells: Vec<CellStats>,
    /// How many submissions scored in each band of total points.
    pub histogram: Vec<Bin>,
}

/// One graded cell's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CellStats {
    /// The cell's grade_id.
    pub grade_id: String,
    /// Points it is worth.
    pub max_points: f64,
    /// Submissions that earned them.
    pub passed: usize,
    /// The commonest reasons for failing it (first lines), with how often each was given.
    pub reasons: Vec<(String, usize)>,
}

/// A band of total scores and how many submissions fell in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// The band, e.g. `2` (from 2 up to 3 points) or `10–15`.
    pub label: String,
    /// Submissions in it.
    pub count: usize,
}

/// The figures of every lesson graded, in lesson-name order; unmatched submissions are left
/// out.
pub fn summarise(grades: &[Grade]) -> Vec<LessonStats> {
    let mut by_lesson: BTreeMap<&str, Vec<&Grade>> = BTreeMap::new();
    for g in grades {
        if let Some(lesson) = g.lesson.as_deref() {
            by_lesson.entry(lesson).or_default().push(g);
        }
    }
    by_lesson
        .into_iter()
        .map(|(lesson, grades)| lesson_stats(lesson, &grades))
        .collect()
}

fn lesson_stats(lesson: &str, grades: &[&Grade]) -> LessonStats {
    let max_points = grades.iter().map(|g| g.max_points).fold(0.0, f64::max);
    let scores: Vec<f64> = grades.iter().map(|g| g.points).collect();
    LessonStats {
        lesson: lesson.to_string(),
        submissions: grades.len(),
        max_points,
        mean: scores.iter().sum::<f64>() / scores.len().max(1) as f64,
        cells: graded_cells(grades)
            .into_iter()
            .map(|(id, max)| cell_stats(id, max, grades))
            .collect(),
        histogram: histogram(&scores, max_points),
    }
}

/// Every graded cell seen, in the order submissions list them.
fn graded_cells(grades: &[&Grade]) -> Vec<(String, f64)> {
    let mut cells: Vec<(String, f64)> = Vec::new();
    for c in grades.iter().flat_map(|g| &g.cells) {
        if !cells.iter().any(|(id, _)| *id == c.grade_id) {
            cells.push((c.grade_id.clone(), c.max_points));
        }
    }
    cells
}

/// A submission without a score for the cell failed it for the submission's own reason.
fn cell_stats(grade_id: String, max_points: f64, grades: &[&Grade]) -> CellStats {
    let mut passed = 0;
    let mut reasons = Vec::new();
    for g in grades {
        match g.cells.iter().find(|c| c.grade_id == grade_id) {
            Some(c) if c.points >= c.max_points => passed += 1,
            Some(c) => reasons.push(first_line(&c.reason).unwrap_or(c.status.word())),
            None => reasons.push(
                g.error
                    .as_deref()
                    .and_then(first_line)
                    .unwrap_or("not graded"),
            ),
        }
    }
    CellStats {
        grade_id,
        max_points,
        passed,
        reasons: commonest(reasons),
    }
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

/// The most frequent texts with their counts, most frequent first (ties alphabetically).
fn commonest(texts: Vec<&str>) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in texts {
        *counts.entry(t).or_default() += 1;
    }
    let mut counted: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted.truncate(TOP_REASONS);
    counted
}

/// Bands one point wide up to 20 points possible (the last is full marks), else ten equal
/// bands and full marks.
fn histogram(scores: &[f64], max_points: f64) -> Vec<Bin> {
    let width = if max_points <= 20.0 {
        1.0
    } else {
        max_points / 10.0
    };
    let bins = (max_points / width).floor() as usize + 1;
    let mut counts = vec![0; bins];
    for s in scores {
        counts[((s / width).floor().max(0.0) as usize).min(bins - 1)] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| Bin {
            label: band(i, width, bins),
            count,
        })
        .collect()
}

fn band(i: usize, width: f64, bins: usize) -> String {
    let from = i as f64 * width;
    if width == 1.0 || i + 1 == bins {
        format!("{}", round(from))
    } else {
        format!("{}–{}", round(from), round(from + width))
    }
}

/// A number with at most one decimal.
fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A reason as the tables show it: cut short when long.
fn shown(reason: &str) -> String {
    match reason.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => format!("{}…", &reason[..at]),
        None => reason.to_string(),
    }
}

/// The figures as Markdown tables, with text bars for the score histogram.
pub fn markdown(stats: &[LessonStats]) -> String {
    let mut md = String::from("# How the class did\n");
    for l in stats {
        md += &format!(
            "\n## {}: {} submission{}, mean {} of {} points\n\n",
            l.lesson,
            l.submissions,
            if l.submissions == 1 { "" } else { "s" },
            round(l.mean),
            l.max_points
        );
        md += "| check | points | passed | commonest reasons for failing |\n|---|---:|---:|---|\n";
        for c in &l.cells {
            md += &format!(
                "| {} | {} | {} of {} | {} |\n",
                c.grade_id,
                c.max_points,
                c.passed,
                l.submissions,
                reasons_text(&c.reasons)
            );
        }
        md += "\n| total score | submissions | |\n|---:|---:|---|\n";
        let most = l.histogram.iter().map(|b| b.count).max().unwrap_or(0);
        for b in &l.histogram {
            md += &format!("| {} | {} | {} |\n", b.label, b.count, bar(b.count, most));
        }
    }
    md
}

fn reasons_text(reasons: &[(String, usize)]) -> String {
    reasons
        .iter()
        .map(|(r, n)| format!("{} ({n})", shown(r).replace('|', "\\|")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A bar of up to 30 blocks, `count` against the largest count `most`.
fn bar(count: usize, most: usize) -> String {
    let blocks = if most == 0 {
        0
    } else {
        (count * 30).div_ceil(most)
    };
    "█".repeat(blocks)
}

const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:2em auto}\
    td,th{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
    .bar{background:#4a78b5;height:1em;display:inline-block}\
    .rate{background:#eee;width:8em;display:inline-block}.rate .bar{background:#1b7a1b}";

/// The figures as a page: a table per lesson and a histogram of total scores as CSS bars.
pub fn page(stats: &[LessonStats]) -> Markup {
    html! {
        (DOCTYPE)
        html {
            head {
                meta charset="utf-8";
                title { "How the class did" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "How the class did" }
                @for l in stats { (lesson_section(l)) }
            }
        }
    }
}

fn lesson_section(l: &LessonStats) -> Markup {
    let most = l
        .histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(0)
        .max(1);
    html! {
        h2 { (l.lesson) }
        p { (l.submissions) " submissions, mean " (round(l.mean)) " of " (l.max_points) " points" }
        table {
            tr { th { "check" } th { "points" } th { "passed" } th { "commonest reasons for failing" } }
            @for c in &l.cells {
                tr {
                    td { (c.grade_id) }
                    td { (c.max_points) }
                    td {
                        span.rate { span.bar style=(width(c.passed, l.submissions)) {} }
                        " " (c.passed) " of " (l.submissions)
                    }
                    td { ul { @for (r, n) in &c.reasons { li { (shown(r)) " (" (n) ")" } } } }
                }
            }
        }
        h3 { "Total scores" }
        table {
            @for b in &l.histogram {
                tr {
                    td { (b.label) }
                    td style="width:30em" { span.bar style=(width(b.count, most)) {} }
                    td { (b.count) }
                }
            }
        }
    }
}

/// A CSS width: `part` of `whole` as a percentage.
fn width(part: usize, whole: usize) -> String {
    format!("width:{:.1}%", 100.0 * part as f64 / whole.max(1) as f64)
}

/// Writes `stats.md` and `stats.html` for `grades` into `out`.
pub fn write(grades: &[Grade], out: &Path) -> Result<(), ReportError> {
    let stats = summarise(grades);
    save(&out.join("stats.md"), &markdown(&stats))?;
    save(&out.join("stats.html"), &page(&stats).into_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::outcome::Status::{NotRun, Ok, Panic};
    use crate::grade::folder::tests::sample;

    fn class() -> Vec<Grade> {
        let unanswered = "exercise a is not answered yet\nat cell 4";
        let mut lost = sample("eve", "01-loss", &[]);
        lost.max_points = 3.0;
        lost.error = Some("cannot read subs/eve/01-loss.ipynb: gone".into());
        vec![
            sample(
                "ana",
                "01-loss",
                &[("a", 1.0, 1.0, Ok, ""), ("b", 2.0, 2.0, Ok, "")],
            ),
            sample(
                "bo",
                "01-loss",
                &[
                    ("a", 1.0, 1.0, Ok, ""),
                    ("b", 0.0, 2.0, Panic, "✗ MSE\n  expected 0.25"),
                ],
            ),
            sample(
                "cy",
                "01-loss",
                &[
                    ("a", 0.0, 1.0, Panic, unanswered),
                    ("b", 0.0, 2.0, NotRun, ""),
                ],
            ),
            sample(
                "di",
                "01-loss",
                &[
                    ("a", 0.0, 1.0, Panic, unanswered),
                    ("b", 0.0, 2.0, Panic, "✗ MSE"),
                ],
            ),
            lost,
            sample("ana", "02-gd", &[("s", 3.0, 3.0, Ok, "")]),
        ]
    }

    #[test]
    fn each_cell_counts_its_passes_and_its_commonest_reasons() {
        let stats = summarise(&class());
        assert_eq!(stats.len(), 2);
        let loss = &stats[0];
        assert_eq!(
            (loss.lesson.as_str(), loss.submissions, loss.max_points),
            ("01-loss", 5, 3.0)
        );
        assert_eq!(loss.mean, 4.0 / 5.0);
        let a = &loss.cells[0];
        assert_eq!((a.grade_id.as_str(), a.passed), ("a", 2));
        assert_eq!(
            a.reasons,
            [
                ("exercise a is not answered yet".to_string(), 2),
                ("cannot read subs/eve/01-loss.ipynb: gone".to_string(), 1)
            ]
        );
        let b = &loss.cells[1];
        assert_eq!(b.passed, 1);
        assert_eq!(
            b.reasons,
            [
                ("✗ MSE".to_string(), 2),
                ("cannot read subs/eve/01-loss.ipynb: gone".to_string(), 1),
                ("not run".to_string(), 1)
            ]
        );
    }

    #[test]
    fn only_the_three_commonest_reasons_are_kept() {
        let top = commonest(vec!["d", "c", "b", "a", "b", "c", "c"]);
        assert_eq!(
            top,
            [
                ("c".to_string(), 3),
                ("b".to_string(), 2),
                ("a".to_string(), 1)
            ]
        );
    }

    #[test]
    fn total_scores_fall_in_one_point_bands_or_tenths_of_a_large_maximum() {
        let counts = |h: Vec<Bin>| {
            h.iter()
                .map(|b| (b.label.clone(), b.count))
                .collect::<Vec<_>>()
        };
        let small = histogram(&[0.0, 1.0, 3.0, 3.0, 1.5], 3.0);
        assert_eq!(
            counts(small),
            [
                ("0".into(), 1),
                ("1".into(), 2),
                ("2".into(), 0),
                ("3".into(), 2)
            ]
        );
        let large = histogram(&[0.0, 49.0, 50.0, 100.0], 100.0);
        assert_eq!(large.len(), 11);
        assert_eq!((large[0].label.as_str(), large[0].count), ("0–10", 1));
        assert_eq!((large[4].label.as_str(), large[4].count), ("40–50", 1));
        assert_eq!((large[5].label.as_str(), large[5].count), ("50–60", 1));
        assert_eq!((large[10].label.as_str(), large[10].count), ("100", 1));
    }

    #[test]
    fn the_text_table_lists_checks_reasons_and_a_histogram() {
        let md = markdown(&summarise(&class()));
        assert!(
            md.contains("## 01-loss: 5 submissions, mean 0.8 of 3 points"),
            "{md}"
        );
        assert!(
            md.contains("| b | 2 | 1 of 5 | ✗ MSE (2); cannot read subs/eve/01-loss.ipynb: gone (1); not run (1) |"),
            "{md}"
        );
        assert!(
            md.contains(&format!("| 0 | 3 | {} |", "█".repeat(30))),
            "{md}"
        );
        assert!(
            md.contains(&format!("| 1 | 1 | {} |", "█".repeat(10))),
            "{md}"
        );
        assert!(
            md.contains("## 02-gd: 1 submission, mean 3 of 3 points"),
            "{md}"
        );
    }

    #[test]
    fn the_page_draws_bars_and_shows_a_students_markup_as_text() {
        let mut grades = class();
        grades[1].cells[1].reason = "<script>alert(1)</script>".into();
        let html = page(&summarise(&grades)).into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; (1)"),
            "{html}"
        );
        assert!(html.contains("style=\"width:100.0%\""), "{html}");
        assert!(!html.contains("<script"), "no JavaScript at all");
    }

    #[test]
    fn stats_are_written_as_markdown_and_html() {
        let dir = tempfile::tempdir().unwrap();
        write(&class(), dir.path()).unwrap();
        let md = std::fs::read_to_string(dir.path().join("stats.md")).unwrap();
        let html = std::fs::read_to_string(dir.path().join("stats.html")).unwrap();
        assert!(md.starts_with("# How the class did\n"));
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<h2>02-gd</h2>"));
    }
}
