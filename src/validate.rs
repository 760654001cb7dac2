//! Checks on values, whatever built them: the loader and resolve both use
//! them, so that an appeal from JSON or code meets the same rules as a file.

use serde_json::Value;

use crate::error::{Diagnostic, quote};

/// The most text an appeal holds, all strings together: about 300 pages of
/// letter, as the loader's limit on file size.
pub(crate) const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// A diagnostic if `id` is malformed. Ids name output files, mail headers'
/// Message-IDs and are typed on command lines, so they are kept to ASCII
/// letters, digits, `-`, `_` and `.`, starting with a letter or digit.
pub(crate) fn id(id: &str, what: &str) -> Option<Diagnostic> {
    let well_formed = id.len() <= 100
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (!well_formed).then(|| {
        Diagnostic::new("invalid-id", format!("invalid {what} id {}", quote(id)))
            .hint("ids hold up to 100 ASCII letters, digits, '-', '_' and '.', and start with a letter or digit")
    })
}

/// A diagnostic if `email` is not one address (an RFC 5322 addr-spec,
/// `local@domain`, dot-atoms in ASCII). Mail headers are built from it, with
/// the display name encoded apart, so anything else (two addresses, a
/// display name, angle brackets, spaces) would give a malformed or a
/// different header.
pub(crate) fn email(email: &str) -> Option<Diagnostic> {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let dot_atom = |text: &str| {
        text.split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
    };
    let label = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let valid = match email.rsplit_once('@') {
        Some((local, domain)) => {
            email.len() <= 254
                && local.len() <= 64
                && dot_atom(local)
                && domain.contains('.')
                && domain.split('.').all(label)
        }
        None => false,
    };
    (!valid).then(|| {
        Diagnostic::new(
            "invalid-email",
            format!("invalid e-mail address {}", quote(email)),
        )
        .hint("one address such as \"office@example.org\": no name, no <>, no second address")
    })
}

/// A diagnostic if `url` is not an http or https address with a host: a
/// source a reader cannot follow is no evidence.
pub(crate) fn url(url: &str) -> Option<Diagnostic> {
    let scheme_end = url.find("://").map_or(0, |at| at + 3);
    let rest = matches!(
        url[..scheme_end].to_ascii_lowercase().as_str(),
        "https://" | "http://"
    )
    .then(|| &url[scheme_end..]);
    let host = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let valid = host.is_some_and(|host| {
        host.contains('.')
            && !host.starts_with('.')
            && !host.ends_with('.')
            && host
                .chars()
                .all(|c| c.is_alphanumeric() || ".-:[]".contains(c))
    }) && !url.chars().any(char::is_whitespace);
    (!valid).then(|| {
        Diagnostic::new("invalid-url", format!("source {} is not a URL", quote(url)))
            .hint("give the address of the report: \"https://…\"")
    })
}

/// The first character of `text` that `is`, typed or written as a
/// numeric character reference (`&#x202E;`, `&#8238;`: Markdown turns one
/// into the character), with how it was written where it was a reference.
fn find(text: &str, is: impl Fn(char) -> bool) -> Option<(char, String)> {
    if let Some(c) = text.chars().find(|&c| is(c)) {
        return Some((c, String::new()));
    }
    let mut rest = text;
    while let Some(at) = rest.find("&#") {
        let reference = &rest[at..];
        rest = &reference[2..];
        let (digits, radix) = match rest.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (rest, 10),
        };
        let end = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        let c = (digits[end..].starts_with(';'))
            .then(|| u32::from_str_radix(&digits[..end], radix).ok())
            .flatten()
            .and_then(char::from_u32);
        if let Some(c) = c.filter(|&c| is(c)) {
            let written = &reference[..reference.len() - digits.len() + end + 1];
            return Some((c, format!(" (written {written})")));
        }
    }
    None
}

