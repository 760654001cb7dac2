//! Tagged PDF, PDF/A-2b and PDF/UA-1: the structure tree read back with
//! lopdf (each element's text from its marked content, decoded through the
//! fonts' ToUnicode maps), the catalog's metadata, `--pdf-standard none`,
//! and `pdfua check` where it is installed.

use std::collections::BTreeMap;
use std::process::Command;

use appeal::render::{PdfOptions, PdfStandard, pdf};
use appeal::{Appeal, Block, Engine, Incidents, Letter, ResolveOptions, Run};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::pdf::letter;
use crate::{appeal_in, fold, root};

/// The elements of a tagged PDF that hold text or images, in the structure
/// tree's order: structure type, alternative text, and the text of their
/// marked content, whitespace folded.
fn elements(bytes: &[u8]) -> Vec<(String, Option<String>, String)> {
    let document = Document::load_mem(bytes).unwrap();
    let texts = marked_text(&document);
    let catalog = document.catalog().unwrap();
    let tree = deref(&document, catalog.get(b"StructTreeRoot").unwrap());
    let mut out = Vec::new();
    walk(&document, tree.get(b"K").unwrap(), None, &texts, &mut out);
    out
}

fn deref<'a>(document: &'a Document, object: &'a Object) -> &'a Dictionary {
    match object {
        Object::Reference(id) => document.get_dictionary(*id).unwrap(),
        object => object.as_dict().unwrap(),
    }
}

/// Appends the elements under `kids` (an element, a reference, an array).
fn walk(
    document: &Document,
    kids: &Object,
    page: Option<ObjectId>,
    texts: &BTreeMap<(ObjectId, i64), String>,
    out: &mut Vec<(String, Option<String>, String)>,
) {
    let items = match kids {
        Object::Array(items) => items.clone(),
        kid => vec![kid.clone()],
    };
    for kid in items {
        let element = match &kid {
            Object::Reference(id) => document.get_dictionary(*id).unwrap(),
            Object::Dictionary(element) => element,
            _ => panic!("a structure element's kid that is not an element: {kid:?}"),
        };
        if element.get(b"Type").and_then(Object::as_name).ok() == Some(b"OBJR") {
            continue;
        }
        let role = String::from_utf8(element.get(b"S").unwrap().as_name().unwrap().to_vec());
        let page = element
            .get(b"Pg")
            .and_then(Object::as_reference)
            .ok()
            .or(page);
        let alt = element
            .get(b"Alt")
            .ok()
            .map(|alt| lopdf::decode_text_string(alt).unwrap());
        let mut text = String::new();
        let own = match element.get(b"K").unwrap() {
            Object::Array(items) => items.clone(),
            kid => vec![kid.clone()],
        };
        let mut children = Vec::new();
        for kid in own {
            match kid {
                Object::Integer(mcid) => text.push_str(&texts[&(page.unwrap(), mcid)]),
                Object::Dictionary(mcr) if mcr.get(b"MCID").is_ok() => {
                    let page = mcr.get(b"Pg").unwrap().as_reference().unwrap();
                    let mcid = mcr.get(b"MCID").unwrap().as_i64().unwrap();
                    text.push_str(&texts[&(page, mcid)]);
                }
                kid => children.push(kid),
            }
            text.push(' ');
        }
        let text = fold(&text);
        if !text.is_empty() || alt.is_some() || role.as_deref() == Ok("TD") {
            out.push((role.unwrap(), alt, text));
        }
        for child in children {
            walk(document, &child, page, texts, out);
        }
    }
}

