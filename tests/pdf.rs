//! PDF output: extracted text (pdftotext), structure (lopdf), pagination,
//! the laid-out lines as a snapshot, determinism.

use std::process::Command;

use appeal::render::{Paper, PdfOptions, TextOptions, layout_dump, pdf, text};
use appeal::{Appeal, Engine, Letter, ResolveOptions};

use crate::{appeal_in, fold, letters_of, root};

pub fn letter(example: &str, to: &str) -> Letter {
    let appeal = Appeal::open(root(&format!("examples/{example}/appeal.toml"))).unwrap();
    let options = ResolveOptions {
        to: vec![to.into()],
        ..ResolveOptions::default()
    };
    Engine::builtin()
        .letters_with(&appeal, &options)
        .unwrap()
        .remove(0)
}

/// The text pdftotext extracts with `options` (such as `-raw`, or `-f 2 -l 2`
/// for page 2), words hyphenated at line ends joined again.
/// `None` where pdftotext is not installed (see [`pdftotext`]).
pub fn extract(pdf: &[u8], options: &[&str]) -> Option<String> {
    pdftotext(pdf, options).map(|text| join_hyphenated(&text))
}

/// What pdftotext prints for `pdf` with `options`; pages end in a form feed.
///
/// `None` where pdftotext is not installed, so that `cargo test` passes on
/// a machine with only the Rust toolchain (the structure checks with lopdf
/// still run); CI (`CI` set) installs it and fails without it.
pub fn pdftotext(pdf: &[u8], options: &[&str]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = match Command::new("pdftotext")
        .args(options)
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "pdftotext is missing: .ci/run installs poppler-utils"
            );
            eprintln!("note: pdftotext not installed; text extraction checks skipped");
            return None;
        }
        Err(error) => panic!("pdftotext: {error}"),
    };
    assert!(output.status.success());
    Some(String::from_utf8(output.stdout).unwrap())
}

/// Words broken at line ends joined again: breaking adds soft hyphens
/// (U+00AD); a real hyphen at a line end stays.
pub fn join_hyphenated(text: &str) -> String {
    text.replace("\u{AD}\n", "").replace("-\n", "-")
}

/// `text` without its `[1]` note references.
pub fn strip_note_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.find(']') {
            Some(end) if end > 0 && after[..end].bytes().all(|b| b.is_ascii_digit()) => {
                rest = &after[end + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every word of the text rendering is in the PDF's text, and the body (from
/// the salutation on) in reading order. The frame is placed differently in
/// the two (the recipient block sits in the envelope window).
fn assert_every_word_extracts(letter: &Letter) {
    let bytes = pdf(letter, &PdfOptions::default()).unwrap();
    let Some(extracted) = extract(&bytes, &[]) else {
        return;
    };
    let extracted = fold(&extracted);
    // Note references are `[1]` in text and a raised `1` in PDF.
    let plain = strip_note_markers(&text(letter, &TextOptions::default()));
    let body_start = plain.find(&letter.salutation).unwrap();
    // Sources are listed at the end of the text and as footnotes in the PDF.
    let heading = format!("\n{}:\n", letter.labels.sources);
    let body_end = plain.find(&heading).unwrap_or(plain.len());
    // The footnotes have no heading.
    let plain = plain.replacen(&heading, "\n", 1);
    // Links show as `text <url>` in text and as a link annotation in PDF;
    // list markers differ by design.
    let words = |text: &'static str| {
        text.split_whitespace()
            .filter(|w| !w.starts_with('<') && !["-", ">"].contains(w))
    };
    let plain: &'static str = Box::leak(plain.into_boxed_str());
    for word in words(plain) {
        assert!(
            extracted.contains(word),
            "{word:?} is missing from the PDF text:\n{extracted}"
        );
    }
    let body_at = extracted.find(&letter.salutation).unwrap();
    let mut rest = &extracted[body_at..];
    for word in words(&plain[body_start..body_end]) {
        match rest.find(word) {
            Some(at) => rest = &rest[at + word.len()..],
            None => panic!("{word:?} is out of order in the PDF text:\n{extracted}"),
        }
    }
}

#[test]
fn english_letter_extracts_every_word_and_every_sentence_of_the_source() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    assert_every_word_extracts(&letter);
    let Some(extracted) = extract(&pdf(&letter, &PdfOptions::default()).unwrap(), &[]) else {
        return;
    };
    let extracted = fold(&extracted);
    let source =
        std::fs::read_to_string(root("tests/fixtures/industriall-letter-to-ilo.txt")).unwrap();
    for line in source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("A handwritten"))
    {
        let line = fold(&line.replace(
            "[IndustriALL Global Union](http://www.industrial-all-union.org)",
            "IndustriALL Global Union",
        ));
        assert!(extracted.contains(&line), "missing: {line}");
    }
}

