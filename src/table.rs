//! Spreadsheets: data files kept as CSV tables, one entry per row, read into
//! the model through serde and written back.
//!
//! A column is named by the key it fills (`organisation`); a column
//! `title.ru` fills the key `ru` of a table under `title`, so that `title`
//! and `title.ru`/`title.en` columns give `"title": "…"` or
//! `"title": { "ru": "…", "en": "…" }`. Rows are deserialized by the
//! target type, not by a list of columns kept here: a cell becomes a list
//! where the type asks for one (items separated by `;`, or one per line
//! when the cell holds line breaks), a number, a date, or text. A new field
//! of the model is therefore a new column without a change here.

use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::{Deserializer, Serialize};

use crate::error::{Diagnostic, Location, Source};

/// A place in a CSV file: a row (its line) and a column, counted from 1.
pub(crate) fn cell_at(source: &Source, line: usize, column: usize) -> Location {
    Location {
        file: source.name().to_owned(),
        line,
        column,
        range: 0..0,
    }
}

/// The problems of a CSV header: a column given twice, a column that names
/// no field (with the closest field), a required column missing.
///
/// `key` gives the field a column fills (`title` for `title.ru`).
pub(crate) fn header_problems(
    source: &Source,
    header: &[String],
    fields: &[&str],
    required: &[&str],
    key: fn(&str) -> &str,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (column, name) in header.iter().enumerate() {
        let at = cell_at(source, 1, column + 1);
        if header[..column].contains(name) {
            problems.push(
                Diagnostic::new("duplicate-field", format!("column \"{name}\" given twice"))
                    .at(at)
                    .hint("each column once: the second would overwrite the first"),
            );
        } else if !fields.contains(&key(name)) {
            problems.push(
                Diagnostic::new("unknown-field", format!("unknown column \"{name}\""))
                    .at(at)
                    .suggest(key(name), fields.iter().copied())
                    .hint(format!("columns: {}", fields.join(", "))),
            );
        }
    }
    for required in required {
        if !header.iter().any(|h| h == required) {
            problems.push(
                Diagnostic::new("missing-field", format!("no \"{required}\" column"))
                    .at(cell_at(source, 1, 1))
                    .hint(format!("columns: {}", fields.join(", "))),
            );
        }
    }
    problems
}

/// A quoted cell that is never closed: the CSV reader would take the rest of
/// the file into it, so it is reported where it opens (row and column).
pub(crate) fn unclosed_quote(source: &Source) -> Option<Diagnostic> {
    let mut opened = None;
    let (mut line, mut column, mut at_cell_start) = (1, 1, true);
    let mut chars = source.text().chars().peekable();
    while let Some(c) = chars.next() {
        match (opened.is_some(), c) {
            (false, '"') if at_cell_start => opened = Some((line, column)),
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
            }
            (true, '"') => opened = None,
            (false, ',') => column += 1,
            (false, '\n') => column = 1,
            _ => {}
        }
        line += usize::from(c == '\n');
        at_cell_start = opened.is_none() && matches!(c, ',' | '\n' | '\r');
    }
    let (line, column) = opened?;
    Some(
        Diagnostic::new("syntax", "quoted cell is never closed")
            .at(cell_at(source, line, column))
            .hint("a cell that starts with \" ends with \"; a \" inside it is written \"\""),
    )
}

/// A CSV reader's error placed at its row.
pub(crate) fn csv_error(source: &Source, error: &csv::Error) -> Diagnostic {
    let line = error.position().map_or(1, |p| p.line() as usize);
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} cells; the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "row is not UTF-8 text".to_owned(),
        _ => error.to_string().to_lowercase(),
    };
    Diagnostic::new("syntax", message)
        .at(cell_at(source, line, 1))
        .hint("quote cells that hold commas: \"Minsk, Belarus\"")
}

/// Cells starting with one of these are read as formulas by spreadsheets.
const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell that a spreadsheet shows as text: one starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be read as a formula
/// (`=HYPERLINK(…)` in a name), so it gets a leading `'`, as OWASP advises.
/// So does one that already starts with `'` before such a character, so
/// that [`live`] gives every cell back as it was.
pub(crate) fn inert(cell: &str) -> String {
    match cell.trim_start_matches('\'').starts_with(FORMULA) {
        true => format!("'{cell}"),
        false => cell.to_owned(),
    }
}

/// A cell as [`inert`] had it.
pub(crate) fn live(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA) => rest,
        _ => cell,
    }
}

