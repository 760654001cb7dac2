//! DOCX output: every word read back from the document's XML (and, where
//! LibreOffice is installed, from the PDF it converts the document to), named
//! styles, language, page, footnotes, signature, links, determinism. See: #14

use std::io::Read;

use appeal::render::{DocxOptions, Paper, TextOptions, docx, text};
use appeal::{Appeal, Engine, Incidents, Letter};

use crate::pdf::{letter, pdftotext, strip_note_markers};
use crate::{appeal_in, fold, root};

/// The parts of a DOCX file by name.
fn parts(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .filter_map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).ok()?;
            Some((file.name().to_owned(), text))
        })
        .collect()
}

/// The text of a WordprocessingML part: `<w:t>` contents, a line per
/// paragraph, a space for a break or tab.
fn xml_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        let name = tag[1..].split([' ', '>']).next().unwrap_or_default();
        let name = name.trim_end_matches('/');
        match name {
            "w:t" if !tag.ends_with("/>") => {
                let close = rest[end..].find("</w:t>").unwrap() + end;
                out.push_str(
                    &rest[end..close]
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&apos;", "'")
                        .replace("&amp;", "&"),
                );
                rest = &rest[close + "</w:t>".len()..];
                continue;
            }
            "w:br" | "w:tab" => out.push(' '),
            "/w:p" => out.push('\n'),
            _ => {}
        }
        rest = &rest[end..];
    }
    out
}

/// Every word of the text rendering is in the document, the body in order.
fn assert_every_word_is_in(letter: &Letter, document: &str) {
    let plain = strip_note_markers(&text(letter, &TextOptions::default()));
    // Sources are listed after the text and are footnotes in the document.
    let heading = format!("\n{}:\n", letter.labels.sources);
    let body_end = plain.find(&heading).unwrap_or(plain.len());
    let plain = plain.replacen(&heading, "\n", 1);
    let body_start = plain.find(&letter.salutation).unwrap();
    // Links show as `text <url>` in text; list markers are numbering.
    let words = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .filter(|w| !w.starts_with('<') && !["-", ">", "\u{c}"].contains(w))
            .filter(|w| !(w.ends_with('.') && w[..w.len() - 1].parse::<u32>().is_ok()))
            // The annex is `column: cell` in text, a table in the document.
            .map(|w| w.trim_end_matches(':').to_owned())
            .collect()
    };
    for word in words(&plain) {
        assert!(
            document.contains(&word),
            "{word:?} is missing from the document:\n{document}"
        );
    }
    let body_at = document.find(&letter.salutation).unwrap();
    let mut rest = &document[body_at..];
    for word in words(&plain[body_start..body_end]) {
        match rest.find(&word) {
            Some(at) => rest = &rest[at + word.len()..],
            None => panic!("{word:?} is out of order in the document:\n{document}"),
        }
    }
}

fn evidence_letters() -> Vec<Letter> {
    let incidents = Incidents::open(root("examples/incidents-belarus.toml")).unwrap();
    let appeal = Appeal::open(root("examples/evidence-2021/appeal.toml")).unwrap();
    Engine::builtin()
        .with_incidents(incidents)
        .letters(&appeal)
        .unwrap()
}

/// The letters the tests read: English, Russian, Belarusian with a
/// signature image, and one with footnotes, a repeated note and an annex.
fn sample() -> Vec<Letter> {
    let mut letters = vec![
        letter("ilo-belarus-2021", "ilo-dg"),
        letter("spm-fnpr-2021", "fnpr"),
        letter("embassy-petition-2023", "embassy-by-lt"),
    ];
    letters.extend(evidence_letters());
    letters
}

#[test]
fn every_word_is_in_the_document_in_order() {
    for letter in sample() {
        let read = parts(&docx(&letter, &DocxOptions::default()).unwrap());
        let document = fold(&format!(
            "{}\n{}",
            xml_text(&read["word/document.xml"]),
            xml_text(read.get("word/footnotes.xml").map_or("", String::as_str))
        ));
        assert_every_word_is_in(&letter, &document);
    }
}

