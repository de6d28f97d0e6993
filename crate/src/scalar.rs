//! A computational graph of single numbers: each [`Scalar`] remembers the values it was made
//! from and how to send a gradient back to them.
//!
//! Introduced in lesson 10 (the computational graph), before the matrix graph of [`crate::graph`]:
//! the same forward and backward rules, one number at a time, small enough to follow by hand.

use crate::activation::sigmoid;
use crate::table::Table;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

/// How a scalar was made.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Set from outside.
    Leaf,
    /// a + b.
    Add,
    /// a · b.
    Mul,
    /// σ(a).
    Sigmoid,
    /// a^k.
    Pow(i32),
}

#[derive(Debug)]
struct Node {
    name: String,
    value: f64,
    grad: f64,
    rule: Rule,
    inputs: Vec<Scalar>,
}

/// A number in a computational graph: its value, and after [`Scalar::backward`] its gradient
/// ∂output/∂(this number). Cloning shares the number (a clone is the same node), so a value
/// used twice is one node with two consumers, and its gradient adds up both paths.
///
/// ```
/// use backprop::prelude::*;
/// let w = Scalar::new("w", 2.0);
/// let x = Scalar::new("x", 3.0);
/// let loss = (&w * &x + &w).pow(2).named("loss");   // (w·x + w)² = 64
/// loss.backward();
/// assert_eq!(loss.value(), 64.0);
/// assert_eq!(w.grad(), 2.0 * 8.0 * (3.0 + 1.0));     // both paths through w
/// assert_eq!(x.grad(), 2.0 * 8.0 * 2.0);
/// ```
#[derive(Debug, Clone)]
pub struct Scalar(Rc<RefCell<Node>>);

impl Scalar {
    /// A number set from outside: an input or a weight.
    pub fn new(name: &str, value: f64) -> Scalar {
        Scalar::made(name, value, Rule::Leaf, vec![])
    }

    fn made(name: &str, value: f64, rule: Rule, inputs: Vec<Scalar>) -> Scalar {
        Scalar(Rc::new(RefCell::new(Node {
            name: name.to_string(),
            value,
            grad: 0.0,
            rule,
            inputs,
        })))
    }

    /// The same node under a name of your own (shown by [`Scalar::table`]).
    pub fn named(self, name: &str) -> Scalar {
        self.0.borrow_mut().name = name.to_string();
        self
    }

    /// The number's value.
    pub fn value(&self) -> f64 {
        self.0.borrow().value
    }

    /// ∂output/∂(this number) after the output's [`Scalar::backward`]; 0 before.
    pub fn grad(&self) -> f64 {
        self.0.borrow().grad
    }

    /// The number's name.
    pub fn name(&self) -> String {
        self.0.borrow().name.clone()
    }

    /// σ(self).
    pub fn sigmoid(&self) -> Scalar {
        let name = format!("σ({})", self.name());
        Scalar::made(
            &name,
            sigmoid(self.value()),
            Rule::Sigmoid,
            vec![self.clone()],
        )
    }

    /// self to the power `k`.
    pub fn pow(&self, k: i32) -> Scalar {
        let name = format!("({})^{k}", self.name());
        Scalar::made(
            &name,
            self.value().powi(k),
            Rule::Pow(k),
            vec![self.clone()],
        )
    }

    /// Every node this one was made from, each after all of its inputs (depth first).
    pub fn topological_order(&self) -> Vec<Scalar> {
        fn visit(s: &Scalar, seen: &mut HashSet<*const RefCell<Node>>, order: &mut Vec<Scalar>) {
            if !seen.insert(Rc::as_ptr(&s.0)) {
                return;
            }
            for input in &s.0.borrow().inputs {
                visit(input, seen, order);
            }
            order.push(s.clone());
        }
        let mut order = Vec::new();
        visit(self, &mut HashSet::new(), &mut order);
        order
    }

    /// What each input of this node gets back when the node's own gradient is `grad`: the
    /// local derivative ∂node/∂input times `grad`, one per input, in order.
    fn local_gradients(&self, grad: f64) -> Vec<f64> {
        let node = self.0.borrow();
        let input = |k: usize| node.inputs[k].value();
        match node.rule {
            Rule::Leaf => vec![],
            Rule::Add => vec![grad, grad],
            Rule::Mul => vec![input(1) * grad, input(0) * grad],
            Rule::Sigmoid => vec![node.value * (1.0 - node.value) * grad],
            Rule::Pow(k) => vec![f64::from(k) * input(0).powi(k - 1) * grad],
        }
    }

    /// Fills the gradient ∂self/∂n of every node n this one was made from: its own is 1, and
    /// walking the nodes in reverse topological order each passes its gradient back to its
    /// inputs through its local derivatives. An input reached along several paths adds up
    /// what each path brings.
    pub fn backward(&self) {
        let order = self.topological_order();
        for node in &order {
            node.0.borrow_mut().grad = 0.0;
        }
        self.0.borrow_mut().grad = 1.0;
        for node in order.iter().rev() {
            let grads = node.local_gradients(node.grad());
            let inputs = node.0.borrow().inputs.clone();
            for (input, g) in inputs.iter().zip(grads) {
                input.0.borrow_mut().grad += g;
            }
        }
    }

