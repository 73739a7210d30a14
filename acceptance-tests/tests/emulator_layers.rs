//! The emulator's modules import each other without a cycle, and its lower floors never call up.
//!
//! Reads the sources under `src/emulator/`, builds the module graph from the paths they name
//! (`use crate::emulator::…`, `super::…` anywhere, `self::x::…` and a declared child module
//! `x::…`) and fails naming every cycle.
//!
//! A module is a file or a folder of the emulator, and, inside `graph/` and `exchange/` (one
//! module per object or cmdlet family), each file or folder there; anything deeper counts as
//! the folder it is in (a family's own files may use each other). `graph/mod.rs` and
//! `exchange/mod.rs` are the facades `graph` and `exchange`, `mod.rs` is `emulator`.
//!
//! The layering on top of "no cycle":
//! * the ground floor (`vocab`, `util`) uses no other module;
//! * the store (`store`, `clock`, `state`) uses only the ground floor and itself;
//! * nothing but the facade `emulator` and the binary uses the facade `emulator`, nothing but
//!   `emulator` uses `graph`, `exchange` or `teams` (their families use the API's envelope
//!   instead; `teams` is one folder, its family files count as the facade).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: its module path (`["graph", "ca", "validate"]`; `mod.rs` is its folder).
struct Source {
    module: Vec<String>,
    text: String,
}

fn sources(root: &Path) -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap();
            let mut module: Vec<String> = rel
                .iter()
                .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            Source {
                module,
                text: std::fs::read_to_string(&p).unwrap(),
            }
        })
        .collect()
}

/// The graph node a module belongs to.
fn node(module: &[String]) -> String {
    match module {
        [] => "emulator".to_string(),
        [api, family, ..] if api == "graph" || api == "exchange" => format!("{api}/{family}"),
        [m, ..] => m.clone(),
    }
}

