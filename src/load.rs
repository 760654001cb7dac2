//! Loading: TOML text into [`Appeal`] and [`Registry`], with every unknown
//! key and duplicate id reported at its line and column.
//!
//! This is the only module of the library that reads files.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::appeal::{
    Appeal, Incident, Officer, Recipient, Registry, RegistryFile, Sender, Signatory,
};
use crate::error::{Diagnostic, Error, Source};
use crate::lang::Language;
use crate::templates::Templates;

/// The largest appeal file read: about 300 pages of letter.
const MAX_APPEAL_BYTES: usize = 1024 * 1024;

/// A signature image's largest file.
const MAX_SIGNATURE_BYTES: u64 = 16 * 1024 * 1024;

/// A signature image's largest side, in pixels: 50 mm at 2,000 dpi. Larger
/// images would only cost memory (decoded, 4 bytes a pixel) and file size.
const MAX_SIGNATURE_SIDE: u32 = 4000;

/// The registry built into the binary.
const BUILTIN_REGISTRY: &str = include_str!("../recipients.toml");

impl Appeal {
    /// Parses an appeal file's text; `source` names it in diagnostics.
    ///
    /// ```
    /// use appeal::{Appeal, Source};
    ///
    /// let appeal = Appeal::parse(Source::new("appeal.toml", r#"
    ///     template = "ilo-intervention"
    ///     recipients = ["ilo-dg"]
    ///     sender = { organisation = "IndustriALL Global Union" }
    ///     signatory = { name = "Valter Sanchez" }
    /// "#))?;
    /// assert_eq!(appeal.template.get_ref(), "ilo-intervention");
    /// # Ok::<(), appeal::Error>(())
    /// ```
    ///
    /// Syntax and type errors stop parsing. Unknown keys and duplicate ids do
    /// not: they are kept in the appeal and reported by [`resolve`](crate::resolve())
    /// with every other problem, so that one run shows them all.
    pub fn parse(source: Source) -> Result<Appeal, Error> {
        if source.text().len() > MAX_APPEAL_BYTES {
            let size = source.text().len() as f64 / (1024.0 * 1024.0);
            return Err(Diagnostic::new(format!("{} is {size:.1} MiB; an appeal file is at most 1 MiB", source.name()))
                .hint("a letter of hundreds of pages is likely a pasted file; many recipients belong in a --recipients file")
                .into());
        }
        let (mut appeal, mut problems): (Appeal, _) = deserialize(&source, appeal_fields)?;
        problems.extend(check_ids(
            &source,
            "recipient",
            appeal.inline_recipients.iter().map(|r| &r.id),
        ));
        problems.extend(check_ids(
            &source,
            "incident",
            appeal.incidents.iter().map(|i| &i.id),
        ));
        appeal.problems = problems;
        appeal.source = source;
        Ok(appeal)
    }

    /// Reads and parses the appeal file at `path`.
    ///
    /// The signature image it names is read too, relative to the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Appeal, Error> {
        let mut appeal = Appeal::parse(read_source(path.as_ref())?)?;
        if let Some(signature) = &appeal.signatory.signature {
            let image = read_png(&appeal.source, signature.get_ref()).map_err(|problem| {
                Diagnostic::new(format!(
                    "cannot use signature image \"{}\": {problem}",
                    signature.get_ref()
                ))
                .at(appeal.source.locate(&signature.span()))
                .hint("signature is a PNG file, relative to the appeal file")
            })?;
            appeal.signature_image = Some(Arc::new(image));
        }
        Ok(appeal)
    }
}

/// Reads a PNG named in the data, relative to the file that names it.
fn read_png(source: &Source, relative: &str) -> Result<Vec<u8>, String> {
    let base = Path::new(source.name()).parent().unwrap_or(Path::new(""));
    let mut bytes = Vec::new();
    std::fs::File::open(base.join(relative))
        .and_then(|file| file.take(MAX_SIGNATURE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string().to_lowercase())?;
    if bytes.len() as u64 > MAX_SIGNATURE_BYTES {
        return Err("larger than 16 MiB; a signature image is far smaller".into());
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err("not a PNG file".into());
    }
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let broken = |e: png::DecodingError| format!("broken PNG file: {e}");
    let mut reader = decoder.read_info().map_err(broken)?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width.max(height) > MAX_SIGNATURE_SIDE {
        return Err(format!(
            "{width} × {height} pixels; a signature is at most {MAX_SIGNATURE_SIDE} pixels a side"
        ));
    }
    // Decoded once here, so that a broken image is reported at its place
    // rather than when the first letter is typeset.
    let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
    reader.next_frame(&mut pixels).map_err(broken)?;
    Ok(bytes)
}

impl Registry {
    /// The registry built into the crate (`recipients.toml`).
    pub fn builtin() -> Registry {
        Registry::parse(Source::new("recipients.toml", BUILTIN_REGISTRY))
            .expect("the built-in registry is valid (tested)")
    }

    /// Parses a registry file's text; `source` names it in diagnostics.
    pub fn parse(source: Source) -> Result<Registry, Error> {
        let (file, mut diagnostics): (RegistryFile, _) = deserialize(&source, registry_fields)?;
        diagnostics.extend(check_ids(
            &source,
            "recipient",
            file.recipient.iter().map(|r| &r.id),
        ));
        if !diagnostics.is_empty() {
            return Err(Error::invalid(diagnostics));
        }
        Ok(Registry {
            entries: file
                .recipient
                .into_iter()
                .map(|r| (r, source.clone()))
                .collect(),
        })
    }

    /// Reads and parses the registry file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Registry, Error> {
        Registry::parse(read_source(path.as_ref())?)
    }

    /// Adds the entries of `other`; where ids are equal, `other`'s entry wins.
    pub fn extend(&mut self, other: Registry) {
        self.entries.extend(other.entries);
    }
}

