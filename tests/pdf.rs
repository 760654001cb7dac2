//! PDF output: extracted text (pdftotext), structure (lopdf), pagination,
//! the laid-out lines as a snapshot, determinism.

use std::process::Command;

use appeal::render::{Paper, PdfOptions, PdfStandard, TextOptions, layout_dump, pdf, text};
use appeal::{Appeal, Engine, Letter, ResolveOptions, SignatureLayout};

use crate::{appeal_in, fold, letters_of, plainly, root};

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

/// `text` without its `[1]` note references, each a space: a call before
/// the punctuation ("арышту[1].") is a raised digit in the PDF, between
/// the word and its full stop.
pub fn strip_note_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.find(']') {
            Some(end) if end > 0 && after[..end].bytes().all(|b| b.is_ascii_digit()) => {
                out.push(' ');
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
    let mut body_end = plain.find(&heading).unwrap_or(plain.len());
    // A title left and a name right read as two columns to pdftotext's
    // default mode (the name after what follows below the title): their
    // order is checked in content order (`-raw`) instead.
    if let [signature] = letter.signatories.as_slice()
        && signature.layout == SignatureLayout::TitleLeftNameRight
    {
        body_end = plain.rfind(&letter.closing).unwrap() + letter.closing.len();
        let raw = fold(&extract(&bytes, &["-raw"]).unwrap());
        let title = fold(signature.title.as_deref().unwrap());
        let line = format!(
            "{} {title} {}",
            fold(&letter.closing),
            fold(&signature.name)
        );
        assert!(
            raw.contains(&line),
            "{line:?} is not in the PDF text:\n{raw}"
        );
    }
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

/// Text pdftotext extracted from an English letter, without the running
/// heads of the pages after the first (up to their "· Page N of M").
fn without_running_heads(text: &str) -> String {
    let pages = text.split('\u{c}').enumerate();
    pages
        .map(|(i, page)| match page.find("· Page ").filter(|_| i > 0) {
            Some(at) => page[at..].split_once('\n').map_or("", |(_, rest)| rest),
            None => page,
        })
        .collect()
}

#[test]
fn english_letter_extracts_every_word_and_every_sentence_of_the_source() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    assert_every_word_extracts(&letter);
    let Some(extracted) = extract(&pdf(&letter, &PdfOptions::default()).unwrap(), &[]) else {
        return;
    };
    // The source has straight quotes: compare with typography undone; a
    // paragraph runs on over a page break, past the running head.
    let extracted = plainly(&without_running_heads(&extracted));
    let source =
        std::fs::read_to_string(root("tests/fixtures/industriall-letter-to-ilo.txt")).unwrap();
    for line in source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("A handwritten"))
    {
        let line = plainly(&line.replace(
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

/// Text no font shows is printed as boxes in an untagged PDF, and still
/// extracts; an archival one, where PDF/A forbids the boxes, is refused.
#[test]
fn text_the_font_cannot_show_still_extracts() {
    let text = std::fs::read_to_string(root("examples/ilo-belarus-2021/appeal.toml"))
        .unwrap()
        .replace("place = \"Geneva\"", "place = \"Genève 日内瓦 🏳\"");
    let letters = letters_of("cjk.toml", text);
    let refused = pdf(&letters[0], &PdfOptions::default()).unwrap_err();
    let codes: Vec<&str> = refused.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, ["missing-glyph"], "{refused}");
    assert!(
        refused
            .to_string()
            .contains("U+65E5 '日', U+5185 '内', U+74E6 '瓦'"),
        "{refused}"
    );
    let untagged = PdfOptions {
        standard: PdfStandard::None,
        ..PdfOptions::default()
    };
    let Some(extracted) = extract(
        &pdf(&letters[0], &untagged).unwrap(),
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

/// What typography joins with no-break spaces stays on one line in the PDF:
/// a paragraph set narrow (in quotes three deep) and full of dates, numbers
/// and initials, fillers of changing length moving them along the lines,
/// breaks only between them. See: #10
#[test]
fn no_line_breaks_inside_dates_numbers_and_names() {
    let phrases = [
        "1 марта 2021 г.",
        "Конвенция МОТ № 87",
        "А. Ф. Бухвостов",
        "более 6,500 человек",
        "в Минске",
    ];
    let mut body = String::from("> > > ");
    for i in 0..60 {
        body.push_str(&"ж".repeat(1 + i % 7));
        body.push(' ');
        body.push_str(phrases[i % phrases.len()]);
        body.push(' ');
    }
    let source = format!(
        "template = \"solidarity-appeal\"\nlanguage = \"ru\"\ndate = 2021-03-01\n\
         recipients = [\"fnpr\"]\nbody = \"\"\"{body}\"\"\"\n\
         [sender]\norganisation = \"СПМ\"\n[signatory]\nname = \"Александр Бухвостов\"\n"
    );
    let letter = letters_of("appeal.toml", source).remove(0);
    let dump = layout_dump(&letter, &PdfOptions::default()).unwrap();
    // The words of the paragraph's lines (those indented as the quote),
    // after their position and size.
    let columns = |line: &'static str| -> Vec<&'static str> {
        line.split(' ').filter(|c| !c.is_empty()).collect()
    };
    let dump: &'static str = Box::leak(dump.into_boxed_str());
    let indent = dump
        .lines()
        .find(|line| line.contains("Конвенция"))
        .map(|line| columns(line)[1])
        .unwrap();
    let lines: Vec<String> = dump
        .lines()
        .map(columns)
        .filter(|columns| columns.len() > 3 && columns[1] == indent)
        .map(|columns| columns[3..].join(" "))
        .collect();
    // No-break spaces are set as spaces (and stretched as they are): a
    // group is whole where its words are on one line.
    let joined = [
        "1 марта",
        "2021 г.",
        "№ 87",
        "А. Ф. Бухвостов",
        "6 500",
        "в Минске",
    ];
    for group in joined {
        let whole: usize = lines.iter().map(|line| line.matches(group).count()).sum();
        assert_eq!(whole, 12, "{group:?} is split at a line end:\n{lines:#?}");
    }
    // Lines did end right before such groups, which moved on whole.
    let moved = lines
        .iter()
        .filter(|line| joined.iter().any(|group| line.starts_with(group)))
        .count();
    assert!(
        moved >= 3,
        "{moved} lines start with a joined group:\n{dump}"
    );
}

/// The images (signatures, the logo) of page `page` of a PDF, drawn by `cm` then `Do`:
/// (image name, left, bottom) in PDF points.
pub fn images_drawn(bytes: &[u8], page: u32) -> Vec<(String, f32, f32)> {
    let document = lopdf::Document::load_mem(bytes).unwrap();
    let page = document.get_pages()[&page];
    let content = document.get_and_decode_page_content(page).unwrap();
    let mut drawn = Vec::new();
    let mut at = (0.0, 0.0);
    for operation in &content.operations {
        match operation.operator.as_str() {
            "cm" => {
                let numbers: Vec<f32> = operation
                    .operands
                    .iter()
                    .map(|n| n.as_float().unwrap())
                    .collect();
                at = (numbers[4], numbers[5]);
            }
            "Do" => {
                let name = operation.operands[0].as_name().unwrap();
                drawn.push((String::from_utf8_lossy(name).into_owned(), at.0, at.1));
            }
            _ => {}
        }
    }
    drawn
}

/// The co-signed example with a signature image for each signatory.
pub fn cosigned_with_images(signatories: usize) -> Letter {
    let mut appeal = Appeal::open(root("examples/cosigned-2021/appeal.toml")).unwrap();
    appeal.signatory.truncate(signatories);
    let png = std::fs::read(root("examples/embassy-petition-2023/signature.png")).unwrap();
    for signatory in &mut appeal.signatory {
        signatory.signature_image = Some(std::sync::Arc::new(png.clone()));
    }
    let options = ResolveOptions {
        to: vec!["ituc-perc".into()],
        ..ResolveOptions::default()
    };
    Engine::builtin()
        .letters_with(&appeal, &options)
        .unwrap()
        .remove(0)
}

/// Two and three signatories: their images side by side in the PDF (same
/// baseline, distinct columns), each name under its own, read in order.
#[test]
fn cosigned_signature_blocks_stand_side_by_side_in_the_pdf() {
    for n in [2, 3] {
        let letter = cosigned_with_images(n);
        let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
        let drawn = images_drawn(&bytes, 1);
        let names: Vec<&str> = drawn.iter().map(|(name, _, _)| name.as_str()).collect();
        let expected: Vec<String> = (0..n).map(|i| format!("Im{i}")).collect();
        assert_eq!(names, expected);
        for pair in drawn.windows(2) {
            assert_eq!(pair[0].2, pair[1].2, "images on one line: {drawn:?}");
            assert!(
                pair[1].1 > pair[0].1 + 100.0,
                "images in distinct columns: {drawn:?}"
            );
        }
        let Some(raw) = extract(&bytes, &["-raw"]) else {
            continue;
        };
        // Content order: the names' line, then the titles', then the organisations'.
        let names = letter
            .signatories
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(raw.contains(&names), "{names:?} is not one line:\n{raw}");
    }
}

/// The letter of the SPM to the FNPR (in Russian) fits one A4 page; made
/// longer, one line of body after another, it is first fitted on its page,
/// then runs onto a second, where the closing takes at least three lines of
/// the body with it, never the last line or two alone. (On US Letter its
/// six-line address is too tall for the US #10 window.)
// See: #12
#[test]
fn the_fnpr_letter_fits_its_page_or_takes_three_lines_to_the_next() {
    let letter = letter("spm-fnpr-2021", "fnpr");
    let options = PdfOptions::default();
    assert_eq!(pages(&layout_dump(&letter, &options).unwrap()).len(), 1);
    // As the dump shows it: pieces of a word apart, no-break spaces too.
    let closing = letter.closing.replace('\u{a0}', " ");
    let mut second = 0;
    for more in 1..=24 {
        let mut longer = letter.clone();
        // "Мы обращаемся к Вашей организации как к братской.", a line long.
        let line = longer.body[longer.body.len() - 3].clone();
        let at = longer.body.len() - 2;
        longer.body.splice(at..at, std::iter::repeat_n(line, more));
        let dump = layout_dump(&longer, &options).unwrap();
        let pages = pages(&dump);
        let page = pages
            .iter()
            .position(|page| page.contains(&closing))
            .unwrap();
        if page == 0 {
            continue;
        }
        second += 1;
        // Body lines: at body size and the body's left edge, before the
        // closing.
        let rows: Vec<String> = pages[page]
            .lines()
            .filter(|row| row.split_whitespace().nth(2) == Some("11.0"))
            .map(|row| row.split_whitespace().skip(3).collect::<Vec<_>>().join(" "))
            .take_while(|text| *text != closing)
            .collect();
        assert!(
            rows.len() >= 3,
            "{more} more: {} lines of the body with the closing:\n{dump}",
            rows.len()
        );
    }
    assert!(
        second > 3,
        "the letter ran onto a second page {second} times"
    );
}

/// The pages of a [`layout_dump`].
fn pages(dump: &str) -> Vec<&str> {
    dump.split("--- page ").skip(1).collect()
}
