//! Warm kernels shared by concurrent jobs: the grader's, one submission after another.
//!
//! A sealed kernel that graded a submission cleanly is cleared and kept; the next submission
//! of the same kind (lesson folder and `:dep` lines) gets it once it passes every check a
//! fresh kernel would pass without asking ([`super::warm`]'s, and for a sandboxed kernel the
//! ones below), or else a fresh kernel. What makes that safe for hostile submissions:
//!
//! - the screen lets no answer start a process or thread, make a system call of its own, run
//!   an evcxr command or read a file while compiling (`grade::screen`), so when `:clear`
//!   ends the code's process nothing of the submission runs any more;
//! - that process was confined from its start ([`crate::jupyter::confine`]): it could write
//!   only in its working folder, reach none of its kernel's ports and not read the key that
//!   signs messages to it, so the build folder, `/tmp`, `$HOME` and evcxr are as the last
//!   fresh kernel left them;
//! - before the next submission, the new code process empties that working folder, shows
//!   it is confined itself, and finds no process in the sandbox but itself and the ones that
//!   started it.
//!
//! A kernel that timed out, was lost, failed a check or holds more than half its memory
//! limit is shut down. At most `capacity` kernels are alive at once, busy or kept: a job that
//! needs a fresh kernel first shuts a kept one of another kind down.

use super::warm::{self, Kind};
use super::{CellReport, ExecOptions, KernelStats};
use crate::jupyter::{Kernel, KernelError};
use nbformat::v4;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// Kernels kept for the next notebook of their kind, shared by concurrent jobs.
pub struct Pool {
    shelf: Mutex<Shelf<Kernel>>,
}

impl Pool {
    /// A pool that keeps at most `capacity` kernels alive, busy or kept (at least one).
    pub fn new(capacity: usize) -> Pool {
        Pool {
            shelf: Mutex::new(Shelf::new(capacity)),
        }
    }

    /// Shuts every kept kernel down.
    pub async fn close(&self) {
        let kept = std::mem::take(&mut self.shelf.lock().expect("pool lock").kept);
        for (_, kernel) in kept {
            kernel.shutdown().await;
        }
    }

    /// Runs `nb` in `folder` on a kept kernel of its kind that passes its checks after
    /// clearing, or on a fresh one; keeps the kernel after if every cell ended in time, the
    /// kernel was not lost and it holds less than half its memory limit. The stats say
    /// whether the kernel was reused.
    pub async fn execute(
        &self,
        nb: &mut v4::Notebook,
        folder: &Path,
        log: &Path,
        opts: &ExecOptions,
        cells: &mut Vec<CellReport>,
    ) -> Result<KernelStats, KernelError> {
        let started = Instant::now();
        let kind: Kind = (folder.to_path_buf(), warm::dep_lines(nb));
        let opening = warm::opening_deps(nb, &kind.1).unwrap_or_default();
        let (mut kernel, reused) = match self.kernel_for(&kind, opening, log, opts).await {
            Ok(got) => got,
            Err(e) => {
                self.shelf.lock().expect("pool lock").put(&kind, None);
                return Err(e);
            }
        };
        let mut stats = KernelStats {
            startup: Some(started.elapsed().as_secs_f64()),
            reused,
            ..KernelStats::default()
        };
        let start = super::KernelStart {
            started,
            loaded: if reused { opening } else { &[] },
            on_warm: None,
        };
        let ran = super::run_cells(&mut kernel, nb, opts, cells, start, &mut stats).await;
        stats.memory = kernel.memory();
        let keep = ran.is_ok()
            && warm::ended_well(cells)
            && roomy(opts.kernel.memory_limit, stats.memory.as_ref());
        self.give_back(&kind, kernel, keep).await;
        ran.map(|()| stats)
    }

    /// A kernel for a notebook of `kind` (which opens with the `:dep` lines `opening`): a kept
    /// one, cleared and checked, or else a fresh one; and whether it was kept.
    async fn kernel_for(
        &self,
        kind: &Kind,
        opening: &[String],
        log: &Path,
        opts: &ExecOptions,
    ) -> Result<(Kernel, bool), KernelError> {
        let Taken { found, evicted } = self.shelf.lock().expect("pool lock").take(kind);
        if let Some(kernel) = evicted {
            kernel.shutdown().await;
        }
        warm::cleared_or_fresh(found, &kind.0, opening, log, opts).await
    }

    /// A job of `kind` is done with `kernel`: kept for the next one when `keep` and there is
    /// room, else shut down.
    async fn give_back(&self, kind: &Kind, kernel: Kernel, keep: bool) {
        let retired = {
            let mut shelf = self.shelf.lock().expect("pool lock");
            if keep {
                shelf.put(kind, Some(kernel))
            } else {
                shelf.put(kind, None);
                Some(kernel)
            }
        };
        if let Some(kernel) = retired {
            kernel.shutdown().await;
        }
    }
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shelf = self.shelf.lock().expect("pool lock");
        f.debug_struct("Pool")
            .field("kept", &shelf.kept.len())
            .field("busy", &shelf.busy)
            .field("capacity", &shelf.capacity)
            .finish()
    }
}