impl Templates {
    /// The built-in templates plus those in `dir`, which add or override by name.
    ///
    /// `dir` holds one folder per template with one file per language:
    /// `DIR/NAME/LANG.toml`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Templates, Error> {
        let dir = dir.as_ref();
        let mut templates = Templates::builtin();
        let mut files = Vec::new();
        for folder in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let folder = folder.map_err(|e| Error::io(dir, e))?.path();
            if !folder.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, e))? {
                let file = file.map_err(|e| Error::io(&folder, e))?.path();
                if file.extension().is_some_and(|ext| ext == "toml") {
                    files.push(file);
                }
            }
        }
        files.sort();
        let mut diagnostics = Vec::new();
        for file in files {
            let name = file
                .parent()
                .and_then(Path::file_name)
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let code = file
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let Some(language) = Language::from_code(&code) else {
                diagnostics.push(
                    Diagnostic::new(format!(
                        "template file {} is not named for a language",
                        file.display()
                    ))
                    .hint(format!(
                        "name it LANG.toml, LANG one of: {}",
                        Language::codes().collect::<Vec<_>>().join(", ")
                    )),
                );
                continue;
            };
            if let Err(error) = templates.add(&name, language, read_source(&file)?) {
                diagnostics.extend(error.diagnostics().iter().cloned());
            }
        }
        if diagnostics.is_empty() {
            Ok(templates)
        } else {
            Err(Error::invalid(diagnostics))
        }
    }
}

/// Reads a UTF-8 file into a [`Source`] named by its path.
pub(crate) fn read_source(path: &Path) -> Result<Source, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(Source::new(path.display().to_string(), text))
}

/// Deserializes `source` into `T`, with a diagnostic for every key `T` does not know.
///
/// Unknown keys do not stop deserialization; a syntax or type error does, and
/// then the error holds the unknown keys found before it too.
fn deserialize<T: DeserializeOwned>(
    source: &Source,
    known_fields: fn(&[String]) -> Option<&'static [&'static str]>,
) -> Result<(T, Vec<Diagnostic>), Error> {
    let text = source.text();
    let syntax_error = |error: toml::de::Error| {
        let diagnostic = Diagnostic::new(error.message().trim_end());
        Error::from(match error.span() {
            Some(span) => diagnostic.at(source.locate(&span)),
            None => diagnostic,
        })
    };
    let deserializer = toml::Deserializer::parse(text).map_err(syntax_error)?;
    let mut unknown = Vec::new();
    let value = serde_ignored::deserialize(deserializer, |path| unknown.push(segments(&path)));
    // Places are looked up in a second parse, only when there is something to place.
    let mut diagnostics = Vec::new();
    if !unknown.is_empty() || may_hold_control_characters(text) {
        let document = DeTable::parse(text).map_err(syntax_error)?;
        for path in &unknown {
            diagnostics.push(unknown_key(source, document.get_ref(), path, known_fields));
        }
        control_characters(
            source,
            document.get_ref(),
            &mut Vec::new(),
            &mut diagnostics,
        );
    }
    match value {
        Ok(value) => Ok((value, diagnostics)),
        Err(error) => {
            diagnostics.extend(syntax_error(error).diagnostics().iter().cloned());
            Err(Error::invalid(diagnostics))
        }
    }
}

/// True if `text` has an escape that makes a control character: TOML allows
/// none raw in strings but tabs, and `\u0000`, `\b`, `\f`, `\e` or `\x01`
/// make them. A cheap test, so that the full check runs only when needed.
fn may_hold_control_characters(text: &str) -> bool {
    text.contains("\\u00")
        || text.contains("\\U000000")
        || text.contains("\\x")
        || text.contains("\\b")
        || text.contains("\\f")
        || text.contains("\\e")
}

