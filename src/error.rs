//! Errors and diagnostics: what went wrong, where, and how to fix it.
//!
//! Bad input is reported as a list of [`Diagnostic`]s, each with a location
//! (file, line, column, key path) and hints, so that one run shows every
//! problem in a file. Everything else (I/O, a failing backend) is one error.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::lang::lowercase_first;

/// The error type of every fallible function in this crate.
///
/// It is opaque and cheap to move; ask it what it is with the `is_*`
/// predicates or [`Error::kind`].
#[derive(Debug)]
pub struct Error(Box<ErrorKind>);

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is invalid; every problem found is listed.
    Invalid(Diagnostics),
    /// A file could not be read or written.
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl Error {
    /// Wraps the diagnostics of invalid input, sorting them by place in file order.
    pub fn invalid(diagnostics: Vec<Diagnostic>) -> Self {
        Self::from(Diagnostics::new(diagnostics))
    }

    /// Wraps an I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self(Box::new(ErrorKind::Io {
            path: path.into(),
            source,
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// True when the input (data, template, arguments) is at fault.
    pub fn is_invalid(&self) -> bool {
        matches!(*self.0, ErrorKind::Invalid(_))
    }

    /// True when reading or writing a file failed.
    pub fn is_io(&self) -> bool {
        matches!(*self.0, ErrorKind::Io { .. })
    }

    /// The diagnostics of invalid input; empty for other errors.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match &*self.0 {
            ErrorKind::Invalid(diagnostics) => diagnostics,
            ErrorKind::Io { .. } => &[],
        }
    }

    /// The error as diagnostics: those of invalid input, or one `io` error.
    pub fn into_diagnostics(self) -> Diagnostics {
        match *self.0 {
            ErrorKind::Invalid(diagnostics) => diagnostics,
            ErrorKind::Io { path, source } => Diagnostic::new(
                "io",
                format!(
                    "{}: {}",
                    path.display(),
                    lowercase_first(&source.to_string())
                ),
            )
            .into(),
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::from(Diagnostics::from(diagnostic))
    }
}

impl From<Diagnostics> for Error {
    fn from(diagnostics: Diagnostics) -> Self {
        Self(Box::new(ErrorKind::Invalid(diagnostics)))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Invalid(diagnostics) => write!(f, "{diagnostics}"),
            ErrorKind::Io { path, source } => {
                write!(
                    f,
                    "{}: error: {}",
                    path.display(),
                    lowercase_first(&source.to_string())
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Io { source, .. } => Some(source),
            ErrorKind::Invalid(_) => None,
        }
    }
}

/// A value of the input quoted in a message: escaped, and cut after 60
/// characters (a 50 MB cell is not repeated whole), saying how long it is.
pub(crate) fn quote(text: &str) -> String {
    const SHOWN: usize = 60;
    match text.char_indices().nth(SHOWN) {
        None => format!("\"{}\"", text.escape_debug()),
        Some((end, _)) => format!(
            "\"{}…\" ({} characters)",
            text[..end].escape_debug(),
            text.chars().count()
        ),
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The letters cannot be made.
    Error,
    /// The letters can be made, but likely not as meant.
    Warning,
    /// Worth knowing; nothing is wrong.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One problem found in the input.
///
/// Its [`code`](Diagnostic::code) is stable (`unknown-field`,
/// `unknown-recipient`, …) for programs to act on; the message is for people.
/// It serialises (e.g. to JSON) with every field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Stable, kebab-case name of the kind of problem.
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// The problem, in lower case, naming the key.
    pub message: String,
    /// Suggestions that may fix it.
    pub hints: Vec<String>,
    /// The key concerned, as `recipients[1]` or `incident[2].sources[0]`;
    /// none for problems that are not about one value.
    pub path: Option<String>,
    /// Where it is, when the value came from a file.
    pub location: Option<Location>,
}

impl Diagnostic {
    /// An error with `code`, no location and no hints.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            hints: Vec::new(),
            path: None,
            location: None,
        }
    }