/// One row deserialized as `T`; an error names the cell (its column, counted
/// from 1) where there is one.
pub(crate) fn from_row<T: DeserializeOwned>(
    header: &[String],
    row: &csv::StringRecord,
) -> Result<T, (String, Option<usize>)> {
    // A type that takes a value or a value per language reads a cell as
    // text first; where it wanted a list there, the row is read again with
    // that cell a list.
    let mut lists = Vec::new();
    loop {
        match row_as::<T>(header, row, &lists) {
            Err((message, Some(column)))
                if message.contains("expected a sequence") && !lists.contains(&column) =>
            {
                lists.push(column);
            }
            outcome => return outcome,
        }
    }
}

/// One row as `T`, the cells in `lists` read as lists.
fn row_as<T: DeserializeOwned>(
    header: &[String],
    row: &csv::StringRecord,
    lists: &[usize],
) -> Result<T, (String, Option<usize>)> {
    let mut fields: Vec<(&str, Node<'_>)> = Vec::new();
    for (column, (name, text)) in header.iter().zip(row.iter()).enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let list = lists.contains(&column);
        let cell = Cell { text, column, list };
        match name.split_once('.') {
            None => fields.push((name, Node::Cell(cell))),
            Some((key, sub)) => match fields.iter_mut().find(|(k, _)| *k == key) {
                Some((_, Node::Group(cells))) => cells.push((sub, cell)),
                Some((_, Node::Cell(_))) => {
                    return Err((
                        format!(
                            "\"{key}\" is given once for all languages and again in column \"{name}\"; keep one"
                        ),
                        Some(column),
                    ));
                }
                None => fields.push((key, Node::Group(vec![(sub, cell)]))),
            },
        }
    }
    // A plain column after its per-language ones.
    for (i, (key, node)) in fields.iter().enumerate() {
        if let Node::Cell(cell) = node
            && fields[..i].iter().any(|(k, _)| k == key)
        {
            return Err((
                format!("\"{key}\" is given per language and again in column \"{key}\"; keep one"),
                Some(cell.column),
            ));
        }
    }
    T::deserialize(Row(fields)).map_err(|error| (error.message, error.column))
}

/// Rows of `T` as CSV: one column per field in `fields` (in that order),
/// one per language (`title.ru`) where a value is given per language, and
/// list cells joined with `; ` (or one item a line where an item holds `;`).
/// `Err` names a value no cell can hold as it is (a list item with a line
/// break, a table in a list).
pub(crate) fn to_csv<T: Serialize>(rows: &[&T], fields: &[&str]) -> Result<String, String> {
    // The columns: every field, then the per-language ones found in the rows.
    let mut columns: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    for row in rows {
        let value = serde_json::to_value(row).map_err(|e| e.to_string())?;
        for (key, value) in value.as_object().into_iter().flatten() {
            for sub in value.as_object().into_iter().flat_map(|o| o.keys()) {
                let name = format!("{key}.{sub}");
                if !columns.contains(&name) {
                    columns.push(name);
                }
            }
        }
    }
    columns.sort_by_key(|name| {
        let (key, sub) = name.split_once('.').unwrap_or((name, ""));
        let field = fields.iter().position(|f| *f == key).unwrap_or(usize::MAX);
        (field, sub.to_owned())
    });
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns).expect("writing to memory");
    for row in rows {
        let value = serde_json::to_value(row).map_err(|e| e.to_string())?;
        let mut record = Vec::with_capacity(columns.len());
        for column in &columns {
            let value = match column.split_once('.') {
                Some((key, sub)) => value.get(key).and_then(|v| v.get(sub)),
                None => value.get(column).filter(|v| !v.is_object()),
            };
            let cell = match value {
                None => String::new(),
                Some(value) => {
                    cell_text(value).map_err(|problem| format!("{column}: {problem}"))?
                }
            };
            record.push(inert(&cell));
        }
        writer.write_record(&record).expect("writing to memory");
    }
    let bytes = writer.into_inner().expect("writing to memory");
    Ok(String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out"))
}

/// A value as one cell's text.
fn cell_text(value: &serde_json::Value) -> Result<String, String> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Object(_) => return Err("a table cannot be one cell".to_owned()),
        Value::Array(items) => {
            let items = items.iter().map(cell_text).collect::<Result<Vec<_>, _>>()?;
            if let Some(item) = items.iter().find(|i| i.contains(['\n', '\r'])) {
                return Err(format!(
                    "list item {} holds a line break, which a list cell cannot",
                    crate::error::quote(item)
                ));
            }
            match items.iter().any(|i| i.contains(';')) {
                // One a line: the last line break makes even one item a list of lines.
                true => items.iter().map(|i| format!("{i}\n")).collect(),
                false => items.join("; "),
            }
        }
    })
}