/// Reports every string value holding a control character other than a line
/// break or a tab: it would reach letters, PDFs and mail headers unseen.
fn control_characters(
    source: &Source,
    table: &DeTable<'_>,
    path: &mut Vec<String>,
    out: &mut Vec<Diagnostic>,
) {
    for (key, value) in table {
        path.push(key.get_ref().to_string());
        control_characters_in(source, value, path, out);
        path.pop();
    }
}

fn control_characters_in(
    source: &Source,
    value: &Spanned<DeValue<'_>>,
    path: &mut Vec<String>,
    out: &mut Vec<Diagnostic>,
) {
    match value.get_ref() {
        DeValue::String(text) => {
            if let Some(c) = text
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            {
                out.push(
                    Diagnostic::new(format!(
                        "control character U+{:04X} in {}",
                        c as u32,
                        display_path(path)
                    ))
                    .at(source.locate(&value.span()))
                    .hint("remove it: it would reach letters and mail headers unseen"),
                );
            }
        }
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                control_characters_in(source, item, path, out);
                path.pop();
            }
        }
        DeValue::Table(table) => control_characters(source, table, path, out),
        _ => {}
    }
}

/// A key path as written in diagnostics: `sender.orgnisation`, `incident[2].plase`.
fn display_path(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

fn segments(path: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path;
    match path {
        Path::Root => Vec::new(),
        Path::Seq { parent, index } => {
            let mut out = segments(parent);
            out.push(index.to_string());
            out
        }
        Path::Map { parent, key } => {
            let mut out = segments(parent);
            out.push(key.clone());
            out
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => segments(parent),
    }
}

fn unknown_key(
    source: &Source,
    document: &DeTable<'_>,
    path: &[String],
    known_fields: fn(&[String]) -> Option<&'static [&'static str]>,
) -> Diagnostic {
    let (key, parent) = path.split_last().expect("an ignored key has a name");
    let tables: Vec<String> = parent
        .iter()
        .filter(|s| s.parse::<usize>().is_err())
        .cloned()
        .collect();
    let section = if parent.is_empty() {
        "the top level".to_owned()
    } else {
        format!("[{}]", tables.join("."))
    };
    let mut diagnostic = Diagnostic::new(format!(
        "unknown field \"{}\" in {section}",
        display_path(path)
    ));
    if let Some(span) = key_span(document, path) {
        diagnostic = diagnostic.at(source.locate(&span));
    }
    if !tables.is_empty() && known_fields(&[]).is_some_and(|top| top.contains(&key.as_str())) {
        // TOML's pitfall: a top-level key written after a [table] belongs to that table.
        diagnostic = diagnostic.hint(format!(
            "\"{key}\" is a top-level key: move it above the first [table]"
        ));
    }
    match known_fields(&tables) {
        Some(fields) => {
            let hint = format!("valid fields: {}", fields.join(", "));
            diagnostic.suggest(key, fields.iter().copied()).hint(hint)
        }
        None => diagnostic,
    }
}

/// The span of the key at `path` in the parsed document.
fn key_span(table: &DeTable<'_>, path: &[String]) -> Option<Range<usize>> {
    let (first, rest) = path.split_first()?;
    let (key, value) = table
        .iter()
        .find(|(key, _)| key.get_ref().as_ref() == first.as_str())?;
    if rest.is_empty() {
        return Some(key.span());
    }
    value_key_span(value, rest)
}

fn value_key_span(value: &Spanned<DeValue<'_>>, path: &[String]) -> Option<Range<usize>> {
    match value.get_ref() {
        DeValue::Table(table) => key_span(table, path),
        DeValue::Array(items) => {
            let (index, rest) = path.split_first()?;
            let item = items.get(index.parse::<usize>().ok()?)?;
            if rest.is_empty() {
                Some(item.span())
            } else {
                value_key_span(item, rest)
            }
        }
        _ => None,
    }
}

/// One diagnostic per id that is malformed or defined twice in one file.
///
/// Ids name output files and are typed on command lines, so they are kept to
/// ASCII letters, digits, `-`, `_` and `.`, starting with a letter or digit.
fn check_ids<'a>(
    source: &Source,
    what: &str,
    ids: impl Iterator<Item = &'a Spanned<String>>,
) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, Range<usize>> = HashMap::new();
    let mut diagnostics = Vec::new();
    for id in ids {
        let text = id.get_ref();
        let well_formed = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !well_formed {
            diagnostics.push(
                Diagnostic::new(format!("invalid {what} id \"{text}\""))
                    .at(source.locate(&id.span()))
                    .hint("ids hold ASCII letters, digits, '-', '_' and '.', and start with a letter or digit"),
            );
            continue;
        }
        match seen.get(id.get_ref().as_str()) {
            Some(first) => diagnostics.push(
                Diagnostic::new(format!("duplicate {what} id \"{}\"", id.get_ref()))
                    .at(source.locate(&id.span()))
                    .hint(format!("first defined at {}", source.locate(first))),
            ),
            None => {
                seen.insert(id.get_ref(), id.span());
            }
        }
    }
    diagnostics
}

