//! Talking to Jupyter kernels: the client, the kernel's processes, and what can go wrong.

pub mod confine;
mod error;
mod kernel;
pub(crate) mod process;
pub mod relay;
pub mod sandbox;

pub use error::{KernelError, KernelResult};
pub use kernel::{Execution, Kernel, KernelOptions, OUTPUT_LIMIT};
pub use process::{runtime, MemoryUse};
pub use sandbox::Sandbox;
