//! The crate as a service embeds it (issue #13): appeals from JSON and from
//! code meet the rules of a file, diagnostics are structured, the engine is
//! shared, the PDF cache is the caller's.

use std::sync::Arc;

use appeal::render::{PdfCache, PdfOptions, TextOptions, pdf, text};
use appeal::{Appeal, Date, Engine, Localized, Recipient, Registry, Sender, Signatory, Templates};

use crate::{appeal_in, root};

/// A small appeal built in code, to one registry entry.
fn appeal_to(recipient: &str) -> Appeal {
    let mut appeal = Appeal::new(
        "solidarity-appeal",
        Sender::new("Belarusian Independent Trade Union"),
        Signatory::new("Maksim Pozniakov"),
    );
    appeal.date = Date::new(2021, 4, 19);
    appeal.language = Some("en".into());
    appeal.recipients = vec![recipient.into()];
    appeal.demands = Some(Localized::Same(vec!["speak up for the detained".into()]));
    appeal
}

#[test]
fn json_toml_and_code_give_the_same_letters() {
    let toml_appeal = Appeal::open(root("examples/ilo-belarus-2021/appeal.toml")).unwrap();
    // The same appeal through JSON, as a web form would send it.
    let json = serde_json::to_string(&toml_appeal).unwrap();
    let json_appeal: Appeal = serde_json::from_str(&json).unwrap();
    let engine = Engine::builtin();
    let from_toml = engine.letters(&toml_appeal).unwrap();
    let from_json = engine.letters(&json_appeal).unwrap();
    assert_eq!(from_toml, from_json);
    assert!(json.contains("\"date\":\"2021-03-01\""), "{json}");
}

#[test]
fn values_built_in_code_are_checked_as_a_file_is() {
    // A recipient id with CR/LF would reach the .eml's Message-ID as a header.
    let mut registry = Registry::builtin();
    registry.insert(Recipient::new("evil\r\nBcc: all@example.org"));
    let engine = Engine::new(Templates::builtin(), registry);
    let diagnostics = engine
        .letters(&appeal_to("evil\r\nBcc: all@example.org"))
        .unwrap_err();
    assert_eq!(diagnostics.len(), 1, "{diagnostics}");
    assert_eq!(diagnostics[0].code, "invalid-id");
    assert_eq!(
        diagnostics[0].message,
        "invalid recipient id \"evil\\r\\nBcc: all@example.org\""
    );
    assert_eq!(diagnostics[0].location, None);

    // Control characters in any field, at their key path.
    let mut appeal = appeal_to("fnpr");
    appeal.sender.address = vec!["ok".into(), "bell\u{7}".into()];
    let diagnostics = Engine::builtin().letters(&appeal).unwrap_err();
    assert_eq!(
        diagnostics.to_string(),
        "error: control character U+0007 in sender.address[1]\n  \
         hint: remove it: it would reach letters and mail headers unseen"
    );
    assert_eq!(diagnostics[0].path.as_deref(), Some("sender.address[1]"));

    // Ids of inline entries: malformed and duplicate.
    let mut appeal = appeal_to("x");
    appeal.inline_recipients = vec![Recipient::new("x"), Recipient::new("x")];
    let diagnostics = Engine::builtin().letters(&appeal).unwrap_err();
    assert_eq!(
        diagnostics.to_string(),
        "error: duplicate recipient id \"x\"\n  hint: first defined as recipient[0]"
    );

    // More text than a file may hold.
    let mut appeal = appeal_to("fnpr");
    appeal.body = Some("solidarity ".repeat(100_000).into());
    let diagnostics = Engine::builtin().letters(&appeal).unwrap_err();
    assert_eq!(diagnostics[0].code, "too-large", "{diagnostics}");
}

#[test]
fn a_huge_signature_set_in_code_is_refused_before_decoding() {
    // A valid PNG header claiming 7000 × 7000 pixels: refused from the
    // header, never decoded (that took 1 s and 342 MB).
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, 7000, 1);
    encoder.set_color(png::ColorType::Grayscale);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&[0; 7000])
        .unwrap();
    let mut appeal = appeal_to("fnpr");
    appeal.signatory[0].signature_image = Some(Arc::new(png));
    let diagnostics = Engine::builtin().letters(&appeal).unwrap_err();
    assert_eq!(
        diagnostics.to_string(),
        "error: cannot use the signature image: 7000 × 1 pixels; a signature is at most 4000 pixels a side"
    );
    assert_eq!(diagnostics[0].path.as_deref(), Some("signatory.signature"));
    let mut appeal = appeal_to("fnpr");
    appeal.signatory[0].signature_image = Some(Arc::new(b"GIF89a".to_vec()));
    let diagnostics = Engine::builtin().letters(&appeal).unwrap_err();
    assert_eq!(diagnostics[0].code, "bad-signature-image");
    // A co-signatory's image is checked at its own place.
    let mut appeal = appeal_to("fnpr");
    let mut second = Signatory::new("Second");
    second.signature_image = Some(Arc::new(b"GIF89a".to_vec()));
    appeal.add_signatory(second);
    let diagnostics = Engine::builtin().letters(&appeal).unwrap_err();
    assert_eq!(
        diagnostics[0].path.as_deref(),
        Some("signatory[1].signature")
    );
}

