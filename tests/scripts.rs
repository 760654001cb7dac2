//! Scripts beyond Latin and Cyrillic (See: #12): Hebrew and Arabic set
//! right to left and extracted in logical order, Georgian in its bundled
//! face, composed characters, salutations without a guessed surname, a
//! union's own fonts and the characters no font shows.

use appeal::render::{PdfOptions, TextOptions, pdf, text};
use appeal::{Appeal, Engine, Letter, ResolveOptions};
use lopdf::{Document, Object};

use crate::pdf::pdftotext;
use crate::{appeal_in, letters_of, root};

fn frame(case: &str) -> Letter {
    let appeal = Appeal::open(root(&format!("tests/golden/frames/{case}/appeal.toml"))).unwrap();
    Engine::builtin().letters(&appeal).unwrap().remove(0)
}

/// pdftotext's text without the embedding marks it puts around
/// right-to-left runs.
fn extracted(letter: &Letter) -> Option<String> {
    let bytes = pdf(letter, &PdfOptions::default()).unwrap();
    let text = pdftotext(&bytes, &[])?;
    Some(text.replace(['\u{202B}', '\u{202C}'], ""))
}

#[test]
fn hebrew_and_arabic_extract_in_logical_order() {
    let hebrew = frame("en-hebrew");
    let arabic = frame("en-arabic");
    let Some(text) = extracted(&hebrew) else {
        return;
    };
    for line in [
        "שרה כהן",
        "ההסתדרות הכללית החדשה",
        "תל אביב",
        "Dear Ms. כהן,",
    ] {
        assert!(text.contains(line), "{line} not in {text}");
    }
    let text = extracted(&arabic).unwrap();
    // "الله" is one ligature glyph: its letters still come back in order.
    for line in [
        "محمد عبد الله",
        "الاتحاد العام لنقابات العمال",
        "شارع الثورة",
    ] {
        assert!(text.contains(line), "{line} not in {text}");
    }
    let text = extracted(&frame("en-georgian")).unwrap();
    assert!(text.contains("Dear Mr. პეტრიაშვილი,"), "{text}");
}

#[test]
fn other_scripts_are_drawn_with_embedded_faces() {
    for (case, face) in [
        // Liberation Serif has Hebrew itself.
        ("en-hebrew", "LiberationSerif"),
        ("en-arabic", "NotoNaskhArabic"),
        ("en-georgian", "NotoSerifGeorgian"),
    ] {
        let bytes = pdf(&frame(case), &PdfOptions::default()).unwrap();
        let document = Document::load_mem(&bytes).unwrap();
        let page = document.page_iter().next().unwrap();
        let fonts = document.get_page_fonts(page).unwrap();
        let named = fonts.values().find(|font| {
            let base = font.get(b"BaseFont").unwrap().as_name().unwrap();
            String::from_utf8_lossy(base).ends_with(&format!("+{face}"))
        });
        let font = named.unwrap_or_else(|| panic!("{case}: no {face} in {fonts:?}"));
        // A Type 0 font over a CID font with its program embedded.
        let Object::Array(descendants) = font.get(b"DescendantFonts").unwrap() else {
            panic!("{case}: no descendant font")
        };
        let cid = document
            .get_dictionary(descendants[0].as_reference().unwrap())
            .unwrap();
        let descriptor = document
            .get_dictionary(cid.get(b"FontDescriptor").unwrap().as_reference().unwrap())
            .unwrap();
        assert!(descriptor.get(b"FontFile2").is_ok(), "{case}");
    }
}

#[test]
fn decomposed_text_is_composed_in_every_output() {
    let letter = frame("en-georgian");
    let printed = text(&letter, &TextOptions::default());
    assert!(printed.contains("Niño"), "{printed}");
    assert!(!printed.contains("n\u{303}"));
}

#[test]
fn salutations_take_the_surname_given_and_guess_none_from_arabic() {
    assert_eq!(frame("en-hebrew").salutation, "Dear Ms. כהן,");
    assert_eq!(frame("en-georgian").salutation, "Dear Mr. პეტრიაშვილი,");
    // Not "Dear Mr. الله,": the last word of an Arabic name is no surname.
    assert_eq!(frame("en-arabic").salutation, "Dear General Secretary,");
    let appeal = Appeal::open(root("tests/golden/frames/en-arabic/appeal.toml")).unwrap();
    let checked = Engine::builtin()
        .check(&appeal, &ResolveOptions::default())
        .unwrap();
    let said = checked.notes.to_string();
    assert!(
        said.contains(
            "\"محمد عبد الله\" has no surname given, and its last word is not taken for one"
        ),
        "{said}"
    );
}

