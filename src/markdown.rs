//! CommonMark body text into [`Block`]s, with pulldown-cmark.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::error::Diagnostic;
use crate::evidence::NOTE;
use crate::letter::{Block, Run};
use crate::limits::{MAX_DEPTH, too_deep};

/// Parses CommonMark into body blocks.
///
/// Paragraphs, headings, bold, italic, links, bulleted and numbered lists
/// and block quotes are kept; images become their alt text, code its text,
/// raw HTML its source, so that no word of the input is lost. Quotes and
/// lists nested past [`MAX_DEPTH`] are refused: every backend walks them
/// recursively.
pub fn parse(markdown: &str) -> Result<Vec<Block>, TooDeep> {
    let mut builder = Builder::default();
    for event in Parser::new(markdown) {
        builder.depth.track(&event)?;
        builder.event(event);
    }
    Ok(builder.finish())
}

/// Checks that quotes and lists nest no deeper than [`MAX_DEPTH`], without
/// building blocks.
pub fn check(markdown: &str) -> Result<(), TooDeep> {
    let mut depth = Depth::default();
    Parser::new(markdown).try_for_each(|event| depth.track(&event))
}

/// CommonMark read as one line of plain text: the text of every block,
/// separated by spaces, whitespace folded. For the frame of a letter.
pub fn plain(markdown: &str) -> Result<String, TooDeep> {
    let mut text = String::new();
    collect_text(&parse(markdown)?, &mut text);
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Quotes or lists nested past [`MAX_DEPTH`].
#[derive(Debug, PartialEq, Eq)]
pub struct TooDeep {
    /// `quotes` or `lists`: what went a level too deep.
    what: &'static str,
}

impl TooDeep {
    /// The problem as a diagnostic about `place` (`body`, …).
    pub fn diagnostic(&self, place: &str) -> Diagnostic {
        too_deep(self.what, place)
    }
}

/// How deep quotes and lists are open while reading CommonMark.
#[derive(Default)]
struct Depth(usize);

impl Depth {
    fn track(&mut self, event: &Event<'_>) -> Result<(), TooDeep> {
        let what = match event {
            Event::Start(Tag::BlockQuote(_)) => "quotes",
            Event::Start(Tag::List(_)) => "lists",
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => {
                self.0 -= 1;
                return Ok(());
            }
            _ => return Ok(()),
        };
        self.0 += 1;
        if self.0 > MAX_DEPTH {
            return Err(TooDeep { what });
        }
        Ok(())
    }
}

fn collect_text(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Paragraph(runs) | Block::Heading(runs) => {
                runs.iter().for_each(|run| out.push_str(&run.text));
            }
            Block::Quote(blocks) => collect_text(blocks, out),
            Block::List { items, .. } => items.iter().for_each(|item| collect_text(item, out)),
        }
        out.push(' ');
    }
}

#[derive(Default)]
struct Builder {
    depth: Depth,
    /// Open containers, innermost last; the outermost is the document.
    stack: Vec<Container>,
    done: Vec<Block>,
    runs: Vec<Run>,
    bold: usize,
    italic: usize,
    link: Vec<String>,
}

