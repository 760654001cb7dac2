//! A union's own fonts (`[style] fonts`, #12): a font the PDF cannot use
//! is refused when the appeal is loaded, at its place; a CFF face is
//! embedded as CFF; bold and italic stay bold and italic where the union
//! gives only a regular face.

use std::process::Command;

use appeal::render::{PdfOptions, pdf};
use appeal::{Appeal, Engine};
use lopdf::{Dictionary, Document, Object};

use crate::appeal_in;
use crate::scripts::with_style;

const REGULAR: &[u8] = include_bytes!("../assets/fonts/LiberationSerif-Regular.ttf");
const CFF: &[u8] = include_bytes!("fixtures/fonts/AppealTestCff.otf");

/// Where table `tag` of `font` is: its record in the table directory, its
/// offset.
fn table(font: &[u8], tag: &[u8; 4]) -> (usize, usize) {
    let count = usize::from(u16::from_be_bytes([font[4], font[5]]));
    let record = (0..count)
        .map(|i| 12 + 16 * i)
        .find(|&record| &font[record..record + 4] == tag)
        .unwrap_or_else(|| panic!("no table {tag:?}"));
    let offset = u32::from_be_bytes(font[record + 8..record + 12].try_into().unwrap());
    (record, offset as usize)
}

/// Liberation Serif with `bytes` written `at` bytes into its table `tag`.
fn patched(tag: &[u8; 4], at: usize, bytes: &[u8]) -> Vec<u8> {
    let mut font = REGULAR.to_vec();
    let at = table(&font, tag).1 + at;
    font[at..at + bytes.len()].copy_from_slice(bytes);
    font
}

/// Liberation Serif with its table `tag` renamed (its last letter made a
/// `~`, which keeps the directory sorted), so that no reader finds it.
fn without(tag: &[u8; 4]) -> Vec<u8> {
    renamed(REGULAR, tag, b'~')
}

/// `font` with the last letter of its table `tag` made `last`.
fn renamed(font: &[u8], tag: &[u8; 4], last: u8) -> Vec<u8> {
    let mut font = font.to_vec();
    let record = table(&font, tag).0;
    font[record + 3] = last;
    font
}

/// Liberation Serif with the record of table `tag` pointing past its end.
fn misplaced(tag: &[u8; 4]) -> Vec<u8> {
    let mut font = REGULAR.to_vec();
    let record = table(&font, tag).0;
    font[record + 8..record + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    font
}

/// Liberation Serif whose character maps all claim the symbol encoding
/// (platform 3, encoding 0), as a dingbat font's does.
fn symbol_encoded() -> Vec<u8> {
    let mut font = REGULAR.to_vec();
    let cmap = table(&font, b"cmap").1;
    let count = usize::from(u16::from_be_bytes([font[cmap + 2], font[cmap + 3]]));
    for i in 0..count {
        let record = cmap + 4 + 8 * i;
        font[record..record + 4].copy_from_slice(&[0, 3, 0, 0]);
    }
    font
}

/// What `appeal check` says of an appeal whose `[style] fonts` is the
/// one font `data`.
fn checked(data: &[u8]) -> (Option<i32>, String) {
    let dir = with_style(r#"fonts = ["union.ttf"]"#, &[("union.ttf", data)]);
    let output = appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), said)
}

#[test]
fn fonts_the_pdf_cannot_use_are_refused_at_load() {
    let hint = "  hint: fonts are TrueType or OpenType files (.ttf, .otf) of at most 16 MiB, relative to the appeal file\n";
    let symbol = "the font maps no Unicode characters (a symbol-encoded font?); a union's face must be a text face (of any script)";
    for (font, problem) in [
        (
            patched(b"OS/2", 8, &[0, 2]),
            "the font's licence (OS/2 fsType) forbids embedding it in a document (restricted licence); an archival PDF must embed its fonts",
        ),
        (
            patched(b"OS/2", 8, &[1, 0]),
            "the font's licence (OS/2 fsType) forbids embedding a subset of it (no subsetting), and the PDF embeds only the glyphs it uses; an archival PDF must embed its fonts",
        ),
        (
            patched(b"OS/2", 8, &[2, 0]),
            "the font's licence (OS/2 fsType) allows embedding its bitmaps only, and the PDF embeds outlines; an archival PDF must embed its fonts",
        ),
        // Each bit on its own, whatever the usage bits say.
        (
            patched(b"OS/2", 8, &[1, 8]),
            "the font's licence (OS/2 fsType) forbids embedding a subset of it (no subsetting), and the PDF embeds only the glyphs it uses; an archival PDF must embed its fonts",
        ),
        (
            patched(b"OS/2", 8, &[2, 4]),
            "the font's licence (OS/2 fsType) allows embedding its bitmaps only, and the PDF embeds outlines; an archival PDF must embed its fonts",
        ),
        (
            without(b"glyf"),
            "the font has no outlines (no glyf or CFF table: a bitmap font?)",
        ),
        (
            renamed(CFF, b"CFF ", b'2'),
            "the font has CFF2 outlines, which cannot be embedded; use its TrueType (.ttf) or CFF (.otf) form",
        ),
        (
            misplaced(b"loca"),
            "the font's glyph locations (loca table) are missing or broken",
        ),
        (
            without(b"hmtx"),
            "the font has no horizontal metrics (hmtx table)",
        ),
        // The space (glyph 3) 65535 units wide.
        (
            patched(b"hmtx", 4 * 3, &[0xFF, 0xFF]),
            "the font's space is 32.00 em wide, outside 0.05–2 em: its metrics are broken",
        ),
        // 16 units per em: a 512-unit space is 32 em.
        (
            patched(b"head", 18, &[0, 16]),
            "the font's space is 32.00 em wide, outside 0.05–2 em: its metrics are broken",
        ),
        (symbol_encoded(), symbol),
    ] {
        let (code, said) = checked(&font);
        assert_eq!(code, Some(2), "{said}");
        assert_eq!(
            said,
            format!("appeal.toml:29:10: error: cannot use font \"union.ttf\": {problem}\n{hint}")
        );
    }
}

