//! Property tests: arbitrary text in every data field. Rendering never
//! panics, and every word the appeal gives is printed, typeset (quotes,
//! dashes, thousands): in the text output, and in the text extracted from
//! the PDF.

use proptest::prelude::*;
use toml::{Table, Value};

use appeal::render::{PdfOptions, PdfStandard, TextOptions, pdf, text};
use appeal::{Appeal, Diagnostics, Engine, Error, Language, Letter, Source, typeset};

use crate::pdf::{join_hyphenated, pdftotext};
use crate::plainly;

/// One character of a word, a combining mark on some letters.
fn character(punctuation: bool) -> BoxedStrategy<String> {
    let letters = prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('À', 'ž'),
        4 => proptest::char::range('а', 'я'),
        1 => proptest::char::range('Ѐ', 'Я'),
        1 => prop::sample::select(vec!['і', 'ў', 'І', 'Ў', 'ё', 'ґ', 'ї']),
        1 => proptest::char::range('0', '9'),
        // Not in the font: drawn as boxes, extracted from ActualText.
        1 => prop::sample::select(vec!['日', '内', '瓦', '😀', '✊', 'ß', 'ﬁ', '€', '№']),
    ];
    // Combining marks, but the grapheme joiner (U+034F), which shows
    // nothing and marks nothing: extraction may set it apart.
    let marks =
        proptest::char::range('\u{300}', '\u{36F}').prop_filter("not U+034F", |&c| c != '\u{34F}');
    let mark = prop::option::weighted(0.1, marks);
    let letter = (letters, mark)
        .prop_map(|(c, mark)| c.to_string() + &mark.map(String::from).unwrap_or_default());
    if punctuation {
        prop_oneof![
            8 => letter,
            1 => prop::sample::select(r##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~«»„“”–—…"##.chars().collect::<Vec<_>>()).prop_map(String::from),
        ]
        .boxed()
    } else {
        letter.boxed()
    }
}

/// A word: mostly short, sometimes far wider than a line.
fn word(punctuation: bool) -> impl Strategy<Value = String> {
    let length = prop_oneof![9 => 1..12usize, 1 => 40..160usize];
    length.prop_flat_map(move |n| {
        prop::collection::vec(character(punctuation), n).prop_map(|cs| cs.concat())
    })
}

/// A few words, separated by spaces.
fn phrase(punctuation: bool) -> impl Strategy<Value = String> {
    words(punctuation, 1)
}

/// At least `min` words, separated by spaces.
fn words(punctuation: bool, min: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(word(punctuation), min..min + 5).prop_map(|words| words.join(" "))
}

/// Openers of quotes and lists, each a level deeper.
const OPENERS: [&str; 3] = ["> ", "- ", "1. "];

/// How deep quotes and lists nest (at most 64) in the body: see #15.
const MAX_DEPTH: usize = 64;

/// A paragraph of the body, at times in quotes and lists nested up to 30
/// deep, at times up to and past the limit.
fn block() -> impl Strategy<Value = String> {
    let opener = prop::sample::select(OPENERS.to_vec());
    let nesting = prop_oneof![
        9 => Just(Vec::new()),
        3 => prop::collection::vec(opener.clone(), 1..30),
        1 => prop::collection::vec(opener, MAX_DEPTH - 2..MAX_DEPTH + 3),
    ];
    (nesting, phrase(false)).prop_map(|(openers, words)| openers.concat() + &words)
}

/// The printed fields of an appeal, each arbitrary.
#[derive(Debug, Clone)]
struct Fields {
    template: &'static str,
    language: &'static str,
    organisation: String,
    address: Vec<String>,
    officer: (String, String),
    /// Phone and fax.
    contacts: (String, String),
    signatory: (String, String),
    place: String,
    reference: String,
    subject: String,
    recipient: (String, String, String, Vec<String>),
    /// The recipient's honorific and country.
    honorific_country: (String, String),
    cc: String,
    enclosure: String,
    demands: Vec<String>,
    incident: (String, String),
    /// CommonMark: words without markup characters.
    body: Option<String>,
}

