//! Where values came from: a file's text and the places of its values, kept
//! beside the model by the loader so that diagnostics can point into the file.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Diagnostic, Location, Source};

/// A file a value was read from, with what the loader found in it.
#[derive(Debug)]
pub(crate) struct Origin {
    /// The file; its text is empty where it is kept `packed`.
    source: Source,
    /// The text of a large file, deflated: a registry of a mailing's
    /// 100,000 recipients is 25 MB of text only a diagnostic ever reads.
    packed: Option<Box<[u8]>>,
    /// The text unpacked, on first use.
    unpacked: OnceLock<Source>,
    /// Problems that did not stop loading (unknown keys); resolve reports them.
    problems: Vec<Diagnostic>,
    /// Value spans by key path, found on first use: most files need none.
    spans: OnceLock<HashMap<String, Range<usize>>>,
    /// How entries are laid out where the file is not TOML.
    shape: Shape,
}

/// How the values of a file are found by key path.
#[derive(Debug, Default)]
enum Shape {
    /// TOML: by the spans of its values.
    #[default]
    Toml,
    /// A CSV table of entries (`recipient[i]`, `incident[i]`): the column
    /// names, and the line each row starts on. Places are a row and a
    /// column.
    Rows {
        header: Vec<String>,
        lines: Vec<usize>,
    },
    /// JSON `recipient` entries: where each object starts in the text.
    Objects { starts: Vec<usize> },
}

/// Texts longer than this are kept deflated.
const PACK_BYTES: usize = 256 * 1024;

impl Origin {
    /// The origin of values read from `source`; a large text is kept
    /// deflated until a diagnostic needs it.
    pub fn new(source: Source, problems: Vec<Diagnostic>) -> Origin {
        let (source, packed) = match source.text().len() > PACK_BYTES {
            true => {
                let packed = miniz_oxide::deflate::compress_to_vec(source.text().as_bytes(), 1);
                (
                    Source::new(source.name(), ""),
                    Some(packed.into_boxed_slice()),
                )
            }
            false => (source, None),
        };
        Origin {
            source,
            packed,
            unpacked: OnceLock::new(),
            problems,
            spans: OnceLock::new(),
            shape: Shape::Toml,
        }
    }

    /// The origin of entries read from a CSV `source` with columns
    /// `header`, row `i` starting on line `lines[i]`: `recipient[i].title.ru`
    /// is placed at its row and column.
    pub fn rows(source: Source, header: Vec<String>, lines: Vec<usize>) -> Origin {
        Origin {
            shape: Shape::Rows { header, lines },
            ..Origin::new(source, Vec::new())
        }
    }

    /// The origin of entries read from a JSON `source`, object `i` starting
    /// at byte `starts[i]`: `recipient[i].title` is placed at its key.
    pub fn objects(source: Source, starts: Vec<usize>) -> Origin {
        Origin {
            shape: Shape::Objects { starts },
            ..Origin::new(source, Vec::new())
        }
    }

    /// The file, its text unpacked where it was packed.
    pub fn source(&self) -> &Source {
        match &self.packed {
            None => &self.source,
            Some(packed) => self.unpacked.get_or_init(|| {
                let bytes = miniz_oxide::inflate::decompress_to_vec(packed).unwrap_or_default();
                Source::new(
                    self.source.name(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                )
            }),
        }
    }

    /// The file's name, without unpacking its text.
    pub fn name(&self) -> &str {
        self.source.name()
    }

    /// Problems found while loading.
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }

    /// The span of the value at exactly `path`, if the file has one there.
    pub fn span(&self, path: &str) -> Option<Range<usize>> {
        self.spans().get(path).cloned()
    }

    fn spans(&self) -> &HashMap<String, Range<usize>> {
        self.spans.get_or_init(|| spans_of(self.source().text()))
    }

