//! Line breaking: styled runs into justified lines of measured words, with
//! hyphenation from the TeX patterns of the letter's language.
//!
//! Greedy first fit: a word that does not fit is hyphenated at the last
//! point that fills the line; a word wider than a whole line is split where
//! it must, so no text is ever dropped.

use std::sync::{Arc, OnceLock};

use hyphenation::{Hyphenator, Load, Standard};

use super::cache::{ParagraphMemo, lock};
use super::font::{FontMetrics, Style};
use super::memo::hash;
use crate::lang::Language;
use crate::letter::Run;

/// A piece of text placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The text, without a hyphen added by breaking.
    pub text: String,
    /// Its style.
    pub style: Style,
    /// Link target, if any.
    pub link: Option<String>,
    /// Offset from the line start, in points.
    pub x: f32,
    /// Width, in points (with the added hyphen, if any).
    pub width: f32,
    /// True where breaking added a hyphen after the text.
    pub hyphen: bool,
}

/// One line of a paragraph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// The words, left to right; a gap between two pieces is a space.
    pub pieces: Vec<Placed>,
}

impl Line {
    /// Width from the line start to the end of the last piece.
    pub fn width(&self) -> f32 {
        self.pieces.last().map_or(0.0, |p| p.x + p.width)
    }
}

/// How to break a paragraph.
pub struct Breaker<'a> {
    /// Measures text.
    pub metrics: &'a dyn FontMetrics,
    /// Font size, points.
    pub size: f32,
    /// Line width, points.
    pub width: f32,
    /// Stretch spaces so that lines but the last fill the width.
    pub justify: bool,
    /// Language for hyphenation; `None` turns it off.
    pub language: Option<Language>,
    /// Paragraphs broken before, to take equal ones from; `None` breaks every one.
    pub memo: Option<&'a ParagraphMemo>,
}

/// A piece of a word: text in one style.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    style: Style,
    link: Option<String>,
}

/// A word: the pieces between two spaces; `None` is a hard line break.
type Word = Option<Vec<Piece>>;

/// What decides how a paragraph breaks, but its runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Setting {
    /// Metrics are told apart by address: the embedded fonts are one static.
    metrics: usize,
    size: u32,
    width: u32,
    justify: bool,
    language: Option<Language>,
}

/// A paragraph as broken: its setting and runs.
pub(super) type Paragraph = (Setting, Vec<Run>);

