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

use crate::appeal::LetterStyle;
use crate::appeal::{
    Appeal, Incident, Localized, Officer, Person, Recipient, Reference, Registry, RegistryFile,
    Sender, Signatory,
};
use crate::error::{Diagnostic, Error, Source, quote};
use crate::incidents::{Defined, Incidents};
use crate::lang::Language;
use crate::letter::FontFile;
use crate::origin::Origin;
use crate::table;
use crate::templates::Templates;
use crate::validate::{self, signature};

/// The largest appeal file read: about 300 pages of letter.
const MAX_APPEAL_BYTES: usize = 1024 * 1024;

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
    /// assert_eq!(appeal.template, "ilo-intervention");
    /// # Ok::<(), appeal::Error>(())
    /// ```
    ///
    /// Syntax and type errors stop parsing. Unknown keys do not: they are
    /// kept beside the appeal and reported by [`resolve`](crate::resolve())
    /// with every other problem, so that one run shows them all.
    pub fn parse(source: Source) -> Result<Appeal, Error> {
        if source.text().len() > MAX_APPEAL_BYTES {
            let size = source.text().len() as f64 / (1024.0 * 1024.0);
            return Err(Diagnostic::new("too-large", format!("{} is {size:.1} MiB; an appeal file is at most 1 MiB", source.name()))
                .hint("a letter of hundreds of pages is likely a pasted file; many recipients belong in a --recipients file")
                .into());
        }
        let (mut appeal, problems): (Appeal, _) = deserialize(&source, appeal_fields)?;
        appeal.origin = Some(Arc::new(Origin::new(source, problems)));
        Ok(appeal)
    }

    /// Reads and parses the appeal file at `path`.
    ///
    /// The signature images and the logo it names are read too, relative to
    /// the file, and checked.
    pub fn open(path: impl AsRef<Path>) -> Result<Appeal, Error> {
        // Read up to the databases' limit, so that a large file is refused
        // with its size (by `parse`), and an endless one not read on.
        let source = read_source(path.as_ref(), MAX_DATABASE_BYTES)?;
        let mut appeal = Appeal::parse(source.clone())?;
        let origin = appeal.origin.clone().expect("parsed from a file");
        let mut problems = Vec::new();
        for i in 0..appeal.signatory.len() {
            let Some(signature) = &appeal.signatory[i].signature else {
                continue;
            };
            let path = format!("{}.signature", appeal.signatory_path(i));
            let png = read_file(&source, signature, signature::MAX_BYTES)
                .and_then(|bytes| signature::check(&bytes, true).map(|()| bytes));
            match png {
                Ok(image) => appeal.signatory[i].signature_image = Some(Arc::new(image)),
                Err(problem) => problems.push(
                    Diagnostic::new(
                        "bad-signature-image",
                        format!("cannot use signature image \"{signature}\": {problem}"),
                    )
                    .at(origin.locate(&path))
                    .path(path)
                    .hint("signature is a PNG file, relative to the appeal file"),
                ),
            }
        }
        if let Some(logo) = &appeal.sender.logo {
            let path = "sender.logo";
            let read =
                read_file(&source, logo, signature::MAX_BYTES).and_then(validate::logo::read);
            match read {
                Ok(image) => appeal.sender.logo_image = Some(image),
                Err(problem) => problems.push(
                    Diagnostic::new("bad-logo", format!("cannot use logo \"{logo}\": {problem}"))
                        .at(origin.locate(path))
                        .path(path)
                        .hint("logo is a PNG or SVG file, relative to the appeal file"),
                ),
            }
        }
        for (i, name) in appeal.style.fonts.iter().enumerate() {
            let path = format!("style.fonts[{i}]");
            match read_font(&source, name) {
                Ok(data) => appeal.style.font_files.push(FontFile {
                    name: name.clone(),
                    data: data.into(),
                }),
                Err(problem) => problems.push(
                    Diagnostic::new("bad-font", format!("cannot use font \"{name}\": {problem}"))
                        .at(origin.locate(&path))
                        .path(path)
                        .hint("fonts are TrueType or OpenType files (.ttf, .otf) of at most 16 MiB, relative to the appeal file"),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(Error::invalid(problems));
        }
        Ok(appeal)
    }
}

/// The most bytes of a font file `[style] fonts` names.
const MAX_FONT_BYTES: usize = 16 * 1024 * 1024;

/// Reads a font file named in the data, relative to the file that names
/// it, and checks that the PDF can use it (see
/// [`crate::render::check_font`]).
fn read_font(source: &Source, relative: &str) -> Result<Vec<u8>, String> {
    let bytes = read_file(source, relative, MAX_FONT_BYTES)?;
    if bytes.len() > MAX_FONT_BYTES {
        return Err(format!(
            "larger than the {MAX_FONT_BYTES} bytes a font may have"
        ));
    }
    #[cfg(feature = "pdf")]
    crate::render::check_font(&bytes)?;
    Ok(bytes)
}

/// Reads a file named in the data, relative to the file that names it:
/// `max` bytes and one more at most, so that a larger one is refused.
fn read_file(source: &Source, relative: &str, max: usize) -> Result<Vec<u8>, String> {
    let base = Path::new(source.name()).parent().unwrap_or(Path::new(""));
    let path = base.join(relative);
    // A pipe or device would block the read (or never end): files only.
    let metadata = std::fs::metadata(&path).map_err(|e| e.to_string().to_lowercase())?;
    if !metadata.is_file() {
        return Err("not a file".to_owned());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|file| file.take(max as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string().to_lowercase())?;
    // Decoded whole once by the caller, so that a broken image is reported
    // at its place rather than when the first letter is typeset.
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
        let (recipients, problems) = registry_entries(&source)?;
        checked_registry(
            recipients,
            problems,
            Arc::new(Origin::new(source, Vec::new())),
        )
    }

    /// Reads and parses the registry file at `path`: TOML, or by its
    /// extension CSV (`.csv`, see [`Registry::parse_csv`]) or JSON (`.json`,
    /// `.jsonl`, see [`Registry::parse_json`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Registry, Error> {
        let path = path.as_ref();
        let source = read_source(path, MAX_DATABASE_BYTES)?;
        let extension = path
            .extension()
            .map(|ext| ext.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("csv") => Registry::parse_csv(source),
            Some("json" | "jsonl") => Registry::parse_json(source),
            _ => Registry::parse(source),
        }
    }

    /// Parses a registry kept as a spreadsheet: CSV with a header row of the
    /// registry's keys (`id`, `organisation`, `address`, `tags`, …), one
    /// recipient a row, as [`Registry::to_csv`] writes it.
    ///
    /// A list cell (`address`, `tags`) holds its items separated by `;`, or
    /// one a line where the cell holds line breaks. A value given per
    /// language has a column per language: `title.en`, `title.ru`. Empty
    /// cells are values not given. Problems are reported at their row
    /// (line) and column, all at once.
    ///
    /// ```
    /// use appeal::{Registry, Source};
    ///
    /// let csv = "id,organisation,address,tags\n\
    ///            metall,IG Metall,\"Wilhelm-Leuschner-Str. 79; 60329 Frankfurt\",union;de\n";
    /// let registry = Registry::parse_csv(Source::new("r.csv", csv))?;
    /// let metall = registry.get("metall").unwrap();
    /// let address = metall.address.as_ref().and_then(|a| a.best(&[])).unwrap();
    /// assert_eq!(address, &["Wilhelm-Leuschner-Str. 79", "60329 Frankfurt"]);
    /// let written = Registry::to_csv(registry.iter())?;
    /// let back = Registry::parse_csv(Source::new("again.csv", written))?;
    /// assert_eq!(back.get("metall"), Some(metall));
    /// # Ok::<(), appeal::Error>(())
    /// ```
    pub fn parse_csv(source: Source) -> Result<Registry, Error> {
        let fields = fields_of::<Recipient>();
        fn key(name: &str) -> &str {
            name.split_once('.').map_or(name, |(key, _)| key)
        }
        let (mut reader, header, mut diagnostics) = csv_reader(&source, fields, &["id"], key)?;
        for (column, name) in header.iter().enumerate() {
            let Some((_, language)) = name.split_once('.') else {
                continue;
            };
            if fields.contains(&key(name)) && Language::from_code(language).is_none() {
                diagnostics.push(
                    Diagnostic::new(
                        "unknown-language",
                        format!("unknown language \"{language}\" in column \"{name}\""),
                    )
                    .at(table::cell_at(&source, 1, column + 1))
                    .suggest(language, Language::codes())
                    .hint(format!(
                        "a column per language is KEY.LANG, LANG one of: {}",
                        Language::codes().collect::<Vec<_>>().join(", ")
                    )),
                );
            }
        }
        if !diagnostics.is_empty() {
            return Err(Error::invalid(diagnostics));
        }
        let column_of = |key: &str| {
            header
                .iter()
                .position(|h| h == key || h.strip_prefix(key).is_some_and(|l| l.starts_with('.')))
                .map_or(1, |i| i + 1)
        };
        let mut recipients = Vec::new();
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    diagnostics.push(table::csv_error(&source, &error));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line() as usize);
            match table::from_row::<Recipient>(&header, &record) {
                Ok(recipient) => {
                    recipients.push(recipient);
                    lines.push(line);
                }
                Err((message, column)) => {
                    let (message, column) = match column {
                        Some(column) => (
                            format!("{message} in column \"{}\"", header[column]),
                            column + 1,
                        ),
                        None => {
                            let missing = message
                                .strip_prefix("missing field `")
                                .and_then(|rest| rest.split('`').next());
                            (message.clone(), missing.map_or(1, column_of))
                        }
                    };
                    let mut diagnostic = Diagnostic::new("syntax", message)
                        .at(table::cell_at(&source, line, column));
                    if diagnostic.message.starts_with("list ") {
                        diagnostic = diagnostic
                            .hint("a list cell holds its items separated by ; or one a line");
                    } else if diagnostic.message.starts_with("invalid type: map") {
                        let key = key(&header[column - 1]);
                        diagnostic = diagnostic.hint(format!(
                            "\"{key}\" has one value for every language: a column \"{key}\""
                        ));
                    }
                    diagnostics.push(diagnostic);
                }
            }
        }
        let origin = Origin::rows(source, header, lines);
        checked_registry(recipients, diagnostics, Arc::new(origin))
    }

    /// Parses a registry kept as JSON: an array of recipient objects with
    /// the registry's keys (as `appeal recipients --format json` prints
    /// them), or JSON Lines, one object a line.
    pub fn parse_json(source: Source) -> Result<Registry, Error> {
        use serde_json::value::RawValue;
        let text = source.text();
        let json_error = |error: serde_json::Error, within: &str| {
            let offset = offset_of(within, error.line(), error.column());
            let start = within.as_ptr() as usize - text.as_ptr() as usize;
            let message = error.to_string();
            let message = message.split(" at line ").next().unwrap_or_default();
            Diagnostic::new("syntax", message.to_owned())
                .at(source.locate(&(start + offset..start + offset)))
        };
        // A byte order mark, as spreadsheet programs write, is no value.
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        if body.trim().is_empty() {
            return Err(Error::invalid(vec![
                Diagnostic::new("syntax", "the file is empty")
                    .at(source.locate(&(0..0)))
                    .hint("a JSON registry is an array of recipients, or one object a line; [] for none"),
            ]));
        }
        let values: Vec<&RawValue> = if body.trim_start().starts_with('[') {
            serde_json::from_str(body).map_err(|e| json_error(e, body))?
        } else {
            serde_json::Deserializer::from_str(body)
                .into_iter::<&RawValue>()
                .collect::<Result<_, _>>()
                .map_err(|e| json_error(e, body))?
        };
        let mut recipients = Vec::new();
        let mut entries = Vec::new();
        let mut diagnostics = Vec::new();
        let fields = fields_of::<Recipient>();
        for value in values {
            let within = value.get();
            let mut unknown = Vec::new();
            let mut deserializer = serde_json::Deserializer::from_str(within);
            let recipient: Result<Recipient, _> =
                serde_ignored::deserialize(&mut deserializer, |path| unknown.push(segments(&path)));
            for path in unknown {
                let key = path.last().cloned().unwrap_or_default();
                let offset = key_offset(within, &key).unwrap_or(0);
                let start = within.as_ptr() as usize - text.as_ptr() as usize + offset;
                let mut diagnostic = Diagnostic::new(
                    "unknown-field",
                    format!("unknown field \"{}\" in a recipient", display_path(&path)),
                )
                .at(source.locate(&(start..start)));
                if path.len() == 1 {
                    diagnostic = diagnostic
                        .suggest(&key, fields.iter().copied())
                        .hint(format!("valid fields: {}", fields.join(", ")));
                }
                diagnostics.push(diagnostic);
            }
            match recipient {
                Ok(recipient) => {
                    recipients.push(recipient);
                    entries.push(within);
                }
                Err(error) => diagnostics.push(json_error(error, within)),
            }
        }
        let starts = entries
            .iter()
            .map(|within| within.as_ptr() as usize - text.as_ptr() as usize)
            .collect();
        checked_registry(
            recipients,
            diagnostics,
            Arc::new(Origin::objects(source, starts)),
        )
    }

    /// The recipients as CSV, one a row, with a column for every key of the
    /// registry and one per language where a value is given per language:
    /// what [`Registry::parse_csv`] reads back as the same entries.
    /// Cells a spreadsheet would take for a formula (`=…`, `+…`) get a
    /// leading `'`, which reading takes off again.
    ///
    /// `Err` for a value no cell can hold: a list item with a line break.
    pub fn to_csv<'a>(
        recipients: impl IntoIterator<Item = &'a Recipient>,
    ) -> Result<String, Error> {
        let recipients: Vec<&Recipient> = recipients.into_iter().collect();
        table::to_csv(&recipients, fields_of::<Recipient>()).map_err(|problem| {
            Diagnostic::new(
                "unrepresentable",
                format!("cannot write the registry as CSV: {problem}"),
            )
            .hint("write it as TOML or JSON instead")
            .into()
        })
    }
}