fn appeal_fields(tables: &[String]) -> Option<&'static [&'static str]> {
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    Some(match tables.as_slice() {
        [] => fields_of::<Appeal>(),
        ["sender"] => fields_of::<Sender>(),
        ["sender", "officers"] => fields_of::<Officer>(),
        ["signatory"] => fields_of::<Signatory>(),
        ["recipient"] => fields_of::<Recipient>(),
        ["incident"] => fields_of::<Incident>(),
        _ => return None,
    })
}

fn registry_fields(tables: &[String]) -> Option<&'static [&'static str]> {
    match tables {
        [] => Some(fields_of::<RegistryFile>()),
        [table] if table == "recipient" => Some(fields_of::<Recipient>()),
        _ => None,
    }
}

/// The field names serde expects for struct `T`, read from its `Deserialize` impl.
fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Fields(&'static [&'static str]);
    impl de::Error for Fields {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Fields(&[])
        }
    }
    impl std::error::Error for Fields {}
    impl std::fmt::Display for Fields {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields")
        }
    }
    impl std::fmt::Debug for Fields {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields")
        }
    }
    struct Introspect;
    impl<'de> de::Deserializer<'de> for Introspect {
        type Error = Fields;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Fields> {
            Err(Fields(&[]))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Fields> {
            Err(Fields(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    match T::deserialize(Introspect) {
        Err(Fields(fields)) => fields,
        Ok(_) => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problems parsing finds, fatal or kept for resolve.
    fn parse_error(text: &str) -> String {
        match Appeal::parse(Source::new("a.toml", text)) {
            Ok(appeal) => Error::invalid(appeal.problems).to_string(),
            Err(error) => error.to_string(),
        }
    }

    const MINIMAL: &str = "template = \"ilo-intervention\"\n\
        [sender]\norganisation = \"U\"\n[signatory]\nname = \"S\"\n";

    #[test]
    fn reads_struct_fields_from_serde() {
        assert_eq!(fields_of::<Officer>(), &["role", "name"]);
        assert!(fields_of::<Appeal>().contains(&"recipients"));
        assert!(!fields_of::<Appeal>().contains(&"source"));
    }

    #[test]
    fn reports_every_unknown_key_with_location_and_hint() {
        let text = format!(
            "{MINIMAL}titel = \"x\"\n[[incident]]\nid = \"a\"\nsummary = \"s\"\nplase = \"p\"\n"
        );
        let text = text.replacen(
            "organisation = \"U\"",
            "organisation = \"U\"\norganisaton = \"V\"",
            1,
        );
        assert_eq!(
            parse_error(&text),
            "a.toml:4:1: error: unknown field \"sender.organisaton\" in [sender]\n  \
             hint: did you mean \"organisation\"?\n  \
             hint: valid fields: organisation, website, address, phone, fax, email, officers\n\
             a.toml:7:1: error: unknown field \"signatory.titel\" in [signatory]\n  \
             hint: did you mean \"title\"?\n  \
             hint: valid fields: name, title, signature\n\
             a.toml:11:1: error: unknown field \"incident[0].plase\" in [incident]\n  \
             hint: did you mean \"place\"?\n  \
             hint: valid fields: id, date, place, kind, people, organisation, summary, outcome, sources"
        );
    }

    #[test]
    fn reports_syntax_errors_at_their_place() {
        assert_eq!(
            parse_error("template = \"x\"\nplace = \n"),
            "a.toml:2:9: error: string values must be quoted, expected literal string"
        );
    }

    #[test]
    fn reports_wrong_types() {
        let error = parse_error(&format!("demands = \"one\"\n{MINIMAL}"));
        assert_eq!(
            error,
            "a.toml:1:11: error: invalid type: string \"one\", expected a sequence"
        );
    }

    #[test]
    fn names_both_places_of_a_duplicate_id() {
        let text = format!("{MINIMAL}[[recipient]]\nid = \"x\"\n[[recipient]]\nid = \"x\"\n");
        assert_eq!(
            parse_error(&text),
            "a.toml:9:6: error: duplicate recipient id \"x\"\n  hint: first defined at a.toml:7:6"
        );
    }

    #[test]
    fn builtin_registry_loads() {
        let registry = Registry::builtin();
        assert!(registry.get("ilo-dg").is_some());
        assert!(registry.tagged("embassy").count() >= 11);
    }
}