enum Container {
    Quote(Vec<Block>),
    List(Option<u64>, Vec<Vec<Block>>),
    Item(Vec<Block>),
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush();
                self.stack.push(Container::Quote(Vec::new()));
            }
            Event::Start(Tag::List(start)) => {
                self.flush();
                self.stack.push(Container::List(start, Vec::new()));
            }
            Event::Start(Tag::Item) => self.stack.push(Container::Item(Vec::new())),
            Event::Start(Tag::Strong) => self.bold += 1,
            Event::Start(Tag::Emphasis) => self.italic += 1,
            Event::Start(Tag::Link { dest_url, .. }) => self.link.push(dest_url.to_string()),
            Event::End(TagEnd::Strong) => self.bold -= 1,
            Event::End(TagEnd::Emphasis) => self.italic -= 1,
            Event::End(TagEnd::Link) => {
                self.link.pop();
            }
            Event::End(TagEnd::Paragraph) => self.flush(),
            Event::End(TagEnd::Heading(_)) => {
                let runs = std::mem::take(&mut self.runs);
                self.push(Block::Heading(runs));
            }
            Event::End(TagEnd::Item) => {
                self.flush();
                if let Some(Container::Item(blocks)) = self.stack.pop()
                    && let Some(Container::List(_, items)) = self.stack.last_mut()
                {
                    items.push(blocks);
                }
            }
            Event::End(TagEnd::List(_)) => {
                if let Some(Container::List(start, items)) = self.stack.pop() {
                    self.push(Block::List { start, items });
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush();
                if let Some(Container::Quote(blocks)) = self.stack.pop() {
                    self.push(Block::Quote(blocks));
                }
            }
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => self.text(&text),
            // Code is a run of its own, which typography leaves as it is.
            Event::Code(text) => self.styled_text(&text, true),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.runs.push(Run {
                text: "\n".into(),
                ..Run::default()
            }),
            _ => {}
        }
    }

    /// Adds text, with the note references in it (`\u{E002}1,2\u{E003}`,
    /// see [`evidence`](crate::evidence)) as note runs.
    fn text(&mut self, text: &str) {
        let (open, close) = NOTE;
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            self.plain_text(&rest[..start]);
            let after = &rest[start + open.len_utf8()..];
            let end = after.find(close).unwrap_or(after.len());
            let numbers: Vec<&str> = after[..end].split(',').collect();
            for (i, number) in numbers.iter().enumerate() {
                let separator = if i + 1 < numbers.len() { "," } else { "" };
                self.runs.push(Run {
                    text: format!("{number}{separator}"),
                    note: number.parse().ok(),
                    ..Run::default()
                });
            }
            rest = after.get(end + close.len_utf8()..).unwrap_or_default();
        }
        self.plain_text(rest);
    }

    fn plain_text(&mut self, text: &str) {
        self.styled_text(text, false);
    }

    fn styled_text(&mut self, text: &str, code: bool) {
        if text.is_empty() {
            return;
        }
        let link = self.link.last().cloned();
        let (bold, italic) = (self.bold > 0, self.italic > 0);
        match self.runs.last_mut() {
            Some(last)
                if last.bold == bold
                    && last.italic == italic
                    && last.link == link
                    && last.code == code
                    && last.note.is_none()
                    && !last.is_break() =>
            {
                last.text.push_str(text)
            }
            _ => self.runs.push(Run {
                text: text.to_owned(),
                bold,
                italic,
                link,
                note: None,
                code,
                language: None,
            }),
        }
    }

    /// Ends the paragraph being built, if any.
    fn flush(&mut self) {
        if !self.runs.is_empty() {
            let runs = std::mem::take(&mut self.runs);
            self.push(Block::Paragraph(runs));
        }
    }

    fn push(&mut self, block: Block) {
        match self.stack.last_mut() {
            Some(Container::Quote(blocks) | Container::Item(blocks)) => blocks.push(block),
            Some(Container::List(..)) => unreachable!("pulldown-cmark puts blocks in items"),
            None => self.done.push(block),
        }
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Run {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }

    #[test]
    fn keeps_styles_and_links() {
        let blocks =
            parse("Dear **all**, see [IndustriALL](http://x.org) & *more*.\nNext line").unwrap();
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![
                run("Dear "),
                Run {
                    text: "all".into(),
                    bold: true,
                    ..Run::default()
                },
                run(", see "),
                Run {
                    text: "IndustriALL".into(),
                    link: Some("http://x.org".into()),
                    ..Run::default()
                },
                run(" & "),
                Run {
                    text: "more".into(),
                    italic: true,
                    ..Run::default()
                },
                run(". Next line"),
            ])]
        );
    }

    #[test]
    fn builds_lists_and_quotes() {
        let blocks =
            parse("1. free prisoners\n2. stop repression\n\n> quoted\n\n- a\n\n  b\n").unwrap();
        assert_eq!(
            blocks,
            vec![
                Block::List {
                    start: Some(1),
                    items: vec![
                        vec![Block::Paragraph(vec![run("free prisoners")])],
                        vec![Block::Paragraph(vec![run("stop repression")])],
                    ],
                },
                Block::Quote(vec![Block::Paragraph(vec![run("quoted")])]),
                Block::List {
                    start: None,
                    items: vec![vec![
                        Block::Paragraph(vec![run("a")]),
                        Block::Paragraph(vec![run("b")]),
                    ]],
                },
            ]
        );
    }

    #[test]
    fn reads_frame_fields_as_plain_text() {
        assert_eq!(
            plain("Dear Mr. O\\_Brien \\& \\*all\\*,\n").unwrap(),
            "Dear Mr. O_Brien & *all*,"
        );
        assert_eq!(plain("By email: a@b.org").unwrap(), "By email: a@b.org");
    }

    #[test]
    fn keeps_text_of_html_and_code() {
        assert_eq!(
            parse("a <b>c</b> `d`").unwrap(),
            vec![Block::Paragraph(vec![
                run("a <b>c</b> "),
                Run {
                    text: "d".into(),
                    code: true,
                    ..Run::default()
                }
            ])]
        );
    }

    #[test]
    fn refuses_quotes_and_lists_nested_past_the_limit() {
        // See: #15
        let quotes = |n: usize| format!("{} deep", ">".repeat(n));
        assert!(parse(&quotes(MAX_DEPTH)).is_ok());
        assert_eq!(
            parse(&quotes(MAX_DEPTH + 1)),
            Err(TooDeep { what: "quotes" })
        );
        assert_eq!(check(&quotes(20_000)), Err(TooDeep { what: "quotes" }));
        let lists = |n: usize| format!("{}deep", "- ".repeat(n));
        assert!(check(&lists(MAX_DEPTH)).is_ok());
        assert_eq!(parse(&lists(MAX_DEPTH + 1)), Err(TooDeep { what: "lists" }));
        // Levels closed again do not add up.
        let siblings = vec![quotes(MAX_DEPTH); 3].join("\n\nbreak\n\n");
        assert!(parse(&siblings).is_ok());
        let mixed = format!("{}{}", "> - ".repeat(MAX_DEPTH / 2), "> deep");
        assert_eq!(plain(&mixed), Err(TooDeep { what: "quotes" }));
    }
}
