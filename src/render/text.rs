//! Plain-text backend: the whole letter, wrapped at a fixed width.

use super::Backend;
use crate::error::Error;
use crate::lang::Language;
use crate::letter::{Annex, Block, Letter, Run, Signature, SignatureLayout};

/// Options of the plain-text backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// Column at which lines are wrapped; words longer than this are not broken.
    pub width: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions { width: 72 }
    }
}

impl Backend for TextOptions {
    fn extension(&self) -> &'static str {
        "txt"
    }

    fn render(&self, letter: &Letter) -> Result<Vec<u8>, Error> {
        Ok(text(letter, self).into_bytes())
    }
}

/// Renders a letter as plain text: frame, body, links as `text <url>`.
///
/// ```
/// use appeal::render::{TextOptions, text};
///
/// let appeal = appeal::Appeal::open(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/examples/spm-fnpr-2021/appeal.toml"
/// ))?;
/// let letters = appeal::Engine::builtin().letters(&appeal)?;
/// let out = text(&letters[0], &TextOptions { width: 60 });
/// assert!(out.lines().all(|line| line.chars().count() <= 60 || !line.contains(' ')));
/// assert!(out.contains("Уважаемый Михаил Викторович!"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn text(letter: &Letter, options: &TextOptions) -> String {
    let mut out = Writer {
        out: String::new(),
        width: options.width.max(20),
        language: letter.language,
    };
    let head = &letter.letterhead;
    out.lines(std::iter::once(&head.organisation).chain(&head.address));
    out.lines(&head.contacts);
    out.lines(&head.officers);
    out.lines(std::iter::once(&letter.place_date).chain(&letter.reference));
    out.lines(&letter.recipient);
    out.lines(&letter.delivery);
    out.wrapped(&letter.subject_line(), "", "");
    out.lines([&letter.salutation]);
    for block in &letter.body {
        out.block(block, "", "");
    }
    for listed in letter.listed().filter(|listed| listed.before_closing) {
        out.list(listed.label, listed.items);
    }
    // Wrapped: a French closing is a sentence.
    out.wrapped(&letter.closing, "", "");
    for signature in &letter.signatories {
        out.signature(signature);
    }
    for listed in letter.listed().filter(|listed| !listed.before_closing) {
        out.list(listed.label, listed.items);
    }
    if !letter.notes.is_empty() {
        out.lines([&out.label(letter.labels.sources)]);
        out.out.pop();
        for note in &letter.notes {
            let marker = format!("[{}] ", note.number);
            let hanging = " ".repeat(marker.chars().count());
            out.wrapped(&plain(&note.runs), &marker, &hanging);
            out.out.pop();
        }
        out.out.push('\n');
    }
    if let Some(annex) = &letter.annex {
        out.annex(annex);
    }
    while out.out.ends_with("\n\n") {
        out.out.pop();
    }
    out.out
}

struct Writer {
    out: String,
    width: usize,
    /// For labels written here: "Date:", "Date :" in French.
    language: Language,
}

impl Writer {
    /// Writes lines as they are, then a blank line; nothing if there are none.
    fn lines<'a>(&mut self, lines: impl IntoIterator<Item = &'a String>) {
        let before = self.out.len();
        for line in lines {
            self.out.push_str(line);
            self.out.push('\n');
        }
        if self.out.len() > before {
            self.out.push('\n');
        }
    }

    /// Writes text wrapped to the width, the first line after `first`, the rest after `rest`.
    fn wrapped(&mut self, text: &str, first: &str, rest: &str) {
        for (i, line) in text.split('\n').enumerate() {
            let indent = if i == 0 { first } else { rest };
            fill(&mut self.out, line, self.width, indent, rest);
            self.out.push('\n');
        }
        self.out.push('\n');
    }

    fn block(&mut self, block: &Block, first: &str, rest: &str) {
        match block {
            Block::Paragraph(runs) | Block::Heading(runs) => {
                self.wrapped(&plain(runs), first, rest)
            }
            Block::Quote(blocks) => {
                for (i, block) in blocks.iter().enumerate() {
                    let first = if i == 0 {
                        format!("{first}> ")
                    } else {
                        format!("{rest}> ")
                    };
                    self.block(block, &first, &format!("{rest}> "));
                }
            }
            Block::List { start, items } => {
                for (i, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(start) => format!("{}. ", start + i as u64),
                        None => "- ".to_owned(),
                    };
                    let hanging = format!("{rest}{}", " ".repeat(marker.chars().count()));
                    for (j, block) in item.iter().enumerate() {
                        // The first item starts on the line the caller began
                        // (after an outer list's marker, say).
                        let first = match (i, j) {
                            (0, 0) => format!("{first}{marker}"),
                            (_, 0) => format!("{rest}{marker}"),
                            _ => hanging.clone(),
                        };
                        self.block(block, &first, &hanging);
                    }
                    // Items follow each other without a blank line; the list ends with one.
                    self.out.pop();
                }
                self.out.push('\n');
            }
        }
    }

    /// A signature block, then a blank line: name, title and organisation
    /// one under the other; or (ГОСТ Р 7.0.97) the title, with the name at
    /// the right margin of its last line, or of a line of its own where the
    /// two would come closer than three spaces.
    fn signature(&mut self, signature: &Signature) {
        match (signature.layout, &signature.title) {
            (SignatureLayout::TitleLeftNameRight, Some(title)) => {
                let mut lines = String::new();
                for part in title.split('\n') {
                    let width = self
                        .width
                        .saturating_sub(3 + signature.name.chars().count());
                    fill(&mut lines, part, width.max(20), "", "");
                    lines.push('\n');
                }
                lines.pop();
                let last = lines.rsplit('\n').next().unwrap_or_default();
                let used = last.chars().count();
                let name = signature.name.chars().count();
                if used + 3 + name > self.width {
                    lines.push('\n');
                    lines.push_str(&" ".repeat(self.width.saturating_sub(name)));
                } else {
                    lines.push_str(&" ".repeat(self.width - used - name));
                }
                lines.push_str(&signature.name);
                self.lines([&lines]);
            }
            _ => self.lines(
                std::iter::once(&signature.name)
                    .chain(&signature.title)
                    .chain(&signature.organisation),
            ),
        }
    }

    /// The annex as a list: one item per row, each cell after its column's name.
    fn annex(&mut self, annex: &Annex) {
        self.out.push_str("\u{c}\n");
        self.wrapped(&annex.title, "", "");
        for row in &annex.rows {
            let cells = annex
                .columns
                .iter()
                .zip(row)
                .filter(|(_, cell)| !cell.is_empty());
            for (i, (column, cell)) in cells.enumerate() {
                let first = if i == 0 { "- " } else { "  " };
                self.wrapped(&format!("{} {cell}", self.label(column)), first, "    ");
                self.out.pop();
            }
            self.out.push('\n');
        }
    }

    /// "Sources:" as the letter's language writes it ("Sources :").
    fn label(&self, label: &str) -> String {
        crate::typography::typeset(&format!("{label}:"), self.language)
    }

    /// Writes "label item" for one item, or the label then a bulleted list.
    fn list(&mut self, label: &str, items: &[String]) {
        match items {
            [] => {}
            [only] => self.wrapped(&format!("{label} {only}"), "", "    "),
            _ => {
                self.out.push_str(label);
                self.out.push('\n');
                let body: Vec<String> = items.iter().map(|item| format!("- {item}")).collect();
                self.lines(&body);
            }
        }
    }
}

