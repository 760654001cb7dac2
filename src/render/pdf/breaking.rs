//! Line breaking: styled runs into justified lines of measured words, with
//! hyphenation from the TeX patterns of the letter's language.
//!
//! A justified paragraph is broken as a whole ([`optimal`]: Knuth and
//! Plass's total fit, as TeX breaks paragraphs), so that no line is set
//! loose to make room for the next. Ragged text (addresses, headings,
//! notes, table cells), and a paragraph too long to be worth it, is broken
//! greedily, first fit: a word that does not fit is hyphenated at the last
//! point that fills the line. Either way a word wider than a whole line is
//! split where it must, so no text is ever dropped, and an address breaks
//! after its punctuation, without a hyphen, which would read as part of it.
//! Breaking costs about the length of the paragraph, however long its words
//! (#15).

mod optimal;

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use hyphenation::{Hyphenator, Load, Standard};
use unicode_bidi::Direction;

use super::cache::{ParagraphMemo, lock};
use super::font::{FontMetrics, Style};
use super::memo::hash;
use crate::lang::Language;
use crate::letter::Run;
use crate::script::mark_languages;

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
    /// A (part of a) reference to this note, set small and raised.
    pub note: Option<usize>,
    /// Its language, where its run has one ([`Run::language`]): breaking
    /// never joins runs of different languages into one piece.
    pub language: Option<String>,
    /// The element of the layout's structure it is part of where that is
    /// not its line's: a list item's or a note's label, hanging before the
    /// line's text.
    pub tag: Option<u32>,
}

/// How far a note reference's baseline is raised, in ems of the text around it.
pub const RAISE: f32 = 0.33;

/// The font size of text that is part of a reference to `note`, or not,
/// among text of `size`.
fn sized(size: f32, note: Option<usize>) -> f32 {
    match note {
        Some(_) => size * 0.6,
        None => size,
    }
}

impl Placed {
    /// Its font size on a line of `size`.
    pub fn size(&self, size: f32) -> f32 {
        sized(size, self.note)
    }
}

/// One line of a paragraph. Cheap to clone: the lines of a paragraph are
/// remembered between letters and copied into each letter's layout, so its
/// pieces are shared, and copied only where a line is changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// The words, left to right; a gap between two pieces is a space.
    pub pieces: Arc<Vec<Placed>>,
    /// Where its paragraph reads right to left (its first strong character
    /// does, UBA P2–P3): the measure it was broken to, points. The line is
    /// then drawn mirrored within it, so that it ends at the right edge.
    /// `None`: left to right, the letter's direction.
    pub rtl: Option<f32>,
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

/// A piece of a word: text in one style, borrowed from the runs.
#[derive(Debug, Clone, Copy)]
struct Piece<'t> {
    text: &'t str,
    style: Style,
    link: Option<&'t str>,
    note: Option<usize>,
    language: Option<&'t str>,
    /// An address: it breaks after its punctuation, unmarked.
    url: bool,
    /// After a no-break space: a space is set before it, stretched as any
    /// other when the line is justified, but no line breaks there.
    tied: bool,
}

/// A word: the pieces between two spaces; `None` is a hard line break.
type Word<'t> = Option<Vec<Piece<'t>>>;

/// Where a word is cut: before byte `at` of its piece number `piece`.
#[derive(Debug, Clone, Copy)]
struct Cut {
    piece: usize,
    at: usize,
}

impl Cut {
    /// True where the cut, in `pieces`, is marked with a hyphen so that the
    /// word reads as one: not in an address, nor at a no-break space (the
    /// words on either side are whole).
    fn is_marked(self, pieces: &[Piece]) -> bool {
        pieces
            .get(self.piece)
            .is_some_and(|piece| !(piece.url || piece.tied && self.piece > 0 && self.at == 0))
    }
}

/// Words with more characters than this are not hyphenated: TeX patterns
/// find nothing useful in such a "word", and would cost its whole length
/// again on every line it fills.
const LONGEST_HYPHENATED: usize = 100;

/// Justified paragraphs of more bytes than this (some thousand words) are
/// broken first fit: the optimal breaks of pages of unbroken text are not
/// worth their cost.
const LONGEST_OPTIMAL: usize = 32 * 1024;

/// Texts of up to this many bytes are measured whole before anything else:
/// nearly every word is this short, and most fit where they are tried.
const SHORT: usize = 256;

/// What decides how a paragraph breaks, but its runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Setting {
    /// Metrics are told apart by address: the embedded fonts are one static.
    metrics: usize,
    size: u32,
    width: u32,
    justify: bool,
    language: Option<Language>,
    /// Lines set in their paragraph's own direction.
    directed: bool,
}

/// A paragraph as broken: its setting and runs.
pub(super) type Paragraph = (Setting, Vec<Run>);