/// Code without comments (line comments and doc comments), string literals' contents and the
/// unit tests at the end of a file (their `super` is the file itself).
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::new();
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                kept.push(c);
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first segments of each item of a `{a::b, c, d::{e}}` group starting at `s` (after `{`).
fn group_heads(s: &str) -> Vec<Vec<String>> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item = String::new();
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                item.push(c);
            }
            '}' if depth == 0 => break,
            '}' => {
                depth -= 1;
                item.push(c);
            }
            ',' if depth == 0 => {
                heads.push(std::mem::take(&mut item));
            }
            _ => item.push(c),
        }
    }
    heads.push(item);
    heads
        .iter()
        .map(|i| {
            i.trim()
                .split("::")
                .map(|seg| ident_at(seg.trim()).to_string())
                .take_while(|seg| !seg.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// The absolute paths (from the emulator root) a file names.
fn referenced(src: &Source, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let code = code(&src.text);
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let boundary = |i: usize| {
        i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':')
    };
    let mut push = |base: Vec<String>, rest: &str| {
        if let Some(group) = rest.strip_prefix('{') {
            for head in group_heads(group) {
                let mut p = base.clone();
                p.extend(head.into_iter().filter(|s| s != "self"));
                out.push(p);
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let mut p = base;
            p.extend(
                rest[..end]
                    .split("::")
                    .map(ident_at)
                    .take_while(|s| !s.is_empty())
                    .map(str::to_string),
            );
            out.push(p);
        }
    };
    for (i, _) in code.match_indices("crate::emulator::") {
        if boundary(i) {
            push(Vec::new(), &code[i + "crate::emulator::".len()..]);
        }
    }
    for (i, _) in code.match_indices("super::") {
        if !boundary(i) {
            continue;
        }
        let mut rest = &code[i..];
        let mut base = src.module.clone();
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        push(base, rest);
    }
    for (i, _) in code.match_indices("self::") {
        if boundary(i) {
            push(src.module.clone(), &code[i + "self::".len()..]);
        }
    }
    // A child module named bare (`ca::routes()`, `use cmdlet::Cmdlet`).
    for child in children {
        let pat = format!("{child}::");
        for (i, _) in code.match_indices(&pat) {
            if boundary(i) {
                let mut base = src.module.clone();
                base.push(child.clone());
                push(base, &code[i + pat.len()..]);
            }
        }
    }
    out
}

/// The module graph: node -> nodes it uses (self-uses left out).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emulator");
    let srcs = sources(&root);
    let modules: BTreeSet<Vec<String>> = srcs.iter().map(|s| s.module.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for src in &srcs {
        let from = node(&src.module);
        graph.entry(from.clone()).or_default();
        let children: BTreeSet<String> = modules
            .iter()
            .filter(|m| m.len() == src.module.len() + 1 && m.starts_with(&src.module))
            .map(|m| m.last().unwrap().clone())
            .collect();
        for path in referenced(src, &children) {
            // The longest prefix that is a module is what is used.
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains(p))
                .unwrap_or_default();
            let to = node(&target);
            if to != from {
                graph.get_mut(&from).unwrap().insert(to);
            }
        }
    }
    graph
}

/// Every cycle's nodes, one strongly connected component each (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

/// One concrete cycle through `comp` (for the message): a path back to its first node.
fn a_cycle(graph: &BTreeMap<String, BTreeSet<String>>, comp: &[String]) -> String {
    let inside: BTreeSet<&str> = comp.iter().map(String::as_str).collect();
    let start = comp[0].as_str();
    // Breadth-first from the start's successors back to the start, inside the component.
    let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph[v].iter().map(String::as_str) {
            if !inside.contains(w) || prev.contains_key(w) {
                continue;
            }
            prev.insert(w, v);
            if w == start {
                let mut path = vec![start];
                let mut at = v;
                while at != start {
                    path.push(at);
                    at = prev[at];
                }
                path.push(start);
                path.reverse();
                return path.join(" -> ");
            }
            queue.push_back(w);
        }
    }
    comp.join(", ")
}

#[test]
fn the_emulator_modules_have_no_import_cycle() {
    let graph = module_graph();
    let found = cycles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|c| format!("{} (all of: {})", a_cycle(&graph, c), c.join(", ")))
        .collect();
    assert!(
        described.is_empty(),
        "the emulator's modules import each other in a cycle:\n  {}",
        described.join("\n  ")
    );
}

#[test]
fn lower_floors_never_use_upper_ones() {
    let graph = module_graph();
    let ground = ["vocab", "util"];
    let store = ["store", "clock", "state"];
    let mut wrong = Vec::new();
    for (from, tos) in &graph {
        for to in tos {
            let allowed = if ground.contains(&from.as_str()) {
                false
            } else if store.contains(&from.as_str()) {
                ground.contains(&to.as_str()) || store.contains(&to.as_str())
            } else if to == "emulator" || to == "graph" || to == "exchange" || to == "teams" {
                from == "emulator"
            } else {
                true
            };
            if !allowed {
                wrong.push(format!("{from} uses {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the emulator's layering is broken:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn the_checker_sees_a_cycle() {
    // The checker itself: a cycle a -> b -> c -> a and a lone edge d -> a.
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (f, t) in [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")] {
        g.entry(f.into()).or_default().insert(t.into());
        g.entry(t.into()).or_default();
    }
    let found = cycles(&g);
    assert_eq!(found, vec![vec!["a", "b", "c"]]);
    assert_eq!(a_cycle(&g, &found[0]), "a -> b -> c -> a");
    // And it reads the kinds of paths the emulator uses.
    let src = Source {
        module: vec!["graph".into(), "ca".into(), "validate".into()],
        text: "use super::types::X;\nuse crate::emulator::{state::Shared, Api};\n\
               // super::ignored::x\nfn f() { super::super::odata::g(); }\n"
            .into(),
    };
    let refs = referenced(&src, &BTreeSet::new());
    let heads: Vec<String> = refs.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        heads,
        [
            "state::Shared",
            "Api",
            "graph::ca::types::X",
            "graph::odata::g"
        ]
    );
}
