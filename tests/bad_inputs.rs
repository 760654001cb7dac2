//! One folder per invalid input under tests/bad_inputs/: each is rendered by
//! the CLI (with the arguments in its `args` file, if any), must exit
//! non-zero without writing anything, and its message is a snapshot
//! (tests/snapshots/).

use std::path::Path;

use crate::appeal_in;

#[test]
fn each_bad_input_gives_its_exact_error_and_no_output() {
    insta::glob!("bad_inputs/*/appeal.toml", |path| {
        let case = path.parent().unwrap();
        let work = tempfile::tempdir().unwrap();
        copy_dir(case, work.path());
        // Extra arguments, such as `-f pdf`, in the case's `args` file.
        let args = std::fs::read_to_string(case.join("args")).unwrap_or_default();
        let output = appeal_in(work.path())
            .args([
                "render",
                "appeal.toml",
                "--date",
                "2026-11-23",
                "-o",
                "out/",
            ])
            .args(args.split_whitespace())
            .output()
            .unwrap();
        assert!(
            !work.path().join("out").exists(),
            "{} wrote output",
            case.display()
        );
        let report = format!(
            "exit code: {}\n{}",
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stderr)
        );
        insta::assert_snapshot!(report);
    });
}

/// Copies a case's files and folders (a `tpl/` of templates, say).
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap().path();
        let target = to.join(entry.file_name().unwrap());
        if entry.is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_dir(&entry, &target);
        } else {
            std::fs::copy(&entry, target).unwrap();
        }
    }
}

#[test]
fn a_five_megabyte_appeal_is_refused_before_parsing() {
    let work = tempfile::tempdir().unwrap();
    let paragraph = "The authorities detained union activists. ".repeat(120_000);
    let text = format!(
        "template = \"ilo-intervention\"\ndate = 2021-03-01\nrecipients = [\"ilo-dg\"]\nbody = \"\"\"\n{paragraph}\n\"\"\"\n\
         [sender]\norganisation = \"U\"\n[signatory]\nname = \"S\"\n"
    );
    assert!(text.len() > 5_000_000);
    std::fs::write(work.path().join("appeal.toml"), text).unwrap();
    appeal_in(work.path())
        .args(["render", "appeal.toml", "-o", "out/"])
        .assert()
        .code(2)
        .stderr(
            "error: appeal.toml is 4.8 MiB; an appeal file is at most 1 MiB\n  \
             hint: a letter of hundreds of pages is likely a pasted file; many recipients belong in a --recipients file\n",
        );
    assert!(!work.path().join("out").exists());
}