/// The text of each marked-content sequence with an MCID, by page and MCID;
/// and the text outside them as `(page, -1)`.
fn marked_text(document: &Document) -> BTreeMap<(ObjectId, i64), String> {
    let mut texts: BTreeMap<(ObjectId, i64), String> = BTreeMap::new();
    for (_, page) in document.get_pages() {
        let fonts = document.get_page_fonts(page).unwrap();
        let encodings: BTreeMap<Vec<u8>, _> = fonts
            .iter()
            .map(|(name, font)| (name.clone(), font.get_font_encoding(document).unwrap()))
            .collect();
        let content = Content::decode(&document.get_page_content(page)).unwrap();
        // The MCID each open marked-content sequence is part of.
        let mut open: Vec<i64> = Vec::new();
        let mut font = None;
        for operation in &content.operations {
            let mcid = open.last().copied().unwrap_or(-1);
            let text = texts.entry((page, mcid)).or_default();
            match operation.operator.as_str() {
                "BDC" | "BMC" => {
                    let properties = operation.operands.get(1).and_then(|o| o.as_dict().ok());
                    let own = properties.and_then(|p| p.get(b"MCID").ok()?.as_i64().ok());
                    open.push(own.unwrap_or(mcid));
                }
                "EMC" => {
                    open.pop().expect("EMC closes a BDC");
                }
                "Tf" => font = Some(operation.operands[0].as_name().unwrap().to_vec()),
                "ET" => text.push(' '),
                "Tj" | "TJ" => {
                    let encoding = &encodings[font.as_ref().unwrap()];
                    let strings = match &operation.operands[0] {
                        Object::Array(items) => items.clone(),
                        string => vec![string.clone()],
                    };
                    for string in strings {
                        if let Object::String(bytes, _) = string {
                            text.push_str(&Document::decode_text(encoding, &bytes).unwrap());
                        }
                    }
                }
                _ => {}
            }
        }
        assert!(open.is_empty(), "marked content left open");
    }
    // Line ends hyphenated by breaking show a soft hyphen: joined again.
    for text in texts.values_mut() {
        *text = text.replace("\u{AD} ", "").replace('\u{A0}', " ");
    }
    texts
}

/// The plain text of runs, as the structure should read it.
fn plain(runs: &[Run]) -> String {
    fold(&runs.iter().map(|run| run.text.as_str()).collect::<String>()).replace('\u{A0}', " ")
}

