//! The generated documentation stays current: the manual pages in `docs/man/` equal what
//! `pipelint man --dir` writes now, and the completion scripts in `docs/completions/` what
//! `pipelint completions SHELL` prints. A flag added without regenerating fails here;
//! `UPDATE_DOCS=1 cargo test --test docs_current` rewrites them.

mod common;

use std::path::Path;

use common::{pipelint, run};

fn update() -> bool {
    std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1")
}

#[test]
fn the_manual_pages_are_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(pipelint().args(["man", "--dir"]).arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut fresh: Vec<String> = std::fs::read_dir(dir.path())
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    fresh.sort();
    assert!(fresh.contains(&"pipelint.1".to_string()));
    assert!(fresh.contains(&"pipelint-audit.1".to_string()));
    assert!(fresh.contains(&"pipelint-history-add.1".to_string()));
    let committed = Path::new("docs/man");
    if update() {
        let _ = std::fs::remove_dir_all(committed);
        std::fs::create_dir_all(committed).expect("docs/man");
        for name in &fresh {
            std::fs::copy(dir.path().join(name), committed.join(name)).expect("copy");
        }
    }
    let mut kept: Vec<String> = std::fs::read_dir(committed)
        .expect("docs/man exists (UPDATE_DOCS=1 cargo test --test docs_current)")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(
        kept, fresh,
        "docs/man/ has other pages than `pipelint man --dir` writes: UPDATE_DOCS=1 cargo test --test docs_current"
    );
    for name in &fresh {
        let now = std::fs::read(dir.path().join(name)).expect("fresh page");
        let then = std::fs::read(committed.join(name)).expect("committed page");
        assert!(
            now == then,
            "docs/man/{name} is out of date: UPDATE_DOCS=1 cargo test --test docs_current"
        );
    }
    // `pipelint man` prints the program's page.
    let r = run(pipelint().arg("man"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.as_bytes(),
        std::fs::read(committed.join("pipelint.1")).expect("pipelint.1")
    );
    assert!(r.stdout.contains(".TH pipelint 1"), "{}", r.stdout);
}

#[test]
fn the_completion_scripts_are_current() {
    let scripts = [
        ("bash", "pipelint.bash"),
        ("zsh", "_pipelint"),
        ("fish", "pipelint.fish"),
        ("powershell", "_pipelint.ps1"),
        ("elvish", "pipelint.elv"),
    ];
    let committed = Path::new("docs/completions");
    for (shell, file) in scripts {
        let r = run(pipelint().args(["completions", shell]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("pipelint"), "{shell}: {}", r.stdout);
        let path = committed.join(file);
        if update() {
            std::fs::create_dir_all(committed).expect("docs/completions");
            std::fs::write(&path, &r.stdout).expect("write");
        }
        let then = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            then == r.stdout,
            "docs/completions/{file} is out of date: UPDATE_DOCS=1 cargo test --test docs_current"
        );
    }
    // Every subcommand and an option of audit are completed in bash.
    let bash = std::fs::read_to_string(committed.join("pipelint.bash")).expect("bash");
    for word in ["audit", "act", "outbox", "man", "--owner", "--as-of"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
}
