//! The print bundle of a postal batch (issue #16): print.pdf with every
//! letter from a right-hand page, envelopes.pdf and labels.pdf, in the
//! manifest's order, made again whole when a killed batch resumes.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lopdf::Document;
use lopdf::content::Content;

use crate::batch::{BATCH, hex, registry, workdir};
use crate::fold;

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

/// The text matrices' positions of a page, points from the bottom left.
fn positions(document: &Document, page: lopdf::ObjectId) -> Vec<(f32, f32)> {
    let content = Content::decode(&document.get_page_content(page)).unwrap();
    (content.operations.iter())
        .filter(|op| op.operator == "Tm")
        .map(|op| {
            let n = |i: usize| op.operands[i].as_float().unwrap();
            (n(4), n(5))
        })
        .collect()
}

const MM: f32 = 72.0 / 25.4;

#[test]
fn print_bundle_of_a_mailing_in_the_manifests_order() {
    let dir = workdir(&registry(23));
    crate::appeal_in(dir.path())
        .args(BATCH)
        .args(["-f", "pdf", "--print", "--labels", "3x7"])
        .assert()
        .success();
    let out = dir.path().join("out");
    let manifest = manifest(&out);
    let letters = manifest["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 23);

    let print = Document::load(out.join("print.pdf")).unwrap();
    let pages = print.get_pages();
    let mut next = 1;
    for (i, entry) in letters.iter().enumerate() {
        let placed = &entry["print"];
        let first = placed["first_page"].as_u64().unwrap() as u32;
        let count = placed["pages"].as_u64().unwrap() as u32;
        // Each letter on a right-hand page, a blank verso after an odd count.
        assert_eq!(first, next, "{entry}");
        assert_eq!(first % 2, 1);
        next = first + count + count % 2;
        let text = fold(&print.extract_text(&[first]).unwrap());
        let name = entry["name"].as_str().unwrap();
        assert!(text.contains(name), "page {first}: {text}");
        assert_eq!(placed["envelope"], i + 1);
        let label =
            serde_json::json!({"sheet": i / 21 + 1, "row": i % 21 / 3 + 1, "column": i % 3 + 1});
        assert_eq!(placed["label"], label);
    }
    assert_eq!(pages.len() as u32, next - 1, "an even count of pages");

    // One DL envelope per letter: the address from the middle, 15 mm clear of the foot.
    let envelopes = Document::load(out.join("envelopes.pdf")).unwrap();
    let pages = envelopes.get_pages();
    assert_eq!(pages.len(), 23);
    for (i, (number, page)) in pages.iter().enumerate() {
        let media = envelopes
            .get_dictionary(*page)
            .unwrap()
            .get(b"MediaBox")
            .unwrap();
        let media: Vec<f32> = (media.as_array().unwrap().iter())
            .map(|n| n.as_float().unwrap())
            .collect();
        assert!((media[2] - 220.0 * MM).abs() < 0.01 && (media[3] - 110.0 * MM).abs() < 0.01);
        let address: Vec<(f32, f32)> = (positions(&envelopes, *page).into_iter())
            .filter(|(x, _)| (*x - 110.0 * MM).abs() < 0.01)
            .collect();
        assert!(address.len() >= 4, "{address:?}");
        assert!(
            address
                .iter()
                .all(|(_, y)| *y > 15.0 * MM && *y < 70.0 * MM)
        );
        let text = fold(&envelopes.extract_text(&[*number]).unwrap());
        let name = letters[i]["name"].as_str().unwrap();
        assert!(text.contains(name), "{text}");
    }

    // 23 labels: a full sheet of 21 and one of 2.
    let labels = Document::load(out.join("labels.pdf")).unwrap();
    assert_eq!(labels.get_pages().len(), 2);
    let text = fold(&labels.extract_text(&[2]).unwrap());
    assert!(
        text.contains("Union 22") && text.contains("Union 23"),
        "{text}"
    );

    // The bundle's files in the manifest, with their hashes.
    let bundle = manifest["bundle"].as_array().unwrap();
    let names: Vec<&str> = bundle.iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(names, ["print.pdf", "envelopes.pdf", "labels.pdf"]);
    for file in bundle {
        let bytes = std::fs::read(out.join(file["file"].as_str().unwrap())).unwrap();
        assert_eq!(file["sha256"], hex(&bytes));
    }
}

#[test]
fn other_envelopes_and_label_sheets() {
    let dir = workdir(&registry(4));
    crate::appeal_in(dir.path())
        .args(BATCH)
        .args([
            "-f",
            "pdf",
            "--print",
            "--envelope",
            "us10",
            "--labels",
            "avery5160",
        ])
        .assert()
        .success();
    let out = dir.path().join("out");
    let envelopes = Document::load(out.join("envelopes.pdf")).unwrap();
    let page = envelopes.page_iter().next().unwrap();
    let media = envelopes
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .clone();
    let width = media.as_array().unwrap()[2].as_float().unwrap();
    assert!((width - 9.5 * 72.0).abs() < 0.01);
    // Above the USPS barcode clear zone, the bottom 5/8 in.
    assert!(
        positions(&envelopes, page)
            .iter()
            .all(|(_, y)| *y > 0.625 * 72.0)
    );
    let labels = Document::load(out.join("labels.pdf")).unwrap();
    let page = labels.page_iter().next().unwrap();
    let media = labels
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .clone();
    assert_eq!(media.as_array().unwrap()[3].as_float().unwrap(), 792.0);
}

#[test]
fn print_without_pdf_letters_is_refused() {
    let dir = workdir(&registry(2));
    crate::appeal_in(dir.path())
        .args(BATCH)
        .args(["-f", "txt", "--print"])
        .assert()
        .code(2)
        .stderr(
            "error: a print bundle (--print) is made of the PDF letters, and pdf is not among the formats\n  \
             hint: add pdf to --format, e.g. -f pdf --print\n",
        );
    assert!(!dir.path().join("out").exists());
    crate::appeal_in(dir.path())
        .args(BATCH)
        .args(["--print", "--envelope", "b4"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("choose one of dl, c5, c4, us10"));
}

#[test]
fn a_killed_batch_resumes_to_the_same_bundle() {
    let dir = workdir(&registry(300));
    let out = dir.path().join("out");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("appeal"))
        .current_dir(dir.path())
        .args(BATCH)
        .args(["--print"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let letters = || std::fs::read_dir(&out).map_or(0, |entries| entries.count());
    while letters() < 30 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for name in ["print.pdf", "envelopes.pdf", "labels.pdf"] {
        assert!(!out.join(name).exists(), "no half-written {name}");
    }
    crate::appeal_in(dir.path())
        .args(BATCH)
        .args(["--print", "--resume"])
        .assert()
        .success();
    crate::appeal_in(dir.path())
        .args([
            "batch",
            "appeal.toml",
            "--recipients",
            "exec.toml",
            "-o",
            "whole",
            "--print",
        ])
        .assert()
        .success();
    for name in ["print.pdf", "envelopes.pdf", "labels.pdf"] {
        let resumed = std::fs::read(out.join(name)).unwrap();
        let whole = std::fs::read(dir.path().join("whole").join(name)).unwrap();
        assert!(resumed == whole, "{name} differs after resuming");
    }
    let temps = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(temps, 0, "no journal or temporary files left");
}
