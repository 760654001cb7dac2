//! A broken line as it is drawn: its pieces (in logical order, as the line
//! breaker placed them) cut into runs of one face and one direction, shaped,
//! and moved to visual order by the Unicode bidi algorithm (unicode-bidi),
//! so that Hebrew and Arabic read right to left inside a left-to-right
//! letter, and a paragraph of them is set right to left as a whole, from
//! the right edge of its measure.

use std::ops::Range;

use unicode_bidi::{BidiInfo, Level};

use super::breaking::{Line, Placed};
use super::font::{Fonts, Glyph, is_rtl};

/// A run of glyphs of one face, placed on the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment<'a> {
    /// The piece of the line it sets.
    pub piece: usize,
    /// Index of its face in [`Fonts::faces`].
    pub face: usize,
    /// Left edge from the line start, points.
    pub x: f32,
    /// Width, points.
    pub width: f32,
    /// Its glyphs in [`Drawn::glyphs`], left to right; their clusters are
    /// byte offsets in `text`.
    pub glyphs: Range<usize>,
    /// The text it sets, in logical order (or the added hyphen).
    pub text: &'a str,
    /// True where it is set right to left.
    pub rtl: bool,
    /// True where it starts its piece: a space may come before it.
    pub first: bool,
}

/// A line as drawn: its segments, left to right, and their glyphs, kept
/// together (one allocation for the line, not one for each word).
#[derive(Debug, Default)]
pub struct Drawn<'a> {
    /// The segments, left to right.
    pub segments: Vec<Segment<'a>>,
    /// The glyphs of every segment.
    pub glyphs: Vec<Glyph>,
}

impl Drawn<'_> {
    /// The glyphs of `segment`, left to right.
    pub fn glyphs(&self, segment: &Segment) -> &[Glyph] {
        &self.glyphs[segment.glyphs.clone()]
    }
}

/// Segments of one piece and one level: their level, left edge, width and
/// indexes.
type Unit = (Level, f32, f32, Range<usize>);

/// The line `line` set at `size`, left to right.
pub fn segments<'a>(fonts: &Fonts, line: &'a Line, size: f32) -> Drawn<'a> {
    match levels(line) {
        None => left_to_right(fonts, line, size),
        Some(levels) => bidi(fonts, line, size, &levels),
    }
}

/// A line with no right-to-left text (nearly every line): each piece set
/// from its own left edge, nothing reordered.
fn left_to_right<'a>(fonts: &Fonts, line: &'a Line, size: f32) -> Drawn<'a> {
    let bytes = line.pieces.iter().map(|p| p.text.len() + 2).sum();
    let mut drawn = Drawn {
        segments: Vec::with_capacity(line.pieces.len()),
        glyphs: Vec::with_capacity(bytes),
    };
    for (i, piece) in line.pieces.iter().enumerate() {
        let (first, size) = (drawn.segments.len(), piece.size(size));
        let mut x = piece.x;
        let hyphen = piece.hyphen.then_some("\u{AD}");
        for text in std::iter::once(piece.text.as_str()).chain(hyphen) {
            x = push_runs(fonts, &mut drawn, (i, piece, size), text, false, x);
        }
        if let Some(segment) = drawn.segments.get_mut(first) {
            segment.first = true;
        }
    }
    drawn
}

/// Sets `text` (of piece number `i`) from `x`, right to left where `rtl`,
/// as one segment per face; gives the right edge.
fn push_runs<'a>(
    fonts: &Fonts,
    drawn: &mut Drawn<'a>,
    (i, piece, size): (usize, &Placed, f32),
    text: &'a str,
    rtl: bool,
    mut x: f32,
) -> f32 {
    let Drawn { segments, glyphs } = drawn;
    let set = (piece.style, text, rtl);
    fonts.glyphs(set, glyphs, |face, within, range, glyphs| {
        let face_units = fonts.faces()[face].units_per_em;
        let advance: i32 = glyphs.iter().map(|g| g.advance).sum();
        let width = advance as f32 / face_units * size;
        segments.push(Segment {
            piece: i,
            face,
            x,
            width,
            glyphs: range,
            text: &text[within],
            rtl,
            first: false,
        });
        x += width;
    });
    x
}

