//! The layers of ARCHITECTURE.md, held true: every `crate::<module>` path in src/ (`use`
//! lines, `use crate::{a, b::c}` groups and paths inside code alike; comments and string
//! literals do not count) is an import of one top-level module by another, and each must
//! be one the layer table below allows. The violations that exist today are listed in
//! `KNOWN`, each with what removes it; the list may only shrink: an entry that no longer
//! occurs fails the test until it is deleted. A new top-level module must be placed in the
//! table before anything passes. Standard library only: this reads the source as text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The bottom: plain data and words. Every module may import these; they import only each
/// other.
const FOUNDATION: &[&str] = &["values", "words", "field", "interner", "suggest", "diag"];

/// What the command line (`commands`, `cli`) may import: each other (`cli` names each
/// command's flags, which live in `commands/<command>.rs`) and everything below.
const COMMAND_LINE: &[&str] = &[
    "commands", "cli", "session", "playbook", "report", "history", "engine", "audit", "sql",
    "draft", "gate", "score", "checks", "facts", "deal", "infer", "rules", "input", "progress",
    "notify",
];

/// Top to bottom: each module and what it may import besides the foundation (`*`: anything).
#[rustfmt::skip]
const LAYERS: &[(&str, &[&str])] = &[
    ("main", &["*"]),
    ("lib", &["*"]),
    ("commands", COMMAND_LINE),
    ("cli", COMMAND_LINE),
    ("session", &["report", "history", "engine", "audit", "gate", "score", "checks", "facts", "deal", "infer", "rules", "input", "progress"]),
    ("playbook", &["report", "history", "audit", "score", "checks", "facts", "deal", "rules", "input"]),
    ("report", &["audit", "history", "score", "gate", "checks", "facts", "deal", "rules", "input", "infer"]),
    ("history", &["audit", "score", "facts", "deal", "rules", "input"]),
    ("engine", &["audit", "gate", "checks", "score", "facts", "deal", "rules", "input", "infer"]),
    ("audit", &["score", "gate", "facts", "deal", "rules", "input"]),
    ("sql", &["facts", "deal", "rules", "input", "infer"]),
    ("draft", &["facts", "deal", "rules", "input", "infer"]),
    ("gate", &["score"]),
    ("score", &["facts", "deal", "rules", "input"]),
    ("checks", &["facts", "deal", "rules", "input", "infer"]),
    ("facts", &["deal", "rules", "input", "infer"]),
    ("deal", &["rules"]),
    ("infer", &["input"]),
    ("rules", &["input", "gate"]),
    ("input", &[]),
    ("progress", &["input"]),
    ("notify", &[]),
];

/// The imports ARCHITECTURE.md forbids by name (`*`: any module below the command line).
/// The layer table forbids them already; these say why, in the failure message.
#[rustfmt::skip]
const NEVER: &[(&str, &[&str], &str)] = &[
    ("report", &["commands"], "output imports nothing above it"),
    ("report", &["engine", "session"], "reports read the audit result (audit.rs), never what produces it"),
    ("checks", &["engine", "score", "report", "history"], "checks see one row through the plan and push findings; they never import what runs or reads them"),
    ("score", &["engine", "report"], "scores are computed per row and merged; they never import what runs or shows them"),
    ("engine", &["history", "report"], "the engine produces the audit result; history and reports read it"),
    ("history", &["report", "engine"], "history stores and reads snapshots (the audit result); reports show them"),
    ("facts", &["checks", "score", "engine", "report", "history"], "facts are what a row holds; checks and scores read them, never the other way"),
    ("score", &["checks"], "scores read the facts, not the checks"),
    ("*", &["commands"], "nothing below the command line imports commands"),
];

/// The violations that exist today: (from, to, what removes it). It only ever shrinks.
#[rustfmt::skip]
const KNOWN: &[(&str, &str, &str)] = &[
];

/// One `crate::…` path: where it is, which module holds it, which it names.
struct Import {
    at: String,
    line: String,
    from: String,
    to: String,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules: src/<name>.rs and src/<name>/.
fn top_modules() -> BTreeSet<String> {
    let entries = std::fs::read_dir(src()).expect("src/");
    let names = entries.map(|e| e.expect("entry").path()).filter_map(|p| {
        let name = p.file_name()?.to_str()?.to_string();
        match name.strip_suffix(".rs") {
            Some(stem) => Some(stem.to_string()),
            None => p.is_dir().then_some(name),
        }
    });
    names.collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` with comments and string and character literals blanked (newlines kept, so line
/// numbers hold).
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let (mut out, mut i) = (String::with_capacity(text.len()), 0);
    while i < c.len() {
        match skip(&c, i) {
            Some(end) => {
                let end = end.min(c.len());
                out.extend(
                    c[i..end]
                        .iter()
                        .map(|&ch| if ch == '\n' { ch } else { ' ' }),
                );
                i = end;
            }
            None => {
                out.push(c[i]);
                i += 1;
            }
        }
    }
    out
}

/// Where the comment or literal that starts at `i` ends, if one starts there (a `'` that
/// starts no character literal is a lifetime's).
fn skip(c: &[char], i: usize) -> Option<usize> {
    let past = |from: usize, end: &[char]| {
        (from..c.len())
            .find(|&j| c[j..].starts_with(end))
            .map_or(c.len(), |j| j + end.len())
    };
    let in_ident = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
    match &c[i..] {
        ['/', '/', ..] => Some(past(i, &['\n'])),
        ['/', '*', ..] => Some(past(i + 2, &['*', '/'])),
        ['"', ..] => {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            Some(j + 1)
        }
        ['\'', '\\', ..] => Some(past(i + 3, &['\''])),
        ['\'', _, '\'', ..] => Some(i + 3),
        ['r', ..] | ['b', 'r', ..] if !in_ident => {
            let open = i + if c[i] == 'b' { 2 } else { 1 };
            let hashes = c[open..].iter().take_while(|&&ch| ch == '#').count();
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            (c.get(open + hashes) == Some(&'"')).then(|| past(open + hashes + 1, &close))
        }
        _ => None,
    }
}

/// The names a `crate::` path begins with at `at`: one, or each item of a `{…}` group.
fn first_names(code: &str, at: usize) -> Vec<String> {
    let rest = code[at..].trim_start();
    let word = |s: &str| {
        s.trim_start()
            .chars()
            .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
            .collect::<String>()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![word(rest)];
    };
    let (mut names, mut depth, mut item_start) = (vec![word(group)], 0, false);
    for (i, ch) in group.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            _ if item_start && !ch.is_whitespace() => {
                names.push(word(&group[i..]));
                item_start = false;
            }
            _ => {}
        }
    }
    names.into_iter().filter(|n| !n.is_empty()).collect()
}