fn fields() -> impl Strategy<Value = Fields> {
    let p = || phrase(true);
    (
        // Each template in each of its languages: the ILO's French and
        // Spanish only where the letter goes to the ILO.
        prop::sample::select(vec![
            ("ilo-intervention", "en"),
            ("ilo-intervention", "ru"),
            ("ilo-intervention", "be"),
            ("ilo-intervention", "fr"),
            ("ilo-intervention", "es"),
            ("solidarity-appeal", "en"),
            ("solidarity-appeal", "ru"),
            ("solidarity-appeal", "be"),
            ("embassy-petition", "en"),
            ("embassy-petition", "ru"),
            ("embassy-petition", "be"),
        ]),
        (
            p(),
            prop::collection::vec(p(), 0..3),
            (p(), p()),
            (p(), p()),
        ),
        (p(), p(), p()),
        (p(), p(), p(), prop::collection::vec(p(), 0..3)),
        (p(), p(), p(), p()),
        // A copy of one word is a registry id: free text has two or more.
        (
            words(true, 2),
            p(),
            prop::collection::vec(p(), 1..4),
            (p(), p()),
        ),
        prop::option::of(prop::collection::vec(block(), 1..4).prop_map(|p| p.join("\n\n"))),
    )
        .prop_map(
            |(
                (template, language),
                (organisation, address, officer, signatory),
                (place, reference, subject),
                recipient,
                (phone, fax, honorific, country),
                (cc, enclosure, demands, incident),
                body,
            )| Fields {
                template,
                language,
                organisation,
                address,
                officer,
                contacts: (phone, fax),
                signatory,
                place,
                reference,
                subject,
                recipient,
                honorific_country: (honorific, country),
                cc,
                enclosure,
                demands,
                incident,
                body,
            },
        )
}

impl Fields {
    /// The appeal as TOML, written by the toml crate so that any text is quoted right.
    fn toml(&self) -> String {
        let strings =
            |values: &[String]| Value::Array(values.iter().cloned().map(Value::String).collect());
        let table = |pairs: Vec<(&str, Value)>| {
            Value::Table(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Table>(),
            )
        };
        let s = |text: &str| Value::String(text.to_owned());
        let (name, title, organisation, address) = &self.recipient;
        let mut appeal = Table::new();
        appeal.insert("template".into(), s(self.template));
        appeal.insert("language".into(), s(self.language));
        appeal.insert(
            "date".into(),
            "2021-03-01"
                .parse::<toml::value::Datetime>()
                .map(Value::Datetime)
                .unwrap(),
        );
        appeal.insert("place".into(), s(&self.place));
        appeal.insert("reference".into(), s(&self.reference));
        appeal.insert("subject".into(), s(&self.subject));
        appeal.insert("recipients".into(), strings(&["them".into()]));
        appeal.insert("cc".into(), strings(std::slice::from_ref(&self.cc)));
        appeal.insert(
            "enclosures".into(),
            strings(std::slice::from_ref(&self.enclosure)),
        );
        appeal.insert("demands".into(), strings(&self.demands));
        if let Some(body) = &self.body {
            appeal.insert("body".into(), s(&format!("{body}\n\n{{{{cite \"it\"}}}}")));
        }
        appeal.insert(
            "sender".into(),
            table(vec![
                ("organisation", s(&self.organisation)),
                ("address", strings(&self.address)),
                ("phone", s(&self.contacts.0)),
                ("fax", s(&self.contacts.1)),
                (
                    "officers",
                    Value::Array(vec![table(vec![
                        ("role", s(&self.officer.0)),
                        ("name", s(&self.officer.1)),
                    ])]),
                ),
            ]),
        );
        appeal.insert(
            "signatory".into(),
            table(vec![
                ("name", s(&self.signatory.0)),
                ("title", s(&self.signatory.1)),
            ]),
        );
        let mut recipient = vec![
            ("id", s("them")),
            ("honorific", s(&self.honorific_country.0)),
            ("country", s(&self.honorific_country.1)),
            ("name", s(name)),
            ("title", s(title)),
            ("organisation", s(organisation)),
            ("address", strings(address)),
        ];
        if matches!(self.language, "ru" | "be") {
            // Russian and Belarusian letters print the addressee in the dative.
            recipient.push(("title_dative", s(title)));
            recipient.push(("surname_dative", s(name)));
        }
        appeal.insert("recipient".into(), Value::Array(vec![table(recipient)]));
        appeal.insert(
            "incident".into(),
            Value::Array(vec![table(vec![
                ("id", s("it")),
                ("summary", s(&self.incident.0)),
                ("outcome", s(&self.incident.1)),
            ])]),
        );
        toml::to_string(&appeal).unwrap()
    }

