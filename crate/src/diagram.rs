//! Diagrams as SVG: a network as a column of nodes per layer with one labelled edge per
//! weight, and a computational graph as boxes joined by arrows.
//!
//! Introduced in lesson 5 (the forward pass: the 4-3-2 network, every weight named w_ij),
//! lesson 6 (backpropagation: the 2-1-1 worked example with its numbers) and lesson 10 (the
//! computational graph).

use crate::error::{Result, same_len};
use crate::graph::{Graph, NodeId, Op};
use crate::mlp::Mlp;
use crate::plot::{Figure, plot_err};
use ndarray::{Array1, ArrayView2};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const WIDTH: u32 = 700;
const NODE_RADIUS: i32 = 20;
/// Horizontal centre of each layer's column: inputs, hidden units, outputs.
const COLUMNS: [i32; 3] = [90, 340, 590];

/// Digits as subscripts, so w₁₂ reads like the lessons' formulas.
fn subscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|d| char::from_u32(0x2080 + d.to_digit(10).unwrap_or(0)).unwrap_or(d))
        .collect()
}

/// Vertical centres of `n` nodes spread over a drawing `height` high.
fn rows(n: usize, height: i32) -> Vec<i32> {
    let gap = (height - 80) / n.max(1) as i32;
    let top = 60 + (height - 80 - gap * (n as i32 - 1)) / 2;
    (0..n as i32).map(|i| top + i * gap).collect()
}

/// What a node shows: its name, and its value for the record when one is given.
fn node_label(name: &str, value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{name} = {v:.3}"),
        None => name.to_string(),
    }
}

/// The bias of unit `k` of `layer` (0 inputs, 1 hidden, 2 outputs), if it has one.
fn bias(net: &Mlp, layer: usize, k: usize) -> Option<f64> {
    let b = net.biases.as_ref()?;
    match layer {
        1 => Some(b.hidden[k]),
        2 => Some(b.output[k]),
        _ => None,
    }
}

/// A drawing of `net`: its inputs, hidden units and outputs as columns of circles, and one
/// edge per weight, labelled w_ij with its value (row i of the weight matrix, column j, counted
/// from 1), blue when positive and red when negative, thicker the larger it is. With a record
/// `x`, each node also shows its value for it: the inputs, the hidden outputs a and the
/// predictions ŷ of the forward pass. A network with biases shows each unit's bias under it.
///
/// # Shapes
/// `x`: (n_input)
///
/// ```
/// use backprop::prelude::*;
/// let net = Mlp::from_weights(array![[0.4], [-0.2]], array![[0.1]])?;
/// let fig = network_diagram(&net, Some(&array![0.1, 0.3]))?;
/// assert!(fig.svg().contains("w₁₁ = 0.40") && fig.svg().contains("x₂ = 0.300"));
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn network_diagram(net: &Mlp, x: Option<&Array1<f64>>) -> Result<Figure> {
    let values = match x {
        Some(x) => {
            same_len(
                "network_diagram",
                ("x", x.len()),
                ("the network's inputs", net.n_input()),
            )?;
            let fwd = net.forward(x)?;
            Some([fwd.x, fwd.a_hidden, fwd.y_hat])
        }
        None => None,
    };
    let sizes = [net.n_input(), net.n_hidden(), net.n_output()];
    let height = 140 + 90 * sizes.iter().max().copied().unwrap_or(1) as i32;
    let centres: Vec<Vec<(i32, i32)>> = sizes
        .iter()
        .zip(COLUMNS)
        .map(|(&n, column)| rows(n, height).into_iter().map(|y| (column, y)).collect())
        .collect();
    let largest = net
        .w_ih
        .iter()
        .chain(net.w_ho.iter())
        .fold(0.0f64, |m, w| m.max(w.abs()))
        .max(f64::MIN_POSITIVE);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        for (layer, title) in ["inputs x", "hidden a = f(x·W_ih)", "outputs ŷ = g(a·W_ho)"]
            .iter()
            .enumerate()
        {
            root.draw(&Text::new(
                *title,
                (COLUMNS[layer], 24),
                centred(16, &BLACK),
            ))
            .map_err(plot_err)?;
        }
        let weights = [net.w_ih.view(), net.w_ho.view()];
        for (layer, w) in weights.iter().enumerate() {
            draw_edges(&root, w, &centres[layer], &centres[layer + 1], largest)?;
        }
        let names = ["x", "a", "ŷ"];
        for (layer, nodes) in centres.iter().enumerate() {
            for (k, &(cx, cy)) in nodes.iter().enumerate() {
                root.draw(&Circle::new((cx, cy), NODE_RADIUS, WHITE.filled()))
                    .map_err(plot_err)?;
                root.draw(&Circle::new((cx, cy), NODE_RADIUS, BLACK.stroke_width(2)))
                    .map_err(plot_err)?;
                let name = format!("{}{}", names[layer], subscript(k + 1));
                let value = values.as_ref().map(|v| v[layer][k]);
                root.draw(&Text::new(
                    node_label(&name, value),
                    (cx, cy + NODE_RADIUS + 14),
                    centred(14, &BLACK),
                ))
                .map_err(plot_err)?;
                if let Some(bias) = bias(net, layer, k) {
                    root.draw(&Text::new(
                        format!("b = {bias:.2}"),
                        (cx, cy + NODE_RADIUS + 30),
                        centred(13, &BLACK),
                    ))
                    .map_err(plot_err)?;
                }
            }
        }
        let mut placed = Vec::new();
        for (layer, w) in weights.iter().enumerate() {
            draw_edge_labels(
                &root,
                w,
                &centres[layer],
                &centres[layer + 1],
                layer,
                &mut placed,
            )?;
        }
        root.present().map_err(plot_err)?;
    }
    Ok(Figure::from_svg(svg))
}