/// True for the bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): invisible, they reorder the text around them (in a
/// letter, the words of a sentence the template writes after a name). The
/// marks U+200E and U+200F only tell the direction of neutral characters
/// and are allowed.
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A diagnostic if `code` is not a language tag as BCP 47 writes them: a
/// language of two or three letters, then subtags of one to eight letters
/// or digits, each after a hyphen (`be`, `sr-Latn`, `pt-BR`).
pub(crate) fn language_tag(code: &str) -> Option<Diagnostic> {
    let mut subtags = code.split('-');
    let language = subtags.next().unwrap_or_default();
    let valid = (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && subtags.all(|tag| {
            (1..=8).contains(&tag.len()) && tag.chars().all(|c| c.is_ascii_alphanumeric())
        });
    (!valid).then(|| {
        Diagnostic::new(
            "invalid-language-tag",
            format!("language {} is not a language tag", quote(code)),
        )
        .hint("give the code of the language, as BCP 47 writes it: \"be\", \"uk\", \"sr-Latn\"")
    })
}

/// Reports, by key path, every string in `value` that is blank (a letter
/// would print an empty name or line; `vars` are free-form and may be),
/// holds a direction control (which would reverse the text around it) or a
/// control character other than a line break or a tab (it would reach
/// letters, PDFs and mail headers unseen), and returns the bytes of text it
/// holds.
pub(crate) fn strings(
    value: &Value,
    path: &mut String,
    out: &mut Vec<(String, Diagnostic)>,
) -> usize {
    match value {
        Value::String(text) => {
            if text.trim().is_empty() && !is_vars(path) {
                out.push((
                    path.clone(),
                    Diagnostic::new("blank-value", format!("{path} is blank"))
                        .hint("give a value, or leave the key out"),
                ));
            } else if let Some((c, written)) = find(text, is_direction_control) {
                out.push((
                    path.clone(),
                    Diagnostic::new(
                        "direction-control",
                        format!("direction control U+{:04X}{written} in {path}", c as u32),
                    )
                    .hint(
                        "remove it: each paragraph takes its direction from its own \
                         letters, and an embedding, override or isolate would reverse \
                         the text printed around it",
                    ),
                ));
            } else if text.contains(['\n', '\r', '\u{2028}', '\u{2029}']) && is_one_line(path) {
                out.push((
                    path.clone(),
                    Diagnostic::new("line-break", format!("line break in {path}"))
                        .hint("write it on one line: it is printed as one (an address takes a line per element of `address`)"),
                ));
            } else if let Some((c, written)) = find(text, |c| {
                (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
                    || matches!(c, '\u{2028}' | '\u{2029}')
                    || crate::evidence::is_reserved(c)
            }) {
                out.push((
                    path.clone(),
                    Diagnostic::new(
                        "control-character",
                        format!("control character U+{:04X}{written} in {path}", c as u32),
                    )
                    .hint("remove it: it would reach letters and mail headers unseen"),
                ));
            }
            text.len()
        }
        Value::Array(items) => {
            let mut bytes = 0;
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                bytes += strings(item, path, out);
                path.truncate(len);
            }
            bytes
        }
        Value::Object(fields) => {
            let mut bytes = 0;
            for (key, item) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                bytes += key.len() + strings(item, path, out);
                path.truncate(len);
            }
            bytes
        }
        _ => 0,
    }
}

/// The keys of values a letter prints on one line (or one line each, for
/// lists): a line break in one would split a name or an address line in
/// two, and push the recipient block past its window unseen. (Ids and tags
/// have checks of their own.) (Ids and tags
/// have checks of their own.)
const ONE_LINE: [&str; 30] = [
    "address",
    "article",
    "cc",
    "country",
    "email",
    "enclosures",
    "fax",
    "given",
    "honorific",
    "kind",
    "language",
    "name",
    "organisation",
    "organisation_dative",
    "organisation_genitive",
    "patronymic",
    "people",
    "phone",
    "place",
    "publisher",
    "rank",
    "reference",
    "role",
    "salutation",
    "surname",
    "tags",
    "title",
    "title_dative",
    "url",
    "website",
];

/// True for the key path of a value printed on one line ([`ONE_LINE`]),
/// or of its value for one language (`title.ru`).
fn is_one_line(path: &str) -> bool {
    if is_vars(path) {
        return false;
    }
    let mut keys = path
        .rsplit('.')
        .map(|key| key.split('[').next().unwrap_or(key));
    let key = keys.next().unwrap_or_default();
    let language = key.len() == 2 && key.bytes().all(|b| b.is_ascii_lowercase());
    ONE_LINE.contains(&key) || language && keys.next().is_some_and(|key| ONE_LINE.contains(&key))
}

/// True for a key path inside the free-form `vars` table.
fn is_vars(path: &str) -> bool {
    path == "vars" || path.starts_with("vars.") || path.starts_with("vars[")
}

