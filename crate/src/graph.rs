//! A computational graph: values flow forward through nodes, gradients flow back.
//!
//! Introduced in lesson 10 (the computational graph). Every value is a matrix: a batch of
//! records is a (records × features) matrix, a bias a (1 × units) row, a loss (1 × 1).

use crate::activation::{sigmoid, sigmoid_prime};
use crate::error::{Result, mat_mat, mismatch, same_shape};
use crate::table::Table;
use ndarray::{Array2, Axis};
use std::collections::VecDeque;

/// A node's handle within its [`Graph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(usize);

/// What a node computes from its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A value set from outside: data, targets or trainable parameters.
    Input,
    /// x·W + b, with inputs [x, W, b].
    Linear,
    /// σ(x) entry by entry, with input [x].
    Sigmoid,
    /// mean((y − ŷ)²) over all entries, with inputs [y, ŷ].
    Mse,
}

/// An op's forward rule: the node's value from its inputs' values.
type ForwardRule = fn(&[&Array2<f64>]) -> Result<Array2<f64>>;

/// An op's backward rule: from the inputs' values and the node's upstream gradient
/// ∂loss/∂value, each input's share of ∂loss/∂input, in the order of the inputs.
type BackwardRule = fn(&[&Array2<f64>], &Array2<f64>) -> Vec<Array2<f64>>;

impl Op {
    /// The op's forward and backward rules side by side; `None` for an input, whose value
    /// is set from outside and which passes no gradient on.
    fn rules(self) -> Option<(ForwardRule, BackwardRule)> {
        match self {
            Op::Input => None,
            Op::Linear => Some((
                |v| {
                    let (x, w, b) = (v[0], v[1], v[2]);
                    mat_mat("a linear node", ("x", x.dim()), ("W", w.dim()))?;
                    if b.dim() != (1, w.ncols()) {
                        return Err(mismatch(
                            "a linear node",
                            ("b", b.shape()),
                            ("W", w.shape()),
                            "b must be one row with one entry per column of W",
                        ));
                    }
                    Ok(x.dot(w) + b)
                },
                |v, upstream| {
                    let (x, w) = (v[0], v[1]);
                    vec![
                        upstream.dot(&w.t()),
                        x.t().dot(upstream),
                        upstream.sum_axis(Axis(0)).insert_axis(Axis(0)),
                    ]
                },
            )),
            Op::Sigmoid => Some((
                |v| Ok(sigmoid(v[0])),
                |v, upstream| vec![upstream * &sigmoid_prime(v[0])],
            )),
            Op::Mse => Some((
                |v| {
                    let (y, y_hat) = (v[0], v[1]);
                    same_shape(
                        "an MSE node",
                        ("y", y.shape()),
                        ("y_hat", y_hat.shape()),
                        "targets and predictions must have the same shape",
                    )?;
                    let n = y.len() as f64;
                    Ok(Array2::from_elem(
                        (1, 1),
                        (y - y_hat).mapv(|e| e * e).sum() / n,
                    ))
                },
                |v, upstream| {
                    let (y, y_hat) = (v[0], v[1]);
                    let g = (y - y_hat) * (2.0 / y.len() as f64) * upstream[[0, 0]];
                    vec![g.clone(), -g]
                },
            )),
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    name: String,
    op: Op,
    inputs: Vec<NodeId>,
    value: Array2<f64>,
    grad: Array2<f64>,
}

/// A graph of nodes, built input first.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    nodes: Vec<Node>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    fn add(&mut self, name: &str, op: Op, inputs: Vec<NodeId>, value: Array2<f64>) -> NodeId {
        let grad = Array2::zeros(value.raw_dim());
        self.nodes.push(Node {
            name: name.into(),
            op,
            inputs,
            value,
            grad,
        });
        NodeId(self.nodes.len() - 1)
    }

    /// An input node holding `value`.
    pub fn input(&mut self, name: &str, value: Array2<f64>) -> NodeId {
        self.add(name, Op::Input, vec![], value)
    }

    /// A linear node x·W + b.
    pub fn linear(&mut self, name: &str, x: NodeId, w: NodeId, b: NodeId) -> NodeId {
        self.add(name, Op::Linear, vec![x, w, b], Array2::zeros((0, 0)))
    }

    /// A sigmoid node σ(x).
    pub fn sigmoid(&mut self, name: &str, x: NodeId) -> NodeId {
        self.add(name, Op::Sigmoid, vec![x], Array2::zeros((0, 0)))
    }

    /// A mean-squared-error node mean((y − ŷ)²).
    pub fn mse(&mut self, name: &str, y: NodeId, y_hat: NodeId) -> NodeId {
        self.add(name, Op::Mse, vec![y, y_hat], Array2::zeros((0, 0)))
    }