/// Every paragraph of `letter`'s body, its text, in order.
fn paragraphs(letter: &Letter) -> Vec<String> {
    fn walk(blocks: &[Block], out: &mut Vec<String>) {
        for block in blocks {
            match block {
                Block::Paragraph(runs) => out.push(plain(runs)),
                Block::Quote(blocks) => walk(blocks, out),
                Block::List { items, .. } => items.iter().for_each(|item| walk(item, out)),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&letter.body, &mut out);
    out
}

/// Asserts that each body paragraph of `letter` is the text of one P
/// element, in reading order.
fn assert_paragraphs_in_order(letter: &Letter, bytes: &[u8]) {
    let elements = elements(bytes);
    let ps: Vec<&str> = (elements.iter())
        .filter(|(role, _, _)| role == "P")
        .map(|(_, _, text)| text.as_str())
        .collect();
    let mut at = 0;
    for paragraph in paragraphs(letter) {
        // A list item's marker is part of its paragraph's first line.
        let found = ps[at..]
            .iter()
            .position(|p| *p == paragraph || p.ends_with(&format!(" {paragraph}")));
        let Some(found) = found else {
            panic!("no P in order reads {paragraph:?}; the Ps after #{at}: {ps:#?}")
        };
        at += found + 1;
    }
}

#[test]
fn every_paragraph_is_a_p_in_reading_order_and_the_subject_an_h1() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    assert_paragraphs_in_order(&letter, &bytes);
    let elements = elements(&bytes);
    let roles: Vec<&str> = elements.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(roles.iter().filter(|r| **r == "H1").count(), 1);
    let subject = elements.iter().find(|(role, _, _)| role == "H1").unwrap();
    assert_eq!(subject.2, fold(&letter.subject_line()));
    // The letterhead first, the closing and signatory last.
    assert!(elements[0].2.starts_with("IndustriALL Global Union"));
    assert!(
        elements
            .iter()
            .any(|(_, _, text)| text == &fold(&letter.closing))
    );
    // The running head of page 2 is an artifact: in no element.
    assert!(
        elements
            .iter()
            .all(|(_, _, text)| !text.contains("Page 2 of 2")),
        "{elements:#?}"
    );
    // The website in the body is a link, tagged and described.
    let document = Document::load_mem(&bytes).unwrap();
    let annotation = (document.objects.values())
        .filter_map(|object| object.as_dict().ok())
        .find(|dict| dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link"))
        .unwrap();
    assert_eq!(
        lopdf::decode_text_string(annotation.get(b"Contents").unwrap()).unwrap(),
        "http://www.industrial-all-union.org"
    );
    assert!(annotation.get(b"StructParent").is_ok());
    let first = document.get_pages()[&1];
    let page = document.get_dictionary(first).unwrap();
    assert_eq!(page.get(b"Tabs").unwrap().as_name().unwrap(), b"S");
    assert!(
        roles.contains(&"Link") || {
            // A Link element holds only the annotation: found by its OBJR.
            (document.objects.values())
                .filter_map(|object| object.as_dict().ok())
                .any(|dict| dict.get(b"S").and_then(Object::as_name).ok() == Some(b"Link"))
        }
    );
}

#[test]
fn catalog_claims_pdf_a_2b_and_pdf_ua_1() {
    let letter = letter("spm-fnpr-2021", "fnpr");
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let document = Document::load_mem(&bytes).unwrap();
    let catalog = document.catalog().unwrap();
    let lang = lopdf::decode_text_string(catalog.get(b"Lang").unwrap()).unwrap();
    assert_eq!(lang, "ru");
    let marked = deref(&document, catalog.get(b"MarkInfo").unwrap());
    assert!(marked.get(b"Marked").unwrap().as_bool().unwrap());
    let preferences = deref(&document, catalog.get(b"ViewerPreferences").unwrap());
    let display = preferences.get(b"DisplayDocTitle").unwrap();
    assert!(display.as_bool().unwrap());
    let metadata = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
    let xmp = document.get_object(metadata).unwrap().as_stream().unwrap();
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    for claim in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
    ] {
        assert!(xmp.contains(claim), "{claim} not in {xmp}");
    }
    assert!(xmp.contains(&letter.subject), "the title is the subject");
    let date = letter.date;
    let date = format!("{}-{:02}-{:02}", date.year(), date.month(), date.day());
    assert!(xmp.contains(&format!("<xmp:CreateDate>{date}</xmp:CreateDate>")));
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    let intent = deref(&document, &intents[0]);
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let profile = intent.get(b"DestOutputProfile").unwrap().as_reference();
    let profile = document.get_object(profile.unwrap()).unwrap().as_stream();
    let profile = profile.unwrap().decompressed_content().unwrap();
    assert_eq!(&profile[36..40], b"acsp", "an ICC profile");
    assert_eq!(&profile[16..20], b"RGB ");
    // Russian paragraphs too are Ps in order.
    assert_paragraphs_in_order(&letter, &bytes);
}

/// The co-signed example with signature images.
fn cosigned() -> Letter {
    crate::pdf::cosigned_with_images(usize::MAX)
}

#[test]
fn signature_images_are_figures_with_the_signatory_named() {
    let letter = cosigned();
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let figures: Vec<String> = (elements(&bytes).into_iter())
        .filter(|(role, _, _)| role == "Figure")
        .map(|(_, alt, _)| alt.unwrap())
        .collect();
    let expected: Vec<String> = (letter.signatories.iter())
        .map(|s| format!("Signature of {}", s.name))
        .collect();
    assert_eq!(figures, expected);
}

#[test]
fn annex_is_a_table_with_a_header_row() {
    let appeal = Appeal::open(root("examples/evidence-2021/appeal.toml")).unwrap();
    let options = ResolveOptions {
        to: vec!["ilo-dg".into()],
        ..ResolveOptions::default()
    };
    let incidents = Incidents::open(root("examples/incidents-belarus.toml")).unwrap();
    let engine = Engine::builtin().with_incidents(incidents);
    let letter = engine.letters_with(&appeal, &options).unwrap().remove(0);
    let annex = letter.annex.as_ref().expect("the example has an annex");
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let elements = elements(&bytes);
    let headers: Vec<&str> = (elements.iter())
        .filter(|(role, _, _)| role == "TH")
        .map(|(_, _, text)| text.as_str())
        .collect();
    let columns: Vec<String> = annex.columns.iter().map(|c| fold(c)).collect();
    // The header repeated atop later pages is an artifact: once only.
    assert_eq!(headers, columns);
    let cells = elements.iter().filter(|(role, _, _)| role == "TD").count();
    assert_eq!(cells, annex.rows.len() * columns.len());
    assert!(
        elements
            .iter()
            .any(|(role, _, text)| role == "H2" && *text == fold(&annex.title))
    );
    // Each header cell heads its column.
    let document = Document::load_mem(&bytes).unwrap();
    let scopes = (document.objects.values())
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"S").and_then(Object::as_name).ok() == Some(b"TH"))
        .map(|th| {
            let attributes = th.get(b"A").unwrap().as_array().unwrap();
            let table = attributes[0].as_dict().unwrap();
            assert_eq!(table.get(b"O").unwrap().as_name().unwrap(), b"Table");
            table.get(b"Scope").unwrap().as_name().unwrap().to_vec()
        })
        .collect::<Vec<_>>();
    assert_eq!(scopes, vec![b"Column".to_vec(); columns.len()]);
    // Notes are Note elements.
    assert!(elements.iter().any(|(role, _, _)| role == "Note"));
}