/// A PNG decoder's message with each `ChunkType { type: IDAT, … }` (its
/// debug form) as the chunk's name, `IDAT`.
fn chunk_names(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("ChunkType { type: ") {
        let after = &rest[at + "ChunkType { type: ".len()..];
        let Some(end) = after.find('}') else { break };
        out.push_str(&rest[..at]);
        out.push_str(after[..end].split([',', ' ']).next().unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Limits on signature images.
pub(crate) mod signature {
    /// A signature image's largest file.
    pub const MAX_BYTES: usize = 16 * 1024 * 1024;

    /// A signature image's largest side, in pixels: 50 mm at 2,000 dpi.
    /// Larger images would only cost memory (decoded, 4 bytes a pixel) and
    /// file size.
    pub const MAX_SIDE: u32 = 4000;

    /// Why `bytes` cannot be a signature, if they cannot: not a PNG, too
    /// large, or (when `decode`) broken.
    pub fn check(bytes: &[u8], decode: bool) -> Result<(), String> {
        png(bytes, decode, "a signature")
    }

    /// Why `bytes` cannot be `what` ("a signature", "a logo"), if they
    /// cannot: not a PNG, too large, or (when `decode`) broken.
    pub fn png(bytes: &[u8], decode: bool, what: &str) -> Result<(), String> {
        if bytes.len() > MAX_BYTES {
            return Err(format!("larger than 16 MiB; {what} image is far smaller"));
        }
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("not a PNG file".into());
        }
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let broken = |e: png::DecodingError| {
            format!("broken PNG file: {}", super::chunk_names(&e.to_string()))
        };
        let mut reader = decoder.read_info().map_err(broken)?;
        let (width, height) = (reader.info().width, reader.info().height);
        if width.max(height) > MAX_SIDE {
            return Err(format!(
                "{width} × {height} pixels; {what} is at most {MAX_SIDE} pixels a side"
            ));
        }
        if decode {
            let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
            reader.next_frame(&mut pixels).map_err(broken)?;
        }
        Ok(())
    }
}

/// Letterhead logos: a PNG (checked as a signature image is) or an SVG,
/// parsed into usvg's tree of paths.
pub(crate) mod logo {
    use std::collections::HashMap;
    use std::sync::Arc;

    use crate::appeal::Logo;

    /// An SVG logo's largest file.
    pub const MAX_SVG_BYTES: usize = 1024 * 1024;

    /// The most elements an SVG logo may have, `<use>` references expanded:
    /// a logo has hundreds; more only slows every letter down.
    pub const MAX_ELEMENTS: usize = 20_000;

    /// The logo in `bytes`, or why they are none: a PNG (by its signature)
    /// or an SVG (by its text), of bounded size, that decodes or parses.
    pub fn read(bytes: Vec<u8>) -> Result<Logo, String> {
        if bytes.starts_with(b"\x89PNG") {
            super::signature::png(&bytes, true, "a logo")?;
            return Ok(Logo::Png(Arc::new(bytes)));
        }
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
        if !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            return Err("neither a PNG nor an SVG file".into());
        }
        svg(&bytes)?;
        Ok(Logo::Svg(Arc::new(bytes)))
    }

    /// Why `logo`, set in code, cannot be used, if it cannot: checked as
    /// [`read`] checks a file, a PNG from its header only.
    pub fn check(logo: &Logo) -> Result<(), String> {
        match logo {
            Logo::Png(bytes) => super::signature::png(bytes, false, "a logo"),
            Logo::Svg(bytes) => svg(bytes).map(drop),
        }
    }

    /// The sides an SVG logo's drawing may have, in its own units: beyond
    /// them its numbers would leave what a PDF can hold.
    pub const SIDES: std::ops::RangeInclusive<f32> = 1e-3..=1e6;

    /// The SVG drawing in `bytes`: parsed with no access to files and no
    /// images (an `<image>`, linked or embedded, is left out: a logo is
    /// vectors) and no fonts (text is refused: a logo's lettering belongs
    /// in paths, else it would be dropped).
    pub fn svg(bytes: &[u8]) -> Result<usvg::Tree, String> {
        if bytes.len() > MAX_SVG_BYTES {
            return Err("larger than 1 MiB; an SVG logo is far smaller".into());
        }
        let text = std::str::from_utf8(bytes).map_err(|_| "broken SVG file: not UTF-8 text")?;
        let broken = |e: &dyn std::fmt::Display| format!("broken SVG file: {e}");
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let document =
            roxmltree::Document::parse_with_options(text, options).map_err(|e| broken(&e))?;
        let elements = expanded(&document)?;
        if elements > MAX_ELEMENTS {
            return Err(format!(
                "{elements} elements with their <use> references; an SVG logo has at most {MAX_ELEMENTS}"
            ));
        }
        if document.descendants().any(|node| node.has_tag_name("text")) {
            return Err(
                "the SVG file has text, which a logo cannot show (no fonts are read): convert its lettering to paths (Inkscape: Path > Object to Path)".into(),
            );
        }
        let mut options = usvg::Options::default();
        options.image_href_resolver.resolve_string = Box::new(|_, _| None);
        options.image_href_resolver.resolve_data = Box::new(|_, _, _| None);
        let tree = usvg::Tree::from_str(text, &options).map_err(|e| broken(&e))?;
        let size = tree.size();
        if ![size.width(), size.height()]
            .iter()
            .all(|side| SIDES.contains(side))
        {
            return Err(format!(
                "the drawing is {} × {} units; an SVG logo's sides are {} to {} units",
                size.width(),
                size.height(),
                SIDES.start(),
                SIDES.end()
            ));
        }
        if !tree.root().has_children() {
            return Err("the SVG file draws nothing".into());
        }
        Ok(tree)
    }

    /// How deep an SVG logo's elements may nest, `<use>` references
    /// followed: logos nest a few levels; far deeper only strains the stack.
    pub const MAX_DEPTH: usize = 256;

    /// How many elements `document` has with each `<use>` replaced by what
    /// it refers to (saturating), or why it has too many: a reference loop,
    /// or elements nested deeper than [`MAX_DEPTH`].
    fn expanded(document: &roxmltree::Document) -> Result<usize, String> {
        let ids: HashMap<&str, roxmltree::NodeId> = document
            .descendants()
            .filter_map(|node| node.attribute("id").map(|id| (id, node.id())))
            .collect();
        let mut sizes: HashMap<roxmltree::NodeId, usize> = HashMap::new();
        let mut visiting = Vec::new();
        count(document.root(), &ids, &mut sizes, &mut visiting)
    }

    fn count<'a>(
        node: roxmltree::Node<'a, '_>,
        ids: &HashMap<&str, roxmltree::NodeId>,
        sizes: &mut HashMap<roxmltree::NodeId, usize>,
        visiting: &mut Vec<roxmltree::NodeId>,
    ) -> Result<usize, String> {
        if let Some(&size) = sizes.get(&node.id()) {
            return Ok(size);
        }
        if visiting.contains(&node.id()) {
            return Err("a <use> refers to itself or to an element that holds it".into());
        }
        if visiting.len() > MAX_DEPTH {
            return Err(format!(
                "elements nested more than {MAX_DEPTH} deep; an SVG logo nests a few levels"
            ));
        }
        visiting.push(node.id());
        let mut size: usize = usize::from(node.is_element());
        for child in node.children() {
            size = size.saturating_add(count(child, ids, sizes, visiting)?);
        }
        let href = node
            .attributes()
            .find(|a| a.name() == "href")
            .map(|a| a.value());
        if node.has_tag_name("use")
            && let Some(target) = href
                .and_then(|h| h.strip_prefix('#'))
                .and_then(|id| ids.get(id))
            && let Some(target) = node.document().get_node(*target)
        {
            size = size.saturating_add(count(target, ids, sizes, visiting)?);
        }
        visiting.pop();
        sizes.insert(node.id(), size);
        Ok(size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_ascii_words() {
        assert!(id("ilo-dg", "recipient").is_none());
        assert!(id("embassy.by_de-2", "recipient").is_none());
        for bad in [
            "",
            "-x",
            "a b",
            "a\r\nBcc: x@y.org",
            "пасольства",
            &"a".repeat(101),
        ] {
            assert_eq!(
                id(bad, "recipient").map(|d| d.code),
                Some("invalid-id"),
                "{bad}"
            );
        }
    }

    #[test]
    fn source_languages_are_language_tags() {
        for good in ["be", "ru", "sr-Latn", "pt-BR", "zh-Hant-TW", "haw"] {
            assert!(language_tag(good).is_none(), "{good}");
        }
        for bad in [
            "",
            "b",
            "belarusian",
            "be_BY",
            "be-",
            "e1",
            "ru-toolongsubtag",
        ] {
            let found = language_tag(bad).map(|d| d.code);
            assert_eq!(found, Some("invalid-language-tag"), "{bad}");
        }
    }

    #[test]
    fn sources_are_web_addresses() {
        for good in [
            "https://salidarnast.info/",
            "http://www.industrial-all-union.org/x?y=1#z",
            "https://пример.бел/а",
            "HTTPS://X.ORG",
        ] {
            assert!(url(good).is_none(), "{good}");
        }
        for bad in [
            "salidarnast.info",
            "Belsat, 2 May",
            "https://",
            "https://x",
            "ftp://x.org",
            "https://a b.org",
            "javascript:alert(1)",
        ] {
            assert_eq!(url(bad).map(|d| d.code), Some("invalid-url"), "{bad}");
        }
    }

    #[test]
    fn emails_are_one_plain_address() {
        for good in [
            "office@ilo.org",
            "a.b+c@mail.example.co.uk",
            "x_y@sub-domain.org",
        ] {
            assert!(email(good).is_none(), "{good}");
        }
        for bad in [
            "a@b.org, c@d.org",
            "<script>@x.org",
            "not an email@@",
            "Guy Ryder <ryder@ilo.org>",
            "ryder@ilo",
            "ryder@ilo..org",
            ".a@ilo.org",
            "a@-ilo.org",
            "a@ilo.org\r\nBcc: x@y.org",
            "",
        ] {
            assert_eq!(email(bad).map(|d| d.code), Some("invalid-email"), "{bad}");
        }
    }

    #[test]
    fn finds_control_characters_by_path_and_counts_text() {
        let value = serde_json::json!({"sender": {"address": ["ok", "bad\u{7}"]}, "x": "\tb\n"});
        let mut out = Vec::new();
        let bytes = strings(&value, &mut String::new(), &mut out);
        assert_eq!(bytes, "sender".len() + "address".len() + 2 + 4 + 1 + 3);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, "sender.address[1]");
        assert_eq!(
            out[0].1.message,
            "control character U+0007 in sender.address[1]"
        );
    }

    // See: #12 (a right-to-left override in a name reversed the sentence
    // after it).
    #[test]
    fn refuses_direction_controls_but_not_marks() {
        let value = serde_json::json!({
            "place": "\u{202E}Geneva",
            "recipients": ["a\u{2067}b"],
            "subject": "ok \u{200F}\u{200E} marks",
        });
        let mut out = Vec::new();
        strings(&value, &mut String::new(), &mut out);
        let said: Vec<(&str, &str)> = (out.iter())
            .map(|(path, d)| (path.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                ("place", "direction control U+202E in place"),
                ("recipients[0]", "direction control U+2067 in recipients[0]"),
            ]
        );
        assert_eq!(out[0].1.code, "direction-control");
    }

    // See: #12 (a line break in a name split the recipient block)
    #[test]
    fn refuses_line_breaks_in_values_printed_on_one_line() {
        let value = serde_json::json!({
            "recipient": [{"name": "Sara\nCohen", "title": {"ru": "а\r\nб"},
                           "address": ["Street 1\nBox 5"]}],
            "cc": ["fnp\nr"],
            "body": "two\n\nparagraphs",
            "incident": [{"summary": "one\ntwo"}],
            "vars": {"name": "free\nform"},
        });
        let mut out = Vec::new();
        strings(&value, &mut String::new(), &mut out);
        let said: Vec<&str> = out.iter().map(|(_, d)| d.message.as_str()).collect();
        assert_eq!(
            said,
            [
                "line break in cc[0]",
                "line break in recipient[0].address[0]",
                "line break in recipient[0].name",
                "line break in recipient[0].title.ru",
            ]
        );
    }

    // See: #12 (Markdown turned "&#x202E;" in the body into an override,
    // and "&#x1B;" into an escape that broke the DOCX's XML)
    #[test]
    fn refuses_characters_written_as_references_and_line_separators() {
        let value = serde_json::json!({
            "body": "We wr&#x202E;ite &amp; &#8238; &#x2028; &#65;",
            "demands": ["a &#27; b", "fine &#x41; &#10;"],
            "recipient": [{"name": "Sar\u{2028}a"}],
            "subject": "a\u{2029}b",
        });
        let mut out = Vec::new();
        strings(&value, &mut String::new(), &mut out);
        let said: Vec<&str> = out.iter().map(|(_, d)| d.message.as_str()).collect();
        assert_eq!(
            said,
            [
                "direction control U+202E (written &#x202E;) in body",
                "control character U+001B (written &#27;) in demands[0]",
                "line break in recipient[0].name",
                "control character U+2029 in subject",
            ]
        );
    }

    #[test]
    fn names_png_chunks_plainly() {
        assert_eq!(
            chunk_names(
                "CRC error: expected 0x1 have 0x2 while decoding ChunkType { type: IDAT, critical: true, private: false, reserved: false, safecopy: false } chunk."
            ),
            "CRC error: expected 0x1 have 0x2 while decoding IDAT chunk."
        );
        assert_eq!(
            chunk_names("unexpected end of file"),
            "unexpected end of file"
        );
    }

    #[test]
    fn finds_blank_values_but_in_vars() {
        let value = serde_json::json!({
            "signatory": {"name": " \u{a0}\n", "title": "General Secretary"},
            "sender": {"address": ["", "Geneva"]},
            "vars": {"note": "", "per": {"en": " "}},
        });
        let mut out = Vec::new();
        strings(&value, &mut String::new(), &mut out);
        let found: Vec<_> = out
            .iter()
            .map(|(path, d)| (path.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("sender.address[0]", "sender.address[0] is blank"),
                ("signatory.name", "signatory.name is blank"),
            ]
        );
    }

    #[test]
    fn logos_are_png_or_svg_within_limits() {
        let png = include_bytes!("../tests/fixtures/logo/logo.png").to_vec();
        assert!(matches!(logo::read(png), Ok(crate::appeal::Logo::Png(_))));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2"/></svg>"#;
        assert!(matches!(
            logo::read(svg.to_vec()),
            Ok(crate::appeal::Logo::Svg(_))
        ));
        let problem = |bytes: &[u8]| logo::read(bytes.to_vec()).unwrap_err();
        assert_eq!(problem(b"GIF89a"), "neither a PNG nor an SVG file");
        assert_eq!(
            problem(br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"></svg>"#),
            "the SVG file draws nothing"
        );
        assert!(
            problem(br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="1"/><text>U</text></svg>"#)
                .starts_with("the SVG file has text, which a logo cannot show")
        );
        for (size, shown) in [
            ("1e30", "1e30"),
            ("1e-30", "0.000000000000000000000000000001"),
        ] {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}"><rect width="{size}" height="{size}"/></svg>"#
            );
            let found = problem(svg.as_bytes());
            assert!(found.starts_with("the drawing is "), "{shown}: {found}");
        }
        // An SVG inside an <image> (data URL) is not read: it cannot get
        // past the count of elements.
        let inner = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=";
        let nested = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2"/><image width="4" height="2" href="data:image/svg+xml;base64,{inner}"/></svg>"#
        );
        assert!(logo::read(nested.into_bytes()).is_ok());
        let mut large = b"<svg xmlns=\"http://www.w3.org/2000/svg\">".to_vec();
        large.resize(logo::MAX_SVG_BYTES + 1, b' ');
        assert_eq!(
            problem(&large),
            "larger than 1 MiB; an SVG logo is far smaller"
        );
        assert_eq!(
            problem(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><use href=\"#a\" id=\"a\"/></svg>"),
            "a <use> refers to itself or to an element that holds it"
        );
        let deep = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\">{}<rect/>{}</svg>",
            "<g>".repeat(60_000),
            "</g>".repeat(60_000)
        );
        assert_eq!(
            problem(deep.as_bytes()),
            "elements nested more than 256 deep; an SVG logo nests a few levels"
        );
        // Entities that multiply are refused by the XML parser, quickly.
        let mut laughs = String::from("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a0 \"lol\">");
        for i in 1..10 {
            let previous = format!("&a{};", i - 1).repeat(10);
            laughs.push_str(&format!("<!ENTITY a{i} \"{previous}\">"));
        }
        laughs.push_str("]><svg xmlns=\"http://www.w3.org/2000/svg\"><text>&a9;</text></svg>");
        let started = std::time::Instant::now();
        assert!(problem(laughs.as_bytes()).starts_with("broken SVG file: "));
        assert!(started.elapsed().as_secs() < 2);
    }
}
