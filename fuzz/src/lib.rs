//! What each fuzz target runs: text in, every letter rendered to text, PDF
//! and a mail draft. A bad input must give an error, never a panic. The
//! regression test `tests/fuzz.rs` replays the inputs kept under
//! `tests/fuzz/TARGET/` through these same functions.

use appeal::render::{EmlOptions, PdfOptions, TextOptions, eml, layout_dump, pdf, text};
use appeal::{Appeal, Date, Engine, Language, Registry, ResolveOptions, Source, Templates};

/// An appeal file, as the `appeal` target's input.
pub fn appeal(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    render(source, &Templates::builtin());
}

/// The `body` of an appeal (CommonMark with template expressions).
pub fn body(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    render(
        &with("body", body, "ilo-intervention"),
        &Templates::builtin(),
    );
}

/// An English template file named `fuzzed`.
pub fn template(data: &[u8]) {
    let Ok(file) = std::str::from_utf8(data) else {
        return;
    };
    let mut templates = Templates::empty();
    if let Err(error) = templates.add("fuzzed", Language::En, Source::new("en.toml", file)) {
        let _ = error.to_string();
        return;
    }
    render(&with("place", "Geneva", "fuzzed"), &templates);
}

/// A small valid appeal with `key` set to `value`.
fn with(key: &str, value: &str, template: &str) -> String {
    let value = toml::Value::String(value.to_owned());
    format!(
        "template = \"{template}\"\nlanguage = \"en\"\nrecipients = [\"ilo-dg\", \"fnpr\"]\n\
         demands = [\"act\"]\n{key} = {value}\n\
         [sender]\norganisation = \"Union\"\n[signatory]\nname = \"Name\"\n\
         [[incident]]\nid = \"raid\"\nsummary = \"Raided.\"\n"
    )
}

/// An engine with the built-in registry and `templates`.
fn engine(templates: &Templates) -> Engine {
    Engine::new(templates.clone(), Registry::builtin())
}

/// Resolves, composes and renders every letter; errors are formatted, as the CLI would.
fn render(source: &str, templates: &Templates) {
    let appeal = match Appeal::parse(Source::new("appeal.toml", source)) {
        Ok(appeal) => appeal,
        Err(error) => return drop(error.to_string()),
    };
    let options = ResolveOptions {
        today: Date::new(2026, 11, 23),
        ..ResolveOptions::default()
    };
    let letters = match engine(templates).letters_with(&appeal, &options) {
        Ok(letters) => letters,
        Err(error) => return drop(error.to_string()),
    };
    for letter in &letters {
        text(letter, &TextOptions::default());
        let Ok(pdf) = pdf(letter, &PdfOptions::default()) else {
            // Only a frame taller than a page is refused.
            continue;
        };
        assert!(pdf.starts_with(b"%PDF-"));
        on_the_page(&layout_dump(letter, &PdfOptions::default()).expect("laid out"));
        if letter.to.is_some() {
            let _ = eml(letter, &EmlOptions::default());
        }
    }
}

/// Every line of a laid-out A4 letter starts on the paper.
fn on_the_page(dump: &str) {
    for line in dump.lines().filter(|l| !l.starts_with("---")) {
        let mut fields = line.split_whitespace();
        let mut number = || fields.next().and_then(|f| f.parse::<f32>().ok());
        let (y, x) = (number().expect("y"), number().expect("x"));
        assert!(
            (0.0..842.0).contains(&y) && (0.0..595.0).contains(&x),
            "off the page: {line}"
        );
    }
}