/// Text of `size` points in `colour`, centred on the point it is drawn at.
fn centred(size: u32, colour: &RGBColor) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(colour)
        .pos(Pos::new(HPos::Center, VPos::Center))
}

fn edge_colour(weight: f64) -> RGBColor {
    if weight >= 0.0 {
        RGBColor(40, 90, 200)
    } else {
        RGBColor(200, 50, 40)
    }
}

/// The edges from one layer to the next: `w[[i, j]]` joins node i of `from` to node j of
/// `to`, thicker the larger the weight.
fn draw_edges<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    w: &ArrayView2<f64>,
    from: &[(i32, i32)],
    to: &[(i32, i32)],
    largest: f64,
) -> Result<()> {
    for ((i, j), &weight) in w.indexed_iter() {
        let width = 1 + (3.0 * weight.abs() / largest).round() as u32;
        let style = edge_colour(weight).stroke_width(width);
        root.draw(&PathElement::new(vec![from[i], to[j]], style))
            .map_err(plot_err)?;
    }
    Ok(())
}

fn overlap(a: &[i32; 4], b: &[i32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// The labels of the edges from one layer to the next, drawn after every edge and node so
/// that none hides one. The first layer's labels start nearer their input node and the second
/// layer's nearer their output node, staggered by the node at the other end; a label that
/// would overlap one in `placed` slides along its edge to the nearest free place.
fn draw_edge_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    w: &ArrayView2<f64>,
    from: &[(i32, i32)],
    to: &[(i32, i32)],
    layer: usize,
    placed: &mut Vec<[i32; 4]>,
) -> Result<()> {
    let (rows, cols) = w.dim();
    for ((i, j), &weight) in w.indexed_iter() {
        let (a, b) = (from[i], to[j]);
        let preferred = if layer == 0 {
            0.27 + 0.5 * j as f64 / cols as f64
        } else {
            0.73 - 0.5 * i as f64 / rows as f64
        };
        let label = format!("w{}{} = {weight:.2}", subscript(i + 1), subscript(j + 1));
        let half = 4 * label.chars().count() as i32;
        let box_at = |along: f64| {
            let at = (
                a.0 + ((b.0 - a.0) as f64 * along) as i32,
                a.1 + ((b.1 - a.1) as f64 * along) as i32,
            );
            (at, [at.0 - half, at.1 - 8, at.0 + half, at.1 + 8])
        };
        let (at, area) = (0..14)
            .map(|k| {
                let step = 0.05 * ((k + 1) / 2) as f64;
                preferred + if k % 2 == 0 { step } else { -step }
            })
            .filter(|along| (0.15..=0.85).contains(along))
            .map(box_at)
            .find(|(_, area)| !placed.iter().any(|p| overlap(p, area)))
            .unwrap_or_else(|| box_at(preferred));
        placed.push(area);
        let colour = edge_colour(weight);
        let font = centred(13, &colour);
        root.draw(&Rectangle::new(
            [(area[0], area[1]), (area[2], area[3])],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(plot_err)?;
        root.draw(&Text::new(label, at, font)).map_err(plot_err)?;
    }
    Ok(())
}

const BOX: (i32, i32) = (150, 46);
const GRAPH_COLUMN: i32 = 200;
const GRAPH_ROW: i32 = 76;

/// How many ops lie on the longest path from an input to each node `output` needs.
fn depths(graph: &Graph, output: NodeId) -> Vec<(NodeId, usize)> {
    let order = graph.topological_order(output);
    let mut depth: Vec<(NodeId, usize)> = Vec::new();
    for &id in &order {
        let d = graph
            .inputs(id)
            .iter()
            .filter_map(|i| depth.iter().find(|(n, _)| n == i).map(|(_, d)| d + 1))
            .max()
            .unwrap_or(0);
        depth.push((id, d));
    }
    // An input sits one column left of its first consumer, so its arrows stay short.
    let consumers_depth = |input: NodeId, depth: &[(NodeId, usize)]| {
        depth
            .iter()
            .filter(|(n, _)| graph.inputs(*n).contains(&input))
            .map(|&(_, d)| d)
            .min()
    };
    for k in 0..depth.len() {
        let id = depth[k].0;
        if graph.op(id) == Op::Input
            && let Some(d) = consumers_depth(id, &depth)
        {
            depth[k].1 = d.saturating_sub(1);
        }
    }
    depth
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Input => "input",
        Op::Linear => "x·W + b",
        Op::Sigmoid => "σ",
        Op::Mse => "MSE",
    }
}

/// A drawing of the nodes `output` depends on, left to right: each node one column right of
/// its furthest input, and each input one column left of its first consumer. A box shows the node's name, its
/// op and its value's shape; an arrow runs from each input to the node that uses it, so a
/// value used twice sends two arrows, and its gradient adds up what comes back along both.
///
/// ```
/// use backprop::prelude::*;
/// let mut g = Graph::new();
/// let x = g.input("x", array![[1.0, 2.0]]);
/// let w = g.input("W", array![[0.5], [0.1]]);
/// let b = g.input("b", array![[0.0]]);
/// let z = g.linear("z", x, w, b);
/// let a = g.sigmoid("a", z);
/// g.forward(a)?;
/// let fig = graph_diagram(&g, a)?;
/// assert!(fig.svg().contains("z: x·W + b") && fig.svg().contains("(1 × 1)"));
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn graph_diagram(graph: &Graph, output: NodeId) -> Result<Figure> {
    let depth = depths(graph, output);
    let columns = depth.iter().map(|(_, d)| d + 1).max().unwrap_or(1);
    let mut rows_used = vec![0i32; columns];
    let mut at: Vec<(NodeId, (i32, i32))> = Vec::new();
    for &(id, d) in &depth {
        at.push((
            id,
            (30 + GRAPH_COLUMN * d as i32, 20 + GRAPH_ROW * rows_used[d]),
        ));
        rows_used[d] += 1;
    }
    let width = (60 + GRAPH_COLUMN * columns as i32) as u32;
    let height = (40 + GRAPH_ROW * rows_used.iter().copied().max().unwrap_or(1)) as u32;
    let place = |id: NodeId| at.iter().find(|(n, _)| *n == id).map(|(_, p)| *p);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        for &(id, (x, y)) in &at {
            for input in graph.inputs(id) {
                let Some((sx, sy)) = place(*input) else {
                    continue;
                };
                let from = (sx + BOX.0, sy + BOX.1 / 2);
                let to = (x, y + BOX.1 / 2);
                root.draw(&PathElement::new(vec![from, to], BLACK.stroke_width(1)))
                    .map_err(plot_err)?;
                root.draw(&Polygon::new(
                    vec![to, (to.0 - 9, to.1 - 5), (to.0 - 9, to.1 + 5)],
                    BLACK.filled(),
                ))
                .map_err(plot_err)?;
            }
        }
        for &(id, (x, y)) in &at {
            let fill = if graph.op(id) == Op::Input {
                RGBColor(235, 242, 252)
            } else {
                RGBColor(252, 244, 230)
            };
            root.draw(&Rectangle::new(
                [(x, y), (x + BOX.0, y + BOX.1)],
                fill.filled(),
            ))
            .map_err(plot_err)?;
            root.draw(&Rectangle::new(
                [(x, y), (x + BOX.0, y + BOX.1)],
                BLACK.stroke_width(1),
            ))
            .map_err(plot_err)?;
            let title = match graph.op(id) {
                Op::Input => graph.name(id).to_string(),
                op => format!("{}: {}", graph.name(id), op_name(op)),
            };
            let (r, c) = graph.value(id).dim();
            let centre = x + BOX.0 / 2;
            root.draw(&Text::new(title, (centre, y + 15), centred(14, &BLACK)))
                .map_err(plot_err)?;
            root.draw(&Text::new(
                format!("({r} × {c})"),
                (centre, y + 33),
                centred(12, &BLACK),
            ))
            .map_err(plot_err)?;
        }
        root.present().map_err(plot_err)?;
    }
    Ok(Figure::from_svg(svg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_worked_example_shows_every_weight_and_node_value() {
        let net = Mlp::from_weights(array![[0.4], [-0.2]], array![[0.1]]).unwrap();
        let svg = network_diagram(&net, Some(&array![0.1, 0.3]))
            .unwrap()
            .svg()
            .to_string();
        for label in [
            "w₁₁ = 0.40",
            "w₂₁ = -0.20",
            "w₁₁ = 0.10",
            "x₁ = 0.100",
            "a₁ = 0.495",
            "ŷ₁ = 0.512",
        ] {
            assert!(svg.contains(label), "{label} missing");
        }
        // Two circles per node (fill and ring), one line per weight.
        assert_eq!(svg.matches("<circle").count(), 2 * 4);
        assert_eq!(svg.matches("<polyline").count(), 3);
        // A negative weight is drawn red, a positive one blue.
        assert!(svg.contains("#C83228") && svg.contains("#285AC8"), "{svg}");
    }

    #[test]
    fn every_weight_of_a_4_3_2_network_gets_its_own_edge_and_label() {
        let net = Mlp::random(4, 3, 2, 1);
        let svg = network_diagram(&net, None).unwrap().svg().to_string();
        assert_eq!(svg.matches("<polyline").count(), 4 * 3 + 3 * 2);
        assert!(svg.contains("w₄₃ = ") && svg.contains("w₃₂ = "));
        assert!(!svg.contains("x₁ = "), "no record, no values");
    }

    #[test]
    fn a_record_of_the_wrong_length_is_an_error_naming_both_sizes() {
        let net = Mlp::random(4, 3, 2, 1);
        let err = network_diagram(&net, Some(&array![1.0, 2.0]))
            .unwrap_err()
            .to_string();
        assert!(err.contains('2') && err.contains('4'), "{err}");
    }

    #[test]
    fn subscripts_cover_every_digit() {
        assert_eq!(subscript(10), "₁₀");
        assert_eq!(subscript(7), "₇");
    }

    #[test]
    fn a_graph_is_drawn_with_a_box_per_node_and_an_arrow_per_input() {
        let mut g = Graph::new();
        let x = g.input("x", ndarray::Array2::ones((4, 2)));
        let w = g.input("W", ndarray::Array2::ones((2, 3)));
        let b = g.input("b", ndarray::Array2::zeros((1, 3)));
        let y = g.input("y", ndarray::Array2::ones((4, 3)));
        let z = g.linear("z", x, w, b);
        let a = g.sigmoid("a", z);
        let loss = g.mse("loss", y, a);
        g.forward(loss).unwrap();
        let svg = graph_diagram(&g, loss).unwrap().svg().to_string();
        // Seven boxes, each a fill and a frame; six arrows, each a line and a head.
        assert_eq!(svg.matches("<rect").count(), 1 + 2 * 7);
        assert_eq!(svg.matches("<polyline").count(), 6);
        assert_eq!(svg.matches("<polygon").count(), 6);
        for label in ["z: x·W + b", "a: σ", "loss: MSE", "(4 × 3)", "(1 × 1)"] {
            assert!(svg.contains(label), "{label} missing");
        }
        // The loss sits three ops from the inputs: four columns.
        let depth = depths(&g, loss);
        assert_eq!(depth.iter().map(|(_, d)| *d).max(), Some(3));
        // The targets sit just left of the loss that uses them, W and b just left of z.
        let column = |id| depth.iter().find(|(n, _)| *n == id).map(|(_, d)| *d);
        assert_eq!(
            (column(y), column(w), column(b)),
            (Some(2), Some(0), Some(0))
        );
    }

    #[test]
    fn a_network_with_biases_shows_each_units_bias() {
        let mut net = Mlp::random(2, 2, 1, 3).with_biases();
        net.biases.as_mut().unwrap().hidden[1] = -0.25;
        let svg = network_diagram(&net, None).unwrap().svg().to_string();
        assert_eq!(svg.matches("b = ").count(), 3);
        assert!(svg.contains("b = -0.25"));
    }
}