#[test]
fn bad_json_values_are_refused_by_serde() {
    for (json, message) in [
        (
            r#"{"template": "t", "date": "2021-13-01", "sender": {"organisation": "U"}, "signatory": {"name": "S"}}"#,
            "expected a date like 2021-03-01, not \"2021-13-01\"",
        ),
        (
            r#"{"template": "t", "sender": {"organisation": "U"}}"#,
            "missing field `signatory`",
        ),
    ] {
        let error = serde_json::from_str::<Appeal>(json)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(message), "{error}");
    }
}

#[test]
fn diagnostics_carry_code_path_and_place_and_serialise() {
    let text = std::fs::read_to_string(root("examples/ilo-belarus-2021/appeal.toml"))
        .unwrap()
        .replace("recipients = [\"ilo-dg\"]", "recipients = [\"ilo-gd\"]");
    let appeal = Appeal::parse(appeal::Source::new("appeal.toml", text.clone())).unwrap();
    let diagnostics = Engine::builtin().letters(&appeal).unwrap_err();
    let json = serde_json::to_value(&diagnostics).unwrap();
    let start = text.find("\"ilo-gd\"").unwrap();
    let line = text[..start].lines().count();
    assert_eq!(
        json,
        serde_json::json!([{
            "code": "unknown-recipient",
            "severity": "error",
            "message": "unknown recipient \"ilo-gd\" in recipients[0]",
            "hints": [
                "did you mean \"ilo-dg\"?",
                "`appeal recipients` lists the registry; [[recipient]] defines one inline"
            ],
            "path": "recipients[0]",
            "location": {
                "file": "appeal.toml",
                "line": line,
                "column": 15,
                "range": { "start": start, "end": start + 8 }
            }
        }])
    );
}

#[test]
fn check_prints_json_diagnostics_and_results() {
    let work = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root("examples/ilo-belarus-2021/appeal.toml"))
        .unwrap()
        .replace("recipients = [\"ilo-dg\"]", "recipients = [\"ilo-gd\"]");
    std::fs::write(work.path().join("bad.toml"), text).unwrap();
    let output = appeal_in(work.path())
        .args(["check", "bad.toml", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stderr.is_empty());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["diagnostics"][0]["code"], "unknown-recipient");
    assert_eq!(json["diagnostics"][0]["location"]["file"], "bad.toml");

    let output = appeal_in(&root("examples/ilo-belarus-2021"))
        .args(["check", "appeal.toml", "--message-format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"ok": true, "letters": ["ilo-dg"], "diagnostics": []})
    );

    // A command line clap refuses, as JSON too.
    let output = appeal_in(work.path())
        .args(["--message-format", "json", "render", "bad.toml", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["code"], "usage");
    assert_eq!(
        json["diagnostics"][0]["message"],
        "unexpected argument '--bogus' found"
    );

    // render's failures too, with the I/O error as a diagnostic.
    let output = appeal_in(work.path())
        .args(["--message-format", "json", "render", "missing.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["code"], "io");
}

#[test]
fn one_engine_serves_threads_and_a_large_registry_without_copies() {
    let mut registry = Registry::builtin();
    for i in 0..10_000 {
        let mut recipient = Recipient::new(format!("union-{i}"));
        recipient.organisation = Some(format!("Union number {i}").into());
        registry.insert(recipient);
    }
    let engine = Engine::new(Templates::builtin(), registry);
    std::thread::scope(|scope| {
        for i in [17, 9_999] {
            let engine = &engine;
            scope.spawn(move || {
                let letters = engine.letters(&appeal_to(&format!("union-{i}"))).unwrap();
                let out = text(&letters[0], &TextOptions::default());
                assert!(out.contains(&format!("Union number {i}")), "{out}");
            });
        }
    });
}

#[test]
fn the_pdf_cache_is_the_callers_and_stays_within_its_budget() {
    // One paragraph of 1 MB: once 26 MB stayed on the thread.
    let mut appeal = appeal_to("fnpr");
    appeal.body = Some("solidarity with the detained ".repeat(30_000).into());
    let letters = Engine::builtin().letters(&appeal).unwrap();
    let cache = PdfCache::new(4 * 1024 * 1024);
    let options = PdfOptions {
        cache: cache.clone(),
        ..PdfOptions::default()
    };
    let first = pdf(&letters[0], &options).unwrap();
    assert!(cache.bytes() <= cache.budget(), "{cache:?}");
    // The same bytes from a warm cache, a cleared one and the shared one.
    assert_eq!(pdf(&letters[0], &options).unwrap(), first);
    cache.clear();
    assert_eq!(cache.bytes(), 0);
    assert_eq!(pdf(&letters[0], &options).unwrap(), first);
    assert_eq!(pdf(&letters[0], &PdfOptions::default()).unwrap(), first);
}
