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
    for kid in items(kids) {
        let Some(element) = element(document, &kid) else {
            continue;
        };
        let role = role(element);
        let page = element
            .get(b"Pg")
            .and_then(Object::as_reference)
            .ok()
            .or(page);
        let alt = element
            .get(b"Alt")
            .ok()
            .map(|alt| lopdf::decode_text_string(alt).unwrap());
        let text = fold(&text_of(document, element, page, texts));
        if !text.is_empty() || alt.is_some() || role == "TD" {
            out.push((role, alt, text));
        }
        for child in items(element.get(b"K").unwrap()) {
            if self::element(document, &child).is_some() {
                walk(document, &child, page, texts, out);
            }
        }
    }
}

/// The kids of an element's /K, or of the tree root's: one or an array.
fn items(kids: &Object) -> Vec<Object> {
    match kids {
        Object::Array(items) => items.clone(),
        kid => vec![kid.clone()],
    }
}

/// The structure element `kid` is, if it is one (not an OBJR, not an MCID).
fn element<'a>(document: &'a Document, kid: &'a Object) -> Option<&'a Dictionary> {
    let element = match kid {
        Object::Reference(id) => document.get_dictionary(*id).unwrap(),
        Object::Dictionary(element) => element,
        _ => return None,
    };
    let objr = element.get(b"Type").and_then(Object::as_name).ok() == Some(b"OBJR");
    let mcr = element.get(b"MCID").is_ok();
    (!objr && !mcr).then_some(element)
}

/// An element's structure type.
fn role(element: &Dictionary) -> String {
    String::from_utf8(element.get(b"S").unwrap().as_name().unwrap().to_vec()).unwrap()
}

/// The text an element reads: its marked content and that of the links and
/// spans in it, in order (the text of elements of other types in it, such
/// as a list item's label and body, is theirs).
fn text_of(
    document: &Document,
    element: &Dictionary,
    page: Option<ObjectId>,
    texts: &BTreeMap<(ObjectId, i64), String>,
) -> String {
    let mut text = String::new();
    for kid in items(element.get(b"K").unwrap()) {
        match &kid {
            Object::Integer(mcid) => text.push_str(&texts[&(page.unwrap(), *mcid)]),
            Object::Dictionary(mcr) if mcr.get(b"MCID").is_ok() => {
                let page = mcr.get(b"Pg").unwrap().as_reference().unwrap();
                let mcid = mcr.get(b"MCID").unwrap().as_i64().unwrap();
                text.push_str(&texts[&(page, mcid)]);
            }
            kid => {
                let inline = self::element(document, kid)
                    .filter(|inline| ["Link", "Span"].contains(&role(inline).as_str()));
                if let Some(inline) = inline {
                    let own = inline.get(b"Pg").and_then(Object::as_reference).ok();
                    text.push_str(&text_of(document, inline, own.or(page), texts));
                }
            }
        }
    }
    text
}

/// An element of the structure tree as read back: its type, language,
/// the text it reads ([`text_of`]) and what it holds, in order.
#[derive(Debug)]
struct Element {
    role: String,
    lang: Option<String>,
    text: String,
    kids: Vec<Held>,
}

/// What an element holds.
#[derive(Debug)]
enum Held {
    /// Marked content.
    Content,
    /// A link annotation.
    Annotation,
    /// An element.
    Element(Element),
}

/// The structure tree of a tagged PDF, from its Document element.
fn tree(bytes: &[u8]) -> Element {
    let document = Document::load_mem(bytes).unwrap();
    let texts = marked_text(&document);
    let catalog = document.catalog().unwrap();
    let root = deref(&document, catalog.get(b"StructTreeRoot").unwrap());
    let top = element(&document, root.get(b"K").unwrap()).unwrap();
    read(&document, top, None, &texts)
}

fn read(
    document: &Document,
    element: &Dictionary,
    page: Option<ObjectId>,
    texts: &BTreeMap<(ObjectId, i64), String>,
) -> Element {
    let page = (element.get(b"Pg").and_then(Object::as_reference).ok()).or(page);
    let mut kids = Vec::new();
    for kid in items(element.get(b"K").unwrap()) {
        kids.push(match &kid {
            Object::Integer(_) => Held::Content,
            Object::Dictionary(mcr) if mcr.get(b"MCID").is_ok() => Held::Content,
            kid => match self::element(document, kid) {
                Some(child) => Held::Element(read(document, child, page, texts)),
                None => Held::Annotation,
            },
        });
    }
    Element {
        role: role(element),
        lang: (element.get(b"Lang").ok()).map(|lang| lopdf::decode_text_string(lang).unwrap()),
        text: fold(&text_of(document, element, page, texts)),
        kids,
    }
}

impl Element {
    /// Every element under it, itself first, in reading order.
    fn all(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for kid in &self.kids {
            if let Held::Element(element) = kid {
                out.extend(element.all());
            }
        }
        out
    }