/// The items of a list cell: one per line where the cell holds line breaks
/// (blank lines skipped), else separated by `;` (a last `;` allowed).
fn list_items(text: &str) -> Result<Vec<&str>, String> {
    if text.contains(['\n', '\r']) {
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect());
    }
    let text = text.trim();
    let text = text.strip_suffix(';').unwrap_or(text);
    let items: Vec<&str> = text.split(';').map(str::trim).collect();
    match items.iter().position(|item| item.is_empty()) {
        Some(i) => Err(format!(
            "list {} has an empty item {}",
            crate::error::quote(text),
            i + 1
        )),
        None => Ok(items),
    }
}

/// What went wrong deserializing a row, and in which column.
#[derive(Debug)]
struct CellError {
    message: String,
    column: Option<usize>,
}

impl CellError {
    /// The error placed at `column`, unless an inner cell placed it.
    fn at(mut self, column: usize) -> Self {
        self.column.get_or_insert(column);
        self
    }
}

impl de::Error for CellError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        CellError {
            message: message.to_string(),
            column: None,
        }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CellError {}

/// Numbers narrower than 64 bits read as 64-bit ones (the visitor checks the range).
macro_rules! narrower_numbers {
    () => {
        fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
            self.deserialize_i64(visitor)
        }
        fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
            self.deserialize_i64(visitor)
        }
        fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
            self.deserialize_i64(visitor)
        }
        fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
            self.deserialize_u64(visitor)
        }
        fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
            self.deserialize_u64(visitor)
        }
        fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
            self.deserialize_u64(visitor)
        }
        fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
            self.deserialize_f64(visitor)
        }
    };
}

/// A non-empty cell.
#[derive(Clone, Copy)]
struct Cell<'a> {
    text: &'a str,
    column: usize,
    /// Read as a list even where its type does not say so before it is
    /// read: a value per language (`address`, `address.ru`) whose values are lists.
    list: bool,
}

/// What a key of a row holds: one cell, or one per language (`title.ru`).
enum Node<'a> {
    Cell(Cell<'a>),
    Group(Vec<(&'a str, Cell<'a>)>),
}

/// A row as a map of its non-empty cells.
struct Row<'a>(Vec<(&'a str, Node<'a>)>);

impl<'de> Deserializer<'de> for Row<'de> {
    type Error = CellError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_map(Entries {
            entries: self.0.into_iter(),
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// The keys and values of a row, or of one key's values per language.
struct Entries<'a, N> {
    entries: std::vec::IntoIter<(&'a str, N)>,
    value: Option<N>,
}

impl<'de, N: Deserializer<'de, Error = CellError> + Columned> de::MapAccess<'de>
    for Entries<'de, N>
{
    type Error = CellError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, CellError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let column = value.column();
        self.value = Some(value);
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
            .map_err(|e: CellError| e.at(column))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, CellError> {
        let value = self.value.take().expect("a key before its value");
        let column = value.column();
        seed.deserialize(value).map_err(|e| e.at(column))
    }
}

/// The column a value comes from (the first, for several).
trait Columned {
    fn column(&self) -> usize;
}

impl Columned for Cell<'_> {
    fn column(&self) -> usize {
        self.column
    }
}

impl Columned for Node<'_> {
    fn column(&self) -> usize {
        match self {
            Node::Cell(cell) => cell.column,
            Node::Group(cells) => cells[0].1.column,
        }
    }
}