/// The appeal of `case` with `style` added, in a folder with `files`.
pub fn with_style(style: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source =
        std::fs::read_to_string(root("tests/golden/frames/en-georgian/appeal.toml")).unwrap();
    std::fs::write(
        dir.path().join("appeal.toml"),
        format!("{source}\n[style]\n{style}\n"),
    )
    .unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

#[test]
fn bad_fonts_are_refused_at_their_place() {
    let hint = "  hint: fonts are TrueType or OpenType files (.ttf, .otf) of at most 16 MiB, relative to the appeal file\n";
    let big = vec![0u8; 16 * 1024 * 1024 + 1];
    for (style, files, error) in [
        (
            r#"fonts = ["gone.ttf"]"#,
            vec![],
            "appeal.toml:29:10: error: cannot use font \"gone.ttf\": no such file or directory (os error 2)\n",
        ),
        (
            r#"fonts = ["notes.txt"]"#,
            vec![("notes.txt", &b"not a font"[..])],
            "appeal.toml:29:10: error: cannot use font \"notes.txt\": not a TrueType or OpenType font (unknown magic)\n",
        ),
        (
            r#"fonts = ["big.ttf"]"#,
            vec![("big.ttf", &big[..])],
            "appeal.toml:29:10: error: cannot use font \"big.ttf\": larger than the 16777216 bytes a font may have\n",
        ),
    ] {
        let dir = with_style(style, &files);
        let output = appeal_in(dir.path())
            .args(["render", "appeal.toml"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("{error}{hint}")
        );
    }
}

#[test]
fn a_unions_own_font_is_tried_first() {
    let bold: &[u8] = include_bytes!("../assets/fonts/LiberationSerif-Bold.ttf");
    let dir = with_style(r#"fonts = ["own.ttf"]"#, &[("own.ttf", bold)]);
    let appeal = Appeal::open(dir.path().join("appeal.toml")).unwrap();
    assert_eq!(appeal.style.font_files.len(), 1);
    let letter = Engine::builtin().letters(&appeal).unwrap().remove(0);
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let document = Document::load_mem(&bytes).unwrap();
    let page = document.page_iter().next().unwrap();
    let fonts = document.get_page_fonts(page).unwrap();
    let f0 = fonts.get(&b"F0"[..]).unwrap();
    let base = f0.get(b"BaseFont").unwrap().as_name().unwrap();
    assert!(String::from_utf8_lossy(base).ends_with("+LiberationSerif-Bold"));
    // Georgian, which the union's face lacks, still in the bundled face.
    assert!(fonts.values().any(|font| {
        let base = font.get(b"BaseFont").unwrap().as_name().unwrap();
        String::from_utf8_lossy(base).ends_with("+NotoSerifGeorgian")
    }));
}

#[test]
fn check_names_characters_no_font_shows() {
    let source =
        std::fs::read_to_string(root("tests/golden/frames/en-hebrew/appeal.toml")).unwrap();
    let source = source.replace(
        "title = \"International Secretary\"",
        "title = \"International Secretary 中\"",
    );
    let appeal = Appeal::parse(appeal::Source::new("appeal.toml", source)).unwrap();
    let checked = Engine::builtin()
        .check(&appeal, &ResolveOptions::default())
        .unwrap();
    let said = checked.notes.to_string();
    assert!(
        said.contains("appeal.toml:17:1: warning: the letter to \"histadrut\" has characters no font of its PDF shows (in recipient[0]): U+4E2D '中'"),
        "{said}"
    );
}

/// PDF/A forbids the .notdef glyph (a blank) printed for a character no font has:
/// the archival PDF is refused, naming the character and where it is, as
/// `check` names it; `--pdf-standard none` prints the blank.
#[test]
fn an_archival_pdf_refuses_characters_no_font_shows() {
    let dir = tempfile::tempdir().unwrap();
    let source =
        std::fs::read_to_string(root("tests/golden/frames/en-hebrew/appeal.toml")).unwrap();
    let source = source.replace(
        "title = \"International Secretary\"",
        "title = \"International Secretary 中\"",
    );
    std::fs::write(dir.path().join("appeal.toml"), source).unwrap();
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "-f", "pdf", "-o", "letter.pdf"])
        .assert()
        .code(2)
        .stderr(concat!(
            "error: the letter to \"histadrut\" has characters no font of its PDF shows (in the recipient block): U+4E2D '中'\n",
            "  hint: PDF/A forbids the empty glyph a PDF would print for each (a blank); add a font that has them ([style] fonts = [\"….ttf\"]), or render with --pdf-standard none\n",
        ));
    assert!(!dir.path().join("letter.pdf").exists());
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "-f", "pdf", "-o", "letter.pdf"])
        .args(["--pdf-standard", "none"])
        .assert()
        .success();
    assert!(dir.path().join("letter.pdf").exists());
}