impl Breaker<'_> {
    /// Breaks `runs` into lines in the letter's direction (left to right),
    /// or takes them from the lines of an equal paragraph broken before
    /// with the same memo.
    pub fn lines(&self, runs: &[Run]) -> Vec<Line> {
        self.remembered(runs, false)
    }

    /// Breaks the runs of a paragraph set in its own direction (body text,
    /// quotes, list items, notes, address lines): like [`Breaker::lines`],
    /// each line marked right to left where the paragraph's first strong
    /// character is.
    pub fn paragraph(&self, runs: &[Run]) -> Vec<Line> {
        self.remembered(runs, true)
    }

    /// The lines of `runs`, `directed` or not, from the memo where it has them.
    fn remembered(&self, runs: &[Run], directed: bool) -> Vec<Line> {
        let Some(memo) = self.memo else {
            return self.break_lines(runs, directed);
        };
        let setting = Setting {
            metrics: std::ptr::from_ref(self.metrics).cast::<()>() as usize,
            size: self.size.to_bits(),
            width: self.width.to_bits(),
            justify: self.justify,
            language: self.language,
            directed,
        };
        let hash = hash(&(setting, runs));
        let found = lock(memo).get(hash, |(s, r)| *s == setting && r == runs);
        if let Some(lines) = found {
            return lines.to_vec();
        }
        let lines = self.break_lines(runs, directed);
        let bytes = weight(runs, &lines);
        lock(memo).insert(
            hash,
            (setting, runs.to_vec()),
            Arc::new(lines.clone()),
            bytes,
        );
        lines
    }

    fn break_lines(&self, runs: &[Run], directed: bool) -> Vec<Line> {
        let runs = mark_languages(runs);
        let mut words = words(&runs);
        let bytes: usize = runs.iter().map(|run| run.text.len()).sum();
        let mut lines = if self.justify && bytes <= LONGEST_OPTIMAL {
            optimal::lines(self, &words)
        } else {
            self.first_fit(&mut words)
        };
        if directed && right_to_left(&runs) {
            for line in &mut lines {
                line.rtl = Some(self.width);
            }
        }
        lines
    }

    /// Lines filled one after another, each with as much as fits.
    fn first_fit(&self, words: &mut [Word]) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut line = Line::default();
        let mut ends_paragraph = Vec::new();
        for word in words {
            let Some(pieces) = word else {
                lines.push(std::mem::take(&mut line));
                ends_paragraph.push(true);
                continue;
            };
            // What is left of the word: cutting a head off moves it on in
            // place, so that a word many lines long is never copied whole.
            let mut rest: &mut [Piece] = pieces;
            while !rest.is_empty() {
                let space = if line.pieces.is_empty() {
                    0.0
                } else {
                    self.space(rest[0].style)
                };
                let start = line.width() + space;
                if self.fits(rest, start) {
                    self.place(&mut line, rest, start);
                    break;
                }
                // Does not fit: hyphenate (or break an address) to fill
                // this line, or wrap.
                let hyphen = self.hyphen_width(rest);
                let room = self.width - start;
                let fill = self.hyphenate(rest, room);
                let cut = match fill.or_else(|| self.url_break(rest, room)) {
                    Some(cut) => cut,
                    None if !line.pieces.is_empty() => {
                        lines.push(std::mem::take(&mut line));
                        ends_paragraph.push(false);
                        continue;
                    }
                    // Wider than a whole line: split it wherever it must be.
                    None => self.split_anywhere(rest),
                };
                let marked = cut.is_marked(rest);
                let head;
                (head, rest) = cut_at(rest, cut);
                self.place(&mut line, &head, start);
                if !rest.is_empty() && marked {
                    // Mark the break, so that the word reads as one.
                    let last = Arc::make_mut(&mut line.pieces)
                        .last_mut()
                        .expect("at least one character is placed");
                    last.hyphen = true;
                    last.width += hyphen;
                }
                lines.push(std::mem::take(&mut line));
                ends_paragraph.push(false);
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
        pieces.last().map_or(0.0, |last| {
            self.metrics.width(last.style, "\u{AD}") * self.size_of(last)
        })
    }

    fn size_of(&self, piece: &Piece) -> f32 {
        sized(self.size, piece.note)
    }

    /// The width of pieces set together, the spaces of ties included.
    fn width_of(&self, pieces: &[Piece]) -> f32 {
        let mut width = 0.0;
        for (i, piece) in pieces.iter().enumerate() {
            if piece.tied && i > 0 {
                width += self.space(piece.style);
            }
            width += self.metrics.width(piece.style, piece.text) * self.size_of(piece);
        }
        width
    }

    /// Whether a word fits on the line from `start`.
    fn fits(&self, pieces: &[Piece], start: f32) -> bool {
        self.head(pieces, |width| start + width <= self.width + 0.01)
            .is_none()
    }

    /// Where the longest head of a word whose width `fits` ends, or `None`
    /// where the whole word fits. Pieces are measured one by one and a long
    /// one head by head, so that a word many lines wide costs about what a
    /// line holds, not its length.
    fn head(&self, pieces: &[Piece], fits: impl Fn(f32) -> bool) -> Option<Cut> {
        let mut used = 0.0;
        for (i, piece) in pieces.iter().enumerate() {
            if piece.tied && i > 0 {
                used += self.space(piece.style);
            }
            let size = self.size_of(piece);
            let width = |text: &str| used + self.metrics.width(piece.style, text) * size;
            let (at, width) = longest_head(piece.text, width, &fits);
            if at < piece.text.len() {
                return Some(Cut { piece: i, at });
            }
            used = width;
        }
        None
    }

    fn place(&self, line: &mut Line, pieces: &[Piece], mut x: f32) {
        for (i, piece) in pieces.iter().enumerate() {
            if piece.tied && i > 0 {
                x += self.space(piece.style);
            }
            let width = self.metrics.width(piece.style, piece.text) * self.size_of(piece);
            Arc::make_mut(&mut line.pieces).push(Placed {
                text: piece.text.to_owned(),
                style: piece.style,
                link: piece.link.map(str::to_owned),
                x,
                width,
                hyphen: false,
                note: piece.note,
                language: piece.language.map(str::to_owned),
                tag: None,
            });
            x += width;
        }
    }

    /// Where to hyphenate a word, at the last hyphenation point whose
    /// head, with a hyphen, fits in `room`.
    fn hyphenate(&self, pieces: &[Piece], room: f32) -> Option<Cut> {
        let points = self.hyphenation(pieces)?;
        let (piece, before) = pieces.split_last()?;
        // What the pieces before it take, with the space before it.
        let taken = match before {
            [] => 0.0,
            _ => self.width_of(before) + self.space(piece.style),
        };
        let room = room - taken;
        let hyphen = self.hyphen_width(pieces);
        points
            .into_iter()
            .rev()
            .find(|&at| {
                self.metrics.width(piece.style, &piece.text[..at]) * self.size + hyphen <= room
            })
            .map(|at| Cut {
                piece: before.len(),
                at,
            })
    }

    /// Where a word may be hyphenated: byte offsets in its last piece, in
    /// order. Only a one-piece word is hyphenated, or the last piece of a
    /// word after a no-break space ("и законодательства"), but not after a
    /// number ("1 марта" stays whole).
    fn hyphenation(&self, pieces: &[Piece]) -> Option<Vec<usize>> {
        let (piece, before) = pieces.split_last()?;
        if !before.is_empty() && !piece.tied {
            return None;
        }
        let number = |piece: &Piece| piece.text.contains(|c: char| c.is_ascii_digit());
        if before.iter().any(number) {
            return None;
        }
        let text = piece.text;
        // Another language's words, by the letter's patterns: not at all.
        if piece.language.is_some() || text.chars().nth(LONGEST_HYPHENATED).is_some() {
            return None;
        }
        let dictionary = dictionary(self.language?)?;
        // Hyphenate the letters only, not the punctuation around them.
        let start = text.find(char::is_alphabetic)?;
        // An elided article or pronoun goes with the word it is part of:
        // "l’organisation" is hyphenated as "organisation".
        let start = match text[start..].rfind(['’', '\'']) {
            Some(apostrophe) if self.language == Some(Language::Fr) => {
                start + apostrophe + text[start + apostrophe..].chars().next()?.len_utf8()
            }
            _ => start,
        };
        let end = text
            .rfind(char::is_alphabetic)
            .map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8))?;
        // "Workers’", "l’": nothing after the apostrophe to hyphenate.
        let core = text.get(start..end)?;
        if core.chars().count() < 5 || !core.chars().all(char::is_alphabetic) {
            return None;
        }
        // Proper names and acronyms are not hyphenated (nor, for
        // simplicity, any word a sentence starts with).
        if core.chars().next().is_some_and(char::is_uppercase) {
            return None;
        }
        let lower = core.to_lowercase();
        // Lower-casing keeps byte offsets for the scripts hyphenated here.
        if lower.len() != core.len() {
            return None;
        }
        let at = |breaks: &[usize]| breaks.iter().map(|b| start + b).collect();
        Some(HYPHENATED.with_borrow_mut(|memo| at(memo.breaks(dictionary, lower))))
    }

    /// Where to break a word with an address in it so that its head fills
    /// `room`: after the last break point of an address in the longest head
    /// that fits. Looks back over no more than what fits.
    fn url_break(&self, pieces: &[Piece], room: f32) -> Option<Cut> {
        let fit = self.head(pieces, |width| width <= room + 0.01)?;
        (0..=fit.piece)
            .rev()
            .filter(|&i| pieces[i].url)
            .find_map(|i| {
                let text = pieces[i].text;
                let end = if i == fit.piece { fit.at } else { text.len() };
                let at = url_break_before(text, end)?;
                Some(Cut { piece: i, at })
            })
    }

    /// Where to split a word wider than a line: at the last no-break space
    /// that leaves the line's words whole, else after as many characters as
    /// fit with a hyphen (at least one).
    fn split_anywhere(&self, pieces: &[Piece]) -> Cut {
        // At a no-break space, no hyphen needs room.
        if let Some(cut) = self.head(pieces, |width| width <= self.width)
            && let Some(tie) = (1..=cut.piece).rev().find(|&i| pieces[i].tied)
        {
            return Cut { piece: tie, at: 0 };
        }
        let room = self.width - self.hyphen_width(pieces);
        match self.head(pieces, |width| width <= room) {
            Some(Cut { piece: 0, at: 0 }) => Cut {
                piece: 0,
                at: pieces[0].text.chars().next().map_or(0, char::len_utf8),
            },
            Some(cut) => cut,
            None => Cut {
                piece: pieces.len(),
                at: 0,
            },
        }
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
        let pieces = Arc::make_mut(&mut line.pieces);
        for i in 0..pieces.len() {
            if i > 0 {
                let previous = &pieces[i - 1];
                if pieces[i].x > previous.x + previous.width - shift + 0.001 {
                    shift += extra;
                }
            }
            pieces[i].x += shift;
        }
    }
}

