"""The training loops of `crate/benches/training.rs`, timed in numpy.

Each workload is the same arithmetic as its Rust twin: record-by-record loops for lessons 4
and 7 (as the original course wrote them), and one vectorized full-batch step on a larger set.
Prints one JSON object: the best of several runs of each workload, in seconds.

    target/bench-py/bin/python bench/training.py
"""

import json
import time

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def admissions_like(seed):
    rng = np.random.RandomState(seed)
    features = rng.normal(0.0, 1.0, (360, 6))
    targets = (rng.randn(360) > 0).astype(float)
    return features, targets


def lesson_4_unit(features, targets, epochs=1000, eta=0.5):
    n_records, n_features = features.shape
    weights = np.random.RandomState(42).normal(scale=1 / n_features**0.5, size=n_features)
    for e in range(epochs):
        del_w = np.zeros(weights.shape)
        for x, y in zip(features, targets):
            output = sigmoid(np.dot(x, weights))
            error_term = (y - output) * output * (1 - output)
            del_w += error_term * x
        weights += eta * del_w / n_records
        if e % (epochs // 10) == 0:
            out = sigmoid(np.dot(features, weights))
            np.mean((out - targets) ** 2)
    return weights


def lesson_7_network(features, targets, epochs=900, eta=0.005, n_hidden=2):
    n_records, n_features = features.shape
    rng = np.random.RandomState(21)
    w_ih = rng.normal(scale=1 / n_features**0.5, size=(n_features, n_hidden))
    w_ho = rng.normal(scale=1 / n_features**0.5, size=n_hidden)
    for e in range(epochs):
        del_ih = np.zeros(w_ih.shape)
        del_ho = np.zeros(w_ho.shape)
        for x, y in zip(features, targets):
            hidden = sigmoid(np.dot(x, w_ih))
            output = sigmoid(np.dot(hidden, w_ho))
            error = y - output
            output_term = error * output * (1 - output)
            hidden_term = np.dot(output_term, w_ho) * hidden * (1 - hidden)
            del_ho += output_term * hidden
            del_ih += hidden_term * x[:, None]
        w_ih += eta * del_ih / n_records
        w_ho += eta * del_ho / n_records
        if e % (epochs // 10) == 0:
            hidden = sigmoid(np.dot(features, w_ih))
            out = sigmoid(np.dot(hidden, w_ho))
            np.mean((out - targets) ** 2)
    return w_ih, w_ho


def full_batch_step(x, y, w_ih, w_ho, eta=0.5):
    z_hidden = x @ w_ih
    a_hidden = sigmoid(z_hidden)
    z_output = a_hidden @ w_ho
    y_hat = sigmoid(z_output)
    delta_output = (y - y_hat) * y_hat * (1 - y_hat)
    delta_hidden = (delta_output @ w_ho.T) * a_hidden * (1 - a_hidden)
    n = x.shape[0]
    w_ih = w_ih + eta * (x.T @ delta_hidden) / n
    w_ho = w_ho + eta * (a_hidden.T @ delta_output) / n
    return w_ih, w_ho


def best_of(runs, work):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    unit_data = admissions_like(42)
    net_data = admissions_like(21)
    rng = np.random.RandomState(1)
    x = rng.normal(0.0, 1.0, (100_000, 64))
    y = (rng.randn(100_000) > 0).astype(float)[:, None]
    w_ih = rng.normal(0.0, 0.125, (64, 32))
    w_ho = rng.normal(0.0, 0.177, (32, 1))
    results = {
        "numpy": np.__version__,
        "lesson 4 unit, 1000 epochs × 360 records": best_of(3, lambda: lesson_4_unit(*unit_data)),
        "lesson 7 network, 900 epochs × 360 records": best_of(3, lambda: lesson_7_network(*net_data)),
        "full batch/one step, 100000 × 64 × 32": best_of(10, lambda: full_batch_step(x, y, w_ih, w_ho)),
    }
    print(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