impl<'de> Deserializer<'de> for Node<'de> {
    type Error = CellError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self {
            Node::Cell(cell) => cell.deserialize_any(visitor),
            Node::Group(cells) => visitor.visit_map(Entries {
                entries: cells.into_iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, CellError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self {
            Node::Cell(cell) => cell.deserialize_seq(visitor),
            group => group.deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self {
            Node::Cell(cell) => cell.deserialize_bool(visitor),
            group => group.deserialize_any(visitor),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self {
            Node::Cell(cell) => cell.deserialize_i64(visitor),
            group => group.deserialize_any(visitor),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self {
            Node::Cell(cell) => cell.deserialize_u64(visitor),
            group => group.deserialize_any(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self {
            Node::Cell(cell) => cell.deserialize_f64(visitor),
            group => group.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, CellError> {
        match self {
            Node::Cell(cell) => cell.deserialize_enum(name, variants, visitor),
            group => group.deserialize_any(visitor),
        }
    }

    narrower_numbers!();

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf
        unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> Deserializer<'de> for Cell<'de> {
    type Error = CellError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self.list {
            true => self.deserialize_seq(visitor),
            false => visitor.visit_borrowed_str(live(self.text.trim())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, CellError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        let items = list_items(self.text).map_err(|message| CellError {
            message,
            column: Some(self.column),
        })?;
        let column = self.column;
        let items = items.into_iter().map(|text| Cell {
            text,
            column,
            list: false,
        });
        let mut seq = de::value::SeqDeserializer::new(items);
        let value = visitor.visit_seq(&mut seq)?;
        seq.end()?;
        Ok(value)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self.text.trim() {
            "true" | "TRUE" | "yes" => visitor.visit_bool(true),
            "false" | "FALSE" | "no" => visitor.visit_bool(false),
            other => Err(de::Error::invalid_value(
                de::Unexpected::Str(other),
                &"true or false",
            )),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self.text.trim().parse() {
            Ok(number) => visitor.visit_i64(number),
            Err(_) => self.deserialize_any(visitor),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self.text.trim().parse() {
            Ok(number) => visitor.visit_u64(number),
            Err(_) => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        match self.text.trim().parse() {
            Ok(number) => visitor.visit_f64(number),
            Err(_) => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, CellError> {
        visitor.visit_enum(de::value::BorrowedStrDeserializer::new(live(
            self.text.trim(),
        )))
    }

    narrower_numbers!();

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf
        unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, CellError> for Cell<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize, Serialize)]
    struct Entry {
        id: String,
        #[serde(default)]
        lines: Vec<String>,
        #[serde(default)]
        title: Option<crate::appeal::Localized<String>>,
        #[serde(default)]
        count: Option<u32>,
        #[serde(default)]
        flag: bool,
    }

    fn read(csv: &str) -> Vec<Result<Entry, (String, Option<usize>)>> {
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        reader
            .records()
            .map(|row| from_row(&header, &row.unwrap()))
            .collect()
    }

    #[test]
    fn cells_become_what_the_type_asks_for() {
        let rows = read(
            "id,lines,title,title.ru,count,flag\n\
             a,one; two ;,T,,3,true\n\
             b,\"x; y\nz\n\",,Т,,\n",
        );
        let a = rows[0].as_ref().unwrap();
        assert_eq!(a.lines, ["one", "two"]);
        assert_eq!(a.title, Some(crate::appeal::Localized::Same("T".into())));
        assert_eq!((a.count, a.flag), (Some(3), true));
        let b = rows[1].as_ref().unwrap();
        assert_eq!(b.lines, ["x; y", "z"]);
        let title = b.title.as_ref().unwrap();
        assert_eq!(title.get(crate::Language::Ru).unwrap(), "Т");
        assert_eq!(title.get(crate::Language::En), None);
    }

    #[test]
    fn errors_name_their_column() {
        let rows = read("id,lines,count,title,title.en\na,x;;y,,,\nb,,many,,\nc,,,T,E\n,x,,,\n");
        assert_eq!(
            rows[0].as_ref().unwrap_err(),
            &("list \"x;;y\" has an empty item 2".to_owned(), Some(1))
        );
        assert_eq!(rows[1].as_ref().unwrap_err().1, Some(2));
        assert_eq!(rows[2].as_ref().unwrap_err().1, Some(4));
        assert_eq!(
            rows[3].as_ref().unwrap_err(),
            &("missing field `id`".to_owned(), None)
        );
    }

    #[test]
    fn rows_written_read_back_the_same() {
        let entries = [
            Entry {
                id: "a".into(),
                lines: vec!["one".into(), "=two".into()],
                title: Some(crate::appeal::Localized::PerLanguage(Box::new(
                    [("en".into(), "T".into()), ("ru".into(), "Т".into())].into(),
                ))),
                count: Some(2),
                flag: true,
            },
            Entry {
                id: "'-b".into(),
                lines: vec!["x; y".into()],
                title: Some("plain, \"quoted\"".into()),
                count: None,
                flag: false,
            },
        ];
        let csv = to_csv(
            &entries.iter().collect::<Vec<_>>(),
            &["id", "lines", "title", "count", "flag"],
        )
        .unwrap();
        assert!(
            csv.starts_with("id,lines,title,title.en,title.ru,count,flag\n"),
            "{csv}"
        );
        let back: Vec<Entry> = read(&csv).into_iter().map(Result::unwrap).collect();
        assert_eq!(back, entries);
    }

    #[test]
    fn formula_cells_are_made_inert_and_read_back() {
        for cell in ["=1+1", "+41", "-", "@x", "'=x", "''+y", "'plain", "plain"] {
            assert_eq!(live(&inert(cell)), cell);
        }
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        for risky in ["+1", "-1", "@x", "\tx", "\rx"] {
            assert!(inert(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(inert("Anna"), "Anna");
        assert_eq!(inert("'quoted"), "'quoted");
    }

    #[test]
    fn finds_an_unclosed_quote_where_it_opens() {
        let source = Source::new("r.csv", "id,name\na,\"Anna\"\nb,\"Bo\"\"b\"\nc,\"Cy\n");
        let problem = unclosed_quote(&source).unwrap();
        assert_eq!(problem.location.unwrap().to_string(), "r.csv:4:2");
        assert!(unclosed_quote(&Source::new("r.csv", "id,name\na,\"x\"\"y\"\n")).is_none());
    }
}
