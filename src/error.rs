//! Errors and diagnostics: what went wrong, where, and how to fix it.
//!
//! Bad input is reported as a list of [`Diagnostic`]s, each with a location
//! (file, line, column, key path) and hints, so that one run shows every
//! problem in a file. Everything else (I/O, a failing backend) is one error.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

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
    Invalid(Vec<Diagnostic>),
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
    pub fn invalid(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column))
        });
        Self(Box::new(ErrorKind::Invalid(diagnostics)))
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
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::invalid(vec![diagnostic])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Invalid(diagnostics) => {
                for (i, diagnostic) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{diagnostic}")?;
                }
                Ok(())
            }
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

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The problem, in lower case, naming the key.
    pub message: String,
    /// Where it is, when it is in a file.
    pub location: Option<Location>,
    /// Suggestions that may fix it.
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with no location and no hints.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            location: None,
            hints: Vec::new(),
        }
    }

    /// Sets where the problem is.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
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
        write!(f, "error: {}", self.message)?;
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A place in a named source: file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file name as given by the caller.
    pub file: String,
    /// Line, counted from 1.
    pub line: usize,
    /// Column in characters, counted from 1.
    pub column: usize,
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

    /// The location of the start of `span`.
    pub fn locate(&self, span: &Range<usize>) -> Location {
        let offset = span.start.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            file: self.name.to_string(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
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

fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let diagnostic = Diagnostic::new("unknown recipient \"ilo-gd\" in recipients[0]")
            .at(Location {
                file: "appeal.toml".into(),
                line: 14,
                column: 13,
            })
            .suggest("ilo-gd", ["ilo-dg"]);
        assert_eq!(
            diagnostic.to_string(),
            "appeal.toml:14:13: error: unknown recipient \"ilo-gd\" in recipients[0]\n  hint: did you mean \"ilo-dg\"?"
        );
    }
}
