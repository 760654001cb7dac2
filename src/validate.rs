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

/// Reports, by key path, every string in `value` that is blank (a letter
/// would print an empty name or line; `vars` are free-form and may be) or
/// holds a control character other than a line break or a tab (it would
/// reach letters, PDFs and mail headers unseen), and returns the bytes of
/// text it holds.
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
            } else if let Some(c) = text.chars().find(|&c| {
                (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
                    || crate::evidence::is_reserved(c)
            }) {
                out.push((
                    path.clone(),
                    Diagnostic::new(
                        "control-character",
                        format!("control character U+{:04X} in {path}", c as u32),
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

/// True for a key path inside the free-form `vars` table.
fn is_vars(path: &str) -> bool {
    path == "vars" || path.starts_with("vars.") || path.starts_with("vars[")
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
        if bytes.len() > MAX_BYTES {
            return Err("larger than 16 MiB; a signature image is far smaller".into());
        }
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("not a PNG file".into());
        }
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let broken = |e: png::DecodingError| format!("broken PNG file: {e}");
        let mut reader = decoder.read_info().map_err(broken)?;
        let (width, height) = (reader.info().width, reader.info().height);
        if width.max(height) > MAX_SIDE {
            return Err(format!(
                "{width} × {height} pixels; a signature is at most {MAX_SIDE} pixels a side"
            ));
        }
        if decode {
            let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
            reader.next_frame(&mut pixels).map_err(broken)?;
        }
        Ok(())
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
}