/// The byte offset in `text` of `column` (counted from 1) on `line`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// Where the key `"key":` is in a JSON object's text.
pub(crate) fn key_offset(object: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    object
        .match_indices(&quoted)
        .map(|(i, _)| i)
        .find(|&i| object[i + quoted.len()..].trim_start().starts_with(':'))
}

/// A CSV file's reader past its header, the header's column names, and the
/// header's problems.
type CsvFile<'s> = (csv::Reader<&'s [u8]>, Vec<String>, Vec<Diagnostic>);

/// A CSV file opened by [`CsvFile`]; an error for a header that cannot be
/// read or a quote never closed.
fn csv_reader<'s>(
    source: &'s Source,
    fields: &[&str],
    required: &[&str],
    key: fn(&str) -> &str,
) -> Result<CsvFile<'s>, Error> {
    if let Some(problem) = table::unclosed_quote(source) {
        return Err(problem.into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(source.text().as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_owned()).collect(),
        Err(error) => return Err(table::csv_error(source, &error).into()),
    };
    let problems = table::header_problems(source, &header, fields, required, key);
    Ok((reader, header, problems))
}

/// A registry of `recipients` read from `origin`, once their ids (valid,
/// each once) and e-mail addresses are checked.
fn checked_registry(
    recipients: Vec<Recipient>,
    mut diagnostics: Vec<Diagnostic>,
    origin: Arc<Origin>,
) -> Result<Registry, Error> {
    let place = |i: usize, key: &str| origin.locate(&format!("recipient[{i}].{key}"));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, recipient) in recipients.iter().enumerate() {
        let path = format!("recipient[{i}].id");
        if let Some(problem) = recipient.email.as_deref().and_then(validate::email) {
            let path = format!("recipient[{i}].email");
            diagnostics.push(problem.path(&path).at(place(i, "email")));
        }
        if let Some(problem) = validate::id(&recipient.id, "recipient") {
            diagnostics.push(problem.path(&path).at(place(i, "id")));
        } else if let Some(first) = seen.insert(&recipient.id, i) {
            diagnostics.push(
                Diagnostic::new(
                    "duplicate-id",
                    format!("duplicate recipient id \"{}\"", recipient.id),
                )
                .path(&path)
                .at(place(i, "id"))
                .hint(format!("first defined at {}", place(first, "id"))),
            );
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error::invalid(diagnostics));
    }
    let mut registry = Registry::default();
    registry.add(recipients, Some((origin, 0)));
    Ok(registry)
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct IncidentFile {
    /// The incidents, one `[[incident]]` table each.
    #[serde(default)]
    incident: Vec<Incident>,
}