/// The segments of a line with right-to-left text, whose pieces' bytes
/// have `levels`: cut where the level changes, and moved to visual order.
fn bidi<'a>(fonts: &Fonts, line: &'a Line, size: f32, levels: &[Vec<Level>]) -> Drawn<'a> {
    // Units of one piece and one level, in logical order, each with its
    // segments placed from the unit's start.
    let mut units: Vec<Unit> = Vec::new();
    let mut drawn = Drawn::default();
    for (i, piece) in line.pieces.iter().enumerate() {
        let size = piece.size(size);
        let mut x = piece.x;
        let runs = runs(&levels[i]);
        // The added hyphen is a run of its own: never joined to a letter,
        // and never inside a span of text given apart.
        let level = runs.last().map_or(Level::ltr(), |(level, _)| *level);
        let hyphen = piece.hyphen.then_some((level, "\u{AD}"));
        let text = piece.text.as_str();
        let pieces = (runs.into_iter())
            .map(|(level, range)| (level, &text[range]))
            .chain(hyphen);
        for (level, text) in pieces {
            let (start, first) = (x, drawn.segments.len());
            let rtl = level.is_rtl();
            x = push_runs(fonts, &mut drawn, (i, piece, size), text, rtl, x);
            units.push((level, start, x - start, first..drawn.segments.len()));
        }
    }
    reorder(&mut units, &mut drawn.segments, line.rtl);
    drawn.segments.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut seen = vec![false; line.pieces.len()];
    for segment in &mut drawn.segments {
        segment.first = !std::mem::replace(&mut seen[segment.piece], true);
    }
    drawn
}

/// The bidi embedding level of each byte of each piece's text, the pieces
/// read as one line with a space between, in the direction of the line's
/// paragraph; `None` (all left to right) where the paragraph is left to
/// right and no character is right to left.
///
/// A note call is isolated (LRI … PDI): it belongs to the word before it,
/// and stays after it in the paragraph's direction, rather than join a
/// right-to-left run as digits would.
fn levels(line: &Line) -> Option<Vec<Vec<Level>>> {
    // Right-to-left scripts start at U+0590: a lead byte of 0xD6 or more.
    let rtl = |text: &str| text.bytes().any(|b| b >= 0xD6) && text.chars().any(is_rtl);
    let pieces = line.pieces.iter();
    if line.rtl.is_none() && !pieces.clone().any(|piece| rtl(&piece.text)) {
        return None;
    }
    // A space after each piece, and an isolate's marks (3 bytes each).
    let bytes: usize = pieces.clone().map(|piece| piece.text.len() + 7).sum();
    let mut text = String::with_capacity(bytes);
    let mut starts = Vec::with_capacity(line.pieces.len());
    for (i, piece) in pieces.clone().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let isolated = piece.note.is_some();
        if isolated {
            text.push('\u{2066}');
        }
        starts.push(text.len());
        text.push_str(&piece.text);
        if isolated {
            text.push('\u{2069}');
        }
    }
    let base = match line.rtl {
        Some(_) => Level::rtl(),
        None => Level::ltr(),
    };
    let info = BidiInfo::new(&text, Some(base));
    let levels = pieces
        .zip(starts)
        .map(|(piece, at)| info.levels[at..at + piece.text.len()].to_vec())
        .collect();
    Some(levels)
}

/// Byte ranges of equal level.
fn runs(levels: &[Level]) -> Vec<(Level, Range<usize>)> {
    let mut runs: Vec<(Level, Range<usize>)> = Vec::new();
    for (at, &level) in levels.iter().enumerate() {
        match runs.last_mut() {
            Some((last, range)) if *last == level => range.end = at + 1,
            _ => runs.push((level, at..at + 1)),
        }
    }
    runs
}