/// Wraps `text` first-fit at `width` characters, as mail clients do: breaks
/// only at spaces, never inside a word (a longer word gets a line of its
/// own), the first line after `first`, the others after `rest`.
///
/// By hand rather than with textwrap: in this simplest of its modes it was a
/// third of the time of a text-only batch, spent on generality not used here.
fn fill(out: &mut String, text: &str, width: usize, first: &str, rest: &str) {
    let mut indent = first;
    let mut column = 0;
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let length = word.chars().count();
        if column > 0 && column + 1 + length > width {
            out.push('\n');
            column = 0;
            indent = rest;
        }
        if column == 0 {
            out.push_str(indent);
            column = indent.chars().count();
        } else {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += length;
    }
    if column == 0 {
        out.push_str(indent.trim_end());
    }
}

/// The text of runs, links written as `text <url>` unless the text is the
/// url, note references as `[1]`.
fn plain(runs: &[Run]) -> String {
    let mut out = String::new();
    for run in runs {
        if let Some(number) = run.note {
            out.push_str(&format!("[{number}]"));
            continue;
        }
        out.push_str(&run.text);
        if let Some(link) = &run.link
            && link.trim_start_matches("mailto:") != run.text
        {
            out.push_str(&format!(" <{link}>"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown;

    fn body_text(markdown: &str, width: usize) -> String {
        let mut out = Writer {
            out: String::new(),
            width,
            language: Language::En,
        };
        for block in markdown::parse(markdown).unwrap() {
            out.block(&block, "", "");
        }
        out.out
    }

    #[test]
    fn wraps_paragraphs_without_breaking_words() {
        assert_eq!(
            body_text(
                "one two three four five six seven eight nine ten eleven twelve",
                20
            ),
            "one two three four\nfive six seven eight\nnine ten eleven\ntwelve\n\n"
        );
        assert_eq!(
            body_text("a-very-long-word-that-does-not-fit here", 20),
            "a-very-long-word-that-does-not-fit\nhere\n\n"
        );
    }

    #[test]
    fn never_breaks_at_a_no_break_space() {
        assert_eq!(
            body_text("aaaa 2021\u{a0}г. bbbb А.\u{a0}Ф.\u{a0}Бухвостов", 10),
            "aaaa\n2021\u{a0}г.\nbbbb\nА.\u{a0}Ф.\u{a0}Бухвостов\n\n"
        );
    }

    #[test]
    fn renders_lists_quotes_and_links() {
        assert_eq!(
            body_text(
                "See [our site](http://u.org) and <http://x.org>.\n\n1. free all political prisoners now\n2. stop\n\n> quoted words here\n",
                24
            ),
            "See our site\n<http://u.org> and\nhttp://x.org.\n\n1. free all political\n   prisoners now\n2. stop\n\n> quoted words here\n\n"
        );
    }

    #[test]
    fn nested_lists_keep_every_marker() {
        assert_eq!(
            body_text("1. - a\n   - b\n2. c\n\n> - q\n", 24),
            "1. - a\n   - b\n2. c\n\n> - q\n\n"
        );
    }
}
