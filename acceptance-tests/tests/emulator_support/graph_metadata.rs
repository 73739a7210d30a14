//! The Microsoft Graph v1.0 metadata subset the project relies on
//! (`tests/data/graph-v1.0-subset.txt`, API-NOTES.md#graph-metadata), parsed for the tests that
//! hold the emulator (`emulator_graph_metadata.rs`) and the provider
//! (`emulator_provider_graph_names.rs`) to it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct MType {
    pub kind: String,
    pub base: Option<String>,
    pub abstract_: bool,
    pub flags: bool,
    pub props: Vec<MProp>,
    pub members: Vec<String>,
}

#[derive(Debug)]
pub struct MProp {
    pub name: String,
    pub ty: String,
    pub notnull: bool,
    pub nav: bool,
}

#[derive(Debug, Default)]
pub struct Meta {
    pub types: HashMap<String, MType>,
    /// Bound actions by name: their parameters (binding parameter excluded).
    pub actions: HashMap<String, Vec<MProp>>,
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub const SUBSET: &str = include_str!("../data/graph-v1.0-subset.txt");

pub fn meta() -> Meta {
    let mut meta = Meta::default();
    // Where the member lines go: a type or an action.
    enum Cur {
        None,
        Type(String),
        Action(String),
    }
    let mut cur = Cur::None;
    for line in SUBSET.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            match words[0] {
                "entity" | "complex" | "enum" => {
                    let t = MType {
                        kind: words[0].to_string(),
                        base: words
                            .iter()
                            .find_map(|w| w.strip_prefix("base="))
                            .map(str::to_string),
                        abstract_: words.contains(&"abstract"),
                        flags: words.contains(&"flags"),
                        ..MType::default()
                    };
                    meta.types.insert(words[1].to_string(), t);
                    cur = Cur::Type(words[1].to_string());
                }
                "action" => {
                    meta.actions.insert(words[1].to_string(), Vec::new());
                    cur = Cur::Action(words[1].to_string());
                }
                other => panic!("unknown line kind {other}: {line}"),
            }
            continue;
        }
        let prop = || MProp {
            name: words[1].to_string(),
            ty: words[2].to_string(),
            notnull: words.contains(&"notnull"),
            nav: words[0] == "nav",
        };
        match (&cur, words[0]) {
            (Cur::Type(t), "prop" | "nav") => meta.types.get_mut(t).unwrap().props.push(prop()),
            (Cur::Type(t), "member") => meta
                .types
                .get_mut(t)
                .unwrap()
                .members
                .push(words[1].to_string()),
            (Cur::Action(a), "param") => meta.actions.get_mut(a).unwrap().push(prop()),
            _ => panic!("unexpected line: {line}"),
        }
    }
    meta
}

impl Meta {
    pub fn ty(&self, name: &str) -> &MType {
        self.types
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in the metadata subset"))
    }

    /// Whether `derived` is `base` or derives from it.
    pub fn derives(&self, derived: &str, base: &str) -> bool {
        let mut t = Some(derived.to_string());
        while let Some(name) = t {
            if name == base {
                return true;
            }
            t = self.types.get(&name).and_then(|m| m.base.clone());
        }
        false
    }
}

/// `unknownFutureValue` is the evolvable-enum sentinel: a client never sends it, and the
/// emulator refuses it (API-NOTES.md#graph-entity-sets), so no table lists it.
pub fn is_sentinel(member: &str) -> bool {
    member.eq_ignore_ascii_case("unknownFutureValue")
}
