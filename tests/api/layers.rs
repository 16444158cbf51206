//! The server's house rules, read from its source (`src/server/mod.rs` states them):
//! - a part imports only parts below it;
//! - no two files of `src/server/` import each other, however far round (a folder's
//!   `mod.rs` declaring and re-exporting what its folder holds is its face, not an import);
//! - at most 8 files directly in `src/server/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The parts from the ground up; a part may import those of a lower or equal rank, and
/// those of equal rank are the ground's, which import nothing of the server.
const PARTS: [(&str, usize); 12] = [
    ("settings", 0),
    ("clock", 0),
    ("metrics", 0),
    ("store", 1),
    ("files", 2),
    ("access", 3),
    ("delivery", 4),
    ("presence", 5),
    ("push", 6),
    ("streams", 7),
    ("node", 8),
    ("http", 9),
];

fn server_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server")
}

/// Every `.rs` file under `src/server`, by its module path below `server` (`presence::cluster`,
/// `presence` for `presence/mod.rs`).
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], into: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            let name = path
                .file_stem()
                .and_then(|n| n.to_str())
                .expect("utf-8 name")
                .to_owned();
            if path.is_dir() {
                let mut inner = prefix.to_vec();
                inner.push(name);
                walk(&path, &inner, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                if name != "mod" {
                    module.push(name);
                }
                let source = std::fs::read_to_string(&path).expect("readable source");
                into.insert(module.join("::"), source);
            }
        }
    }
    let mut modules = BTreeMap::new();
    walk(&server_root(), &[], &mut modules);
    modules
}

/// The module paths (below `server`) that `source`, the file of `module`, names: every
/// `crate::server::…` path and every `super::…` path, resolved.
fn named_paths(module: &str, source: &str) -> Vec<Vec<String>> {
    let path_chars = |text: &str| -> Vec<String> {
        let end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(text.len());
        text[..end]
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let here: Vec<String> = module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut found = Vec::new();
    for (at, _) in source.match_indices("crate::server::") {
        found.push(path_chars(&source[at + "crate::server::".len()..]));
    }
    for (at, _) in source.match_indices("super::") {
        if source[..at].ends_with("super::") {
            continue; // counted from the first `super::` of the path
        }
        // `super` is the module above this one, whether it is a file or a folder's `mod.rs`;
        // each further `super` goes one more up.
        let mut base = here[..here.len().saturating_sub(1)].to_vec();
        let mut rest = &source[at + "super::".len()..];
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
        base.extend(path_chars(rest));
        found.push(base);
    }
    found
}

/// The longest prefix of `path` that is a module of `known`.
fn resolve(path: &[String], known: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|candidate| known.contains_key(candidate))
}

fn rank(module: &str) -> usize {
    let part = module.split("::").next().unwrap_or_default();
    PARTS
        .iter()
        .find(|(name, _)| *name == part)
        .map(|(_, rank)| *rank)
        .unwrap_or_else(|| panic!("{module} is in no part: add it to PARTS and src/server/mod.rs"))
}

/// Every import of one server file by another, as (importer, imported).
fn imports() -> BTreeSet<(String, String)> {
    let modules = modules();
    let folders: BTreeSet<String> = walk_folders(&server_root(), "");
    let mut edges = BTreeSet::new();
    for (module, source) in &modules {
        if module.is_empty() {
            continue; // server/mod.rs: the parts' list
        }
        let is_folder = folders.contains(module);
        for path in named_paths(module, source) {
            let Some(target) = resolve(&path, &modules) else {
                continue;
            };
            let into_own_folder =
                is_folder && (target.starts_with(&format!("{module}::")) || &target == module);
            if target != *module && !into_own_folder && !target.is_empty() {
                edges.insert((module.clone(), target));
            }
        }
    }
    edges
}

fn walk_folders(dir: &Path, prefix: &str) -> BTreeSet<String> {
    let mut folders = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() && path.join("mod.rs").exists() {
            let name = path.file_name().and_then(|n| n.to_str()).expect("name");
            let module = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}::{name}")
            };
            folders.extend(walk_folders(&path, &module));
            folders.insert(module);
        }
    }
    folders
}

#[test]
fn each_part_imports_only_parts_below_it() {
    let upward: Vec<String> = imports()
        .into_iter()
        .filter(|(from, to)| {
            let (a, b) = (rank(from), rank(to));
            let same_part = from.split("::").next() == to.split("::").next();
            !same_part && (b > a || (a == 0 && b == 0))
        })
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    assert!(upward.is_empty(), "imports that run up: {upward:#?}");
}

#[test]
fn no_server_files_import_each_other_in_a_circle() {
    let edges = imports();
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in &edges {
        next.entry(from).or_default().push(to);
    }
    // Depth-first, with the path so far: a node met again on it closes a circle.
    fn visit<'a>(
        node: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut circle: Vec<String> = path[at..].iter().map(|n| n.to_string()).collect();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for to in next.get(node).into_iter().flatten() {
            if let Some(circle) = visit(to, next, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for start in next.keys() {
        let circle = visit(start, &next, &mut Vec::new(), &mut done);
        assert!(
            circle.is_none(),
            "a circle: {}",
            circle.unwrap_or_default().join(" -> ")
        );
    }
}

#[test]
fn the_server_folder_holds_few_files_of_its_own() {
    let files: Vec<String> = std::fs::read_dir(server_root())
        .expect("readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.len() <= 8, "{files:?}");
}

#[test]
fn the_rules_see_imports() {
    // Guards the reader itself: these imports exist, so a reader that found none would pass
    // every rule above without checking anything.
    let edges = imports();
    for (from, to) in [
        ("presence::cluster", "presence"),
        ("streams", "delivery::hub"),
        ("http::routes::invites", "node::state"),
    ] {
        assert!(
            edges.contains(&(from.to_owned(), to.to_owned())),
            "{from} -> {to} not seen among {} imports",
            edges.len()
        );
    }
}