impl Breaker<'_> {
    /// Breaks `runs` into lines, or takes them from the lines of an equal
    /// paragraph broken before with the same memo.
    pub fn lines(&self, runs: &[Run]) -> Vec<Line> {
        let Some(memo) = self.memo else {
            return self.break_lines(runs);
        };
        let setting = Setting {
            metrics: std::ptr::from_ref(self.metrics).cast::<()>() as usize,
            size: self.size.to_bits(),
            width: self.width.to_bits(),
            justify: self.justify,
            language: self.language,
        };
        let hash = hash(&(setting, runs));
        let found = lock(memo).get(hash, |(s, r)| *s == setting && r == runs);
        if let Some(lines) = found {
            return lines.to_vec();
        }
        let lines = self.break_lines(runs);
        let bytes = weight(runs, &lines);
        lock(memo).insert(
            hash,
            (setting, runs.to_vec()),
            Arc::new(lines.clone()),
            bytes,
        );
        lines
    }

    fn break_lines(&self, runs: &[Run]) -> Vec<Line> {
        let words = words(runs);
        let mut lines = Vec::new();
        let mut line = Line::default();
        let mut ends_paragraph = Vec::new();
        for word in words {
            let Some(pieces) = word else {
                lines.push(std::mem::take(&mut line));
                ends_paragraph.push(true);
                continue;
            };
            let mut pending = Some(pieces);
            while let Some(pieces) = pending.take() {
                let space = if line.pieces.is_empty() {
                    0.0
                } else {
                    self.space(pieces[0].style)
                };
                let start = line.width() + space;
                let width = self.word_width(&pieces);
                if start + width <= self.width + 0.01 {
                    self.place(&mut line, pieces, start);
                    continue;
                }
                // Does not fit: hyphenate to fill this line, or wrap.
                if let Some((head, tail)) = self.hyphenate(&pieces, self.width - start) {
                    self.place(&mut line, head, start);
                    line.pieces.last_mut().expect("just placed").hyphen = true;
                    line.pieces.last_mut().expect("just placed").width +=
                        self.hyphen_width(&pieces);
                    lines.push(std::mem::take(&mut line));
                    ends_paragraph.push(false);
                    pending = Some(tail);
                } else if !line.pieces.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    ends_paragraph.push(false);
                    pending = Some(pieces);
                } else {
                    // Wider than a whole line: split it wherever it must be.
                    let (head, tail) = self.split_anywhere(&pieces);
                    self.place(&mut line, head, 0.0);
                    if tail.is_some() {
                        // Mark the break, so that the word reads as one.
                        let last = line
                            .pieces
                            .last_mut()
                            .expect("at least one character is placed");
                        last.hyphen = true;
                        last.width += self.hyphen_width(&pieces);
                    }
                    lines.push(std::mem::take(&mut line));
                    ends_paragraph.push(false);
                    pending = tail;
                }
            }
        }
        if !line.pieces.is_empty() || lines.is_empty() {
            lines.push(line);
            ends_paragraph.push(true);
        }
        if self.justify {
            for (line, last) in lines.iter_mut().zip(ends_paragraph) {
                if !last {
                    self.justify_line(line);
                }
            }
        }
        lines
    }

    fn space(&self, style: Style) -> f32 {
        self.metrics.width(style, " ") * self.size
    }

    fn hyphen_width(&self, pieces: &[Piece]) -> f32 {
        self.metrics
            .width(pieces.last().map_or(Style::Regular, |p| p.style), "\u{AD}")
            * self.size
    }

    fn word_width(&self, pieces: &[Piece]) -> f32 {
        pieces
            .iter()
            .map(|p| self.metrics.width(p.style, &p.text) * self.size)
            .sum()
    }

    fn place(&self, line: &mut Line, pieces: Vec<Piece>, mut x: f32) {
        for piece in pieces {
            let width = self.metrics.width(piece.style, &piece.text) * self.size;
            line.pieces.push(Placed {
                text: piece.text,
                style: piece.style,
                link: piece.link,
                x,
                width,
                hyphen: false,
            });
            x += width;
        }
    }

    /// Splits a one-piece word at the last hyphenation point whose head,
    /// with a hyphen, fits in `room`.
    fn hyphenate(&self, pieces: &[Piece], room: f32) -> Option<(Vec<Piece>, Vec<Piece>)> {
        let [piece] = pieces else { return None };
        let dictionary = dictionary(self.language?)?;
        let text = piece.text.as_str();
        // Hyphenate the letters only, not the punctuation around them.
        let start = text.find(char::is_alphabetic)?;
        let end = text
            .rfind(char::is_alphabetic)
            .map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8))?;
        let core = &text[start..end];
        if core.chars().count() < 5 || !core.chars().all(char::is_alphabetic) {
            return None;
        }
        let hyphen = self.hyphen_width(pieces);
        let breaks = dictionary.hyphenate(&core.to_lowercase()).breaks;
        // Lower-casing keeps byte offsets for the scripts hyphenated here.
        if core.to_lowercase().len() != core.len() {
            return None;
        }
        breaks.iter().rev().map(|b| start + b).find_map(|at| {
            let head = &text[..at];
            let fits = self.metrics.width(piece.style, head) * self.size + hyphen <= room;
            fits.then(|| {
                let part = |text: &str| Piece {
                    text: text.to_owned(),
                    style: piece.style,
                    link: piece.link.clone(),
                };
                (vec![part(head)], vec![part(&text[at..])])
            })
        })
    }

    /// Splits a word wider than a line after as many characters as fit
    /// with a hyphen (at least one).
    fn split_anywhere(&self, pieces: &[Piece]) -> (Vec<Piece>, Option<Vec<Piece>>) {
        let mut head = Vec::new();
        let mut used = 0.0;
        let room = self.width - self.hyphen_width(pieces);
        for (i, piece) in pieces.iter().enumerate() {
            let width = self.metrics.width(piece.style, &piece.text) * self.size;
            if used + width <= room {
                head.push(piece.clone());
                used += width;
                continue;
            }
            let mut cut = 0;
            for (at, c) in piece.text.char_indices() {
                let next = at + c.len_utf8();
                let fits =
                    used + self.metrics.width(piece.style, &piece.text[..next]) * self.size <= room;
                if fits || (cut == 0 && head.is_empty()) {
                    cut = next;
                } else {
                    break;
                }
            }
            let mut tail = Vec::new();
            if cut > 0 {
                head.push(Piece {
                    text: piece.text[..cut].to_owned(),
                    ..piece.clone()
                });
            }
            if cut < piece.text.len() {
                tail.push(Piece {
                    text: piece.text[cut..].to_owned(),
                    ..piece.clone()
                });
            }
            tail.extend(pieces[i + 1..].iter().cloned());
            return (head, Some(tail));
        }
        (head, None)
    }

    /// Spreads the room left on a line over its spaces.
    fn justify_line(&self, line: &mut Line) {
        let gaps = line
            .pieces
            .windows(2)
            .filter(|w| w[1].x > w[0].x + w[0].width + 0.001)
            .count();
        if gaps == 0 {
            return;
        }
        let extra = (self.width - line.width()) / gaps as f32;
        // A line that would need spaces wider than an em stays ragged: gaps
        // that wide read as columns, to people and to text extraction.
        if extra > self.size {
            return;
        }
        let mut shift = 0.0;
        for i in 0..line.pieces.len() {
            if i > 0 {
                let previous = &line.pieces[i - 1];
                if line.pieces[i].x > previous.x + previous.width - shift + 0.001 {
                    shift += extra;
                }
            }
            line.pieces[i].x += shift;
        }
    }
}