    /// The elements under it of type `role`.
    fn find(&self, role: &str) -> Vec<&Element> {
        self.all().into_iter().filter(|e| e.role == role).collect()
    }

    /// The types of the elements it holds.
    fn roles(&self) -> Vec<&str> {
        (self.kids.iter())
            .filter_map(|kid| match kid {
                Held::Element(element) => Some(element.role.as_str()),
                _ => None,
            })
            .collect()
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
        // The MCID last closed: a line's end is the end of its text.
        let mut closed = -1;
        let mut font = None;
        for operation in &content.operations {
            let mcid = open
                .last()
                .copied()
                .unwrap_or(match operation.operator.as_str() {
                    "ET" => closed,
                    _ => -1,
                });
            let text = texts.entry((page, mcid)).or_default();
            match operation.operator.as_str() {
                "BDC" | "BMC" => {
                    let properties = operation.operands.get(1).and_then(|o| o.as_dict().ok());
                    let own = properties.and_then(|p| p.get(b"MCID").ok()?.as_i64().ok());
                    open.push(own.unwrap_or(mcid));
                }
                "EMC" => {
                    closed = open.pop().expect("EMC closes a BDC");
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

/// `pdfua check` on the ILO, the Russian FNPR, the co-signed letter, the
/// English letter to a Hebrew name and the letter with notes: no findings. Skipped where `pdfua` is not installed (.ci/run installs it).
#[test]
fn pdfua_check_finds_nothing() {
    let letters = [
        letter("ilo-belarus-2021", "ilo-dg"),
        letter("spm-fnpr-2021", "fnpr"),
        cosigned(),
        hebrew(),
        evidence(&root("examples/incidents-belarus.toml")),
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

/// A paragraph of runs.
fn paragraph(text: &str) -> Block {
    Block::Paragraph(vec![Run {
        text: text.into(),
        ..Run::default()
    }])
}

#[test]
fn a_list_item_is_its_label_then_its_body() {
    let mut letter = letter("ilo-belarus-2021", "ilo-dg");
    let items = [
        "Release the detained leaders.",
        "Return the seized equipment.",
    ];
    letter.body = vec![Block::List {
        start: Some(1),
        items: items.iter().map(|item| vec![paragraph(item)]).collect(),
    }];
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let tree = tree(&bytes);
    let list = tree.find("L");
    assert_eq!(list.len(), 1);
    let lis = list[0].find("LI");
    assert_eq!(lis.len(), 2);
    for (i, (li, item)) in lis.iter().zip(items).enumerate() {
        assert_eq!(li.roles(), ["Lbl", "LBody"], "{li:#?}");
        assert_eq!(li.find("Lbl")[0].text, format!("{}.", i + 1));
        let body = li.find("LBody")[0];
        assert_eq!(body.roles(), ["P"]);
        assert_eq!(body.find("P")[0].text, item);
    }
}

#[test]
fn a_link_holds_its_words_and_its_annotations() {
    let letter = letter("ilo-belarus-2021", "ilo-dg");
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let ilo = tree(&bytes);
    let links = ilo.find("Link");
    assert!(!links.is_empty());
    for link in &links {
        let kinds: Vec<&str> = (link.kids.iter())
            .map(|kid| match kid {
                Held::Content => "MCR",
                Held::Annotation => "OBJR",
                Held::Element(_) => "element",
            })
            .collect();
        assert_eq!(kinds, ["MCR", "OBJR"], "{link:#?}");
    }
    // The union's name in the first paragraph links to its website.
    let body = (ilo.find("P").into_iter())
        .find(|p| p.text.starts_with("I am writing"))
        .unwrap();
    assert_eq!(body.find("Link")[0].text, "IndustriALL Global Union");
    assert!(
        body.text
            .contains("General Secretary of IndustriALL Global Union, which")
    );

    // An address over two lines: one link, its words on each line and
    // each line's annotation, its text the address.
    let url = format!("https://example.org/{}", "report/".repeat(20));
    let mut letter = evidence(&root("examples/incidents-belarus.toml"));
    letter.notes[0].runs = vec![Run {
        text: url.clone(),
        link: Some(url.clone()),
        ..Run::default()
    }];
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let structure = tree(&bytes);
    let link = &structure.find("Note")[0].find("Link")[0];
    assert_eq!(link.text.replace(' ', ""), url);
    let count = |kind: fn(&Held) -> bool| link.kids.iter().filter(|kid| kind(kid)).count();
    assert_eq!(count(|kid| matches!(kid, Held::Content)), 2, "{link:#?}");
    assert_eq!(count(|kid| matches!(kid, Held::Annotation)), 2, "{link:#?}");
}

/// The evidence example's letter to the ILO, with the incidents of `path`.
fn evidence(path: &std::path::Path) -> Letter {
    let appeal = Appeal::open(root("examples/evidence-2021/appeal.toml")).unwrap();
    let options = ResolveOptions {
        to: vec!["ilo-dg".into()],
        ..ResolveOptions::default()
    };
    let engine = Engine::builtin().with_incidents(Incidents::open(path).unwrap());
    engine.letters_with(&appeal, &options).unwrap().remove(0)
}

#[test]
fn a_note_is_its_number_then_its_text_after_the_paragraph_citing_it() {
    let letter = evidence(&root("examples/incidents-belarus.toml"));
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let tree = tree(&bytes);
    let notes = tree.find("Note");
    assert_eq!(notes.len(), letter.notes.len());
    for (note, given) in notes.iter().zip(&letter.notes) {
        assert_eq!(note.roles()[0], "Lbl");
        assert_eq!(note.find("Lbl")[0].text, given.number.to_string());
        // (An address broken over lines reads with a space between.)
        assert_eq!(
            note.text.replace(' ', ""),
            plain(&given.runs).replace(' ', "")
        );
    }
    // Each note right after the element that first cites it: what comes
    // before it in its parent reads its number as a raised reference.
    let mut followed = 0;
    for parent in tree.all() {
        let kids: Vec<&Element> = (parent.kids.iter())
            .filter_map(|kid| match kid {
                Held::Element(element) => Some(element),
                _ => None,
            })
            .collect();
        for pair in kids.windows(2) {
            if pair[1].role == "Note" && pair[0].role != "Note" {
                let number = &pair[1].find("Lbl")[0].text;
                assert!(pair[0].text.contains(number.as_str()), "{pair:#?}");
                followed += 1;
            }
        }
    }
    assert!(followed >= 1);
    // None after the closing, where they all were.
    let roles = tree.roles();
    assert_ne!(roles.last(), Some(&"Note"), "{roles:?}");
}

#[test]
fn a_source_title_in_another_language_is_a_span_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let incidents = std::fs::read_to_string(root("examples/incidents-belarus.toml")).unwrap();
    let title = "СПМ заклікае да міжнароднай салідарнасці";
    let incidents = incidents.replace(
        "title = \"SPM calls for international solidarity\"",
        &format!("title = \"{title}\", language = \"be\""),
    );
    let path = dir.path().join("incidents.toml");
    std::fs::write(&path, incidents).unwrap();
    let letter = evidence(&path);
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let tree = tree(&bytes);
    let note = (tree.find("Note").into_iter())
        .find(|note| note.text.contains(title))
        .unwrap();
    let spans = note.find("Span");
    assert_eq!(spans.len(), 1, "{note:#?}");
    assert_eq!(spans[0].lang.as_deref(), Some("be"));
    assert_eq!(spans[0].text, title);
    // The plain text reads the same.
    let text = appeal::render::text(&letter, &Default::default());
    assert!(text.contains(&format!("{title}, Salidarnast.")), "{text}");

    // A language that is no language tag: an error at its key.
    let bad = std::fs::read_to_string(&path)
        .unwrap()
        .replace("language = \"be\"", "language = \"Belarusian\"");
    std::fs::write(&path, bad).unwrap();
    let error = Incidents::open(&path).unwrap_err().to_string();
    assert!(
        error.contains("language \"Belarusian\" is not a language tag"),
        "{error}"
    );
    let at = format!("{}:64:", path.display());
    assert!(error.contains(&at), "{error}");
}

/// The English letter to a Hebrew name.
fn hebrew() -> Letter {
    let appeal = Appeal::open(root("tests/golden/frames/en-hebrew/appeal.toml")).unwrap();
    Engine::builtin().letters(&appeal).unwrap().remove(0)
}

#[test]
fn a_hebrew_name_in_an_english_letter_is_a_span_in_hebrew() {
    let bytes = pdf(&hebrew(), &PdfOptions::default()).unwrap();
    let tree = tree(&bytes);
    // The marked content is in drawing order: Hebrew from the right.
    let spans: Vec<(&str, String)> = (tree.find("Span").into_iter())
        .map(|span| {
            (
                span.lang.as_deref().unwrap(),
                span.text.chars().rev().collect(),
            )
        })
        .collect();
    for expected in ["שרה כהן", "ההסתדרות הכללית החדשה", "כהן"] {
        let expected = ("he", expected.to_owned());
        assert!(spans.contains(&expected), "{expected:?} not in {spans:?}");
    }
    // The salutation: the name alone, in Hebrew, inside the paragraph.
    let salutation = (tree.find("P").into_iter())
        .find(|p| p.text.starts_with("Dear"))
        .unwrap();
    assert_eq!(salutation.text, "Dear Ms. ןהכ,");
    assert_eq!(salutation.find("Span")[0].text, "ןהכ");
    // Nothing in the letter's own language is a span.
    assert!(
        tree.find("Span")
            .iter()
            .all(|span| span.lang.as_deref() != Some("en"))
    );
}
