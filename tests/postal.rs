//! Window-envelope layouts and the letterhead logo in the PDF: where
//! pdftotext finds the address and the return address, which marks are
//! drawn, how the logo is embedded (lopdf), and the CLI's `--layout`.

use std::sync::Arc;

use appeal::postal::Geometry;
use appeal::render::{Paper, PdfOptions, pdf};
use appeal::{Letter, Logo, PostalLayout};

use crate::pdf::{images_drawn, letter, pdftotext};
use crate::{appeal_in, root};

const MM: f32 = 72.0 / 25.4;

/// The ILO letter laid out for `postal`, its recipient block cut to four
/// lines (the US #10 window holds five), as a PDF on the layout's paper.
fn laid_out(postal: PostalLayout) -> Vec<u8> {
    let mut letter = letter("ilo-belarus-2021", "ilo-dg");
    letter.layout = Some(postal);
    letter.recipient.truncate(4);
    pdf(&letter, &options(postal.geometry())).unwrap()
}

fn options(geometry: &Geometry) -> PdfOptions {
    PdfOptions {
        paper: match geometry.sheet.0 > 215.0 {
            true => Paper::Letter,
            false => Paper::A4,
        },
        ..PdfOptions::default()
    }
}

/// The words of page 1 as pdftotext -bbox-layout gives them: text, xMin,
/// yMin, xMax, yMax in points from the top left.
fn words(pdf: &[u8]) -> Option<Vec<(String, [f32; 4])>> {
    let html = pdftotext(pdf, &["-bbox-layout", "-f", "1", "-l", "1"])?;
    let number = |tag: &str, key: &str| -> f32 {
        let at = tag.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    Some(
        html.split("<word ")
            .skip(1)
            .map(|part| {
                let (tag, rest) = part.split_once('>').unwrap();
                let text = rest.split("</word>").next().unwrap().to_owned();
                let bbox = ["xMin", "yMin", "xMax", "yMax"].map(|key| number(tag, key));
                (text, bbox)
            })
            .collect(),
    )
}

/// In every layout pdftotext finds the address inside the window's address
/// zone, starting on the standard's line, and the return address above it
/// in the field where the standard has one.
#[test]
fn each_layout_puts_the_address_in_its_window() {
    for postal in PostalLayout::ALL {
        let g = postal.geometry();
        let Some(words) = words(&laid_out(postal)) else {
            return;
        };
        let find = |text: &str, size: fn(f32) -> bool| {
            words
                .iter()
                .find(|(word, b)| word == text && size(b[3] - b[1]))
                .map(|(_, b)| *b)
                .unwrap_or_else(|| panic!("{postal}: no {text:?}"))
        };
        // The address: 9.5 pt (boxes about 11 pt tall).
        let first = find("Mr.", |h| h > 9.0);
        let last = find("Office", |h| h > 9.0);
        assert!(
            (first[0] - g.text_left * MM).abs() < 0.5,
            "{postal}: the address starts at {} mm",
            first[0] / MM
        );
        let (zone_top, zone_bottom) = (g.zone_top() * MM, g.zone_bottom() * MM);
        assert!(
            first[1] >= zone_top - 0.5 && last[3] <= zone_bottom + 0.5,
            "{postal}: address from {} to {} mm, zone {} to {} mm",
            first[1] / MM,
            last[3] / MM,
            g.zone_top(),
            g.zone_bottom()
        );
        // The return address: 7 pt, in the field above the zone.
        let back = words
            .iter()
            .find(|(word, b)| word == "IndustriALL" && b[3] - b[1] < 9.0);
        match postal.has_return_line() {
            true => {
                let back = back.unwrap().1;
                assert!(back[1] >= g.field.top * MM - 0.5, "{postal}");
                assert!(back[3] <= zone_top + 0.5, "{postal}");
                assert!((back[0] - g.text_left * MM).abs() < 0.5, "{postal}");
            }
            false => assert!(back.is_none(), "{postal}: a return address"),
        }
    }
}

/// Fold marks and the punch mark are short strokes at the left edge of
/// the first page, at the standard's heights; none on the second page.
#[test]
fn marks_are_at_the_left_edge_where_the_standard_puts_them() {
    for postal in PostalLayout::ALL {
        let g = postal.geometry();
        let bytes = laid_out(postal);
        let document = lopdf::Document::load_mem(&bytes).unwrap();
        let pages = document.get_pages();
        let marks = |page: u32| {
            let content = document.get_and_decode_page_content(pages[&page]).unwrap();
            let mut marks = Vec::new();
            for operation in &content.operations {
                let numbers: Vec<f32> = operation
                    .operands
                    .iter()
                    .filter_map(|n| n.as_float().ok())
                    .collect();
                if operation.operator == "m" && numbers[0] < 10.0 * MM {
                    let from_top = g.sheet.1 - numbers[1] / MM;
                    marks.push((from_top * 10.0).round() / 10.0);
                }
            }
            marks.sort_by(f32::total_cmp);
            marks
        };
        assert_eq!(marks(1), g.marks(), "{postal}");
        assert_eq!(marks(2), Vec::<f32>::new(), "{postal}");
    }
    // DIN 5008: form A folds at 87 and 192 mm, form B at 105 and 210 mm,
    // both punched at 148.5 mm; the US sheet in thirds, not punched.
    assert_eq!(PostalLayout::Din5008a.geometry().folds, &[87.0, 192.0]);
    assert_eq!(PostalLayout::Din5008b.geometry().folds, &[105.0, 210.0]);
    assert_eq!(PostalLayout::Din5008b.geometry().punch, Some(148.5));
    assert_eq!(PostalLayout::Us10.geometry().punch, None);
}

/// The ILO letter with `logo` in its letterhead, as a PDF.
fn with_logo(logo: Logo, postal: PostalLayout) -> (Letter, Vec<u8>) {
    let mut letter = letter("ilo-belarus-2021", "ilo-dg");
    letter.letterhead.logo = Some(logo);
    letter.layout = Some(postal);
    letter.recipient.truncate(4);
    let bytes = pdf(&letter, &options(postal.geometry())).unwrap();
    (letter, bytes)
}

fn logo_object(bytes: &[u8]) -> lopdf::Stream {
    let document = lopdf::Document::load_mem(bytes).unwrap();
    let page = document.get_pages()[&1];
    let resources = document.get_page_resources(page).unwrap().0.unwrap();
    let x_objects = resources.get(b"XObject").unwrap().as_dict().unwrap();
    let id = x_objects.get(b"Logo").unwrap().as_reference().unwrap();
    document
        .get_object(id)
        .unwrap()
        .as_stream()
        .unwrap()
        .clone()
}

/// A PNG logo is an image with its alpha as a soft mask, 18 mm tall at the
/// top right of the letterhead (top left where the window is on the right).
#[test]
fn a_png_logo_is_an_image_at_the_top_of_the_letterhead() {
    let png = std::fs::read(root("tests/fixtures/logo/logo.png")).unwrap();
    for postal in [PostalLayout::Din5008b, PostalLayout::Sn010130] {
        let (_, bytes) = with_logo(Logo::Png(Arc::new(png.clone())), postal);
        let image = logo_object(&bytes);
        assert_eq!(
            image.dict.get(b"Subtype").unwrap().as_name().unwrap(),
            b"Image"
        );
        assert_eq!(image.dict.get(b"Width").unwrap().as_i64().unwrap(), 240);
        assert!(image.dict.get(b"SMask").is_ok());
        let drawn = images_drawn(&bytes, 1);
        let (_, x, bottom) = drawn.iter().find(|(name, ..)| name == "Logo").unwrap();
        // 18 mm tall, 36 mm wide (the image is 2:1), its top 18 mm from the top.
        let top = 297.0 * MM - bottom - 18.0 * MM;
        assert!(
            (top - 18.0 * MM).abs() < 0.1,
            "{postal}: top at {} mm",
            top / MM
        );
        let expected_x = match postal {
            PostalLayout::Sn010130 => 25.0,
            _ => 210.0 - 20.0 - 36.0,
        };
        assert!(
            (x / MM - expected_x).abs() < 0.1,
            "{postal}: x = {} mm",
            x / MM
        );
    }
}

/// An SVG logo is drawn as vectors: a form whose content fills and
/// strokes paths (the `<use>` star too), with no image in it.
#[test]
fn an_svg_logo_is_drawn_as_vectors() {
    let svg = std::fs::read(root("tests/fixtures/logo/logo.svg")).unwrap();
    let (_, bytes) = with_logo(Logo::Svg(Arc::new(svg)), PostalLayout::Din5008b);
    let form = logo_object(&bytes);
    assert_eq!(
        form.dict.get(b"Subtype").unwrap().as_name().unwrap(),
        b"Form"
    );
    let content = lopdf::content::Content::decode(&form.content).unwrap();
    let count = |op: &str| {
        content
            .operations
            .iter()
            .filter(|o| o.operator == op)
            .count()
    };
    // The circle and the rounded rectangle (curves), the star (lines).
    assert!(count("c") >= 8, "{} curves", count("c"));
    assert!(count("l") >= 9, "{} lines", count("l"));
    assert_eq!(count("f"), 3, "three filled shapes");
    assert_eq!(count("S"), 1, "one stroked arch");
    assert_eq!(count("gs"), 2, "the group's opacity on two shapes");
    assert_eq!(count("Do"), 0);
    // The text still extracts, the return address with it.
    if let Some(text) = pdftotext(&bytes, &["-f", "1", "-l", "1"]) {
        assert!(text.contains("IndustriALL Global Union · 54 bis, route des Acacias"));
    }
}

/// `--layout` on the command line overrides the appeal's `layout`; a
/// layout for other paper is refused; an unknown name is refused by the
/// parser; `check` measures the address against the chosen layout's window.
#[test]
fn the_layout_flag_overrides_the_appeal() {
    let dir = tempfile::tempdir().unwrap();
    let appeal = std::fs::read_to_string(root("examples/ilo-belarus-2021/appeal.toml")).unwrap();
    let appeal = appeal.replacen("template = ", "layout = \"us10\"\ntemplate = ", 1);
    std::fs::write(dir.path().join("appeal.toml"), appeal).unwrap();
    let render = |args: &[&str]| {
        let mut command = appeal_in(dir.path());
        command.args(["render", "appeal.toml", "-f", "pdf", "--force"]);
        command.args(args);
        command.assert()
    };
    render(&["-o", "a4.pdf"])
        .code(2)
        .stderr(predicates::str::contains(
            "appeal.toml:9:10: error: the us10 layout is for US Letter paper; the letters are on A4",
        ));
    render(&["--paper", "letter", "-o", "us10.pdf"]).success();
    for layout in ["din5008a", "din5008b", "sn010130"] {
        render(&["--layout", layout, "-o", &format!("{layout}.pdf")]).success();
        assert!(dir.path().join(format!("{layout}.pdf")).exists());
    }
    render(&["--layout", "c5"])
        .code(2)
        .stderr(predicates::str::contains(
            "invalid value 'c5' for '--layout <LAYOUT>'",
        ));

    // Six lines fit DIN 5008's window, not the US #10's five.
    let six = r#"
template = "solidarity-appeal"
date = 2021-11-29
recipients = ["afl"]
demands = ["speak up for the detained"]
[sender]
organisation = "Free Metalworkers' Union (SPM)"
[signatory]
name = "Aliaksandr Bukhvostov"
[[recipient]]
id = "afl"
organisation = "AFL-CIO"
address = ["International Department", "Room 1", "815 Black Lives Matter Plaza NW", "Washington, DC 20006"]
country = "USA"
"#;
    std::fs::write(dir.path().join("six.toml"), six).unwrap();
    appeal_in(dir.path())
        .args(["check", "six.toml"])
        .assert()
        .success();
    appeal_in(dir.path())
        .args(["check", "six.toml", "--paper", "letter"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the address of the letter to \"afl\" takes 6 lines; the envelope window holds 5",
        ));
}

/// A logo set in code is checked as one read from a file, at `sender.logo`.
#[test]
fn a_logo_set_in_code_is_checked() {
    let mut appeal = appeal::Appeal::open(root("examples/ilo-belarus-2021/appeal.toml")).unwrap();
    appeal.sender.logo_image = Some(Logo::Svg(Arc::new(b"<svg><g></svg>".to_vec())));
    let error = appeal::Engine::builtin().letters(&appeal).unwrap_err();
    let diagnostic = &error[0];
    assert_eq!(diagnostic.code, "bad-logo");
    assert_eq!(
        diagnostic.message,
        "cannot use the logo: broken SVG file: expected 'g' tag, not 'svg' at 1:9"
    );
    assert_eq!(diagnostic.path.as_deref(), Some("sender.logo"));
    appeal.sender.logo_image = Some(Logo::Png(Arc::new(b"GIF89a".to_vec())));
    let error = appeal::Engine::builtin().letters(&appeal).unwrap_err();
    assert_eq!(error[0].message, "cannot use the logo: not a PNG file");
}

/// `check --paper letter` finds what the US #10 window cannot hold, placed
/// at the recipient, as `render --paper letter` would.
#[test]
fn check_knows_the_window_of_the_paper() {
    appeal_in(&crate::root("."))
        .args([
            "check",
            "examples/spm-fnpr-2021/appeal.toml",
            "--to",
            "fnpr",
        ])
        .assert()
        .success();
    appeal_in(&crate::root("."))
        .args(["check", "examples/spm-fnpr-2021/appeal.toml", "--to", "fnpr", "--paper", "letter"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "recipients.toml:52:1: error: the address of the letter to \"fnpr\" takes 6 lines; the envelope window holds 5",
        ));
}

/// A letterhead so long that it pushes the address below the window is
/// found by `check`, placed at the sender, as `render` would refuse it.
#[test]
fn check_finds_a_letterhead_that_pushes_the_address_out_of_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let appeal = format!(
        "template = \"solidarity-appeal\"\nlanguage = \"en\"\ndate = 2021-11-23\n\
         recipients = [\"r1\"]\ndemands = [\"x\"]\n[sender]\norganisation = \"{}\"\n\
         [signatory]\nname = \"A B\"\n[[recipient]]\nid = \"r1\"\norganisation = \"Org\"\n\
         address = [\"Street 1\", \"1000 City\"]\n",
        ["Solidarity"; 40].join(" ")
    );
    std::fs::write(dir.path().join("appeal.toml"), appeal).unwrap();
    appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .assert()
        .code(2)
        .stderr(
            "appeal.toml:6:1: error: the address of the letter to \"r1\" runs below the envelope window of the din5008b layout: the letterhead reaches into it\n  \
             hint: shorten the sender's organisation or the letterhead's lines\n",
        );
}