#[test]
fn russian_letter_extracts_every_word() {
    assert_every_word_extracts(&letter("spm-fnpr-2021", "fnpr"));
}

#[test]
fn belarusian_letter_extracts_every_word() {
    let letter = letter("embassy-petition-2023", "embassy-by-lt");
    assert_eq!(letter.language, appeal::Language::Be);
    assert_every_word_extracts(&letter);
}

#[test]
fn structure_has_subset_fonts_metadata_and_links() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    // The full regular face alone is 390 KB: only subsets are embedded.
    assert!(bytes.len() < 40_000, "{} bytes", bytes.len());
    let document = lopdf::Document::load_mem(&bytes).unwrap();
    assert_eq!(document.get_pages().len(), 2);
    let info = document
        .trailer
        .get(b"Info")
        .and_then(|r| document.get_dictionary(r.as_reference()?))
        .unwrap();
    let text_of = |key: &[u8]| lopdf::decode_text_string(info.get(key).unwrap()).unwrap();
    assert_eq!(text_of(b"Author"), "IndustriALL Global Union");
    assert!(text_of(b"Title").starts_with("IndustriALL Global Union calls on the ILO"));
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20210301"
    );
    let catalog = document.catalog().unwrap();
    assert_eq!(
        lopdf::decode_text_string(catalog.get(b"Lang").unwrap()).unwrap(),
        "en"
    );

    let mut fonts = Vec::new();
    let mut uris = Vec::new();
    for object in document.objects.values() {
        let Ok(dictionary) = object.as_dict() else {
            continue;
        };
        if dictionary.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"CIDFontType2") {
            fonts.push(
                String::from_utf8(
                    dictionary
                        .get(b"BaseFont")
                        .unwrap()
                        .as_name()
                        .unwrap()
                        .to_vec(),
                )
                .unwrap(),
            );
        }
        if let Ok(action) = dictionary.get(b"A").and_then(|a| a.as_dict()) {
            uris.push(action.get(b"URI").unwrap().as_str().unwrap().to_vec());
        }
    }
    fonts.sort_by_key(|name| name[7..].to_owned());
    let names: Vec<&str> = fonts.iter().map(|f| &f[7..]).collect();
    // Only the faces the letter shows: no italic in this one.
    assert_eq!(names, ["LiberationSerif", "LiberationSerif-Bold"]);
    assert!(
        fonts
            .iter()
            .all(|f| f.as_bytes()[6] == b'+' && f[..6].chars().all(|c| c.is_ascii_uppercase()))
    );
    assert_eq!(uris, [b"http://www.industrial-all-union.org".to_vec()]);
}

#[test]
fn us_letter_paper() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    let bytes = pdf(
        &letter,
        &PdfOptions {
            paper: Paper::Letter,
            ..PdfOptions::default()
        },
    )
    .unwrap();
    let document = lopdf::Document::load_mem(&bytes).unwrap();
    let page = document.get_pages()[&1];
    let media_box = document
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let numbers: Vec<f32> = media_box.iter().map(|n| n.as_float().unwrap()).collect();
    assert_eq!(numbers, [0.0, 0.0, 612.0, 792.0]);
}

#[test]
fn long_letter_paginates_with_running_heads() {
    let paragraph = "The authorities detained union activists, searched their homes and seized their documents; \
        the courts sentenced them to administrative arrest for disobedience. ";
    let body: String = (1..=24)
        .map(|i| format!("Paragraph {i}. {}\n\n", paragraph.repeat(2)))
        .collect();
    let text = format!(
        "template = \"ilo-intervention\"\nlanguage = \"en\"\ndate = 2021-03-01\nplace = \"Geneva\"\nrecipients = [\"ilo-dg\"]\n\
         body = \"\"\"\n{body}\"\"\"\n[sender]\norganisation = \"IndustriALL Global Union\"\n[signatory]\nname = \"Valter Sanchez\"\n"
    );
    let letters = letters_of("long.toml", text);
    let bytes = pdf(&letters[0], &PdfOptions::default()).unwrap();
    assert_eq!(
        lopdf::Document::load_mem(&bytes).unwrap().get_pages().len(),
        3
    );
    let Some(first) = extract(&bytes, &["-f", "1", "-l", "1"]) else {
        return;
    };
    assert!(!first.contains("Page 1 of 3"));
    for page in [2, 3] {
        let head = extract(&bytes, &["-f", &page.to_string(), "-l", &page.to_string()]).unwrap();
        let head = head.lines().take(3).collect::<Vec<_>>().join(" ");
        assert!(
            head.contains(&format!("Page {page} of 3")),
            "page {page}: {head}"
        );
        assert!(
            head.contains("Mr. Gilbert F. Houngbo, Director-General"),
            "page {page}: {head}"
        );
    }
    // Every paragraph arrives whole, in order, across the page breaks.
    let all = fold(&extract(&bytes, &[]).unwrap());
    let mut rest = all.as_str();
    for i in 1..=24 {
        let expected = fold(&format!("Paragraph {i}. {}", paragraph.repeat(2)));
        let at = rest
            .find(&expected)
            .unwrap_or_else(|| panic!("paragraph {i} not whole"));
        rest = &rest[at + expected.len()..];
    }
}

