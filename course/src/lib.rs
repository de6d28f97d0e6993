//! The engine of the `course` tool: find the course's files, talk to Jupyter kernels, run
//! notebooks cell by cell and judge each cell, and grade submissions.
//!
//! How a notebook flows: [`project`] finds it, [`notebook`] reads it (and [`notebook::nbgrader`]
//! reads its answer and check cells), [`exec`] runs it on a kernel from [`jupyter`] and judges
//! every cell, and [`grade`] scores submissions from those verdicts. [`install`] puts evcxr and
//! the course kernels in place; [`python`] makes the project-local Python environments. The
//! commands in the `course` binary are thin layers over these; the benchmark is a crate of its
//! own (`bench/`) on the same engine.

pub mod exec;
pub mod grade;
pub mod install;
pub mod jupyter;
pub mod notebook;
pub mod project;
pub mod python;
pub mod system;
