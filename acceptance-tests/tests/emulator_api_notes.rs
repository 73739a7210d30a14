//! Every "why" can be followed from a clone: each `API-NOTES.md#<anchor>` cited by the
//! provider, the emulator or the harness names an anchor of `acceptance-tests/API-NOTES.md`,
//! so do the notes' own `#<anchor>` cross-references, and no code comment sends the reader to
//! research notes kept outside the repository.

use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn notes() -> String {
    std::fs::read_to_string(repo_root().join("acceptance-tests/API-NOTES.md")).unwrap()
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code the project writes: the provider and the acceptance crate (emulator, harness,
/// scenarios).
fn sources() -> Vec<(String, String)> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in [
        "provider/src",
        "acceptance-tests/src",
        "acceptance-tests/tests",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.strip_prefix(&root).unwrap().display().to_string();
            (name, text)
        })
        .collect()
}

/// The anchor names (`[a-z0-9-]`, starting with a letter) that follow each `marker` in `text`.
fn anchors_after(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &text[i + marker.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                .collect();
            let name = name.trim_end_matches('-').to_string();
            name.starts_with(|c: char| c.is_ascii_lowercase())
                .then_some(name)
        })
        .collect()
}

fn defined() -> Vec<String> {
    let notes = notes();
    notes
        .match_indices("<a id=\"")
        .map(|(i, _)| {
            let rest = &notes[i + 7..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn every_cited_anchor_exists() {
    let defined = defined();
    let mut missing = Vec::new();
    for (file, text) in sources() {
        if file.ends_with("emulator_api_notes.rs") {
            continue;
        }
        for anchor in anchors_after(&text, "API-NOTES.md#") {
            if !defined.contains(&anchor) {
                missing.push(format!("{file}: API-NOTES.md#{anchor}"));
            }
        }
    }
    // The notes' own cross-references: "see #rate-limits", "(#xts-settling)".
    let notes = notes();
    for marker in [" #", "(#"] {
        for anchor in anchors_after(&notes, marker) {
            if !defined.contains(&anchor) {
                missing.push(format!("API-NOTES.md: #{anchor}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "anchors cited but not defined: {missing:#?}"
    );
}

#[test]
fn no_comment_cites_notes_outside_the_repository() {
    let mut outside = Vec::new();
    for (file, text) in sources() {
        if file.ends_with("emulator_api_notes.rs") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let comment = line.trim_start().starts_with("//");
            let lower = line.to_lowercase();
            let cites = ["shared/api", "facts §", "facts file"]
                .iter()
                .any(|s| lower.contains(s));
            if comment && cites {
                outside.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "comments citing notes outside the repository (bring the fact into API-NOTES.md and cite its anchor): {outside:#?}"
    );
}
