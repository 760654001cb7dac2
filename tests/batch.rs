//! `appeal batch`: a generated 50-recipient mailing checked file by file
//! and against its manifest; overwrite rules; mail drafts parsed back.

use std::path::Path;

use mail_parser::MimeHeaders;
use predicates::prelude::*;
use sha2::{Digest, Sha256};

use crate::appeal_in;

pub const APPEAL: &str = r#"template = "solidarity-appeal"
language = "en"
date = 2026-11-23
place = "Minsk"
recipients = ["tag:exec"]
demands = ["publicly condemn the arrests", "raise the cases with the ILO"]
[sender]
organisation = "Free Metalworkers' Union (SPM)"
email = "spm@example.org"
[signatory]
name = "Aleksandr Bukhvostov"
title = "Chairman"
"#;

/// A registry of `n` executive members, every third with a Cyrillic name.
pub fn registry(n: usize) -> String {
    (1..=n)
        .map(|i| {
            let name = if i % 3 == 0 { format!("Иван Петров-{i}") } else { format!("Member Number{i}") };
            format!(
                "[[recipient]]\nid = \"exec-{i:02}\"\nhonorific = \"Mr.\"\nname = \"{name}\"\ntitle = \"Member of the Executive\"\n\
                 organisation = \"Union {i}\"\naddress = [\"Street {i}\", \"City\"]\ncountry = \"Country\"\n\
                 email = \"exec{i}@example.org\"\nlanguage = \"en\"\ntags = [\"exec\"]\n\n"
            )
        })
        .collect()
}

pub fn workdir(recipients: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("appeal.toml"), APPEAL).unwrap();
    std::fs::write(dir.path().join("exec.toml"), recipients).unwrap();
    dir
}

/// `appeal batch` of the test appeal and registry (see [`workdir`]) into `out`.
pub const BATCH: [&str; 6] = [
    "batch",
    "appeal.toml",
    "--recipients",
    "exec.toml",
    "-o",
    "out",
];

fn batch(dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    appeal_in(dir)
        .args(BATCH)
        .args(["-f", "pdf,txt,eml"])
        .args(extra)
        .assert()
}

pub fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn fifty_letters_match_their_manifest_file_by_file() {
    let dir = workdir(&registry(50));
    batch(dir.path(), &[]).success().stderr(
        predicate::str::is_match(
            r"^drafted 50 letters: 150 files, \d+ KB, in \d+\.\d\d s; 0 skipped\n$",
        )
        .unwrap(),
    );
    let out = dir.path().join("out");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let letters = manifest["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 50);
    for (i, letter) in letters.iter().enumerate() {
        let n = i + 1;
        assert_eq!(letter["id"], format!("exec-{n:02}"));
        assert_eq!(letter["email"], format!("exec{n}@example.org"));
        assert_eq!(
            letter["address"],
            serde_json::json!([format!("Street {n}"), "City", "Country"])
        );
        assert_eq!(letter["error"], serde_json::Value::Null);
        let files = letter["files"].as_array().unwrap();
        let names: Vec<&str> = files.iter().map(|f| f["file"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                format!("exec-{n:02}.pdf"),
                format!("exec-{n:02}.txt"),
                format!("exec-{n:02}.eml")
            ]
        );
        for file in files {
            let bytes = std::fs::read(out.join(file["file"].as_str().unwrap())).unwrap();
            assert_eq!(file["bytes"], bytes.len());
            assert_eq!(file["sha256"], hex(&bytes));
        }
        let text = std::fs::read_to_string(out.join(format!("exec-{n:02}.txt"))).unwrap();
        // An English salutation takes no Cyrillic surname: the office instead.
        let salutation = if n % 3 == 0 {
            "Dear Member of the Executive,".to_owned()
        } else {
            format!("Dear Mr. Number{n},")
        };
        assert!(text.contains(&salutation), "{text}");
    }
    let csv = std::fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 150);
    assert!(csv.starts_with(
        "id,name,organisation,email,address,language,format,file,bytes,sha256,redacted,error\n"
    ));
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        152,
        "no stray or temporary files"
    );
}

