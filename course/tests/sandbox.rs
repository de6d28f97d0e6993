//! The sandbox alone, without the screen in front of it: a sealed kernel runs code that the
//! screen would refuse (processes that detach, a fork bomb, writes outside, a connection to
//! loopback, reading the lessons), and none of it reaches past the sandbox or outlives it.

mod common;

use common::root;
use course::exec::{seed, ExecOptions};
use course::jupyter::sandbox::{Mode, Sandbox, MAX_TASKS};
use course::jupyter::{Kernel, KernelOptions};
use course::project::Project;
use jupyter_protocol::JupyterMessageContent;
use std::path::PathBuf;
use std::time::Duration;

fn stdout(run: &course::jupyter::Execution) -> String {
    run.outputs
        .iter()
        .filter_map(|o| match o {
            JupyterMessageContent::StreamContent(s) => Some(s.text.as_str()),
            _ => None,
        })
        .collect()
}

/// The grader's options and sandbox for this checkout.
fn sealed(project: &Project) -> (ExecOptions, Sandbox) {
    let mut kernel = KernelOptions::named(course::install::KERNEL_NAME);
    kernel.data_dir = Some(project.jupyter_data());
    let exec = ExecOptions {
        kernel,
        timeout: Duration::from_secs(300),
        dep_timeout: Duration::from_secs(3600),
        keep_going: true,
        verbose: false,
        seal_checks: false,
    };
    let sandbox = Sandbox {
        root: project.root.clone(),
        scratch: project.grade_scratch(),
        seed: project.grade_seed(),
        relay: PathBuf::from(env!("CARGO_BIN_EXE_course")),
        mode: Mode::Submission,
        slots: course::exec::cache::slots_dir(),
        // The sandbox alone, without the code process's confinement inside it (which the
        // attack corpus and `jupyter::confine`'s tests cover): what it holds by itself.
        confine: None,
    };
    (exec, sandbox)
}