    /// Sets how serious it is.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets where the problem is.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Sets the key path of the value concerned.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds a "did you mean" hint when one of `candidates` is close to `word`.
    pub fn suggest<'a>(self, word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match did_you_mean(word, candidates) {
            Some(best) => self.hint(format!("did you mean \"{best}\"?")),
            None => self,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}: {}", self.severity, self.message)?;
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in an input, in file order: what
/// [`Engine::letters`](crate::Engine::letters) returns when the letters cannot
/// be made.
///
/// It displays as one diagnostic per line (with hint lines), derefs to a
/// slice and serialises as a list.
///
/// ```
/// let appeal: appeal::Appeal = serde_json::from_str(r#"{
///     "template": "ilo-intervension",
///     "date": "2021-03-01",
///     "recipients": ["ilo-gd"],
///     "sender": { "organisation": "IndustriALL Global Union" },
///     "signatory": { "name": "Valter Sanchez" }
/// }"#)?;
/// let diagnostics = appeal::Engine::builtin().letters(&appeal).unwrap_err();
/// let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
/// assert_eq!(codes, ["unknown-template", "unknown-recipient"]);
/// assert_eq!(diagnostics[1].path.as_deref(), Some("recipients[0]"));
/// assert_eq!(diagnostics[1].hints, ["did you mean \"ilo-dg\"?", "`appeal recipients` lists the registry; [[recipient]] defines one inline"]);
/// let json = serde_json::to_value(&diagnostics)?;
/// assert_eq!(json[0]["code"], "unknown-template");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// The diagnostics sorted by place (file, line, column), once each;
    /// those without a place come first, in their order.
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column))
        });
        // Each once: the letters of a batch report the same problem alike.
        let mut seen = std::collections::HashSet::new();
        diagnostics.retain(|diagnostic| seen.insert(diagnostic.clone()));
        Self(diagnostics)
    }

    /// True if any of them is an error (not a warning or note).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// The diagnostics as a vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl std::ops::Deref for Diagnostics {
    type Target = [Diagnostic];

    fn deref(&self) -> &[Diagnostic] {
        &self.0
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// A place in a named source: file, 1-based line and column, and the bytes
/// of the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Location {
    /// The file name as given by the caller.
    pub file: String,
    /// Line, counted from 1.
    pub line: usize,
    /// Column in characters, counted from 1.
    pub column: usize,
    /// The value's bytes in the file.
    pub range: Range<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A source text with its name, able to turn byte spans into [`Location`]s.
#[derive(Debug, Clone)]
pub struct Source {
    name: Arc<str>,
    text: Arc<str>,
}

impl Source {
    /// A source named `name` (usually its path) holding `text`.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// A nameless, empty source, for values not read from a file.
    pub fn empty() -> Self {
        Self::new("", "")
    }

    /// The name given to [`Source::new`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The location of `span`: where it starts, and its bytes (clamped to the text).
    pub fn locate(&self, span: &Range<usize>) -> Location {
        let offset = span.start.min(self.text.len());
        let end = span.end.clamp(offset, self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            file: self.name.to_string(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            range: offset..end,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_a_long_value_cut_with_its_length() {
        assert_eq!(quote("en\n"), "\"en\\n\"");
        let long = "9".repeat(200);
        assert_eq!(
            quote(&long),
            format!("\"{}…\" (200 characters)", "9".repeat(60))
        );
        assert_eq!(quote(&"я".repeat(60)), format!("\"{}\"", "я".repeat(60)));
    }

    #[test]
    fn locates_lines_and_character_columns() {
        let source = Source::new("a.toml", "x = 1\nназвание = \"y\"\n");
        assert_eq!(source.locate(&(0..1)).to_string(), "a.toml:1:1");
        let offset = source.text().find('=').unwrap();
        assert_eq!(source.locate(&(offset..offset)).to_string(), "a.toml:1:3");
        let offset = source.text().find('"').unwrap();
        assert_eq!(source.locate(&(offset..offset)).to_string(), "a.toml:2:12");
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(did_you_mean("ilo-gd", ["ilo-dg", "fnpr"]), Some("ilo-dg"));
        assert_eq!(did_you_mean("zzz", ["ilo-dg", "fnpr"]), None);
    }

    #[test]
    fn displays_diagnostic_with_location_and_hint() {
        let diagnostic = Diagnostic::new(
            "unknown-recipient",
            "unknown recipient \"ilo-gd\" in recipients[0]",
        )
        .at(Location {
            file: "appeal.toml".into(),
            line: 14,
            column: 13,
            range: 200..208,
        })
        .suggest("ilo-gd", ["ilo-dg"]);
        assert_eq!(
            diagnostic.to_string(),
            "appeal.toml:14:13: error: unknown recipient \"ilo-gd\" in recipients[0]\n  hint: did you mean \"ilo-dg\"?"
        );
    }
}