/// The columns of an incident CSV file, in the order written.
const INCIDENT_COLUMNS: [&str; 13] = [
    "id",
    "date",
    "place",
    "kind",
    "people",
    "organisation",
    "summary",
    "outcome",
    "sources",
    "authority",
    "legal_basis",
    "annexes",
    "tags",
];

impl Incidents {
    /// Reads an incident database: a TOML file of `[[incident]]` entries, or
    /// a CSV file (by its `.csv` extension) with the columns `id, date,
    /// place, kind, people, organisation, summary, outcome, sources, authority,
    /// legal_basis, annexes, tags`.
    ///
    /// In CSV, list cells (`people`, `sources`, `annexes`, `tags`) are separated by
    /// `;`, and a person or source's fields by `|`: `Name|role|protect`,
    /// `url|title|publisher|date|language`.
    pub fn open(path: impl AsRef<Path>) -> Result<Incidents, Error> {
        let path = path.as_ref();
        let source = read_source(path, MAX_DATABASE_BYTES)?;
        match path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"))
        {
            true => Incidents::parse_csv(source),
            false => Incidents::parse(source),
        }
    }

    /// Parses a TOML incident database's text; `source` names it in diagnostics.
    pub fn parse(source: Source) -> Result<Incidents, Error> {
        let (file, mut diagnostics): (IncidentFile, _) = deserialize(&source, incident_fields)?;
        let origin = Arc::new(Origin::new(source, Vec::new()));
        let mut incidents = Incidents::default();
        for (i, incident) in file.incident.into_iter().enumerate() {
            let path = format!("incident[{i}]");
            let problems = incident_problems(&incident, &path);
            if problems.is_empty() {
                let defined = Defined {
                    origin: origin.clone(),
                    index: i,
                };
                if let Err(error) = incidents.push(incident, Some(defined)) {
                    diagnostics.extend(error.diagnostics().iter().cloned());
                }
            }
            for (path, problem) in problems {
                diagnostics.push(problem.path(&path).at(origin.locate(&path)));
            }
        }
        match diagnostics.is_empty() {
            true => Ok(incidents),
            false => Err(Error::invalid(diagnostics)),
        }
    }