/// Moves units to visual order (rule L2): from the highest level down to
/// the lowest odd one, every stretch of units at that level or above is
/// reversed, here by mirroring their places within the stretch, so that
/// the gaps (justified spaces) between them keep their widths.
///
/// A line of a right-to-left paragraph (`rtl`, the measure it was broken
/// to) is at level 1 or above throughout: at that level it is mirrored
/// within its measure, not its own width, so that it ends at the right
/// edge and what hangs before its start (a list marker, a note's number)
/// hangs after its end.
fn reorder(units: &mut [Unit], segments: &mut [Segment], rtl: Option<f32>) {
    let Some(highest) = units.iter().map(|u| u.0.number()).max() else {
        return;
    };
    let lowest_odd = match rtl {
        Some(_) => 1,
        None => (units.iter().map(|u| u.0.number()))
            .filter(|n| n % 2 == 1)
            .min()
            .unwrap_or(u8::MAX),
    };
    for level in (lowest_odd..=highest.max(lowest_odd)).rev() {
        let mut start = 0;
        while start < units.len() {
            if units[start].0.number() < level {
                start += 1;
                continue;
            }
            let end = (start..units.len())
                .find(|&i| units[i].0.number() < level)
                .unwrap_or(units.len());
            let stretch = &mut units[start..end];
            let (left, right) = match rtl {
                Some(measure) if level == 1 => (0.0, measure),
                _ => (
                    stretch.iter().map(|u| u.1).fold(f32::INFINITY, f32::min),
                    (stretch.iter().map(|u| u.1 + u.2)).fold(f32::NEG_INFINITY, f32::max),
                ),
            };
            for unit in stretch {
                let moved = left + right - unit.1 - unit.2;
                for segment in &mut segments[unit.3.clone()] {
                    segment.x += moved - unit.1;
                }
                unit.1 = moved;
            }
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::render::pdf::font::{FontMetrics, Style};

    fn line(words: &[&str]) -> Line {
        let fonts = Fonts::embedded();
        let mut x = 0.0;
        let pieces = words
            .iter()
            .map(|word| {
                let width = fonts.width(Style::Regular, word) * 10.0;
                let piece = Placed {
                    text: (*word).to_owned(),
                    style: Style::Regular,
                    link: None,
                    x,
                    width,
                    hyphen: false,
                    note: None,
                    language: None,
                    tag: None,
                };
                x += width + 3.0;
                piece
            })
            .collect::<Vec<_>>();
        Line {
            pieces: pieces.into(),
            rtl: None,
        }
    }

    fn order<'s>(segments: &'s [Segment]) -> Vec<&'s str> {
        segments.iter().map(|s| s.text).collect()
    }

    #[test]
    fn leaves_left_to_right_text_in_place() {
        let line = line(&["Dear", "Ms.", "Petrova,"]);
        let drawn = segments(Fonts::embedded(), &line, 10.0);
        assert_eq!(order(&drawn.segments), ["Dear", "Ms.", "Petrova,"]);
        for (segment, piece) in drawn.segments.iter().zip(line.pieces.iter()) {
            assert_eq!(segment.x, piece.x);
        }
    }

    // See: #12
    #[test]
    fn sets_hebrew_words_right_to_left_in_an_english_line() {
        let line = line(&["Dear", "שרה", "כהן,", "hello"]);
        let drawn = segments(Fonts::embedded(), &line, 10.0);
        // The surname left of the given name, the comma after both.
        assert_eq!(order(&drawn.segments), ["Dear", "כהן", "שרה", ",", "hello"]);
        let (right, last) = (&drawn.segments[4], line.pieces.last().unwrap());
        assert!((right.x - last.x).abs() < 0.01);
        // Glyphs of a word drawn from its last letter.
        let surname = &drawn.segments[1];
        assert_eq!(drawn.glyphs(surname)[0].cluster as usize, "כה".len());
    }

    /// `line` as a line of a right-to-left paragraph broken to `measure`.
    // See: #12 (brackets around English words in a Hebrew paragraph were
    // drawn unmirrored: ")International Labour Organization(")
    #[test]
    fn mirrors_brackets_set_right_to_left() {
        let line = right_to_left(line(&["שלום", "(ILO", "Geneva)", "שלום."]), 200.0);
        let drawn = segments(Fonts::embedded(), &line, 10.0);
        let face = Fonts::embedded().primary(Style::Regular);
        let shown: Vec<(&str, Vec<u16>)> = (drawn.segments.iter())
            .map(|s| (s.text, drawn.glyphs(s).iter().map(|g| g.id).collect()))
            .collect();
        let (open, close) = (face.glyph('(').0, face.glyph(')').0);
        // Drawn from the left: the closing bracket, as "(", then the
        // opening one, as ")".
        let brackets: Vec<(&str, u16)> = (shown.iter())
            .filter(|(text, _)| text.contains(['(', ')']))
            .map(|(text, ids)| (*text, ids[0]))
            .collect();
        assert_eq!(brackets, [(")", open), ("(", close)], "{shown:?}");
    }

    fn right_to_left(mut line: Line, measure: f32) -> Line {
        line.rtl = Some(measure);
        line
    }

    /// `line` with its piece number `i` a call of note `n`, set small
    /// right after the piece before it.
    fn with_note(mut line: Line, i: usize, n: usize) -> Line {
        let pieces = Arc::make_mut(&mut line.pieces);
        let before = &pieces[i - 1];
        let x = before.x + before.width;
        let piece = &mut pieces[i];
        piece.width *= 0.6;
        (piece.x, piece.note) = (x, Some(n));
        line
    }

    fn right_edge(drawn: &Drawn) -> f32 {
        drawn
            .segments
            .iter()
            .map(|s| s.x + s.width)
            .fold(0.0, f32::max)
    }

    // See: #12
    #[test]
    fn sets_a_right_to_left_paragraph_from_the_right_edge() {
        // "We appeal to the ILO urgently.": its last line, ragged.
        let line = right_to_left(line(&["אנו", "פונים", "לארגון", "ILO", "בדחיפות."]), 300.0);
        let drawn = segments(Fonts::embedded(), &line, 10.0);
        // The first word at the right, the period at the left end.
        let order = order(&drawn.segments);
        assert_eq!(order, ["בדחיפות.", "ILO", "לארגון", "פונים", "אנו"]);
        let last = &drawn.segments[0];
        assert_eq!(drawn.glyphs(last)[0].cluster as usize, "בדחיפות".len());
        assert!((right_edge(&drawn) - 300.0).abs() < 0.01);
        let first = &drawn.segments[4];
        assert!((first.x + first.width - 300.0).abs() < 0.01);
        // The gaps between words are kept.
        let width = line.width();
        assert!((drawn.segments[0].x - (300.0 - width)).abs() < 0.01);
    }

    // See: #12
    #[test]
    fn a_right_to_left_line_without_hebrew_still_ends_at_the_right() {
        // The number takes the direction of the letters before it (W7).
        let line = right_to_left(line(&["ILO", "2021"]), 200.0);
        let drawn = segments(Fonts::embedded(), &line, 10.0);
        assert_eq!(order(&drawn.segments), ["ILO", "2021"]);
        assert!((right_edge(&drawn) - 200.0).abs() < 0.01);
    }

    // See: #12
    #[test]
    fn a_left_to_right_paragraph_stays_at_the_left() {
        let line = line(&["The", "office", "בתל", "אביב."]);
        let drawn = segments(Fonts::embedded(), &line, 10.0);
        assert_eq!(drawn.segments[0].x, 0.0);
        assert!((right_edge(&drawn) - line.width()).abs() < 0.01);
    }

    // See: #12
    #[test]
    fn a_note_call_stays_after_the_right_to_left_word_it_follows() {
        // "…office בתל אביב.[34]" in an English paragraph: the call at the
        // right end, after the period, not before the Hebrew.
        let english = with_note(line(&["office", "בתל", "אביב.", "34"]), 3, 34);
        let drawn = segments(Fonts::embedded(), &english, 10.0);
        assert_eq!(order(&drawn.segments), ["office", "אביב", "בתל", ".", "34"]);
        let call = &drawn.segments[4];
        assert!((call.x + call.width - english.width()).abs() < 0.01);
        // In a Hebrew paragraph, it follows its word leftwards.
        let hebrew = right_to_left(with_note(line(&["בתל", "אביב.", "34"]), 2, 34), 200.0);
        let drawn = segments(Fonts::embedded(), &hebrew, 10.0);
        assert_eq!(order(&drawn.segments), ["34", "אביב.", "בתל"]);
        let (call, word) = (&drawn.segments[0], &drawn.segments[1]);
        assert!((call.x + call.width - word.x).abs() < 0.01);
        assert!((right_edge(&drawn) - 200.0).abs() < 0.01);
    }

    // See: #12
    #[test]
    fn a_marker_hanging_before_a_right_to_left_item_hangs_after_it() {
        let mut line = right_to_left(line(&["פריט", "ראשון"]), 200.0);
        let marker = Placed {
            text: "•".to_owned(),
            style: Style::Regular,
            link: None,
            x: -12.0,
            width: 4.0,
            hyphen: false,
            note: None,
            language: None,
            tag: None,
        };
        Arc::make_mut(&mut line.pieces).insert(0, marker);
        let drawn = segments(Fonts::embedded(), &line, 10.0);
        assert_eq!(order(&drawn.segments), ["ראשון", "פריט", "•"]);
        // Mirrored within the measure: it ends as far past its right edge
        // as it started before its left.
        let bullet = &drawn.segments[2];
        assert!((bullet.x + bullet.width - 212.0).abs() < 0.01);
        let text = &drawn.segments[1];
        assert!((text.x + text.width - 200.0).abs() < 0.01);
    }
}
