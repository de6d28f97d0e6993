//! `kernel/launch`, the course kernel's start script: each kernel gets a build slot of its own,
//! and cargo, run in a slot as evcxr runs it, compiles the cell crate without optimisation
//! while the crates it depends on keep evcxr's opt-level 2.

mod common;

use common::root;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `kernel/launch` with `env` standing in for evcxr_jupyter; returns its EVCXR_TMPDIR.
fn launch(slots: &Path) -> String {
    launch_with(slots, &[])["EVCXR_TMPDIR"].clone()
}

/// Runs `kernel/launch` with `env` standing in for evcxr_jupyter and `vars` set; returns the
/// environment it would start evcxr with (EVCXR_TMPDIR always among it).
fn launch_with(slots: &Path, vars: &[(&str, &Path)]) -> HashMap<String, String> {
    let mut command = Command::new(root().join("kernel").join("launch"));
    command.arg("env").env("BACKPROP_KERNEL_SLOTS", slots);
    for (var, value) in vars {
        command.env(var, value);
    }
    let out = command.output().expect("kernel/launch runs");
    assert!(out.status.success(), "{out:?}");
    let env: HashMap<String, String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(env.contains_key("EVCXR_TMPDIR"), "{env:?}");
    env
}

/// Writes a package at `dir` with the given manifest and an empty library.
fn package(dir: &Path, manifest: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(
        dir.join("src").join("lib.rs"),
        "pub fn one() -> i32 { 1 }\n",
    )
    .unwrap();
}

#[test]
fn a_kernel_gets_the_first_free_slot_and_the_slots_get_the_cargo_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let slots = dir.path().join("slots");
    assert_eq!(launch(&slots), slots.join("1").to_string_lossy());
    let config = std::fs::read_to_string(slots.join(".cargo").join("config.toml")).unwrap();
    assert!(
        config.contains("[profile.dev.package.ctx]\nopt-level = 0\n"),
        "{config}"
    );
    // The first kernel has ended, so the next one takes the same slot again.
    assert_eq!(launch(&slots), slots.join("1").to_string_lossy());
}

#[test]
fn the_launcher_and_the_cache_lock_agree_on_the_slots_folder() {
    let temp = tempfile::tempdir().unwrap();
    let out = Command::new(root().join("kernel").join("launch"))
        .arg("env")
        .env_remove("BACKPROP_KERNEL_SLOTS")
        .env("TMPDIR", temp.path())
        .output()
        .expect("kernel/launch runs");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let slot = stdout
        .lines()
        .find_map(|l| l.strip_prefix("EVCXR_TMPDIR="))
        .expect("kernel/launch sets EVCXR_TMPDIR");
    let expected = course::exec::cache::slots_dir_under(temp.path());
    assert_eq!(Path::new(slot), expected.join("1"));
}