/// Whether a kernel using `used` of its memory `limit` (bytes) may be kept: one grown past
/// half of it could fail the next submission for want of memory.
fn roomy(limit: Option<u64>, used: Option<&crate::jupyter::MemoryUse>) -> bool {
    match (limit, used) {
        (Some(limit), Some(used)) => used.resident < limit / 2,
        _ => true,
    }
}

/// The pool's bookkeeping: kept kernels with their kinds, and how many are out in use.
#[derive(Debug)]
struct Shelf<T> {
    kept: Vec<(Kind, T)>,
    busy: usize,
    capacity: usize,
}

/// What [`Shelf::take`] hands a job: a kept kernel of its kind, and one of another kind to
/// shut down first so that a fresh one fits.
#[derive(Debug, PartialEq)]
struct Taken<T> {
    found: Option<T>,
    evicted: Option<T>,
}

impl<T> Shelf<T> {
    fn new(capacity: usize) -> Shelf<T> {
        Shelf {
            kept: Vec::new(),
            busy: 0,
            capacity: capacity.max(1),
        }
    }

    /// A job of `kind` starts: the kept kernel of that kind kept longest, or none (the job
    /// starts a fresh one) and, when that would make one more than the capacity, the kept
    /// kernel of another kind kept longest, to shut down.
    fn take(&mut self, kind: &Kind) -> Taken<T> {
        self.busy += 1;
        if let Some(i) = self.kept.iter().position(|(k, _)| k == kind) {
            let found = self.kept.remove(i).1;
            return Taken {
                found: Some(found),
                evicted: None,
            };
        }
        let evicted = (self.kept.len() + self.busy > self.capacity && !self.kept.is_empty())
            .then(|| self.kept.remove(0).1);
        Taken {
            found: None,
            evicted,
        }
    }

    /// A job of `kind` ended, giving back its kernel if it may be kept; returns a kernel to
    /// shut down when it may not be kept (a kernel of `kind` is already kept and the capacity
    /// is reached).
    fn put(&mut self, kind: &Kind, kernel: Option<T>) -> Option<T> {
        self.busy = self.busy.saturating_sub(1);
        let kernel = kernel?;
        if self.kept.len() + self.busy >= self.capacity {
            return Some(kernel);
        }
        self.kept.push((kind.clone(), kernel));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn kind(deps: &str) -> Kind {
        (PathBuf::from("/lessons"), vec![deps.to_string()])
    }

    #[test]
    fn a_job_gets_the_kernel_its_kind_left_and_never_one_of_another_kind() {
        let (plain, polars) = (kind(":dep backprop"), kind(":dep backprop data"));
        let mut shelf = Shelf::new(2);
        assert_eq!(
            shelf.take(&plain),
            Taken {
                found: None,
                evicted: None
            }
        );
        assert_eq!(shelf.put(&plain, Some("k1")), None);
        assert_eq!(
            shelf.take(&polars),
            Taken {
                found: None,
                evicted: None
            }
        );
        assert_eq!(
            shelf.take(&plain),
            Taken {
                found: Some("k1"),
                evicted: None
            }
        );
        // A kernel that timed out or was lost is not given back.
        assert_eq!(shelf.put(&plain, None), None);
        assert_eq!(shelf.put(&polars, Some("k2")), None);
        assert_eq!(
            shelf.take(&plain),
            Taken {
                found: None,
                evicted: None
            }
        );
        assert_eq!(
            shelf.take(&polars),
            Taken {
                found: Some("k2"),
                evicted: None
            }
        );
    }

    #[test]
    fn a_kernel_past_half_its_memory_limit_is_not_kept() {
        let using = |mib: u64| crate::jupyter::MemoryUse {
            resident: mib << 20,
            peak: mib << 20,
        };
        let limit = Some(6144u64 << 20);
        assert!(roomy(limit, Some(&using(1700))));
        assert!(!roomy(limit, Some(&using(3072))));
        assert!(roomy(None, Some(&using(9000))));
        assert!(roomy(limit, None));
    }

    #[test]
    fn no_more_kernels_than_the_capacity_are_alive_busy_or_kept() {
        let (plain, polars) = (kind(":dep backprop"), kind(":dep backprop data"));
        let mut shelf = Shelf::new(2);
        shelf.take(&plain);
        shelf.take(&plain);
        assert_eq!(shelf.put(&plain, Some("a")), None);
        assert_eq!(shelf.put(&plain, Some("b")), None);
        // Two kept, none busy: a polars job shuts the kernel kept longest down first.
        assert_eq!(
            shelf.take(&polars),
            Taken {
                found: None,
                evicted: Some("a")
            }
        );
        // One busy, one kept: the second polars job shuts the other down.
        assert_eq!(
            shelf.take(&polars),
            Taken {
                found: None,
                evicted: Some("b")
            }
        );
        assert_eq!(shelf.put(&polars, Some("c")), None);
        // A kernel beyond the capacity is handed back to be shut down, not kept.
        let mut full = Shelf::new(1);
        full.take(&plain);
        full.take(&polars);
        assert_eq!(full.put(&plain, Some("x")), Some("x"));
        assert_eq!(full.put(&polars, Some("y")), None);
        assert_eq!(full.kept.len(), 1);
        assert_eq!(Shelf::<&str>::new(0).capacity, 1);
    }
}