#[test]
fn pdf_standard_none_is_untagged() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    let options = PdfOptions {
        standard: PdfStandard::None,
        ..PdfOptions::default()
    };
    let bytes = pdf(&letter, &options).unwrap();
    let document = Document::load_mem(&bytes).unwrap();
    let catalog = document.catalog().unwrap();
    for key in [
        &b"StructTreeRoot"[..],
        b"MarkInfo",
        b"Metadata",
        b"OutputIntents",
    ] {
        assert!(
            catalog.get(key).is_err(),
            "{}",
            String::from_utf8_lossy(key)
        );
    }
    let tagged = pdf(&letter, &PdfOptions::default()).unwrap();
    assert!(bytes.len() < tagged.len());

    // And from the command line.
    let dir = tempfile::tempdir().unwrap();
    let example = root("examples/ilo-belarus-2021/appeal.toml");
    appeal_in(dir.path())
        .args([
            "render",
            example.to_str().unwrap(),
            "-f",
            "pdf",
            "--pdf-standard",
            "none",
        ])
        .args(["-o", "untagged.pdf"])
        .assert()
        .success();
    let written = std::fs::read(dir.path().join("untagged.pdf")).unwrap();
    assert_eq!(written, bytes);
}

/// `pdfua check` on the ILO, the Russian FNPR and the co-signed letter:
/// no findings. Skipped where `pdfua` is not installed (.ci/run installs it).
#[test]
fn pdfua_check_finds_nothing() {
    let letters = [
        letter("ilo-belarus-2021", "ilo-dg"),
        letter("spm-fnpr-2021", "fnpr"),
        cosigned(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, letter) in letters.iter().enumerate() {
        let file = dir.path().join(format!("{i}.pdf"));
        std::fs::write(&file, pdf(letter, &PdfOptions::default()).unwrap()).unwrap();
        files.push(file);
    }
    let output = match Command::new("pdfua").arg("check").args(&files).output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "pdfua is missing: .ci/run installs it"
            );
            eprintln!("note: pdfua not installed; PDF/UA checks skipped");
            return;
        }
        Err(error) => panic!("pdfua: {error}"),
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