    /// Replaces an input node's value (new data, or updated parameters).
    pub fn set(&mut self, id: NodeId, value: Array2<f64>) {
        let node = &mut self.nodes[id.0];
        node.grad = Array2::zeros(value.raw_dim());
        node.value = value;
    }

    /// A node's value after [`Graph::forward`].
    pub fn value(&self, id: NodeId) -> &Array2<f64> {
        &self.nodes[id.0].value
    }

    /// ∂loss/∂(node's value) after [`Graph::backward`], shaped like the value.
    pub fn grad(&self, id: NodeId) -> &Array2<f64> {
        &self.nodes[id.0].grad
    }

    /// A node's name.
    pub fn name(&self, id: NodeId) -> &str {
        &self.nodes[id.0].name
    }

    /// What a node computes.
    pub fn op(&self, id: NodeId) -> Op {
        self.nodes[id.0].op
    }

    /// A node's inputs, in the order its op takes them.
    pub fn inputs(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id.0].inputs
    }

    /// The nodes `output` depends on, each after all of its inputs (Kahn's algorithm).
    pub fn topological_order(&self, output: NodeId) -> Vec<NodeId> {
        let mut needed = vec![false; self.nodes.len()];
        let mut stack = vec![output];
        while let Some(id) = stack.pop() {
            if !needed[id.0] {
                needed[id.0] = true;
                stack.extend(&self.nodes[id.0].inputs);
            }
        }
        let mut waiting: Vec<usize> = self.nodes.iter().map(|n| n.inputs.len()).collect();
        let mut ready: VecDeque<NodeId> = (0..self.nodes.len())
            .filter(|&i| needed[i] && waiting[i] == 0)
            .map(NodeId)
            .collect();
        let mut order = Vec::new();
        while let Some(id) = ready.pop_front() {
            order.push(id);
            for (j, node) in self.nodes.iter().enumerate() {
                if needed[j] {
                    for _ in node.inputs.iter().filter(|&&i| i == id) {
                        waiting[j] -= 1;
                        if waiting[j] == 0 {
                            ready.push_back(NodeId(j));
                        }
                    }
                }
            }
        }
        order
    }

    /// Computes every value `output` needs, in topological order.
    pub fn forward(&mut self, output: NodeId) -> Result<()> {
        for id in self.topological_order(output) {
            let Some((forward, _)) = self.nodes[id.0].op.rules() else {
                continue;
            };
            let value = forward(&self.input_values(id))?;
            self.nodes[id.0].value = value;
        }
        Ok(())
    }

    /// Fills every node's gradient of `loss` (a 1 × 1 node), in reverse topological order.
    pub fn backward(&mut self, loss: NodeId) {
        let order = self.topological_order(loss);
        for &id in &order {
            let dim = self.nodes[id.0].value.raw_dim();
            self.nodes[id.0].grad = Array2::zeros(dim);
        }
        self.nodes[loss.0].grad = Array2::ones((1, 1));
        for &id in order.iter().rev() {
            let Some((_, backward)) = self.nodes[id.0].op.rules() else {
                continue;
            };
            let contributions = backward(&self.input_values(id), &self.nodes[id.0].grad);
            let inputs = self.nodes[id.0].inputs.clone();
            for (input, c) in inputs.iter().zip(contributions) {
                self.nodes[input.0].grad += &c;
            }
        }
    }

    /// The values of a node's inputs, in order.
    fn input_values(&self, id: NodeId) -> Vec<&Array2<f64>> {
        self.nodes[id.0]
            .inputs
            .iter()
            .map(|input| &self.nodes[input.0].value)
            .collect()
    }

    /// One step of gradient descent on the given input nodes: value ← value − η · grad.
    pub fn sgd_step(&mut self, trainables: &[NodeId], eta: f64) {
        for id in trainables {
            let node = &mut self.nodes[id.0];
            node.value.scaled_add(-eta, &node.grad);
        }
    }

    /// The nodes in topological order, with their operation and value shape.
    pub fn table(&self, output: NodeId) -> Table {
        let mut t = Table::new(&["order", "node", "op", "inputs", "value shape"]);
        for (k, id) in self.topological_order(output).into_iter().enumerate() {
            let n = &self.nodes[id.0];
            let inputs: Vec<&str> = n
                .inputs
                .iter()
                .map(|i| self.nodes[i.0].name.as_str())
                .collect();
            t = t.row(&[
                (k + 1).to_string(),
                n.name.clone(),
                format!("{:?}", n.op),
                inputs.join(", "),
                format!("{:?}", n.value.shape()),
            ]);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{max_relative_error, numeric_gradient};
    use crate::mlp::Mlp;
    use ndarray::array;

    /// X → Linear → Sigmoid → Linear → Sigmoid → MSE, as in the lesson.
    fn network(g: &mut Graph, x: Array2<f64>, y: Array2<f64>, net: &Mlp) -> (Vec<NodeId>, NodeId) {
        let xi = g.input("X", x);
        let yi = g.input("y", y);
        let w1 = g.input("W1", net.w_ih.clone());
        let b1 = g.input("b1", Array2::zeros((1, net.n_hidden())));
        let w2 = g.input("W2", net.w_ho.clone());
        let b2 = g.input("b2", Array2::zeros((1, net.n_output())));
        let l1 = g.linear("l1", xi, w1, b1);
        let s1 = g.sigmoid("s1", l1);
        let l2 = g.linear("l2", s1, w2, b2);
        let s2 = g.sigmoid("s2", l2);
        let cost = g.mse("cost", yi, s2);
        (vec![w1, b1, w2, b2], cost)
    }

    #[test]
    fn the_topological_order_puts_every_node_after_its_inputs() {
        let mut g = Graph::new();
        let (_, cost) = network(
            &mut g,
            Array2::zeros((1, 3)),
            Array2::zeros((1, 1)),
            &Mlp::random(3, 2, 1, 0),
        );
        let order = g.topological_order(cost);
        assert_eq!(order.len(), 11);
        for (pos, id) in order.iter().enumerate() {
            for input in &g.nodes[id.0].inputs {
                assert!(
                    order[..pos].contains(input),
                    "{} before its input",
                    g.name(*id)
                );
            }
        }
        assert_eq!(g.name(*order.last().unwrap()), "cost");
    }

    #[test]
    fn graph_gradients_are_twice_the_mlps_for_one_record() {
        // The graph's cost is (y − ŷ)²; the Mlp's loss is ½(y − ŷ)².
        let net = Mlp::random(3, 4, 1, 9);
        let (x, y) = (array![0.5, 0.1, -0.2], array![0.6]);
        let mut g = Graph::new();
        let (params, cost) = network(
            &mut g,
            x.clone().insert_axis(Axis(0)),
            y.clone().insert_axis(Axis(0)),
            &net,
        );
        g.forward(cost).unwrap();
        g.backward(cost);
        let grads = net.gradients(&x, &y).unwrap();
        approx::assert_abs_diff_eq!(g.grad(params[0]), &(&grads.w_ih * 2.0), epsilon = 1e-14);
        approx::assert_abs_diff_eq!(g.grad(params[2]), &(&grads.w_ho * 2.0), epsilon = 1e-14);
        approx::assert_abs_diff_eq!(
            g.value(cost)[[0, 0]],
            net.loss(&x, &y).unwrap() * 2.0,
            epsilon = 1e-15
        );
    }

    #[test]
    fn graph_gradients_match_finite_differences_on_a_batch() {
        let net = Mlp::random(2, 3, 2, 4);
        let x = array![[0.3, -0.8], [1.2, 0.4], [-0.5, 0.9], [0.1, 0.1]];
        let y = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]];
        let mut g = Graph::new();
        let (params, cost) = network(&mut g, x, y, &net);
        g.set(params[1], array![[0.1, -0.2, 0.3]]);
        g.forward(cost).unwrap();
        g.backward(cost);
        for &p in &params {
            let analytic = g.grad(p).clone();
            let mut probe = g.clone();
            let numeric = numeric_gradient(
                |v: &Array2<f64>| {
                    probe.set(p, v.clone());
                    probe.forward(cost).unwrap();
                    probe.value(cost)[[0, 0]]
                },
                &g.value(p).clone(),
                1e-6,
            );
            assert!(
                max_relative_error(&analytic, &numeric) < 1e-6,
                "{}",
                g.name(p)
            );
        }
    }

    #[test]
    fn sgd_on_the_graph_lowers_the_cost_and_bad_shapes_are_named() {
        let net = Mlp::random(2, 3, 1, 8);
        let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
        let y = array![[0.0], [1.0], [1.0], [1.0]];
        let mut g = Graph::new();
        let (params, cost) = network(&mut g, x, y, &net);
        g.forward(cost).unwrap();
        let before = g.value(cost)[[0, 0]];
        for _ in 0..200 {
            g.forward(cost).unwrap();
            g.backward(cost);
            g.sgd_step(&params, 1.0);
        }
        g.forward(cost).unwrap();
        assert!(g.value(cost)[[0, 0]] < 0.5 * before);
        g.set(params[0], Array2::zeros((3, 3)));
        let err = g.forward(cost).unwrap_err().to_string();
        assert!(
            err.contains("`x` has shape [4, 2] but `W` has shape [3, 3]"),
            "{err}"
        );
    }
}