/// Whether runs read as one paragraph go right to left: whether their first
/// strong character (outside isolates) is right to left (UBA P2–P3). Text
/// with no character from U+0590 on (a lead byte of 0xD6 or more) is left
/// to right without a look at its characters.
fn right_to_left(runs: &[Run]) -> bool {
    if !runs.iter().any(|run| run.text.bytes().any(|b| b >= 0xD6)) {
        return false;
    }
    let direction = runs
        .iter()
        .map(|run| unicode_bidi::get_base_direction(run.text.as_str()))
        .find(|direction| *direction != Direction::Mixed);
    direction == Some(Direction::Rtl)
}

/// The head of a word before `cut`, and what is left of the word after it.
fn cut_at<'w, 't>(pieces: &'w mut [Piece<'t>], cut: Cut) -> (Vec<Piece<'t>>, &'w mut [Piece<'t>]) {
    let Some(&piece) = pieces.get(cut.piece) else {
        return (pieces.to_vec(), &mut []);
    };
    let (before, after) = piece.text.split_at(cut.at);
    let mut head = pieces[..cut.piece].to_vec();
    if !before.is_empty() {
        head.push(Piece {
            text: before,
            ..piece
        });
    }
    let rest = &mut pieces[cut.piece..];
    rest[0].text = after;
    // It starts the next line: no space before it.
    rest[0].tied = false;
    let done = usize::from(after.is_empty());
    (head, &mut rest[done..])
}

/// The longest head of `text` whose `width` `fits`: its length in bytes
/// and its width. Heads of 1, 3, 7, 15… characters are measured until one
/// does not fit, then the characters between are bisected, so that the
/// cost follows the head, not the text. Widths grow with every character
/// (no kerning takes back a whole advance), so this finds the head that
/// trying one character after another would; whatever the widths, the head
/// found fits.
fn longest_head(
    text: &str,
    width: impl Fn(&str) -> f32,
    fits: impl Fn(f32) -> bool,
) -> (usize, f32) {
    if text.len() <= SHORT {
        let whole = width(text);
        if fits(whole) {
            return (text.len(), whole);
        }
    }
    let mut found = (0, width(""));
    let mut ends = text.char_indices().map(|(i, c)| i + c.len_utf8());
    let mut step = 1;
    let beyond = loop {
        let end = ends.nth(step - 1).unwrap_or(text.len());
        let measured = width(&text[..end]);
        if !fits(measured) {
            break end;
        }
        found = (end, measured);
        if end == text.len() {
            return found;
        }
        step *= 2;
    };
    let between: Vec<usize> = text[found.0..beyond]
        .char_indices()
        .skip(1)
        .map(|(i, _)| found.0 + i)
        .collect();
    let (mut low, mut high) = (0, between.len());
    while low < high {
        let middle = (low + high) / 2;
        let measured = width(&text[..between[middle]]);
        if fits(measured) {
            found = (between[middle], measured);
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    found
}

/// The last place in `url`, at or before byte `end` and before its end,
/// where it may break: after one of `/ . - ? & =` that does not start a
/// run of them (`://` stays whole), and not right after the scheme.
fn url_break_before(url: &str, end: usize) -> Option<usize> {
    let bytes = url.as_bytes();
    let end = end.min(bytes.len().saturating_sub(1));
    // Searched for in the head only: what follows may be very long (#15).
    (url_first_break(&bytes[..end])..=end)
        .rev()
        .find(|&at| url_breaks_before(bytes, at))
}

/// Every place in `url` where it may break, as [`url_break_before`] finds
/// them, in order.
fn url_breaks(url: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = url.as_bytes();
    (url_first_break(bytes)..bytes.len()).filter(|&at| url_breaks_before(bytes, at))
}

/// The first byte of an address a break may come before: past its scheme
/// and one character, if `head` shows a scheme.
fn url_first_break(head: &[u8]) -> usize {
    let scheme = head.windows(3).position(|w| w == b"://");
    scheme.map_or(1, |at| at + 4)
}

/// Whether an address may break before byte `at` (0 < `at` < its length):
/// after one of `/ . ? & =` that does not start a run of them, or before a
/// hyphen.
fn url_breaks_before(bytes: &[u8], at: usize) -> bool {
    // After a slash, full stop or the like; before a hyphen, which at a
    // line's end would read as the word's hyphenation (Chicago 14.18).
    let breaks = |b: u8| b"/.-?&=".contains(&b);
    match bytes[at] {
        b'-' => !breaks(bytes[at - 1]),
        b => breaks(bytes[at - 1]) && bytes[at - 1] != b'-' && !breaks(b),
    }
}

/// Whether a word's `part` is an address: a link's own text, or text that
/// reads as one.
fn is_url(part: &str, link: Option<&str>) -> bool {
    link == Some(part) || part.contains("://") || part.starts_with("www.")
}

/// The note of the reference before `runs[i]` where that run is only
/// commas or semicolons between two references: it is set like them.
fn separator_note(runs: &[Run], i: usize) -> Option<usize> {
    let text = &runs[i].text;
    if text.is_empty() || !text.chars().all(|c| c == ',' || c == ';') {
        return None;
    }
    runs.get(i + 1)?.note?;
    runs[i.checked_sub(1)?].note
}

/// Splits runs into words of styled pieces at spaces; `None` marks a hard
/// break. A no-break space parts pieces of one word (`tied`): it is set as
/// a space, but no line breaks there.
fn words(runs: &[Run]) -> Vec<Word<'_>> {
    let mut words: Vec<Word> = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    let mut tie = false;
    for (r, run) in runs.iter().enumerate() {
        if run.is_break() {
            if !current.is_empty() {
                words.push(Some(std::mem::take(&mut current)));
            }
            words.push(None);
            continue;
        }
        let style = Style::of(run.bold, run.italic);
        let note = run.note.or_else(|| separator_note(runs, r));
        let parts = run.text.split([' ', '\n', '\t']).enumerate();
        for (i, j, part) in parts.flat_map(|(i, part)| {
            part.split('\u{a0}')
                .enumerate()
                .map(move |(j, part)| (i, j, part))
        }) {
            if i > 0 && j == 0 {
                tie = false;
                if !current.is_empty() {
                    words.push(Some(std::mem::take(&mut current)));
                }
            }
            tie |= j > 0;
            if part.is_empty() {
                continue;
            }
            // References side by side would read as one number: a comma
            // parts them.
            if let Some(last) = current.last().filter(|last| {
                note.is_some()
                    && last.note.is_some_and(|n| Some(n) != note)
                    && !last.text.ends_with([',', ';'])
            }) {
                current.push(Piece {
                    text: ",",
                    link: None,
                    url: false,
                    tied: false,
                    ..*last
                });
            }
            let link = run.link.as_deref();
            current.push(Piece {
                text: part,
                style,
                link,
                note,
                language: run.language.as_deref(),
                url: is_url(part, link),
                tied: tie && !current.is_empty(),
            });
            tie = false;
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
    let pieces = lines.iter().flat_map(|line| line.pieces.iter());
    let pieces: usize = pieces
        .map(|piece| size_of::<Placed>() + text(&piece.text, &piece.link))
        .sum();
    runs + pieces + size_of_val(lines)
}

/// Words hyphenated so far, per thread: a direct-mapped cache keyed by the
/// word (lower case) and its patterns. A letter repeats its words and the
/// letters of a batch each other's; a collision only costs a look-up in
/// the patterns.
struct HyphenMemo {
    slots: Box<[Option<Hyphenated>]>,
}

/// A word hyphenated: the address of its patterns, the word, its breaks.
type Hyphenated = (usize, Box<str>, Box<[usize]>);

impl HyphenMemo {
    const SIZE: usize = 1 << 12;

    /// Where `word` may be hyphenated by `dictionary`: byte offsets.
    fn breaks(&mut self, dictionary: &'static Standard, word: String) -> &[usize] {
        // Patterns are told apart by address: each is loaded once.
        let patterns = std::ptr::from_ref(dictionary) as usize;
        let slot = hash(&(patterns, &word)) as usize & (Self::SIZE - 1);
        let found = &mut self.slots[slot];
        if !found
            .as_ref()
            .is_some_and(|(p, w, _)| *p == patterns && **w == *word)
        {
            let breaks = dictionary.hyphenate(&word).breaks.into_boxed_slice();
            *found = Some((patterns, word.into_boxed_str(), breaks));
        }
        found.as_ref().map_or(&[], |(_, _, breaks)| breaks)
    }
}

impl Default for HyphenMemo {
    fn default() -> Self {
        HyphenMemo {
            slots: vec![None; Self::SIZE].into_boxed_slice(),
        }
    }
}

thread_local! {
    static HYPHENATED: RefCell<HyphenMemo> = RefCell::default();
}

/// The hyphenation patterns of `language`, loaded once.
fn dictionary(language: Language) -> Option<&'static Standard> {
    static EN: OnceLock<Option<Standard>> = OnceLock::new();
    static RU: OnceLock<Option<Standard>> = OnceLock::new();
    static BE: OnceLock<Option<Standard>> = OnceLock::new();
    static FR: OnceLock<Option<Standard>> = OnceLock::new();
    static ES: OnceLock<Option<Standard>> = OnceLock::new();
    let (cell, patterns, bytes): (_, _, &[u8]) = match language {
        Language::En => (
            &EN,
            // The letters are written in British English: British patterns.
            hyphenation::Language::EnglishGB,
            include_bytes!("../../../assets/hyphenation/en-gb.standard.bincode"),
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
        Language::Fr => (
            &FR,
            hyphenation::Language::French,
            include_bytes!("../../../assets/hyphenation/fr.standard.bincode"),
        ),
        Language::Es => (
            &ES,
            hyphenation::Language::Spanish,
            include_bytes!("../../../assets/hyphenation/es.standard.bincode"),
        ),
    };
    cell.get_or_init(|| Standard::from_reader(patterns, &mut &bytes[..]).ok())
        .as_ref()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::render::pdf::font::Fonts;

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
        let lines = breaker(14.0, None).lines(&[run("one two six seven")]);
        assert_eq!(texts(&lines), ["one@0 two@5.5 six@11", "seven@0"]);
        // In 14.5 pt "one two six ten", 15, fits with its three spaces
        // shrunk by a sixth each (of the third they may): the last line is
        // justified where it must shrink, and only there.
        let lines = breaker(14.5, None).lines(&[run("one two six ten")]);
        assert_eq!(
            texts(&lines),
            ["one@0 two@3.8333333 six@7.6666665 ten@11.5"]
        );
        let lines = breaker(16.0, None).lines(&[run("one two six ten")]);
        assert_eq!(texts(&lines), ["one@0 two@4 six@8 ten@12"]);
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
    fn leaves_names_and_acronyms_unhyphenated() {
        // As `hyphenates_to_fill_a_line`, but capitalised: wrapped whole.
        for word in ["Registration", "REGISTRATION"] {
            let text = format!("we demand {word} now");
            let lines = breaker(20.0, Some(Language::En)).lines(&[run(&text)]);
            assert_eq!(
                texts(&lines),
                ["we@0 demand@3", &format!("{word}@0 now@13")]
            );
        }
        let lines = breaker(18.0, Some(Language::Ru)).lines(&[run("прекратить Репрессии")]);
        assert_eq!(texts(&lines), ["прекратить@0", "Репрессии@0"]);
    }

    #[test]
    fn hyphenates_english_with_british_patterns() {
        // British patterns break by etymology, American by pronunciation:
        // "meas-ures", "mea-sures".
        let english = dictionary(Language::En).unwrap();
        assert_eq!(english.hyphenate("measures").breaks, [4]);
        assert_eq!(english.hyphenate("organisation").breaks, [2, 5, 8]);
    }

    #[test]
    fn remembers_hyphenation_as_the_patterns_give_it() {
        let english = dictionary(Language::En).unwrap();
        let russian = dictionary(Language::Ru).unwrap();
        let mut memo = HyphenMemo::default();
        for _ in 0..2 {
            for word in ["organisation", "measures", "registration"] {
                let expected = english.hyphenate(word).breaks;
                assert_eq!(memo.breaks(english, word.into()), expected);
            }
            let expected = russian.hyphenate("репрессии").breaks;
            assert_eq!(memo.breaks(russian, "репрессии".into()), expected);
        }
    }

    #[test]
    fn hyphenates_french_and_spanish() {
        let french = dictionary(Language::Fr).unwrap();
        assert_eq!(french.hyphenate("organisation").breaks, [2, 4, 6, 8]);
        let spanish = dictionary(Language::Es).unwrap();
        assert_eq!(spanish.hyphenate("organización").breaks, [2, 4, 6, 8]);
        // After an elided article, the word is hyphenated.
        let lines = breaker(14.0, Some(Language::Fr)).lines(&[run("de l’organisation")]);
        assert_eq!(texts(&lines), ["de@0 l’organisa-@3", "tion@0"]);
        let lines = breaker(12.0, Some(Language::Es)).lines(&[run("la organización")]);
        assert_eq!(texts(&lines), ["la@0 organiza-@3", "ción@0"]);
        // A word ending in an apostrophe ("Workers’", "l’") at a line's end:
        // nothing after the apostrophe to hyphenate, and no panic.
        for width in 2..20 {
            let runs = [run("des Metalworkers’ Union, l’ d’ cœur’ organisation’.")];
            let lines = breaker(width as f32, Some(Language::Fr)).lines(&runs);
            assert!(!lines.is_empty());
        }
    }

    #[test]
    fn words_in_another_language_are_pieces_of_their_own_never_hyphenated() {
        let english = Some(Language::En);
        let lines = breaker(100.0, english).lines(&[run("Dear Ms. שרה כהן, thank you")]);
        let pieces: Vec<(&str, Option<&str>)> = (lines.iter())
            .flat_map(|line| line.pieces.iter())
            .map(|piece| (piece.text.as_str(), piece.language.as_deref()))
            .collect();
        let he = Some("he");
        let expected = [
            ("Dear", None),
            ("Ms.", None),
            ("שרה", he),
            ("כהן", he),
            (",", None),
        ];
        assert_eq!(pieces[..5], expected);
        // Words in another language are not hyphenated by the letter's
        // patterns, which would break them wrongly: "registra-" would fill
        // this line in English.
        let other = Run {
            language: Some("fr".into()),
            ..run("registration now")
        };
        let lines = breaker(20.0, english).lines(&[run("we demand "), other]);
        assert_eq!(texts(&lines), ["we@0 demand@3", "registration@0 now@13"]);
    }

    #[test]
    fn never_breaks_at_a_no_break_space() {
        // "с 1 марта" and "2021 г." are one word each, their no-break
        // spaces set as spaces and stretched as spaces are.
        let text = "с\u{a0}1\u{a0}марта 2021\u{a0}г.";
        let lines = breaker(12.0, Some(Language::Ru)).lines(&[run(text)]);
        assert_eq!(texts(&lines), ["с@0 1@3.5 марта@7", "2021@0 г.@5"]);
        // "б" would fit after "ааа", but goes with "вв".
        let lines = breaker(6.0, Some(Language::Ru)).lines(&[run("ааа б\u{a0}вв")]);
        assert_eq!(texts(&lines), ["ааа@0", "б@0 вв@2"]);
        // After a tie, a word is hyphenated to fill the line.
        let lines = breaker(10.0, Some(Language::Ru)).lines(&[run("и\u{a0}прекратить")]);
        assert_eq!(texts(&lines), ["и@0 прекра-@3", "тить@0"]);
    }

    // See: #12 (a chain of no-break spaces wider than a line ended each
    // line with a hyphen after a whole word, and lost the space between)
    #[test]
    fn splits_a_chain_of_ties_wider_than_a_line_at_its_ties() {
        let text = "abc\u{a0}def\u{a0}ghi\u{a0}jklmnopqrstu";
        // Justified lines may shrink their spaces: three words fit.
        let justified = [vec!["abc", "def", "ghi"], vec!["jklmnopqr-"], vec!["stu"]];
        let ragged = [
            vec!["abc", "def"],
            vec!["ghi"],
            vec!["jklmnopqr-"],
            vec!["stu"],
        ];
        for (justify, expected) in [(true, &justified[..]), (false, &ragged[..])] {
            let breaker = Breaker {
                justify,
                ..breaker(10.0, Some(Language::En))
            };
            let lines = breaker.lines(&[run(text)]);
            let words: Vec<Vec<String>> = (lines.iter())
                .map(|line| {
                    (line.pieces.iter())
                        .map(|p| format!("{}{}", p.text, if p.hyphen { "-" } else { "" }))
                        .collect()
                })
                .collect();
            assert_eq!(words, expected, "justify: {justify}");
        }
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

    /// A breaker with the embedded fonts at body size on an A4 text width.
    fn typeset(language: Option<Language>) -> Breaker<'static> {
        Breaker {
            metrics: Fonts::embedded(),
            size: 11.0,
            width: 468.0,
            justify: true,
            language,
            memo: None,
        }
    }

    /// The text of `lines` back: a space between lines and at gaps, none
    /// where breaking added a hyphen or pieces of one word touch.
    pub(crate) fn reassemble(lines: &[Line]) -> String {
        let mut text = String::new();
        let mut joined = true;
        for line in lines {
            for (i, piece) in line.pieces.iter().enumerate() {
                if let Some(previous) = i.checked_sub(1).map(|i| &line.pieces[i]) {
                    joined = piece.x <= previous.x + previous.width + 0.001;
                }
                if !joined {
                    text.push(' ');
                }
                text.push_str(&piece.text);
                joined = piece.hyphen;
            }
        }
        text
    }

    /// Every line holds something and fits `breaker`'s width.
    pub(crate) fn assert_fits(breaker: &Breaker, lines: &[Line]) {
        for (i, line) in lines.iter().enumerate() {
            assert!(line.width() <= breaker.width + 0.01, "line {i} is too wide");
            assert!(!line.pieces.is_empty(), "line {i} is empty");
        }
    }

    // See: #15
    #[test]
    fn splits_a_200000_character_word_into_lines_that_fit() {
        let word = "a".repeat(200_000);
        let breaker = typeset(Some(Language::En));
        let lines = breaker.lines(&[run(&word)]);
        assert_fits(&breaker, &lines);
        assert!(reassemble(&lines) == word, "text lost or reordered");
        assert!(lines.len() > 1_000, "{} lines", lines.len());
        // Each line but the last holds as much as fits: one more character
        // and the hyphen would not.
        let fonts = Fonts::embedded();
        let width = |text: &str| fonts.width(Style::Regular, text) * 11.0;
        for line in &lines[..lines.len() - 1] {
            let more = format!("{}a", line.pieces[0].text);
            assert!(width(&more) > 468.0 - width("\u{AD}"));
        }
    }

    // See: #15
    #[test]
    fn splits_a_long_word_between_short_ones() {
        let word = "ab".repeat(3_000);
        let text = format!("we demand {word} now and here");
        for breaker in [typeset(Some(Language::En)), breaker(30.0, None)] {
            let lines = breaker.lines(&[run(&text)]);
            assert_fits(&breaker, &lines);
            assert!(reassemble(&lines) == text, "text lost or reordered");
            // The words before it keep a line of their own.
            assert_eq!(lines[0].pieces.len(), 2);
        }
    }

    // See: #15
    #[test]
    fn splits_a_long_cyrillic_word_between_characters() {
        let word = "прекратитьрепрессии".repeat(5_000);
        let breaker = typeset(Some(Language::Ru));
        let lines = breaker.lines(&[run(&word)]);
        assert_fits(&breaker, &lines);
        assert!(reassemble(&lines) == word, "text lost or reordered");
    }

    // See: #15
    #[test]
    fn splits_a_long_word_of_many_styles_keeping_each() {
        let piece = |text: &str, bold: bool| Run {
            text: text.repeat(2_000),
            bold,
            ..Run::default()
        };
        let runs = [piece("x", false), piece("y", true), piece("z", false)];
        let breaker = breaker(45.0, None);
        let lines = breaker.lines(&runs);
        assert_fits(&breaker, &lines);
        let word: String = runs.iter().map(|run| run.text.as_str()).collect();
        assert!(reassemble(&lines) == word, "text lost or reordered");
        for piece in lines.iter().flat_map(|line| line.pieces.iter()) {
            let bold = piece.text.starts_with('y');
            assert_eq!(piece.style == Style::Bold, bold, "{:?}", piece.text);
        }
    }

    fn note(n: usize) -> Run {
        Run {
            text: n.to_string(),
            note: Some(n),
            ..Run::default()
        }
    }

    fn link(url: &str) -> Run {
        Run {
            text: url.into(),
            link: Some(url.into()),
            ..Run::default()
        }
    }

    #[test]
    fn sets_note_references_small_on_the_word_before_with_commas_between() {
        // At 2 pt a character is 1 pt wide, a reference's 0.6 pt.
        let given = [run("outcome."), note(1), run(","), note(2), run(" next")];
        let apart = [run("outcome."), note(1), note(2), run(" next")];
        for runs in [&given[..], &apart[..]] {
            let lines = breaker(40.0, None).lines(runs);
            let pieces = &lines[0].pieces;
            let shown: Vec<_> = pieces.iter().map(|p| (p.text.as_str(), p.note)).collect();
            let expected = [
                ("outcome.", None),
                ("1", Some(1)),
                (",", Some(1)),
                ("2", Some(2)),
            ];
            assert_eq!(shown[..4], expected);
            assert_eq!(shown[4], ("next", None));
            // Touching, each 0.6 pt wide; a space before the next word.
            for pair in pieces[..4].windows(2) {
                assert!((pair[1].x - pair[0].x - pair[0].width).abs() < 0.001);
            }
            assert!((pieces[3].width - 0.6).abs() < 0.001);
            assert!((pieces[4].x - 10.8).abs() < 0.001);
        }
    }

    #[test]
    fn breaks_an_address_before_a_hyphen_of_its_own() {
        let bytes = b"https://www.industriall-union.org/x";
        let at = bytes.iter().position(|&b| b == b'-').unwrap();
        assert!(url_breaks_before(bytes, at));
        assert!(!url_breaks_before(bytes, at + 1));
        let slash = bytes.iter().rposition(|&b| b == b'/').unwrap();
        assert!(url_breaks_before(bytes, slash + 1));
    }

    #[test]
    fn breaks_an_address_after_its_punctuation_without_a_hyphen() {
        let unjustified = |width| Breaker {
            justify: false,
            ..breaker(width, Some(Language::En))
        };
        let lines = unjustified(16.0).lines(&[run("see "), link("https://ab.org/cd/ef")]);
        assert_eq!(texts(&lines), ["see@0 https://ab.@4", "org/cd/ef@0"]);
        // Not right after the scheme; where it must, without a hyphen.
        let url = format!("https://{}", "a".repeat(20));
        let lines = unjustified(10.0).lines(&[link(&url)]);
        assert_eq!(
            texts(&lines),
            ["https://a@0", "aaaaaaaaa@0", "aaaaaaaaaa@0"]
        );
        let joined: String = lines
            .iter()
            .map(|line| line.pieces[0].text.as_str())
            .collect();
        assert_eq!(joined, url);
    }

    #[test]
    fn leaves_words_of_over_a_hundred_characters_unhyphenated() {
        // Hyphenated, the line would end after "registra" or "registration";
        // split, it holds as much as fits: 49 characters and the hyphen.
        let word = "registration".repeat(9);
        let lines = breaker(50.0, Some(Language::En)).lines(&[run(&word)]);
        assert_eq!(lines[0].pieces[0].text, word[..49]);
        assert!(reassemble(&lines) == word, "text lost or reordered");
    }

    // See: #12
    #[test]
    fn a_paragraph_takes_the_direction_of_its_first_strong_character() {
        let breaker = breaker(10.0, None);
        // Every line of a paragraph in its direction.
        let rtl = |runs: &[Run]| -> Option<f32> {
            let lines = breaker.paragraph(runs);
            assert!(lines.iter().all(|line| line.rtl == lines[0].rtl));
            lines[0].rtl
        };
        // Hebrew first (after a number and punctuation): every line right
        // to left, in the measure it was broken to.
        let hebrew = [run("1. אנו פונים לארגון ILO בבקשה")];
        assert_eq!(rtl(&hebrew), Some(10.0));
        // Across runs: a bold Latin word after a neutral one.
        let english = [run("« "), run("ILO"), run(" בבקשה")];
        assert_eq!(rtl(&english), None);
        assert_eq!(rtl(&[run("Raid בתל אביב.")]), None);
        // The frame keeps the letter's direction, whatever its text.
        assert!(breaker.lines(&hebrew).iter().all(|line| line.rtl.is_none()));
    }
}
