//! The layout's one rule that a compiler does not check: no module imports one that imports
//! it back, directly or through others, in any of the workspace's crates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|x| x == "rs") {
            found.push(path);
        }
    }
}

/// The module a file holds, as a path from the crate root (`exec::outcome`); the root is "".
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its test module (the tests sit at the end, after `#[cfg(test)]`).
fn code_without_tests(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names from the crate root: `crate::a::b` as `a::b`, `super::x` resolved.
fn named_paths(module: &str, code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let tokens: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|t| t.starts_with("crate::") || t.starts_with("super::"))
        .collect();
    for token in tokens {
        if let Some(rest) = token.strip_prefix("crate::") {
            found.push(rest.to_string());
        } else {
            let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
            let mut rest = token;
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            base.push(rest);
            found.push(base.join("::"));
        }
    }
    found
}

/// The module graph of the crate whose sources are in `src`: who imports whom.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(src, file);
        if module.is_empty() {
            continue;
        }
        for path in named_paths(&module, &code_without_tests(file)) {
            // The longest prefix of the path that is a module of this crate.
            let parts: Vec<&str> = path.split("::").collect();
            let target = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|p| modules.contains(p));
            if let Some(target) = target.filter(|t| *t != module) {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    edges
}

/// A cycle in the graph, as the modules along it, if there is one.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|start| visit(start, edges, &mut Vec::new(), &mut done))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    for krate in ["crate", "course", "bench"] {
        let edges = graph(&workspace().join(krate).join("src"));
        // The library crates import across modules; the benchmark is one module and a root.
        assert!(
            krate == "bench" || edges.len() > 5,
            "{krate}: too few imports found: {edges:?}"
        );
        if let Some(c) = cycle(&edges) {
            panic!("{krate}/src has an import circle: {}", c.join(" → "));
        }
    }
}

#[test]
fn the_circle_finder_finds_a_circle_through_super_and_crate_paths() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(src.join("a/mod.rs"), "mod inner;\nuse crate::b::Thing;\n").unwrap();
    std::fs::write(src.join("a/inner.rs"), "use super::Other;\n").unwrap();
    std::fs::write(
        src.join("b.rs"),
        "pub struct Thing;\nfn f() { crate::a::inner::g() }\n#[cfg(test)]\nuse crate::a::X;\n",
    )
    .unwrap();
    let edges = graph(src);
    assert_eq!(edges["a::inner"], BTreeSet::from(["a".to_string()]));
    assert_eq!(edges["b"], BTreeSet::from(["a::inner".to_string()]));
    assert_eq!(
        cycle(&edges).unwrap(),
        ["a", "b", "a::inner", "a"].map(String::from)
    );
    std::fs::write(src.join("b.rs"), "pub struct Thing;\n").unwrap();
    assert_eq!(cycle(&graph(src)), None);
}