/// Splits runs into words of styled pieces at spaces; `None` marks a hard break.
fn words(runs: &[Run]) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    for run in runs {
        if run.is_break() {
            if !current.is_empty() {
                words.push(Some(std::mem::take(&mut current)));
            }
            words.push(None);
            continue;
        }
        let style = Style::of(run.bold, run.italic);
        for (i, part) in run.text.split([' ', '\n', '\t']).enumerate() {
            if i > 0 && !current.is_empty() {
                words.push(Some(std::mem::take(&mut current)));
            }
            if !part.is_empty() {
                current.push(Piece {
                    text: part.to_owned(),
                    style,
                    link: run.link.clone(),
                });
            }
        }
    }
    if !current.is_empty() {
        words.push(Some(current));
    }
    words
}

/// About the bytes a broken paragraph holds in a memo: its runs and lines.
fn weight(runs: &[Run], lines: &[Line]) -> usize {
    let text =
        |text: &str, link: &Option<String>| text.len() + link.as_ref().map_or(0, String::len);
    let runs: usize = runs
        .iter()
        .map(|run| size_of::<Run>() + text(&run.text, &run.link))
        .sum();
    let pieces = lines.iter().flat_map(|line| &line.pieces);
    let pieces: usize = pieces
        .map(|piece| size_of::<Placed>() + text(&piece.text, &piece.link))
        .sum();
    runs + pieces + size_of_val(lines)
}

