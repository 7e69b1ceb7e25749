//! The owners report writes only files it wrote before (those that start with its marker
//! line) and new ones, and at most 1,000 owner files.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

const Q4: &str = "fixtures/salesforce_q4_pipeline.csv";
const MARKER: &str = "<!-- pipelint owners: generated, rewritten on every run -->";

/// Every entry of `dir`: its name and, for a regular file, its text (a symlink as `-> TARGET`).
fn entries(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            let text = match std::fs::read_link(e.path()) {
                Ok(to) => format!("-> {}", to.display()),
                Err(_) => std::fs::read_to_string(e.path()).expect("text"),
            };
            (name, text)
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn the_owners_report_overwrote_files_it_did_not_write() {
    // It replaced an input named index.md, the rules file and a hand-written note.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("owners");
    std::fs::create_dir(&out).expect("mkdir");
    let export = out.join("index.md");
    std::fs::copy(Q4, &export).expect("copy");
    let rules = out.join("dana-whitfield.md");
    std::fs::write(&rules, "[input]\npreset = \"salesforce\"\n").expect("rules");
    std::fs::write(out.join("unassigned.md"), "my own notes\n").expect("note");
    let elsewhere = temp_file(&dir, "elsewhere.txt", "not a list\n");
    std::os::unix::fs::symlink(&elsewhere, out.join("priya-raman.md")).expect("symlink");
    let before = entries(&out);
    let owners = || {
        run(pipelint()
            .arg("audit")
            .arg(&export)
            .arg("-r")
            .arg(&rules)
            .args(["--as-of", AS_OF, "-q", "--report"])
            .arg(format!("owners={}", out.display())))
    };
    let r = owners();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let after = entries(&out);
    for (name, text) in &before {
        assert_eq!(after.get(name), Some(text), "{name} is untouched");
    }
    assert_eq!(
        std::fs::read_to_string(&elsewhere).expect("elsewhere"),
        "not a list\n"
    );
    let written: Vec<&str> = after
        .keys()
        .filter(|n| !before.contains_key(*n))
        .map(String::as_str)
        .collect();
    assert_eq!(
        written,
        [
            "dana-whitfield-2.md",
            "index-2.md",
            "marcus-oyelaran.md",
            "priya-raman-2.md",
            "tomás-ibáñez.md",
            "unassigned-2.md",
        ]
    );
    for name in &written {
        assert!(after[*name].starts_with(MARKER), "{name}");
    }
    // Each clash is said on stderr and in the index, which links the suffixed files.
    let index = &after["index-2.md"];
    for (left, used) in [
        ("index.md", "index-2.md"),
        ("dana-whitfield.md", "dana-whitfield-2.md"),
        ("priya-raman.md", "priya-raman-2.md"),
        ("unassigned.md", "unassigned-2.md"),
    ] {
        assert!(
            r.stderr.contains(left) && r.stderr.contains(used),
            "{left}: {}",
            r.stderr
        );
        assert!(index.contains(&format!("`{left}`")), "{left}: {index}");
    }
    assert!(
        index.contains("[Dana Whitfield](dana-whitfield-2.md)"),
        "{index}"
    );
    assert!(index.contains("[(no owner)](unassigned-2.md)"), "{index}");
    // A second run writes the same files, and leaves the same ones alone.
    let r = owners();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(entries(&out), after);
}

#[test]
fn the_owners_report_wrote_one_file_per_owner_without_limit() {
    // 50,000 owners wrote 50,001 files.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = String::from(
        "Ref,Deal,Customer,Rep,Phase,Value,Expected Close,Next Action,Region,PO Number,Discount\n",
    );
    // Each owner one deal with an unreadable amount (an error); the last 50 owners two. (An
    // amount empty on every row would be no error: IN010 leaves such a column out.)
    for i in 0..1_150 {
        let owner = if i < 1_100 { i } else { i - 50 };
        csv.push_str(&format!(
            "D-{i},Deal {i},Acme,Owner {owner:04},Demo,n.a.,15/01/2027,,EMEA,,\n"
        ));
    }
    let csv = temp_file(&dir, "many.csv", csv);
    let out = dir.path().join("owners");
    let r = audit(&[
        &csv,
        "-r",
        RULES,
        "-q",
        "--report",
        &format!("owners={}", out.display()),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let files = entries(&out);
    assert_eq!(files.len(), 1_001, "1,000 owner files and the index");
    // The owners with the most deals needing action get the files, then by name.
    assert!(files.contains_key("owner-1099.md"));
    assert!(files.contains_key("owner-1050.md"));
    assert!(files.contains_key("owner-0949.md"));
    assert!(!files.contains_key("owner-0950.md"));
    assert!(
        r.stderr.contains("1,000") && r.stderr.contains("100 other owners"),
        "{}",
        r.stderr
    );
    let index = &files["index.md"];
    assert!(index.contains("100 other owners"), "{index}");
    assert!(
        index.contains("| [Owner 0949](owner-0949.md) | 1 |"),
        "{index}"
    );
    assert!(index.contains("| Owner 0950 | 1 |"), "{index}");
    assert!(
        index.contains("| [Owner 1099](owner-1099.md) | 2 |"),
        "{index}"
    );
    let rows = index
        .lines()
        .filter(|l| l.starts_with("| Owner ") || l.starts_with("| [Owner "))
        .filter(|l| !l.starts_with("| Owner |"))
        .count();
    assert_eq!(rows, 1_100, "every owner is in the index");
}