    /// Parses a CSV incident database's text (see [`Incidents::open`]).
    pub fn parse_csv(source: Source) -> Result<Incidents, Error> {
        let at = |line: u64, column: usize| table::cell_at(&source, line as usize, column);
        let (mut reader, header, mut diagnostics) =
            csv_reader(&source, &INCIDENT_COLUMNS, &["id", "summary"], |name| name)?;
        if !diagnostics.is_empty() {
            return Err(Error::invalid(diagnostics));
        }
        let mut read = Vec::new();
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    diagnostics.push(table::csv_error(&source, &error));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            lines.push(line as usize);
            let mut incident = Incident::default();
            let mut problems = Vec::new();
            for (column, (name, cell)) in header.iter().zip(record.iter()).enumerate() {
                if let Err(problem) = set_incident_field(&mut incident, name, cell.trim()) {
                    problems.push(problem.at(at(line, column + 1)));
                }
            }
            let column_of = |path: &str| {
                let name = path.split(['.', '[']).next().unwrap_or_default();
                header.iter().position(|h| h == name).map_or(1, |i| i + 1)
            };
            for (path, problem) in incident_problems(&incident, "") {
                problems.push(problem.at(at(line, column_of(&path))));
            }
            if problems.is_empty() {
                read.push((incident, lines.len() - 1));
            }
            diagnostics.extend(problems);
        }
        let origin = Arc::new(Origin::rows(source, header, lines));
        let mut incidents = Incidents::default();
        for (incident, index) in read {
            let defined = Defined {
                origin: origin.clone(),
                index,
            };
            if let Err(error) = incidents.push(incident, Some(defined)) {
                diagnostics.extend(error.diagnostics().iter().cloned());
            }
        }
        match diagnostics.is_empty() {
            true => Ok(incidents),
            false => Err(Error::invalid(diagnostics)),
        }
    }
}