    /// The place of the value at `path` (`recipients[1]`, `sender.email`), or
    /// of the nearest value that holds it; the file's start if none does.
    pub fn locate(&self, path: &str) -> Location {
        match &self.shape {
            Shape::Toml => self.locate_span(path),
            Shape::Rows { header, lines } => {
                let (i, key) = entry(path);
                let line = i.and_then(|i| lines.get(i)).copied().unwrap_or(1);
                // `title.ru` has a column of its own, or is in `title`'s.
                let column = [key, key.split(['.', '[']).next().unwrap_or(key)]
                    .iter()
                    .find_map(|key| header.iter().position(|name| name == key))
                    .map_or(1, |column| column + 1);
                crate::table::cell_at(self.source(), line, column)
            }
            Shape::Objects { starts } => {
                let (i, key) = entry(path);
                let Some(&start) = i.and_then(|i| starts.get(i)) else {
                    return self.source().locate(&(0..0));
                };
                let text = self.source().text();
                let end = i
                    .and_then(|i| starts.get(i + 1))
                    .map_or(text.len(), |&end| end);
                let field = key.split(['.', '[']).next().unwrap_or(key);
                let at = start + crate::load::key_offset(&text[start..end], field).unwrap_or(0);
                self.source().locate(&(at..at))
            }
        }
    }

    /// [`Origin::locate`] in a TOML file.
    fn locate_span(&self, path: &str) -> Location {
        let spans = self.spans();
        let mut path = path;
        loop {
            if let Some(span) = spans.get(path) {
                return self.source().locate(span);
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return self.source().locate(&(0..0)),
            }
        }
    }
}

/// The entry number and the key within it of a path `recipient[3].title.ru`.
fn entry(path: &str) -> (Option<usize>, &str) {
    let Some((index, key)) = path
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
    else {
        return (None, "");
    };
    (index.parse().ok(), key.strip_prefix('.').unwrap_or(key))
}

/// The span of every value in a TOML text, by key path.
fn spans_of(text: &str) -> HashMap<String, Range<usize>> {
    let mut spans = HashMap::new();
    if let Ok(document) = DeTable::parse(text) {
        walk_table(document.get_ref(), &mut String::new(), &mut spans);
    }
    spans
}

fn walk_table(table: &DeTable<'_>, path: &mut String, spans: &mut HashMap<String, Range<usize>>) {
    for (key, value) in table {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key.get_ref());
        walk_value(value, path, spans);
        path.truncate(len);
    }
}

fn walk_value(
    value: &Spanned<DeValue<'_>>,
    path: &mut String,
    spans: &mut HashMap<String, Range<usize>>,
) {
    spans.insert(path.clone(), value.span());
    match value.get_ref() {
        DeValue::Table(table) => walk_table(table, path, spans),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk_value(item, path, spans);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_values_by_path_or_their_container() {
        let text = "template = \"x\"\nrecipients = [\"a\", \"b\"]\n[sender]\norganisation = \"U\"\n\
                    [[recipient]]\nid = \"r\"\n";
        let origin = Origin::new(Source::new("a.toml", text), Vec::new());
        assert_eq!(origin.locate("recipients[1]").to_string(), "a.toml:2:20");
        assert_eq!(
            origin.locate("sender.organisation").to_string(),
            "a.toml:4:16"
        );
        assert_eq!(origin.locate("sender.email").to_string(), "a.toml:3:1");
        assert_eq!(origin.locate("recipient[0].id").to_string(), "a.toml:6:6");
        assert_eq!(origin.locate("nothing").to_string(), "a.toml:1:1");
    }

    #[test]
    fn a_large_text_is_packed_and_places_values_as_before() {
        let entry =
            |i: usize| format!("[[recipient]]\nid = \"r{i}\"\norganisation = \"Union {i}\"\n\n");
        let text: String = (0..20_000).map(entry).collect();
        assert!(text.len() > PACK_BYTES);
        let origin = Origin::new(Source::new("r.toml", text.clone()), Vec::new());
        assert!(origin.packed.as_ref().unwrap().len() < text.len() / 4);
        assert_eq!(origin.name(), "r.toml");
        assert_eq!(
            origin.locate("recipient[19999].organisation").to_string(),
            format!("r.toml:{}:16", 19_999 * 4 + 3)
        );
        assert_eq!(origin.source().text(), text);
    }
}