#[test]
fn a_symbol_font_is_refused() {
    // OpenSymbol, where LibreOffice is installed: a Unicode font of
    // mathematical symbols and dingbats, with a few Greek letters.
    let Ok(font) = std::fs::read("/usr/share/fonts/truetype/libreoffice/opens___.ttf") else {
        return;
    };
    let (code, said) = checked(&font);
    assert_eq!(code, Some(2), "{said}");
    // The counts are those of the installed version.
    assert!(
        said.contains(": the font is a symbol font: of the characters it maps, "),
        "{said}"
    );
    assert!(
        said.contains(" symbols, punctuation or private-use; a union's face must be a text face (of any script), with more letters than those\n"),
        "{said}"
    );
}

#[test]
fn faces_of_any_script_and_cff_faces_load() {
    for font in [
        REGULAR,
        CFF,
        include_bytes!("../assets/fonts/NotoSerifGeorgian-Regular.ttf"),
        include_bytes!("../assets/fonts/NotoNaskhArabic-Bold.ttf"),
    ] {
        let (code, said) = checked(font);
        assert_eq!(code, Some(0), "{said}");
    }
}

/// The fonts of the first page of `bytes`, by their base font name
/// without the subset tag, with the CID font under each.
fn page_fonts(document: &Document) -> Vec<(String, &Dictionary)> {
    let page = document.page_iter().next().unwrap();
    let fonts = document.get_page_fonts(page).unwrap();
    let mut named: Vec<(String, &Dictionary)> = fonts
        .values()
        .map(|font| {
            let base = font.get(b"BaseFont").unwrap().as_name().unwrap();
            let base = String::from_utf8_lossy(base);
            let Object::Array(descendants) = font.get(b"DescendantFonts").unwrap() else {
                panic!("{base}: no descendant font")
            };
            let cid = document
                .get_dictionary(descendants[0].as_reference().unwrap())
                .unwrap();
            let name = base.split_once('+').map_or(&*base, |(_, name)| name);
            (name.to_owned(), cid)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    named
}

#[test]
fn a_cff_face_is_embedded_as_cff_and_bold_stays_bold() {
    let dir = with_style(r#"fonts = ["union.otf"]"#, &[("union.otf", CFF)]);
    let appeal = Appeal::open(dir.path().join("appeal.toml")).unwrap();
    let letter = Engine::builtin().letters(&appeal).unwrap().remove(0);
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let document = Document::load_mem(&bytes).unwrap();
    let fonts = page_fonts(&document);
    let names: Vec<&str> = fonts.iter().map(|(name, _)| name.as_str()).collect();
    // The union's regular face sets the body; the bold subject and the
    // letterhead stay in Liberation Serif Bold.
    assert!(names.contains(&"AppealTestCff-Regular"), "{names:?}");
    assert!(names.contains(&"LiberationSerif-Bold"), "{names:?}");
    for (name, cid) in &fonts {
        let descriptor = document
            .get_dictionary(cid.get(b"FontDescriptor").unwrap().as_reference().unwrap())
            .unwrap();
        let subtype = cid.get(b"Subtype").unwrap().as_name().unwrap();
        if name == "AppealTestCff-Regular" {
            // CFF: CIDFontType0 over an OpenType program, no CIDToGIDMap.
            assert_eq!(subtype, b"CIDFontType0");
            assert!(cid.get(b"CIDToGIDMap").is_err());
            assert!(descriptor.get(b"FontFile2").is_err());
            let file = descriptor
                .get(b"FontFile3")
                .unwrap()
                .as_reference()
                .unwrap();
            let stream = document.get_object(file).unwrap().as_stream().unwrap();
            assert_eq!(
                stream.dict.get(b"Subtype").unwrap().as_name().unwrap(),
                b"OpenType"
            );
            let program = stream.decompressed_content().unwrap();
            assert_eq!(&program[..4], b"OTTO");
        } else {
            assert_eq!(subtype, b"CIDFontType2", "{name}");
            assert!(descriptor.get(b"FontFile2").is_ok(), "{name}");
        }
    }
    // Where poppler is installed: its reading agrees with the font type.
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let Ok(output) = Command::new("pdffonts").arg(&path).output() else {
        return;
    };
    let listed = String::from_utf8_lossy(&output.stdout);
    let warned = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{warned}");
    assert!(!warned.contains("Mismatch"), "{warned}");
    assert!(listed.contains("AppealTestCff-Regular"), "{listed}");
    assert!(listed.contains("CID Type 0C (OT)"), "{listed}");
}