#[test]
fn in_a_slot_the_cell_crate_compiles_at_opt_level_0_and_its_dependency_at_2() {
    let dir = tempfile::tempdir().unwrap();
    let slot = Path::new(&launch(&dir.path().join("slots"))).to_path_buf();
    package(
        &dir.path().join("dep"),
        "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    // As evcxr writes a cell crate: named ctx, the whole dev profile at opt-level 2.
    package(
        &slot,
        &format!(
            "[package]\nname = \"ctx\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n\
             [profile.dev]\nopt-level = 2\n\n[dependencies]\ndep = {{ path = {:?} }}\n",
            dir.path().join("dep")
        ),
    );
    let build = Command::new(env!("CARGO"))
        .args(["build", "-v", "--offline"])
        .current_dir(&slot)
        .env("CARGO_TARGET_DIR", slot.join("target"))
        .output()
        .expect("cargo runs");
    let log = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{log}");
    let rustc = |name: &str| {
        log.lines()
            .find(|l| l.contains("Running") && l.contains(&format!("--crate-name {name} ")))
            .unwrap_or_else(|| panic!("no rustc line for {name} in:\n{log}"))
            .to_string()
    };
    assert!(rustc("dep").contains("opt-level=2"), "{log}");
    let ctx = rustc("ctx");
    assert!(
        !ctx.contains("opt-level=") || ctx.contains("opt-level=0"),
        "{ctx}"
    );
}

/// A grader's seed as `course` leaves it, in a temporary folder: a build folder holding one
/// compiled library, its stamp and its lock file beside it; a kernel configuration with
/// evcxr's cache on; and the build slots of a learner's kernel that names both.
struct Seeded {
    dir: tempfile::TempDir,
    seed: PathBuf,
    config: PathBuf,
    slots: PathBuf,
}

const LIB: &str = "target/debug/deps/libpolars_core-1.rlib";

impl Seeded {
    fn new() -> Seeded {
        let dir = tempfile::tempdir().unwrap();
        let seed = dir.path().join("grade-seed");
        let lib = seed.join(LIB);
        std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
        std::fs::write(lib, "compiled once").unwrap();
        std::fs::write(dir.path().join("grade-seed.lock"), "").unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).unwrap();
        let init = ":cache 4096\n:preserve_vars_on_panic 0\n";
        std::fs::write(config.join("init.evcxr"), init).unwrap();
        std::fs::write(config.join("prelude.rs"), "// the panic hook\n").unwrap();
        let slots = dir.path().join("slots");
        let seeded = Seeded {
            dir,
            seed,
            config,
            slots,
        };
        seeded.stamp("base1 crate1 rustc 1.95.0\n");
        seeded
    }

    /// Writes the seed's stamp, as a grader does when a build starts or ends.
    fn stamp(&self, stamp: &str) {
        std::fs::write(self.dir.path().join("grade-seed.stamp"), stamp).unwrap();
    }

    /// Holds the seed's lock alone, as a grader rebuilding it does, until dropped.
    fn rebuilding(&self) -> std::fs::File {
        let lock = std::fs::File::open(self.dir.path().join("grade-seed.lock")).unwrap();
        lock.lock().unwrap();
        lock
    }

    /// Starts a kernel: its environment, as `kernel/launch` would give it to evcxr.
    fn launch(&self) -> HashMap<String, String> {
        let vars = [
            ("BACKPROP_GRADER_SEED", self.seed.as_path()),
            ("EVCXR_CONFIG_DIR", self.config.as_path()),
        ];
        launch_with(&self.slots, &vars)
    }

    /// Whether the kernel `env` reads the configuration as it is, evcxr's cache on.
    fn with_cache(&self, env: &HashMap<String, String>) -> bool {
        Path::new(&env["EVCXR_CONFIG_DIR"]) == self.config
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_slot_starts_as_a_copy_of_the_graders_seed_and_builds_without_evcxrs_cache() {
    let seeded = Seeded::new();
    let env = seeded.launch();
    let slot = PathBuf::from(&env["EVCXR_TMPDIR"]);
    assert_eq!(slot, seeded.slots.join("1"));
    let (copied, original) = (slot.join(LIB), seeded.seed.join(LIB));
    assert_eq!(read(&copied), "compiled once");
    // A copy of its own: a build in the slot cannot write into the grader's seed.
    assert!(!copied.symlink_metadata().unwrap().is_symlink());
    assert_ne!(
        copied.metadata().unwrap().ino(),
        original.metadata().unwrap().ino()
    );
    std::fs::write(&copied, "rebuilt in the slot").unwrap();
    assert_eq!(read(&original), "compiled once");
    // Its kernel reads the same configuration and prelude, without the cache.
    assert!(!seeded.with_cache(&env));
    let used = Path::new(&env["EVCXR_CONFIG_DIR"]);
    assert_eq!(
        read(&used.join("init.evcxr")),
        ":preserve_vars_on_panic 0\n"
    );
    assert_eq!(read(&used.join("prelude.rs")), "// the panic hook\n");

    // Only the course crate changed in the seed: the slot is kept, cargo rebuilds that crate.
    seeded.stamp("base1 crate2 rustc 1.95.0\n");
    let env = seeded.launch();
    assert_eq!(Path::new(&env["EVCXR_TMPDIR"]), slot);
    assert_eq!(read(&copied), "rebuilt in the slot");
    assert!(!seeded.with_cache(&env));
    // Its dependencies changed (a new toolchain, say): the slot is copied again.
    seeded.stamp("base2 crate2 rustc 1.96.0\n");
    seeded.launch();
    assert_eq!(read(&copied), "compiled once");
    assert_eq!(read(&slot.join(".seed-base")), "base2");
}

#[test]
fn a_seed_being_built_is_not_copied_and_a_slot_from_an_older_one_starts_over_with_the_cache() {
    let seeded = Seeded::new();
    let slot = PathBuf::from(&seeded.launch()["EVCXR_TMPDIR"]);
    assert!(slot.join(LIB).is_file());
    // A grader rebuilds the seed for new dependencies: it holds the lock alone, and the
    // stamp names the new base, unfinished.
    let lock = seeded.rebuilding();
    seeded.stamp("base2 unfinished\n");
    let env = seeded.launch();
    assert_eq!(
        std::fs::read_dir(&slot).unwrap().count(),
        0,
        "the slot starts empty"
    );
    assert!(seeded.with_cache(&env));
    // The build ended, but the lock is still held: nothing is copied while it is.
    seeded.stamp("base2 crate1 rustc 1.96.0\n");
    let env = seeded.launch();
    assert!(!slot.join(LIB).exists());
    assert!(seeded.with_cache(&env));
    drop(lock);
    let env = seeded.launch();
    assert!(slot.join(LIB).is_file());
    assert!(!seeded.with_cache(&env));
}

#[test]
fn without_a_graders_seed_a_slot_keeps_evcxrs_cache() {
    let seeded = Seeded::new();
    std::fs::remove_dir_all(&seeded.seed).unwrap();
    std::fs::remove_file(seeded.dir.path().join("grade-seed.stamp")).unwrap();
    let env = seeded.launch();
    assert!(seeded.with_cache(&env));
    assert_eq!(std::fs::read_dir(&env["EVCXR_TMPDIR"]).unwrap().count(), 0);
}