#[test]
fn structure_styles_language_page_and_metadata() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    let english = parts(&docx(&letter, &DocxOptions::default()).unwrap());
    let document = &english["word/document.xml"];
    let styles = &english["word/styles.xml"];
    // Named styles a user can restyle, each used.
    for (id, name) in [
        ("Letterhead", "Letterhead"),
        ("Recipient", "Recipient"),
        ("PlaceDate", "Place and Date"),
        ("Subject", "Subject"),
        ("Salutation", "Salutation"),
        ("BodyText", "Body Text"),
        ("Closing", "Closing"),
        ("Signatory", "Signatory"),
    ] {
        assert!(
            styles.contains(&format!(r#"w:styleId="{id}"><w:name w:val="{name}" />"#)),
            "{id}"
        );
        assert!(
            document.contains(&format!(r#"<w:pStyle w:val="{id}" />"#)),
            "{id} unused"
        );
    }
    // The subject is bold through its style.
    let subject = styles.split(r#"w:styleId="Subject""#).nth(1).unwrap();
    assert!(subject[..subject.find("</w:style>").unwrap()].contains("<w:b />"));
    assert!(document.contains(&letter.subject.replace('\'', "&apos;")));
    // The language on the document's default run properties.
    assert!(styles.contains(r#"<w:lang w:val="en-GB""#), "{styles}");
    // A4 and the PDF's margins, in twips.
    assert!(
        document.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#),
        "{document}"
    );
    assert!(document.contains(r#"w:top="1020" w:right="1134" w:bottom="1247" w:left="1417""#));
    // The link to the union's site.
    let rels = &english["word/_rels/document.xml.rels"];
    assert!(
        rels.contains(r#"Target="http://www.industrial-all-union.org" TargetMode="External""#),
        "{rels}"
    );
    assert!(document.contains(r#"<w:hyperlink r:id="rIdLink1""#));
    // Title, author, language.
    let core = &english["docProps/core.xml"];
    assert!(
        core.contains("<dc:creator>IndustriALL Global Union</dc:creator>"),
        "{core}"
    );
    assert!(core.contains("<dc:language>en-GB</dc:language>"));

    let letter = crate::pdf::letter("spm-fnpr-2021", "fnpr");
    let options = DocxOptions {
        paper: Paper::Letter,
    };
    let letter_parts = parts(&docx(&letter, &options).unwrap());
    assert!(letter_parts["word/styles.xml"].contains(r#"<w:lang w:val="ru-RU""#));
    assert!(letter_parts["word/document.xml"].contains(r#"<w:pgSz w:w="12240" w:h="15840" />"#));
}

#[test]
fn signature_footnotes_lists_and_annex() {
    let letter = letter("embassy-petition-2023", "embassy-by-lt");
    let signed = parts(&docx(&letter, &DocxOptions::default()).unwrap());
    assert!(signed["word/styles.xml"].contains(r#"<w:lang w:val="be-BY""#));
    let media: Vec<&String> = signed
        .keys()
        .filter(|k| k.starts_with("word/media/"))
        .collect();
    assert_eq!(media.len(), 1, "{:?}", signed.keys());
    assert!(signed["word/document.xml"].contains("<pic:pic"));

    let letters = evidence_letters();
    let letter = &letters[0];
    assert!(letter.notes.len() >= 3 && letter.annex.is_some());
    let noted = parts(&docx(letter, &DocxOptions::default()).unwrap());
    let footnotes = &noted["word/footnotes.xml"];
    assert_eq!(
        footnotes.matches("<w:footnoteRef />").count(),
        letter.notes.len()
    );
    let document = &noted["word/document.xml"];
    assert_eq!(
        document.matches("<w:footnoteReference ").count(),
        letter.notes.len()
    );
    // The annex is a table on a page of its own, every column named.
    assert!(document.contains("<w:pageBreakBefore />"));
    let table = &document[document.find("<w:tbl>").unwrap()..];
    for column in &letter.annex.as_ref().unwrap().columns {
        assert!(table.contains(column.as_str()), "{column}");
    }
    // Numbered lists are numbering, not typed numbers.
    assert!(document.contains("<w:numPr>"));
    assert!(noted["word/numbering.xml"].contains(r#"<w:numFmt w:val="decimal" />"#));
}

#[test]
fn same_letter_same_bytes() {
    let letters = sample();
    let first: Vec<Vec<u8>> = letters
        .iter()
        .map(|l| docx(l, &DocxOptions::default()).unwrap())
        .collect();
    for (letter, bytes) in letters.iter().zip(first) {
        assert!(docx(letter, &DocxOptions::default()).unwrap() == bytes);
    }
}

/// LibreOffice (`soffice`) converts the document to a PDF whose text holds
/// every word: a real word processor reads it. Skipped where LibreOffice is
/// not installed, unless CI is set (.ci/run installs it).
#[test]
fn libreoffice_reads_every_word() {
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "soffice is missing: .ci/run installs libreoffice-writer-nogui"
        );
        eprintln!("note: LibreOffice not installed; the DOCX conversion check skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let letters = sample();
    let mut files = Vec::new();
    for (i, letter) in letters.iter().enumerate() {
        let file = dir.path().join(format!("letter-{i}.docx"));
        std::fs::write(&file, docx(letter, &DocxOptions::default()).unwrap()).unwrap();
        files.push(file);
    }
    // One run for all: LibreOffice starts in about a second.
    let status = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.path().display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .args(&files)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for (i, letter) in letters.iter().enumerate() {
        let pdf = std::fs::read(dir.path().join(format!("letter-{i}.pdf"))).unwrap();
        let Some(extracted) = pdftotext(&pdf, &[]) else {
            return;
        };
        // Compared without punctuation and spaces: footnote numbers stand
        // right after the word they follow, list markers differ.
        let document = fold(&extracted);
        let plain = strip_note_markers(&text(letter, &TextOptions::default()));
        let plain = fold(&plain.replacen(&format!("\n{}:\n", letter.labels.sources), "\n", 1));
        let words = plain.split(' ').filter(|w| !w.starts_with('<'));
        for word in words.filter(|w| w.chars().any(char::is_alphabetic)) {
            let word: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
            let squeezed: String = document.chars().filter(|c| c.is_alphanumeric()).collect();
            assert!(
                squeezed.contains(&word),
                "letter {i}: {word:?} missing from LibreOffice's PDF:\n{extracted}"
            );
        }
    }
}

#[test]
fn render_and_batch_write_docx() {
    let dir = tempfile::tempdir().unwrap();
    let appeal = root("examples/ilo-belarus-2021/appeal.toml");
    appeal_in(dir.path())
        .arg("render")
        .arg(&appeal)
        .args(["-f", "docx"])
        .assert()
        .success();
    let bytes = std::fs::read(dir.path().join("ilo-dg.docx")).unwrap();
    assert!(bytes.starts_with(b"PK"));
    appeal_in(dir.path())
        .arg("batch")
        .arg(root("examples/spm-fnpr-2021/appeal.toml"))
        .args(["-o", "mailing", "-f", "docx,pdf", "--no-sync"])
        .assert()
        .success();
    let manifest = std::fs::read_to_string(dir.path().join("mailing/manifest.csv")).unwrap();
    assert!(manifest.contains("fnpr.docx"), "{manifest}");
    assert!(dir.path().join("mailing/fnpr.docx").exists());
}

#[test]
fn quotes_emphasis_and_nested_lists_keep_their_form() {
    let appeal = r#"template = "solidarity-appeal"
language = "en"
date = 2026-11-23
recipients = ["industriall"]
demands = ["condemn the arrests"]
body = """
We quote the court:

> The defendant *refused* to **testify**.
>
> 1. first count
> 2. second count

3. third point
   - a detail
   - [a source](https://example.org/source)
4. fourth point
"""
[sender]
organisation = "Free Metalworkers' Union (SPM)"
[signatory]
name = "Aleksandr Bukhvostov"
"#;
    let letter = crate::letters_of("appeal.toml", appeal.to_owned()).remove(0);
    let read = parts(&docx(&letter, &DocxOptions::default()).unwrap());
    let document = &read["word/document.xml"];
    assert!(document.contains(r#"<w:pStyle w:val="Quote" />"#));
    assert!(
        document.contains(r#"<w:i /><w:iCs /></w:rPr><w:t xml:space="preserve">refused</w:t>"#),
        "{document}"
    );
    assert!(
        document.contains(r#"<w:b /><w:bCs /></w:rPr><w:t xml:space="preserve">testify</w:t>"#)
    );
    // The list inside the quote and the outer one restart at their own numbers.
    let numbering = &read["word/numbering.xml"];
    assert!(
        numbering.contains(r#"<w:startOverride w:val="1" />"#),
        "{numbering}"
    );
    assert!(numbering.contains(r#"<w:startOverride w:val="3" />"#));
    // The nested bullets are one level in.
    assert!(document.contains(r#"<w:ilvl w:val="1" />"#));
    let rels = &read["word/_rels/document.xml.rels"];
    assert!(rels.contains("https://example.org/source"));
    assert_every_word_is_in(&letter, &fold(&xml_text(document)));
}

/// Words in another language than the letter's carry it on their run, last
/// in its properties: a source's title with its `language`, a name in
/// Hebrew letters.
#[test]
fn runs_in_another_language_carry_it() {
    let mut letter = evidence_letters().remove(0);
    letter.notes[0].runs[0].language = Some("be".into());
    letter.body.push(appeal::Block::Paragraph(vec![appeal::Run {
        text: "Greetings to שרה כהן from Minsk.".into(),
        bold: true,
        ..appeal::Run::default()
    }]));
    let parts = parts(&docx(&letter, &DocxOptions::default()).unwrap());
    let footnotes = &parts["word/footnotes.xml"];
    assert!(
        footnotes.contains(r#"<w:lang w:val="be" w:bidi="be" /></w:rPr>"#),
        "{footnotes}"
    );
    let document = &parts["word/document.xml"];
    let hebrew = r#"<w:rPr><w:b /><w:bCs /><w:lang w:val="he" w:bidi="he" /></w:rPr><w:t xml:space="preserve">שרה כהן</w:t>"#;
    assert!(document.contains(hebrew), "{document}");
    assert!(!document.contains("appeal-language-") && !footnotes.contains("appeal-language-"));
    // The text reads the same.
    assert!(xml_text(document).contains("Greetings to שרה כהן from Minsk."));
}