#[test]
fn drafts_parse_back_with_the_pdf_attached() {
    let dir = workdir(&registry(3));
    batch(dir.path(), &[]).success();
    let out = dir.path().join("out");
    let raw = std::fs::read(out.join("exec-03.eml")).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some("Иван Петров-3"));
    assert_eq!(to.address(), Some("exec3@example.org"));
    assert_eq!(
        message.from().unwrap().first().unwrap().address(),
        Some("spm@example.org")
    );
    assert_eq!(
        message.subject(),
        // The subject as the letter prints it.
        Some("Free Metalworkers’ Union (SPM) calls for international solidarity")
    );
    assert!(
        message
            .body_text(0)
            .unwrap()
            .contains("Dear Member of the Executive,")
    );
    // The body is the text rendering, typeset as the PDF is.
    assert!(
        message
            .body_text(0)
            .unwrap()
            .starts_with("Free Metalworkers’ Union (SPM)")
    );
    let attachment = message.attachment(0).unwrap();
    assert_eq!(attachment.attachment_name(), Some("exec-03.pdf"));
    assert_eq!(
        attachment.contents(),
        std::fs::read(out.join("exec-03.pdf")).unwrap().as_slice()
    );
}

#[test]
fn existing_files_are_kept_unless_forced() {
    let dir = workdir(&registry(2));
    batch(dir.path(), &[]).success();
    let pdf = dir.path().join("out/exec-01.pdf");
    std::fs::write(&pdf, b"mine").unwrap();
    batch(dir.path(), &[]).code(2).stderr(
        "error: 8 files exist, out/exec-01.pdf and others\n  hint: use --force to overwrite, or another -o\n",
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), b"mine");
    batch(dir.path(), &["--force"]).success();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn dry_run_writes_nothing() {
    let dir = workdir(&registry(2));
    batch(dir.path(), &["--dry-run"]).success().stdout(
        "exec-01 (en): out/exec-01.pdf, out/exec-01.txt, out/exec-01.eml\n\
         exec-02 (en): out/exec-02.pdf, out/exec-02.txt, out/exec-02.eml\n\
         out/manifest.csv\nout/manifest.json\n",
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_bad_recipient_fails_alone_and_header_injection_is_refused() {
    // A line break in a name, which a mail header would take as the start
    // of another header, is refused where it is, before any letter.
    let injected = registry(3).replacen(
        "name = \"Member Number2\"",
        "name = \"Eve\\r\\nBcc: victim@example.org\"",
        1,
    );
    let dir = workdir(&injected);
    batch(dir.path(), &[]).code(2).stderr(
        "exec.toml:16:8: error: line break in recipient[1].name\n  \
         hint: write it on one line: it is printed as one (an address takes a line per element of `address`)\n",
    );
    assert!(!dir.path().join("out").exists());
    // A recipient with no e-mail address fails alone.
    let recipients = registry(3).replacen("email = \"exec1@example.org\"\n", "", 1);
    let dir = workdir(&recipients);
    batch(dir.path(), &[]).code(2).stderr(predicate::str::starts_with(
        "error: letter to exec-01: no e-mail address for recipient \"exec-01\"; hint: add email = \"…\" to its registry entry or [[recipient]], or leave eml out of --format\n",
    ));
    // The same failure for programs: each letter's diagnostics whole.
    let output = batch(dir.path(), &["--force", "--message-format", "json"]).code(2);
    let json: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["no-email", "letters-failed"]);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "letter to exec-01: no e-mail address for recipient \"exec-01\""
    );
    let out = dir.path().join("out");
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "exec-02.eml",
            "exec-02.pdf",
            "exec-02.txt",
            "exec-03.eml",
            "exec-03.pdf",
            "exec-03.txt",
            "manifest.csv",
            "manifest.json"
        ]
    );
    let csv = std::fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert!(csv.contains("no e-mail address"), "{csv}");
}

#[test]
fn ids_that_differ_only_in_case_get_distinct_files() {
    let recipients = "[[recipient]]\nid = \"Exec\"\norganisation = \"A\"\ntags = [\"exec\"]\n\n\
                      [[recipient]]\nid = \"exec\"\norganisation = \"B\"\ntags = [\"exec\"]\n";
    let dir = workdir(recipients);
    appeal_in(dir.path())
        .args(BATCH)
        .args(["-f", "txt"])
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(dir.path().join("out/Exec.txt"))
            .unwrap()
            .contains("\nA\n")
    );
    assert!(
        std::fs::read_to_string(dir.path().join("out/exec-2.txt"))
            .unwrap()
            .contains("\nB\n")
    );
}

#[test]
fn eml_without_a_sender_address_stops_before_writing() {
    let dir = workdir(&registry(2));
    std::fs::write(
        dir.path().join("appeal.toml"),
        APPEAL.replace("email = \"spm@example.org\"\n", ""),
    )
    .unwrap();
    batch(dir.path(), &[]).code(2).stderr(
        "error: mail drafts (eml) need the sender's e-mail address\n  hint: add email = \"…\" under [sender], or leave eml out of --format\n",
    );
    assert!(!dir.path().join("out").exists());
}