/// A word as pdftotext places it: its left and right edges, its baseline's
/// box top, and its text as drawn, left to right.
struct Word {
    left: f32,
    right: f32,
    top: f32,
    drawn: String,
}

impl Word {
    /// Whether it is `word`, punctuation around it aside; right-to-left
    /// text is drawn last letter first.
    fn is(&self, word: &str) -> bool {
        let logical: String = self.drawn.chars().rev().collect();
        [self.drawn.as_str(), &logical]
            .iter()
            .any(|text| text.trim_matches(['.', ',', ':']) == word)
    }
}

/// The words of page one as `pdftotext -bbox` finds them.
fn words(bytes: &[u8]) -> Option<Vec<Word>> {
    let html = pdftotext(bytes, &["-bbox", "-l", "1"])?;
    let attribute = |tag: &str, name: &str| -> f32 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let words = html
        .split("<word ")
        .skip(1)
        .map(|tag| Word {
            left: attribute(tag, "xMin"),
            right: attribute(tag, "xMax"),
            top: attribute(tag, "yMin"),
            drawn: tag[tag.find('>').unwrap() + 1..tag.find("</word>").unwrap()].to_owned(),
        })
        .collect();
    Some(words)
}

/// An English letter with a note called after Hebrew words, a Hebrew
/// paragraph and an Arabic quote.
const RIGHT_TO_LEFT: &str = r#"
template = "ilo-intervention"
date = 2021-03-01
place = "Geneva"
subject = "Urgent intervention on freedom of association"
recipients = ["ilo-dg"]
demands = ["release the detained trade unionists"]
body = """
The police raided the union: {{cite "raid"}}

אנו פונים לארגון ILO בבקשה דחופה להתערב ולהגן על חופש ההתאגדות של העובדים ועל זכותם להתארגן באיגודים מקצועיים עצמאיים.

> نطالب منظمة العمل الدولية بالتدخل العاجل.
"""

[sender]
organisation = "IndustriALL Global Union"
address = ["54 bis, route des Acacias", "1227 Geneva"]

[signatory]
name = "Atle Høie"
title = "General Secretary"

[[incident]]
id = "raid"
date = 2021-02-16
kind = "raid"
summary = "Raid on the union office בתל אביב."
sources = [{ url = "https://example.org/report", title = "Report", publisher = "Union" }]
"#;

// See: #12
#[test]
fn right_to_left_paragraphs_end_at_the_right_margin_with_their_words_in_order() {
    let letter = letters_of("rtl.toml", RIGHT_TO_LEFT.to_owned()).remove(0);
    let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
    let Some(words) = words(&bytes) else {
        return;
    };
    let find = |word: &str| {
        (words.iter().find(|w| w.is(word))).unwrap_or_else(|| panic!("{word} not on the page"))
    };
    let line_of = |word: &Word| -> Vec<&Word> {
        let mut line: Vec<&Word> = (words.iter())
            .filter(|w| (w.top - word.top).abs() < 3.0)
            .collect();
        line.sort_by(|a, b| a.left.total_cmp(&b.left));
        line
    };
    let mm = 72.0 / 25.4;
    // A4: the margins 25 mm at the left, 20 mm at the right.
    let (left, right) = (25.0 * mm, 595.276 - 20.0 * mm);
    // The Hebrew paragraph: its first word at the right margin, "ILO"
    // after "לארגון" (left of it), and its last line ends there too, its
    // period at the left.
    let first = find("אנו");
    assert!((first.right - right).abs() < 1.0, "{}", first.right);
    let line = line_of(first);
    let at = |word: &str| line.iter().position(|w| w.is(word));
    assert!(at("ILO") < at("לארגון") && at("לארגון") < at("פונים"));
    let last = find("עצמאיים");
    assert!(last.top > first.top + 10.0, "the paragraph takes two lines");
    assert!((line_of(last).last().unwrap().right - right).abs() < 1.0);
    assert!(last.drawn.starts_with('.'), "{}", last.drawn);
    // The Arabic quote: indented 6 mm from the right margin, its first
    // word the rightmost.
    let quote = find("نطالب");
    assert!((quote.right - (right - 6.0 * mm)).abs() < 1.0);
    assert!(line_of(quote).last().unwrap().is("نطالب"));
    // The English paragraph stays at the left; the note call follows the
    // Hebrew words and the period after them, at the right.
    let city = find("בתל");
    let line = line_of(city);
    assert!(line[0].is("The") && (line[0].left - left).abs() < 1.0);
    let call = line.last().unwrap();
    assert_eq!(call.drawn, "1");
    assert!(
        call.left >= city.right - 0.01,
        "{} < {}",
        call.left,
        city.right
    );
    assert!(city.drawn.ends_with('.') && find("אביב").right < city.left);
}