#[test]
fn laid_out_lines_of_the_example_letter() {
    insta::assert_snapshot!(
        layout_dump(
            &letter("ilo-belarus-2021", "ilo-dg"),
            &PdfOptions::default()
        )
        .unwrap()
    );
}

#[test]
fn same_input_same_bytes_in_one_process_and_in_many() {
    let letter = letter("embassy-petition-2023", "embassy-by-de");
    let first = pdf(&letter, &PdfOptions::default()).unwrap();
    assert_eq!(first, pdf(&letter, &PdfOptions::default()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let example = root("examples/embassy-petition-2023/appeal.toml");
    for name in ["a.pdf", "b.pdf"] {
        appeal_in(dir.path())
            .args([
                "render",
                example.to_str().unwrap(),
                "--to",
                "embassy-by-de",
                "-f",
                "pdf",
                "-o",
                name,
            ])
            .assert()
            .success();
    }
    let a = std::fs::read(dir.path().join("a.pdf")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.pdf")).unwrap());
    assert_eq!(a, first);
}

#[test]
fn pdf_goes_to_a_file_named_for_the_recipient_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let example = root("examples/spm-fnpr-2021/appeal.toml");
    appeal_in(dir.path())
        .args([
            "render",
            example.to_str().unwrap(),
            "--to",
            "gmpr",
            "-f",
            "pdf",
        ])
        .assert()
        .success()
        .stderr("wrote gmpr.pdf\n");
    assert!(
        std::fs::read(dir.path().join("gmpr.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    appeal_in(dir.path())
        .args(["render", example.to_str().unwrap(), "-f", "pdf", "-o", "-"])
        .assert()
        .code(2)
        .stderr("error: 4 letters cannot go to standard output as one file\n  hint: give a directory: -o letters/, or one recipient: --to ID\n");
}

#[test]
fn text_the_font_cannot_show_still_extracts() {
    let text = std::fs::read_to_string(root("examples/ilo-belarus-2021/appeal.toml"))
        .unwrap()
        .replace("place = \"Geneva\"", "place = \"Genève 日内瓦 🏳\"");
    let letters = letters_of("cjk.toml", text);
    let Some(extracted) = extract(
        &pdf(&letters[0], &PdfOptions::default()).unwrap(),
        &["-f", "1", "-l", "1"],
    ) else {
        return;
    };
    assert!(
        extracted.contains("Genève 日内瓦 🏳, 01 March 2021"),
        "{extracted}"
    );
}

/// DESIGN: nothing is lost. Data that looks like CommonMark or HTML prints
/// as written, in text and in PDF.
#[test]
fn data_with_markup_characters_comes_out_as_written() {
    let odd = "O_Brien *union* [REP](x) <b>&amp;</b> #1 `code` \\back";
    let source = format!(
        "template = \"solidarity-appeal\"\nlanguage = \"en\"\ndate = 2021-03-01\nrecipients = [\"x\"]\n\
         demands = [\"free {odd}\"]\n[sender]\norganisation = \"U\"\n[signatory]\nname = \"S\"\n\
         [[recipient]]\nid = \"x\"\nhonorific = \"Ms.\"\nname = \"Ann {odd}\"\norganisation = \"{odd}\"\n\
         [[incident]]\nid = \"i\"\nsummary = \"Raid on {odd}.\"\n"
    );
    let toml_text = source.replace('\\', "\\\\");
    let letters = letters_of("odd.toml", toml_text);
    let plain = fold(&text(&letters[0], &TextOptions { width: 400 }));
    let extracted =
        extract(&pdf(&letters[0], &PdfOptions::default()).unwrap(), &[]).map(|text| fold(&text));
    for expected in [
        format!("free {odd}"),
        format!("Raid on {odd}."),
        format!("Dear Ms. {}", odd.rsplit(' ').next().unwrap()),
    ] {
        assert!(
            plain.contains(&expected),
            "text lacks {expected:?}:\n{plain}"
        );
        if let Some(extracted) = &extracted {
            assert!(
                extracted.contains(&expected),
                "PDF lacks {expected:?}:\n{extracted}"
            );
        }
    }
}