#[test]
fn code_in_a_sealed_kernel_reaches_nothing_outside_and_dies_with_it() {
    common::setup();
    let project = Project::locate(Some(&root())).unwrap();
    let mark = format!("sealed-{}", std::process::id());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let outside = [
        root().join("crate").join(format!("{mark}-crate")),
        PathBuf::from(&home).join(format!("{mark}-home")),
        PathBuf::from(format!("/tmp/{mark}-tmp")),
    ];
    let code = format!(
        r#"use std::process::{{Command, Stdio}};
let lessons_seen = std::path::Path::new("{root}/notebooks/01-loss.ipynb").exists();
let detached = Command::new("sh").args(["-c", "setsid sleep 600 {mark} </dev/null >/dev/null 2>&1 &"]).status().is_ok();
let mut started = 0;
for _ in 0..3000 {{
    match Command::new("sleep").args(["600", "{mark}"]).stdout(Stdio::null()).spawn() {{
        Ok(_) => started += 1,
        Err(_) => break,
    }}
}}
let writes: Vec<bool> = ["{w0}", "{w1}", "{w2}"].iter().map(|p| std::fs::write(p, "x").is_ok()).collect();
let connected = std::net::TcpStream::connect("127.0.0.1:{port}").is_ok();
println!("lessons_seen={{lessons_seen}} detached={{detached}} started={{started}} writes={{writes:?}} connected={{connected}}");"#,
        root = root().display(),
        w0 = outside[0].display(),
        w1 = outside[1].display(),
        w2 = outside[2].display(),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let printed = runtime.block_on(async {
        let (exec, sandbox) = sealed(&project);
        let logs = tempfile::tempdir().unwrap();
        let _seed = seed::ensure(&sandbox, &exec, &logs.path().join("seed.log"))
            .await
            .unwrap();
        let mut kernel = exec.kernel.clone();
        kernel.sandbox = Some(sandbox);
        let log = logs.path().join("kernel.log");
        let mut k = Kernel::start(&kernel, &project.notebooks(), &log)
            .await
            .unwrap();
        let dep = k
            .execute(":dep backprop = { path = \"../crate\" }", exec.dep_timeout)
            .await
            .unwrap();
        assert!(dep.kernel_lost.is_none(), "{dep:?}");
        let run = k.execute(&code, exec.timeout).await.unwrap();
        k.shutdown().await;
        stdout(&run)
    });
    let line = printed
        .lines()
        .find(|l| l.starts_with("lessons_seen="))
        .unwrap_or_else(|| panic!("the probe printed nothing useful:\n{printed}"));
    assert!(
        line.starts_with("lessons_seen=false detached=true "),
        "{line}"
    );
    assert!(
        line.ends_with(" writes=[false, true, true] connected=false"),
        "{line}"
    );
    let started: u32 = line
        .split("started=")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(started > 0 && started < MAX_TASKS, "{line}");

    common::assert_no_process_left(&mark);
    for path in &outside {
        assert!(!path.exists(), "{} was written outside", path.display());
    }
    assert!(
        listener.accept().is_err(),
        "a sealed kernel reached loopback"
    );
}

#[test]
fn the_seed_holds_every_dependency_both_built_to_run_and_checked() {
    // evcxr runs `cargo check` on a cell whose new variable rust-analyzer cannot type (after
    // a stub panics: a value computed from a lost one). Check artifacts are metadata-only
    // libraries of their own; a seed without them makes that cell check every dependency
    // again, polars included, within the cell's time limit.
    common::setup();
    let project = Project::locate(Some(&root())).unwrap();
    let (exec, sandbox) = sealed(&project);
    let logs = tempfile::tempdir().unwrap();
    let _seed = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(seed::ensure(&sandbox, &exec, &logs.path().join("seed.log")))
        .unwrap();
    let deps = std::fs::read_dir(sandbox.seed.join("target"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("debug").join("deps"))
        .find(|d| d.is_dir())
        .expect("the seed has a target-specific deps folder");
    let names: Vec<String> = std::fs::read_dir(&deps)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    // `libNAME-HASH.rlib` is built to run; `libNAME-HASH.rmeta` with no rlib beside it is checked.
    let crate_of = |file: &str, ext: &str| {
        let stem = file.strip_prefix("lib")?.strip_suffix(ext)?;
        let (name, _) = stem.rsplit_once('-')?;
        Some(name.to_string())
    };
    let built: std::collections::BTreeSet<String> =
        names.iter().filter_map(|n| crate_of(n, ".rlib")).collect();
    let checked: std::collections::BTreeSet<String> = names
        .iter()
        .filter(|n| n.ends_with(".rmeta") && !has(&n.replace(".rmeta", ".rlib")))
        .filter_map(|n| crate_of(n, ".rmeta"))
        .collect();
    for needed in ["backprop", "ndarray", "polars_core", "plotters"] {
        assert!(
            built.contains(needed),
            "{needed} is not built in {}",
            deps.display()
        );
    }
    let unchecked: Vec<&String> = built.difference(&checked).collect();
    assert!(
        unchecked.is_empty(),
        "built but never checked in the seed ({}): {unchecked:?}",
        deps.display()
    );
}

/// Every compiled library in a build folder (`deps/lib*.rlib` and `.rmeta`), with when it was
/// last written.
fn libraries(build: &std::path::Path) -> std::collections::BTreeMap<String, std::time::SystemTime> {
    let mut found = std::collections::BTreeMap::new();
    for target in std::fs::read_dir(build.join("target")).unwrap().flatten() {
        let Ok(deps) = std::fs::read_dir(target.path().join("debug").join("deps")) else {
            continue;
        };
        for entry in deps.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("lib") && (name.ends_with(".rlib") || name.ends_with(".rmeta")) {
                found.insert(name, entry.metadata().unwrap().modified().unwrap());
            }
        }
    }
    found
}

#[test]
fn another_checkout_compiles_the_course_crate_again_and_no_dependency() {
    // The seed is the user's: a second checkout of the same course (another clone, or this one
    // after an edit of the crate) finds every dependency compiled, and only the course crate
    // is built again, for the new place, its old artifacts gone.
    common::setup();
    let project = Project::locate(Some(&root())).unwrap();
    let (exec, sandbox) = sealed(&project);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let copies = tempfile::tempdir().unwrap();
    let seed_copy = copies.path().join("grade-seed");
    {
        let _seed = runtime
            .block_on(seed::ensure(&sandbox, &exec, &logs.path().join("seed.log")))
            .unwrap();
        let copied = std::process::Command::new("cp")
            .arg("-a")
            .arg(&sandbox.seed)
            .arg(&seed_copy)
            .status()
            .unwrap();
        assert!(copied.success());
        let stamp = |seed: &std::path::Path| {
            let mut name = seed.file_name().unwrap().to_os_string();
            name.push(".stamp");
            seed.with_file_name(name)
        };
        std::fs::copy(stamp(&sandbox.seed), stamp(&seed_copy)).unwrap();
    }
    let other = copies.path().join("other-checkout");
    for part in course::project::KERNEL_PARTS {
        let to = other.join(part);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let copied = std::process::Command::new("cp")
            .arg("-r")
            .arg(root().join(part))
            .arg(&to)
            .status()
            .unwrap();
        assert!(copied.success(), "copying {part}");
    }
    // Its own kernelspec, as `course setup` writes one into each checkout.
    let spec = project
        .jupyter_data()
        .join("kernels")
        .join(&exec.kernel.name);
    let text = std::fs::read_to_string(spec.join("kernel.json")).unwrap();
    let own = other.join("target").join("jupyter");
    let own_spec = own.join("kernels").join(&exec.kernel.name);
    std::fs::create_dir_all(&own_spec).unwrap();
    let here = root().display().to_string();
    assert!(text.contains(&here), "{text}");
    let there = text.replace(&here, &other.display().to_string());
    std::fs::write(own_spec.join("kernel.json"), there).unwrap();
    let mut exec_there = exec.clone();
    exec_there.kernel.data_dir = Some(own);

    let before = libraries(&seed_copy);
    let moved = Sandbox {
        root: other.clone(),
        seed: seed_copy.clone(),
        ..sandbox.clone()
    };
    let _seed = runtime
        .block_on(seed::ensure(
            &moved,
            &exec_there,
            &logs.path().join("again.log"),
        ))
        .unwrap();
    let after = libraries(&seed_copy);

    let ours = |name: &&String| name.starts_with("libbackprop-");
    let theirs: Vec<&String> = before.keys().filter(|n| !ours(n)).collect();
    assert!(
        theirs.len() > 50,
        "the seed holds the dependencies: {theirs:?}"
    );
    for name in theirs {
        assert_eq!(
            after.get(name),
            before.get(name),
            "{name} was compiled again"
        );
    }
    let old: Vec<&String> = before.keys().filter(ours).collect();
    let new: Vec<&String> = after.keys().filter(ours).collect();
    assert!(!old.is_empty(), "{before:?}");
    assert_eq!(new.len(), old.len(), "old {old:?}, new {new:?}");
    assert!(
        new.iter().all(|n| !old.contains(n)),
        "the course crate was not built for the other checkout: old {old:?}, new {new:?}"
    );
}

/// The entries of evcxr's build cache that hold a compiled crate, each named by its key.
/// Not counted: the probes some build scripts compile (`autocfg`'s, named after the build
/// folder, so each folder has its own; a fraction of a second each).
fn cache_entries() -> std::collections::BTreeSet<String> {
    let crate_compile = |entry: &std::path::Path| {
        std::fs::read_to_string(entry.join("meta")).is_ok_and(|m| m.contains("--emit=dep-info"))
    };
    std::fs::read_dir(course::jupyter::sandbox::evcxr_cache())
        .map(|dir| {
            dir.flatten()
                .filter(|e| crate_compile(&e.path()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_learners_kernel_on_new_slots_after_the_seed_compiles_no_dependency_and_keeps_them_fresh() {
    // The seed is built through the user's evcxr cache, as the learners' kernels build: on a
    // new machine that grades first, a lesson then copies every dependency from the cache
    // (polars included) instead of compiling it again. A crate from the cache names files of
    // the seed's build folder in its dep-info; through the link beside the slots they are
    // found, and later cells compile none of them again.
    common::setup();
    let project = Project::locate(Some(&root())).unwrap();
    let (exec, sandbox) = sealed(&project);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let _seed = runtime
        .block_on(seed::ensure(&sandbox, &exec, &logs.path().join("seed.log")))
        .unwrap();
    let link = sandbox.build_inside();
    assert!(
        link.join("target").is_dir(),
        "{} leads to no seed",
        link.display()
    );

    // The learner's own kernelspec, on build slots of its own that nothing was built in.
    let slots = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let spec = project
        .jupyter_data()
        .join("kernels")
        .join(&exec.kernel.name);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spec.join("kernel.json")).unwrap()).unwrap();
    json["env"]["BACKPROP_KERNEL_SLOTS"] = slots.path().display().to_string().into();
    let own = data.path().join("kernels").join(&exec.kernel.name);
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(own.join("kernel.json"), json.to_string()).unwrap();
    let mut kernel = exec.kernel.clone();
    kernel.data_dir = Some(data.path().to_path_buf());

    let before = cache_entries();
    let build = slots.path().join("1");
    let (loaded, later) = runtime.block_on(async {
        let log = logs.path().join("learner.log");
        let mut k = Kernel::start(&kernel, &project.notebooks(), &log)
            .await
            .unwrap();
        let turn = course::exec::cache::turn().await;
        let dep = k
            .execute(
                ":dep backprop = { path = \"../crate\", features = [\"data\"] }",
                exec.dep_timeout,
            )
            .await
            .unwrap();
        drop(turn);
        assert_eq!(
            dep.status,
            Some(jupyter_protocol::ReplyStatus::Ok),
            "{dep:?}"
        );
        let first = k.execute("let a = 1;", exec.timeout).await.unwrap();
        assert_eq!(
            first.status,
            Some(jupyter_protocol::ReplyStatus::Ok),
            "{first:?}"
        );
        let loaded = libraries(&build);
        for code in ["let b = a + 1;", "let c = b + 1;"] {
            let run = k.execute(code, exec.timeout).await.unwrap();
            assert_eq!(
                run.status,
                Some(jupyter_protocol::ReplyStatus::Ok),
                "{run:?}"
            );
        }
        let later = libraries(&build);
        k.shutdown().await;
        (loaded, later)
    });
    let after = cache_entries();
    let new: Vec<&String> = after.difference(&before).collect();
    assert!(
        new.is_empty(),
        "the learner's kernel compiled {} crates the seed had compiled (new cache entries \
         {new:?}; a release published since the seed was built would be one)",
        new.len()
    );
    assert!(
        loaded.keys().any(|n| n.starts_with("libpolars_core-")),
        "{loaded:?}"
    );
    for (name, written) in &loaded {
        assert_eq!(later.get(name), Some(written), "{name} was compiled again");
    }
}