    /// The same fields, with a recipient block that fits the envelope window.
    fn with_short_address(mut self) -> Fields {
        self.recipient = ("R".into(), "T".into(), "O".into(), vec!["A".into()]);
        self.honorific_country = ("H".into(), "C".into());
        self
    }

    /// How deep the body's quotes and lists nest.
    fn depth(&self) -> usize {
        let paragraphs = self.body.iter().flat_map(|body| body.split("\n\n"));
        let depth = |mut paragraph: &str| {
            let mut levels = 0;
            while let Some(rest) = OPENERS.iter().find_map(|o| paragraph.strip_prefix(o)) {
                (paragraph, levels) = (rest, levels + 1);
            }
            levels
        };
        paragraphs.map(depth).max().unwrap_or(0)
    }

    /// Every word the letter must print. Russian and Belarusian letters
    /// (ГОСТ Р 7.0.97, СТБ 6.38) print no honorific and no place (the
    /// letterhead has the address), and sign with initials and surname;
    /// English, French and Spanish ones print all three.
    fn words(&self) -> Vec<&str> {
        let (name, title, organisation, address) = &self.recipient;
        let english = matches!(self.language, "en" | "fr" | "es");
        let mut texts: Vec<&String> = vec![
            &self.organisation,
            &self.officer.0,
            &self.officer.1,
            &self.contacts.0,
            &self.contacts.1,
            &self.honorific_country.1,
            &self.signatory.1,
            &self.reference,
            &self.subject,
            name,
            title,
            organisation,
            &self.cc,
            &self.enclosure,
            &self.incident.0,
            &self.incident.1,
        ];
        if english {
            texts.extend([&self.honorific_country.0, &self.signatory.0, &self.place]);
        }
        texts.extend(&self.address);
        texts.extend(address);
        texts.extend(&self.demands);
        let markup = [">", "-", "1."];
        let body = self.body.iter().flat_map(|b| b.split_whitespace());
        let surname = (!english).then(|| self.signatory.0.split_whitespace().last());
        texts
            .iter()
            .flat_map(|t| t.split_whitespace())
            .chain(surname.flatten())
            .chain(body.filter(move |w| !markup.contains(w)))
            .collect()
    }
}

/// Text as typography leaves it comparable with the words it was given:
/// [`plainly`], a comma or space between two digits dropped (ru and be
/// group thousands: "6,500" prints "6 500"), and no space before `; : ! ?`
/// nor on either side of a quote (French typography puts one there).
fn comparable(text: &str) -> String {
    // Letters print their text composed (NFC). See: #12
    let text: String = unicode_normalization::UnicodeNormalization::nfc(text).collect();
    let text = text.as_str();
    let plain: Vec<char> = plainly(text).chars().collect();
    let mut unspaced = String::with_capacity(text.len());
    for (i, &c) in plain.iter().enumerate() {
        let next = plain.get(i + 1).copied().unwrap_or(' ');
        let french = |c: char| ";:!?\"".contains(c);
        if c.is_whitespace() && (french(next) || unspaced.ends_with('"')) {
            continue;
        }
        unspaced.push(c);
    }
    let chars: Vec<char> = unspaced.chars().collect();
    let digit = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(char::is_ascii_digit)
    };
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            !(matches!(c, ',' | ' ') && digit(i.checked_sub(1)) && digit(Some(i + 1)))
        })
        .map(|(_, &c)| c)
        .collect()
}