/// The hyphenation patterns of `language`, loaded once.
fn dictionary(language: Language) -> Option<&'static Standard> {
    static EN: OnceLock<Option<Standard>> = OnceLock::new();
    static RU: OnceLock<Option<Standard>> = OnceLock::new();
    static BE: OnceLock<Option<Standard>> = OnceLock::new();
    let (cell, patterns, bytes): (_, _, &[u8]) = match language {
        Language::En => (
            &EN,
            hyphenation::Language::EnglishUS,
            include_bytes!("../../../assets/hyphenation/en-us.standard.bincode"),
        ),
        Language::Ru => (
            &RU,
            hyphenation::Language::Russian,
            include_bytes!("../../../assets/hyphenation/ru.standard.bincode"),
        ),
        Language::Be => (
            &BE,
            hyphenation::Language::Belarusian,
            include_bytes!("../../../assets/hyphenation/be.standard.bincode"),
        ),
    };
    cell.get_or_init(|| Standard::from_reader(patterns, &mut &bytes[..]).ok())
        .as_ref()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every character half an em wide: lines are easy to reason about.
    pub(crate) struct Fixed;

    impl FontMetrics for Fixed {
        fn width(&self, _: Style, text: &str) -> f32 {
            text.chars().count() as f32 * 0.5
        }
    }

    fn breaker(width: f32, language: Option<Language>) -> Breaker<'static> {
        Breaker {
            metrics: &Fixed,
            size: 2.0,
            width,
            justify: true,
            language,
            memo: None,
        }
    }

    fn run(text: &str) -> Run {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                line.pieces
                    .iter()
                    .map(|p| format!("{}{}@{}", p.text, if p.hyphen { "-" } else { "" }, p.x))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn fills_and_justifies_lines_but_the_last() {
        // One character (and a space) is 1 pt wide, an em 2 pt; the line
        // holds 14. "one two six" is 11: its two gaps grow by 1.5 each.
        let lines = breaker(14.0, None).lines(&[run("one two six ten")]);
        assert_eq!(texts(&lines), ["one@0 two@5.5 six@11", "ten@0"]);
    }

    #[test]
    fn leaves_lines_ragged_rather_than_gaping() {
        // "a b" then a word that fills a line: stretching "a b" to 12 would
        // need a 10 pt gap, more than an em (2 pt).
        let lines = breaker(12.0, None).lines(&[run("a b cdefghijkl")]);
        assert_eq!(texts(&lines), ["a@0 b@2", "cdefghijkl@0"]);
    }

    #[test]
    fn hyphenates_to_fill_a_line() {
        let lines = breaker(20.0, Some(Language::En)).lines(&[run("we demand registration now")]);
        // "registra-" fits the 10 pt left; the line is then stretched by 1.
        assert_eq!(
            texts(&lines),
            ["we@0 demand@3.5 registra-@11", "tion@0 now@5"]
        );
        let lines = breaker(13.0, Some(Language::Ru)).lines(&[run("прекратить репрессии")]);
        assert_eq!(texts(&lines), ["прекратить@0", "репрессии@0"]);
        let lines = breaker(18.0, Some(Language::Ru)).lines(&[run("прекратить репрессии")]);
        assert_eq!(texts(&lines), ["прекратить@0 репрес-@11", "сии@0"]);
        let lines = breaker(14.0, Some(Language::Be)).lines(&[run("спыніць рэпрэсіі")]);
        assert_eq!(texts(&lines), ["спыніць@0 рэпрэ-@8", "сіі@0"]);
    }

    #[test]
    fn never_drops_a_word_wider_than_the_line() {
        let lines = breaker(5.0, None).lines(&[run("abcdefghijkl xy")]);
        // Each break is marked with a hyphen, and room is kept for it.
        assert_eq!(texts(&lines), ["abcd-@0", "efgh-@0", "ijkl@0", "xy@0"]);
    }

    #[test]
    fn keeps_styles_inside_a_word_and_honours_hard_breaks() {
        let bold = Run {
            text: "bold".into(),
            bold: true,
            ..Run::default()
        };
        let runs = [
            run("a "),
            bold,
            run(", b"),
            Run {
                text: "\n".into(),
                ..Run::default()
            },
            run("c"),
        ];
        let lines = breaker(40.0, None).lines(&runs);
        assert_eq!(texts(&lines), ["a@0 bold@2 ,@6 b@8", "c@0"]);
        assert_eq!(lines[0].pieces[1].style, Style::Bold);
    }
}