    /// The nodes in topological order, with their rule, value and gradient.
    pub fn table(&self) -> Table {
        let mut t = Table::new(&["node", "made by", "value", "gradient"]);
        for node in self.topological_order() {
            let made_by = match node.0.borrow().rule {
                Rule::Leaf => "set".to_string(),
                Rule::Add => "a + b".to_string(),
                Rule::Mul => "a · b".to_string(),
                Rule::Sigmoid => "σ(a)".to_string(),
                Rule::Pow(k) => format!("a^{k}"),
            };
            t = t.row(&[
                node.name(),
                made_by,
                format!("{:.4}", node.value()),
                format!("{:.4}", node.grad()),
            ]);
        }
        t
    }

    /// Called by evcxr: the node's table.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}

impl PartialEq for Scalar {
    /// Two handles are equal when they are the same node.
    fn eq(&self, other: &Scalar) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn binary(a: &Scalar, b: &Scalar, rule: Rule) -> Scalar {
    let (value, sign) = match rule {
        Rule::Add => (a.value() + b.value(), "+"),
        _ => (a.value() * b.value(), "·"),
    };
    let name = format!("{} {sign} {}", a.name(), b.name());
    Scalar::made(&name, value, rule, vec![a.clone(), b.clone()])
}

macro_rules! scalar_op {
    ($trait:ident, $method:ident, $rule:expr) => {
        impl std::ops::$trait<&Scalar> for &Scalar {
            type Output = Scalar;
            fn $method(self, other: &Scalar) -> Scalar {
                binary(self, other, $rule)
            }
        }
        impl std::ops::$trait<Scalar> for Scalar {
            type Output = Scalar;
            fn $method(self, other: Scalar) -> Scalar {
                binary(&self, &other, $rule)
            }
        }
        impl std::ops::$trait<&Scalar> for Scalar {
            type Output = Scalar;
            fn $method(self, other: &Scalar) -> Scalar {
                binary(&self, other, $rule)
            }
        }
        impl std::ops::$trait<Scalar> for &Scalar {
            type Output = Scalar;
            fn $method(self, other: Scalar) -> Scalar {
                binary(self, &other, $rule)
            }
        }
    };
}

scalar_op!(Add, add, Rule::Add);
scalar_op!(Mul, mul, Rule::Mul);

#[cfg(test)]
mod tests {
    use super::*;

    /// The slope of `f` at `x` by central differences.
    fn numeric(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
    }

    /// ŷ = σ(w·x + b), loss = (ŷ − y)², written with scalars.
    fn unit_loss(w: f64, x: f64, b: f64, y: f64) -> (Scalar, Scalar, Scalar) {
        let (w, x, b) = (
            Scalar::new("w", w),
            Scalar::new("x", x),
            Scalar::new("b", b),
        );
        let minus_y = Scalar::new("−y", -y);
        let y_hat = (&w * &x + &b).sigmoid();
        let loss = (y_hat + minus_y).pow(2);
        loss.backward();
        (w, b, loss)
    }

    #[test]
    fn gradients_match_finite_differences_through_every_rule() {
        let (w, b, loss) = unit_loss(0.7, -1.5, 0.2, 1.0);
        let f = |w: f64, b: f64| (sigmoid(w * -1.5 + b) - 1.0).powi(2);
        assert!((loss.value() - f(0.7, 0.2)).abs() < 1e-15);
        assert!((w.grad() - numeric(|w| f(w, 0.2), 0.7)).abs() < 1e-8);
        assert!((b.grad() - numeric(|b| f(0.7, b), 0.2)).abs() < 1e-8);
    }

    #[test]
    fn a_value_used_twice_adds_the_gradients_of_both_paths() {
        let a = Scalar::new("a", 3.0);
        let square = &a * &a;
        square.backward();
        assert_eq!(a.grad(), 6.0);
        // The same node appears once in the order, however many consumers it has.
        assert_eq!(square.topological_order().len(), 2);
    }

    #[test]
    fn backward_twice_gives_the_same_gradients_not_their_sum() {
        let (w, _, loss) = unit_loss(0.7, -1.5, 0.2, 1.0);
        let first = w.grad();
        loss.backward();
        assert_eq!(w.grad(), first);
    }

    #[test]
    fn the_table_lists_inputs_before_the_nodes_made_from_them() {
        let (_, _, loss) = unit_loss(0.7, -1.5, 0.2, 1.0);
        let rows = loss.table();
        let names: Vec<&str> = rows.rows().iter().map(|r| r[0].as_str()).collect();
        let at = |n: &str| names.iter().position(|m| *m == n).unwrap();
        assert!(at("w") < at("w · x") && at("w · x") < at("w · x + b"));
        assert_eq!(rows.rows().last().unwrap()[3], "1.0000");
    }
}