/// Every import of one top-level module by another; a crate-root item (`crate::AuditRequest`)
/// is an import of `lib`.
fn imports() -> Vec<Import> {
    let modules = top_modules();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(src())
            .expect("under src/")
            .to_string_lossy()
            .replace('\\', "/");
        let top = rel.split('/').next().expect("a path");
        let from = top.strip_suffix(".rs").unwrap_or(top).to_string();
        let text = std::fs::read_to_string(&file).expect("read");
        let code = code_only(&text);
        let lines: Vec<&str> = text.lines().collect();
        for (at, _) in code.match_indices("crate::") {
            if code[..at].ends_with(|ch: char| ch.is_alphanumeric() || ch == '_' || ch == '$') {
                continue;
            }
            let line = code[..at].matches('\n').count() + 1;
            for name in first_names(&code, at + "crate::".len()) {
                let to = if modules.contains(&name) {
                    name
                } else {
                    "lib".to_string()
                };
                if to != from {
                    let text = lines.get(line - 1).map_or("", |l| l.trim()).to_string();
                    found.push(Import {
                        at: format!("src/{rel}:{line}"),
                        line: text,
                        from: from.clone(),
                        to,
                    });
                }
            }
        }
    }
    found
}

fn allowed(from: &str, to: &str) -> bool {
    if FOUNDATION.contains(&from) {
        return FOUNDATION.contains(&to);
    }
    let layer = LAYERS.iter().find(|(m, _)| *m == from);
    FOUNDATION.contains(&to)
        || layer.is_some_and(|(_, may)| may.contains(&"*") || may.contains(&to))
}

fn rule(from: &str, to: &str) -> String {
    let layer = match LAYERS.iter().find(|(m, _)| *m == from) {
        Some((_, may)) => format!("{from} may import {} and the foundation", may.join(", ")),
        None if FOUNDATION.contains(&from) => {
            format!(
                "{from} is foundation: it imports only {}",
                FOUNDATION.join(", ")
            )
        }
        None => format!("{from} is in no layer"),
    };
    let never = NEVER
        .iter()
        .find(|(f, never, _)| (*f == from || *f == "*") && never.contains(&to));
    match never {
        Some((_, _, why)) => format!("{layer}; {why}"),
        None => layer,
    }
}

#[test]
fn no_module_imports_above_its_layer() {
    let broken: Vec<String> = imports()
        .into_iter()
        .filter(|i| {
            !allowed(&i.from, &i.to) && !KNOWN.iter().any(|(f, t, _)| *f == i.from && *t == i.to)
        })
        .map(|i| {
            format!(
                "{}: `{}`: {} → {}: {}",
                i.at,
                i.line,
                i.from,
                i.to,
                rule(&i.from, &i.to)
            )
        })
        .collect();
    assert!(
        broken.is_empty(),
        "imports the layers do not allow (ARCHITECTURE.md):\n{}",
        broken.join("\n")
    );
}

#[test]
fn every_known_violation_still_exists() {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for i in imports() {
        *seen.entry((i.from, i.to)).or_default() += 1;
    }
    for (from, to, why) in KNOWN {
        assert!(
            !allowed(from, to),
            "KNOWN {from} → {to} is allowed by LAYERS: delete one of them"
        );
        let key = (from.to_string(), to.to_string());
        assert!(
            seen.contains_key(&key),
            "{from} → {to} no longer occurs ({why}): delete it from KNOWN and ARCHITECTURE.md"
        );
    }
}

#[test]
fn every_module_is_placed_in_a_layer() {
    let placed: BTreeSet<String> = LAYERS
        .iter()
        .map(|(m, _)| *m)
        .chain(FOUNDATION.iter().copied())
        .map(String::from)
        .collect();
    let modules = top_modules();
    let unplaced: Vec<&String> = modules.difference(&placed).collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer: {unplaced:?} (place them in LAYERS and ARCHITECTURE.md)"
    );
    let gone: Vec<&String> = placed.difference(&modules).collect();
    assert!(
        gone.is_empty(),
        "the layer table names modules src/ does not have: {gone:?}"
    );
}
