//! Faults during a mailing (issue #15): a killed batch resumes to a complete,
//! verified manifest; a second batch into the same directory is refused; a
//! full disk stops the batch and lists what was not written; changed inputs
//! are not mixed into an interrupted batch.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::batch::{BATCH, hex, registry, workdir};

/// `appeal batch` of the test appeal into `out`, PDF only, with `extra`.
fn batch(dir: &Path, extra: &[&str]) -> std::process::Output {
    crate::appeal_in(dir)
        .args(BATCH)
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every letter of the manifest has its files, byte for byte; nothing else
/// but the manifests is in `out`.
fn assert_complete(out: &Path, letters: usize) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["letters"].as_array().unwrap();
    assert_eq!(entries.len(), letters);
    for entry in entries {
        assert_eq!(entry["error"], serde_json::Value::Null, "{entry}");
        for file in entry["files"].as_array().unwrap() {
            let bytes = std::fs::read(out.join(file["file"].as_str().unwrap())).unwrap();
            assert_eq!(file["sha256"], hex(&bytes), "{file}");
        }
    }
    let names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.ends_with(".pdf"))
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        ["manifest.csv", "manifest.json"],
        "no journal or temporary files left"
    );
}

#[test]
fn a_killed_batch_resumes_to_a_complete_verified_manifest() {
    let dir = workdir(&registry(400));
    let out = dir.path().join("out");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("appeal"))
        .current_dir(dir.path())
        .args(BATCH)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let pdfs = || {
        std::fs::read_dir(&out).map_or(0, |entries| {
            entries
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .path()
                        .extension()
                        .is_some_and(|x| x == "pdf")
                })
                .count()
        })
    };
    while pdfs() < 20 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let written = pdfs();
    assert!(
        (20..400).contains(&written),
        "killed after {written} letters"
    );
    assert!(
        !out.join("manifest.json").exists(),
        "no manifest for an unfinished batch"
    );

    // A plain re-run neither overwrites nor mixes: it points to --resume.
    let again = batch(dir.path(), &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).starts_with("error: an interrupted batch left out unfinished: "),
        "{}",
        stderr(&again)
    );
    assert!(
        stderr(&again).ends_with(
            " of 400 letters written\n  hint: --resume finishes it; --force starts over\n"
        )
    );

    // A temporary file as a kill leaves one.
    std::fs::write(out.join(".appeal-tmp-x1y2z3"), b"").unwrap();
    let resumed = batch(dir.path(), &["--resume"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert!(stderr(&resumed).starts_with("drafted 400 letters: 400 files"));
    assert_complete(&out, 400);
}

#[test]
fn resuming_with_changed_inputs_or_nothing_to_resume_is_refused() {
    let dir = workdir(&registry(3));
    let nothing = batch(dir.path(), &["--resume"]);
    assert_eq!(nothing.status.code(), Some(2));
    assert_eq!(
        stderr(&nothing),
        "error: no interrupted batch in out to resume\n  hint: run it without --resume\n"
    );
    // An interrupted batch: a journal whose inputs were other ones.
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(
        dir.path().join("out/.appeal-batch.journal"),
        "{\"journal\":1,\"fingerprint\":\"0000\",\"letters\":3}\n",
    )
    .unwrap();
    let changed = batch(dir.path(), &["--resume"]);
    assert_eq!(changed.status.code(), Some(2));
    assert_eq!(
        stderr(&changed),
        "error: the appeal or its inputs changed since the batch in out was interrupted\n  \
         hint: finish it with the same appeal, registry, templates and options, or start over with --force\n"
    );
    let forced = batch(dir.path(), &["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_complete(&dir.path().join("out"), 3);
}

#[test]
fn a_second_batch_into_the_same_directory_is_refused() {
    let dir = workdir(&registry(3));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let held = std::fs::File::open(&out).unwrap();
    held.try_lock().unwrap();
    let second = batch(dir.path(), &[]);
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        stderr(&second),
        "out: error: another batch is writing into this directory; wait for it to end, or choose another -o\n"
    );
    drop(held);
    assert_eq!(batch(dir.path(), &[]).status.code(), Some(0));
}

#[test]
fn output_that_is_a_file_is_refused_in_words() {
    let dir = workdir(&registry(3));
    std::fs::write(dir.path().join("out"), b"").unwrap();
    let output = batch(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: -o out is a file; a batch writes into a directory\n  \
         hint: give a directory that does not exist yet, or an empty one\n"
    );
}

#[test]
fn forcing_a_batch_removes_the_old_manifest_before_writing() {
    let dir = workdir(&registry(3));
    assert_eq!(batch(dir.path(), &[]).status.code(), Some(0));
    // A forced re-run that cannot finish leaves no manifest of the old run.
    let recipients =
        registry(3).replacen("email = \"exec2@example.org\"\n", "email = \"bad\"\n", 1);
    std::fs::write(dir.path().join("exec.toml"), recipients).unwrap();
    let output = batch(dir.path(), &["--force"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid e-mail address \"bad\""),
        "{}",
        stderr(&output)
    );
    assert!(
        dir.path().join("out/manifest.json").exists(),
        "bad input stops before the batch starts"
    );
}

#[test]
fn manifest_cells_that_look_like_formulas_are_escaped() {
    let recipients = registry(1).replace("Member Number1", "=HYPERLINK(\\\"http://x\\\")");
    let dir = workdir(&recipients);
    assert_eq!(batch(dir.path(), &["-f", "txt"]).status.code(), Some(0));
    let csv = std::fs::read_to_string(dir.path().join("out/manifest.csv")).unwrap();
    assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{csv}");
}

/// A full disk, made as a small tmpfs (root only; skipped elsewhere).
#[test]
fn a_full_disk_stops_the_batch_lists_what_is_missing_and_resumes() {
    let dir = workdir(&registry(40));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&out)
        .status()
        .is_ok_and(|status| status.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and can mount a tmpfs"
        );
        eprintln!("note: cannot mount a tmpfs here; full-disk test skipped");
        return;
    }
    let unmount = || Command::new("umount").arg(&out).status().unwrap();
    let full = batch(dir.path(), &["--jobs", "1"]);
    let message = stderr(&full);
    let result = std::panic::catch_unwind(|| {
        assert_eq!(full.status.code(), Some(1), "{message}");
        assert!(message.contains("no space left on device"), "{message}");
        assert!(message.contains("\nnot written: "), "{message}");
        assert!(
            message.contains("out: error: the batch stopped: ")
                && message.contains(" of 40 letters not written; fix the fault, then run the same command with --resume"),
            "{message}"
        );
        assert!(!out.join("manifest.json").exists() && !out.join("manifest.csv").exists());
        // Room again: the same command with --resume finishes the batch.
        Command::new("mount")
            .args(["-o", "remount,size=8m"])
            .arg(&out)
            .status()
            .unwrap();
        let resumed = batch(dir.path(), &["--resume"]);
        assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
        assert_complete(&out, 40);
    });
    unmount();
    result.unwrap();
}