/// A PDF's text in content order (`pdftotext -raw`), words broken at line
/// ends joined, without the running heads (the first line of each page
/// after the first), which may fall inside a broken word. pdftotext's
/// default mode guesses columns and drops a hard hyphen ending a line;
/// tests/pdf.rs checks reading order on real letters. `None` where
/// pdftotext is not installed.
fn content_text(pdf: &[u8]) -> Option<String> {
    let raw = pdftotext(pdf, &["-raw"])?;
    let pages: Vec<&str> = raw
        .split('\u{C}')
        .enumerate()
        .map(|(i, page)| match i {
            0 => page,
            _ => page.split_once('\n').map_or("", |(_, rest)| rest),
        })
        .collect();
    Some(join_hyphenated(&pages.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_word_is_printed_in_text_and_pdf(fields in fields()) {
        let mut fields = fields;
        let mut source = fields.toml();
        let mut appeal = Appeal::parse(Source::new("appeal.toml", source.clone())).unwrap();
        let outside = |d: &Diagnostics| d.iter().all(|d| d.code == "address-outside-window");
        let refused = Engine::builtin().letters(&appeal);
        if let Err(diagnostics) = &refused
            && outside(diagnostics)
        {
            // Refused for the envelope window alone (more than 6 lines, or a
            // word wider than 80 mm): the rest is checked with a short address.
            fields = fields.with_short_address();
            source = fields.toml();
            appeal = Appeal::parse(Source::new("appeal.toml", source.clone())).unwrap();
        }
        let letters = match Engine::builtin().letters(&appeal) {
            Ok(letters) => letters,
            Err(diagnostics) if fields.depth() > MAX_DEPTH => {
                prop_assert!(diagnostics.iter().all(|d| d.code == "too-deep"), "{diagnostics}");
                return Ok(());
            }
            Err(diagnostics) => panic!("{diagnostics}\n{source}"),
        };
        let letter = &letters[0];
        let plain = comparable(&text(letter, &TextOptions::default()));
        let bytes = match printed(letter) {
            Ok(bytes) => bytes,
            // An organisation's name so long (over 6 lines) that it pushes
            // the address out of the envelope window.
            Err(error) if error.diagnostics()[0].code == "address-outside-window" => {
                for word in fields.words() {
                    let word = &comparable(word);
                    prop_assert!(plain.contains(word), "{word:?} is not in the text:\n{plain}");
                }
                return Ok(());
            }
            Err(error) => panic!("{error}\n{source}"),
        };
        let Some(extracted) = content_text(&bytes) else {
            return Ok(());
        };
        let extracted = comparable(&extracted);
        for word in fields.words() {
            // Printed typeset: quotes, dashes, grouped thousands.
            let word = &comparable(word);
            prop_assert!(plain.contains(word), "{word:?} is not in the text:\n{plain}");
            prop_assert!(extracted.contains(word), "{word:?} is not in the PDF's text:\n{extracted}\n{source}");
        }
    }

    #[test]
    fn any_text_in_any_field_renders_or_is_refused_without_panic(
        value in "\\PC{0,300}",
        field in prop::sample::select(vec!["subject", "place", "body", "demands", "organisation", "summary", "name"]),
    ) {
        let quoted = Value::String(value).to_string();
        let (top, sender, signatory, incident) = match field {
            "demands" => (format!("demands = [{quoted}]"), String::new(), String::new(), String::new()),
            "organisation" => (String::new(), format!("organisation = {quoted}"), String::new(), String::new()),
            "name" => (String::new(), String::new(), format!("name = {quoted}"), String::new()),
            "summary" => (String::new(), String::new(), String::new(), format!("summary = {quoted}")),
            field => (format!("{field} = {quoted}"), String::new(), String::new(), String::new()),
        };
        let source = format!(
            "template = \"ilo-intervention\"\ndate = 2021-03-01\nrecipients = [\"ilo-dg\"]\n{top}\n\
             [sender]\n{}\n[signatory]\n{}\n[[incident]]\nid = \"it\"\n{incident}\n",
            if sender.is_empty() { "organisation = \"U\"" } else { sender.as_str() },
            if signatory.is_empty() { "name = \"S\"" } else { signatory.as_str() },
        );
        let Ok(appeal) = Appeal::parse(Source::new("appeal.toml", source)) else { return Ok(()) };
        let Ok(letters) = Engine::builtin().letters(&appeal) else {
            return Ok(());
        };
        for letter in &letters {
            text(letter, &TextOptions::default());
            printed(letter).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// A body word pages long (Latin or Cyrillic, between short words) is
    /// printed whole in text and PDF: breaking splits it where it must and
    /// drops nothing. See: #15
    #[test]
    fn a_word_pages_long_is_printed_whole(
        word in "[a-zA-Zа-яА-ЯёўіЎІ]{2000,40000}",
        before in "[a-z]{1,12}( [a-z]{1,12}){0,20}",
        after in "[a-z]{1,12}( [a-z]{1,12}){0,20}",
    ) {
        let source = format!(
            "template = \"ilo-intervention\"\ndate = 2021-03-01\nrecipients = [\"ilo-dg\"]\n\
             body = \"{before} {word} {after}\"\n[sender]\norganisation = \"U\"\n[signatory]\nname = \"S\"\n"
        );
        let appeal = Appeal::parse(Source::new("appeal.toml", source)).unwrap();
        let letters = Engine::builtin().letters(&appeal).unwrap();
        let plain = text(&letters[0], &TextOptions::default());
        prop_assert!(plain.contains(&word));
        let Some(extracted) = content_text(&pdf(&letters[0], &PdfOptions::default()).unwrap()) else {
            return Ok(());
        };
        let extracted: String = extracted.split_whitespace().collect();
        prop_assert!(extracted.contains(&word), "the word is not whole in the PDF's text");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Typesetting is a fixed point: typesetting its output changes nothing,
    /// and no straight quote is left. See: #10
    #[test]
    fn typesetting_twice_gives_what_once_does(
        text in "[a-zA-Zа-яА-ЯёўіЎІ0-9 \u{a0}\"'«»„“”‘’–—.,;:!?()№/@-]{0,60}",
        language in prop::sample::select(Language::ALL.to_vec()),
    ) {
        let once = typeset(&text, language);
        prop_assert_eq!(typeset(&once, language), once.clone(), "{:?}", text);
        // Addresses keep theirs; elsewhere every quote is typographic.
        if !text.contains(['@', '/', '.']) {
            prop_assert!(!once.contains(['"', '\'']), "{:?} -> {:?}", text, once);
        }
        // Nothing is lost: the same words, typography undone.
        prop_assert_eq!(comparable(&once), comparable(&text));
    }
}

/// The archival PDF of `letter`; where that is refused only for characters
/// no font has (PDF/A forbids the boxes printed for them), the untagged one,
/// which prints the boxes.
fn printed(letter: &Letter) -> Result<Vec<u8>, Error> {
    match pdf(letter, &PdfOptions::default()) {
        Err(error) if (error.diagnostics().iter()).all(|d| d.code == "missing-glyph") => {
            let untagged = PdfOptions {
                standard: PdfStandard::None,
                ..PdfOptions::default()
            };
            pdf(letter, &untagged)
        }
        printed => printed,
    }
}
