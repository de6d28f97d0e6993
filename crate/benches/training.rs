//! The training loops as the lessons run them, timed with criterion. `bench/python/training.py`
//! times the same work in numpy; `BENCHMARKS.md` puts the two side by side.
//!
//! Run with `cargo bench -p backprop --bench training`.

use backprop::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// Records shaped like the prepared admissions data: 360 × 6 features, 0/1 targets.
fn admissions_like(seed: u32) -> (Array2<f64>, Array1<f64>) {
    let mut rng = NumpyRandom::seed(seed);
    let features = rng.normal_matrix(0.0, 1.0, 360, 6);
    let targets = rng.randn(360).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
    (features, targets)
}

/// Lesson 4: a sigmoid unit, 1000 epochs of record-by-record gradient descent, η = 0.5.
fn lesson_4_unit(c: &mut Criterion) {
    let (features, targets) = admissions_like(42);
    let w0 = NumpyRandom::seed(42).normal(0.0, 1.0 / 6f64.sqrt(), 6);
    c.bench_function("lesson 4 unit, 1000 epochs × 360 records", |b| {
        b.iter(|| train_unit(black_box(&features), &targets, w0.clone(), 1000, 0.5).unwrap())
    });
}

/// Lesson 7: a 6 × 2 × 1 sigmoid network, 900 epochs record by record, η = 0.005.
fn lesson_7_network(c: &mut Criterion) {
    let (features, targets) = admissions_like(21);
    let mut rng = NumpyRandom::seed(21);
    let net = Mlp::from_weights(
        rng.normal_matrix(0.0, 1.0 / 6f64.sqrt(), 6, 2),
        rng.normal_matrix(0.0, 1.0 / 6f64.sqrt(), 2, 1),
    )
    .unwrap();
    c.bench_function("lesson 7 network, 900 epochs × 360 records", |b| {
        b.iter(|| {
            train_mlp(
                net.clone(),
                black_box(&features),
                &targets,
                900,
                0.005,
                LossReport::Correct,
            )
            .unwrap()
        })
    });
}

/// One full-batch step with matrices on a larger set: 100 000 records, 64 inputs, 32 hidden.
fn full_batch_step(c: &mut Criterion) {
    let mut rng = NumpyRandom::seed(1);
    let x = rng.normal_matrix(0.0, 1.0, 100_000, 64);
    let y = rng
        .randn(100_000)
        .mapv(|v| if v > 0.0 { 1.0 } else { 0.0 })
        .insert_axis(Axis(1));
    let net = Mlp::from_weights(
        rng.normal_matrix(0.0, 0.125, 64, 32),
        rng.normal_matrix(0.0, 0.177, 32, 1),
    )
    .unwrap();
    let mut group = c.benchmark_group("full batch");
    group.sample_size(20);
    group.bench_function("one step, 100000 × 64 × 32", |b| {
        b.iter(|| {
            let mut net = net.clone();
            let grads = net.batch_gradients(black_box(&x), &y).unwrap();
            net.update(&grads, 0.5).unwrap();
            net
        })
    });
    group.finish();
}

criterion_group!(benches, lesson_4_unit, lesson_7_network, full_batch_step);
criterion_main!(benches);
