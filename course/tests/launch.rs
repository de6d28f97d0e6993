//! `kernel/launch`, the course kernel's start script: each kernel gets a build slot of its own,
//! and cargo, run in a slot as evcxr runs it, compiles the cell crate without optimisation
//! while the crates it depends on keep evcxr's opt-level 2.

mod common;

use common::root;
use std::path::Path;
use std::process::Command;

/// Runs `kernel/launch` with `env` standing in for evcxr_jupyter; returns its EVCXR_TMPDIR.
fn launch(slots: &Path) -> String {
    launch_with(slots, &[])
}

/// [`launch`] with more environment variables set.
fn launch_with(slots: &Path, env: &[(&str, &Path)]) -> String {
    let out = Command::new(root().join("kernel").join("launch"))
        .arg("env")
        .env("BACKPROP_KERNEL_SLOTS", slots)
        .envs(env.iter().copied())
        .output()
        .expect("kernel/launch runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("EVCXR_TMPDIR=").map(str::to_string))
        .expect("kernel/launch sets EVCXR_TMPDIR")
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
fn a_kernel_links_the_graders_seed_where_the_sandbox_shows_it_when_the_link_leads_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let (slots, cache) = (dir.path().join("slots"), dir.path().join("cache"));
    let link = slots.join("seed").join("1");
    // No seed: the kernel's own slot, which has the same files once it has loaded the crate.
    assert_eq!(
        launch_with(&slots, &[("XDG_CACHE_HOME", &cache)]),
        slots.join("1").to_string_lossy()
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), slots.join("1"));

    // The seed where `Project::grade_seed` puts it, once the link leads nowhere.
    let seed = cache.join("backprop-course").join("grade-seed");
    std::fs::create_dir_all(&seed).unwrap();
    launch_with(&slots, &[("XDG_CACHE_HOME", &cache)]);
    assert_eq!(std::fs::read_link(&link).unwrap(), slots.join("1"));
    std::fs::remove_file(&link).unwrap();
    assert_eq!(
        launch_with(&slots, &[("XDG_CACHE_HOME", &cache)]),
        slots.join("1").to_string_lossy(),
        "the link is no kernel's slot"
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), seed);

    // A link the grader made to a seed elsewhere is left as it is, while that seed is there.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    launch_with(&slots, &[("XDG_CACHE_HOME", &cache)]);
    assert_eq!(std::fs::read_link(&link).unwrap(), elsewhere);
    std::fs::remove_dir(&elsewhere).unwrap();
    launch_with(&slots, &[("XDG_CACHE_HOME", &cache)]);
    assert_eq!(std::fs::read_link(&link).unwrap(), seed);
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