/// Sets one CSV cell's field of `incident`.
fn set_incident_field(
    incident: &mut Incident,
    column: &str,
    cell: &str,
) -> Result<(), Box<Diagnostic>> {
    let text = || (!cell.is_empty()).then(|| cell.to_owned());
    let list = || cell.split(';').map(str::trim).filter(|s| !s.is_empty());
    let parts = |item: &str| {
        item.split('|')
            .map(str::trim)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    match column {
        "id" => incident.id = cell.to_owned(),
        "date" if !cell.is_empty() => {
            incident.date = Some(cell.parse().map_err(|_| {
                Box::new(
                    Diagnostic::new(
                        "syntax",
                        format!("invalid date {} in column \"date\"", quote(cell)),
                    )
                    .hint("dates are written 2021-03-01"),
                )
            })?);
        }
        "place" => incident.place = text().map(Localized::Same),
        "kind" => incident.kind = text(),
        "organisation" => incident.organisation = text(),
        "summary" => incident.summary = Localized::Same(cell.to_owned()),
        "outcome" => incident.outcome = text().map(Localized::Same),
        "authority" => incident.authority = text().map(Localized::Same),
        "legal_basis" => incident.legal_basis = text().map(Localized::Same),
        "annexes" => {
            let annexes: Vec<String> = list().map(str::to_owned).collect();
            incident.annexes = (!annexes.is_empty()).then_some(Localized::Same(annexes));
        }
        "tags" => incident.tags = list().map(str::to_owned).collect(),
        "people" => {
            for item in list() {
                let fields = parts(item);
                if fields[0].is_empty() || fields.len() > 3 {
                    return Err(Box::new(
                        Diagnostic::new("syntax", format!("person \"{item}\" in column \"people\" is not Name|role|protect"))
                            .hint("a person is Name, Name|role or Name|role|protect; people are separated by ;"),
                    ));
                }
                let mut person = Person::new(fields[0].clone());
                person.role = fields
                    .get(1)
                    .filter(|r| !r.is_empty())
                    .cloned()
                    .map(Into::into);
                person.protect = match fields.get(2).map(String::as_str) {
                    None | Some("") => false,
                    Some("protect") => true,
                    Some(other) => {
                        return Err(Box::new(
                            Diagnostic::new(
                                "syntax",
                                format!("\"{other}\" in column \"people\" is not \"protect\""),
                            )
                            .hint("a person is Name, Name|role or Name|role|protect"),
                        ));
                    }
                };
                incident.people.push(person);
            }
        }
        "sources" => {
            for item in list() {
                let fields = parts(item);
                let mut reference = Reference::new(fields[0].clone());
                reference.title = fields.get(1).filter(|t| !t.is_empty()).cloned();
                reference.publisher = fields.get(2).filter(|p| !p.is_empty()).cloned();
                if let Some(date) = fields.get(3).filter(|d| !d.is_empty()) {
                    reference.date = Some(date.parse().map_err(|_| {
                        Box::new(
                            Diagnostic::new(
                                "syntax",
                                format!("invalid date {} in column \"sources\"", quote(date)),
                            )
                            .hint("a source is url|title|publisher|date|language, dates written 2021-03-01"),
                        )
                    })?);
                }
                reference.language = fields.get(4).filter(|l| !l.is_empty()).cloned();
                incident.sources.push(reference);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Problems with one incident of a database, by key path under `path`: its
/// id, its sources, control characters.
pub(crate) fn incident_problems(incident: &Incident, path: &str) -> Vec<(String, Diagnostic)> {
    let join = |key: &str| match path.is_empty() {
        true => key.to_owned(),
        false => format!("{path}.{key}"),
    };
    let mut problems = Vec::new();
    if let Some(problem) = validate::id(&incident.id, "incident") {
        problems.push((join("id"), problem));
    }
    for (i, source) in incident.sources.iter().enumerate() {
        if let Some(problem) = validate::url(&source.url) {
            problems.push((join(&format!("sources[{i}]")), problem));
        }
        if let Some(problem) = source.language.as_deref().and_then(validate::language_tag) {
            problems.push((join(&format!("sources[{i}].language")), problem));
        }
    }
    let value = serde_json::to_value(incident).unwrap_or_default();
    validate::strings(&value, &mut path.to_owned(), &mut problems);
    problems
}

/// Registry files larger than this are read an entry at a time.
const PIECEWISE_BYTES: usize = 64 * 1024;

/// The `[[recipient]]` entries of a registry file, and the problems that did
/// not stop reading it.
///
/// A large file is read an entry at a time: parsed whole, it holds a syntax
/// tree of every value, some 20 times the file (580 MB for 100,000
/// entries). A problem in any piece, or a text that pieces could cut wrongly
/// (multi-line strings), is read whole instead, so that messages are the same.
fn registry_entries(source: &Source) -> Result<(Vec<Recipient>, Vec<Diagnostic>), Error> {
    let text = source.text();
    if text.len() > PIECEWISE_BYTES && !text.contains("\"\"\"") && !text.contains("'''") {
        let pieces = entry_pieces(text);
        // Each piece holds one entry (the first maybe none): room for all at once.
        let mut recipients = Vec::with_capacity(pieces.len());
        let whole = pieces.into_iter().all(|piece| {
            let piece = Source::new(source.name(), &text[piece]);
            match deserialize::<RegistryFile>(&piece, registry_fields) {
                Ok((file, problems)) if problems.is_empty() => {
                    recipients.extend(file.recipient);
                    true
                }
                _ => false,
            }
        });
        if whole {
            return Ok((recipients, Vec::new()));
        }
    }
    let (file, problems): (RegistryFile, _) = deserialize(source, registry_fields)?;
    Ok((file.recipient, problems))
}

/// `text` cut before each line that opens a `[[recipient]]` table.
fn entry_pieces(text: &str) -> Vec<Range<usize>> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && line.trim_start().starts_with("[[recipient]]") {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    starts.windows(2).map(|w| w[0]..w[1]).collect()
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
                    Diagnostic::new(
                        "unknown-language",
                        format!(
                            "template file {} is not named for a language",
                            file.display()
                        ),
                    )
                    .hint(format!(
                        "name it LANG.toml, LANG one of: {}",
                        Language::codes().collect::<Vec<_>>().join(", ")
                    )),
                );
                continue;
            };
            let source = read_source(&file, MAX_APPEAL_BYTES as u64)?;
            if let Err(error) = templates.add(&name, language, source) {
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
/// The most a registry or incident database file may hold: some 250,000
/// entries. Reading stops there, so `/dev/zero` is refused, not read.
const MAX_DATABASE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a UTF-8 file of at most `limit` bytes into a [`Source`] named by its path.
pub(crate) fn read_source(path: &Path, limit: u64) -> Result<Source, Error> {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        let mib = limit / (1024 * 1024);
        return Err(
            Diagnostic::new("too-large", format!("{name} is larger than {mib} MiB"))
                .hint("split it into several files")
                .into(),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(name, text)),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let place = Source::new(name.clone(), before).locate(&(valid..valid));
            Err(
                Diagnostic::new("not-utf8", format!("{name} is not UTF-8 text"))
                    .at(place)
                    .hint("save it as UTF-8 (without a byte order mark of UTF-16)")
                    .into(),
            )
        }
    }
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
        let diagnostic = Diagnostic::new("syntax", error.message().trim_end());
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
    if !unknown.is_empty() {
        let document = DeTable::parse(text).map_err(syntax_error)?;
        for path in &unknown {
            diagnostics.push(unknown_key(source, document.get_ref(), path, known_fields));
        }
    }
    match value {
        Ok(value) => Ok((value, diagnostics)),
        Err(error) => {
            diagnostics.extend(syntax_error(error).diagnostics().iter().cloned());
            Err(Error::invalid(diagnostics))
        }
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
    let mut diagnostic = Diagnostic::new(
        "unknown-field",
        format!("unknown field \"{}\" in {section}", display_path(path)),
    )
    .path(display_path(path));
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

fn appeal_fields(tables: &[String]) -> Option<&'static [&'static str]> {
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    Some(match tables.as_slice() {
        [] => fields_of::<Appeal>(),
        ["sender"] => fields_of::<Sender>(),
        ["sender", "officers"] => fields_of::<Officer>(),
        ["signatory"] => fields_of::<Signatory>(),
        ["style"] => fields_of::<LetterStyle>(),
        ["recipient"] => fields_of::<Recipient>(),
        ["incident"] => fields_of::<Incident>(),
        _ => return None,
    })
}

fn incident_fields(tables: &[String]) -> Option<&'static [&'static str]> {
    match tables {
        [] => Some(fields_of::<IncidentFile>()),
        [table] if table == "incident" => Some(fields_of::<Incident>()),
        _ => None,
    }
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
            Ok(appeal) => Error::invalid(appeal.origin.unwrap().problems().to_vec()).to_string(),
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
             hint: valid fields: organisation, website, address, phone, fax, email, officers, article, organisation_genitive, logo\n\
             a.toml:7:1: error: unknown field \"signatory.titel\" in [signatory]\n  \
             hint: did you mean \"title\"?\n  \
             hint: valid fields: name, title, organisation, signature, gender, given, patronymic, surname
\
             a.toml:11:1: error: unknown field \"incident[0].plase\" in [incident]\n  \
             hint: did you mean \"place\"?\n  \
             hint: valid fields: id, date, place, kind, people, organisation, summary, outcome, sources, authority, legal_basis, annexes, tags"
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
        let text = "[[recipient]]\nid = \"x\"\n[[recipient]]\nid = \"x\"\n";
        let error = Registry::parse(Source::new("r.toml", text)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "r.toml:4:6: error: duplicate recipient id \"x\"\n  hint: first defined at r.toml:2:6"
        );
        assert_eq!(
            error.diagnostics()[0].path.as_deref(),
            Some("recipient[1].id")
        );
    }

    #[test]
    fn large_registries_read_piecewise_give_the_same_entries_and_messages() {
        let entry = |i: usize| {
            format!(
                "# entry {i}\n[[recipient]]\nid = \"r{i}\"\norganisation = \"Union {i}\"\ntags = [\"all\"]\n\n"
            )
        };
        let text: String = (0..2000).map(entry).collect();
        assert!(text.len() > PIECEWISE_BYTES);
        let registry = Registry::parse(Source::new("r.toml", text.clone())).unwrap();
        assert_eq!(registry.len(), 2000);
        assert_eq!(
            registry.get("r1999").unwrap().organisation,
            Some("Union 1999".into())
        );
        assert_eq!(entry_pieces(&text).len(), 2001);
        // A problem in one piece: the file is read whole, and said where.
        let bad = text.replace("id = \"r1500\"\n", "id = \"r1500\"\nplase = \"x\"\n");
        let error = Registry::parse(Source::new("r.toml", bad))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(
                "r.toml:9004:1: error: unknown field \"recipient[1500].plase\" in [recipient]"
            ),
            "{error}"
        );
    }

    #[test]
    fn builtin_registry_loads() {
        let registry = Registry::builtin();
        assert!(registry.get("ilo-dg").is_some());
        assert_eq!(registry.len(), registry.ids().count());
        assert!(registry.tagged("embassy").count() >= 11);
    }
}
