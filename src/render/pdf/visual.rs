//! A broken line as it is drawn: its pieces (in logical order, as the line
//! breaker placed them) cut into runs of one face and one direction, shaped,
//! and moved to visual order by the Unicode bidi algorithm (unicode-bidi),
//! so that Hebrew and Arabic read right to left inside a left-to-right
//! letter.

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
    let texts: Vec<&'a str> = line.pieces.iter().map(|p| p.text.as_str()).collect();
    match levels(&texts) {
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
    reorder(&mut units, &mut drawn.segments);
    drawn.segments.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut seen = vec![false; line.pieces.len()];
    for segment in &mut drawn.segments {
        segment.first = !std::mem::replace(&mut seen[segment.piece], true);
    }
    drawn
}

/// The bidi embedding level of each byte of each piece's text, the pieces
/// read as one line with a space between; `None` (all left to right) where
/// no character is right to left.
fn levels(texts: &[&str]) -> Option<Vec<Vec<Level>>> {
    // Right-to-left scripts start at U+0590: a lead byte of 0xD6 or more.
    let rtl = |text: &str| text.bytes().any(|b| b >= 0xD6) && text.chars().any(is_rtl);
    if !texts.iter().any(|text| rtl(text)) {
        return None;
    }
    let line = texts.join(" ");
    let info = BidiInfo::new(&line, Some(Level::ltr()));
    let mut at = 0;
    let levels = texts
        .iter()
        .map(|text| {
            let levels = info.levels[at..at + text.len()].to_vec();
            at += text.len() + 1;
            levels
        })
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
fn reorder(units: &mut [Unit], segments: &mut [Segment]) {
    let Some(highest) = units.iter().map(|u| u.0.number()).max() else {
        return;
    };
    let lowest_odd = units
        .iter()
        .map(|u| u.0.number())
        .filter(|n| n % 2 == 1)
        .min()
        .unwrap_or(u8::MAX);
    for level in (lowest_odd..=highest).rev() {
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
            let left = stretch.iter().map(|u| u.1).fold(f32::INFINITY, f32::min);
            let right = stretch
                .iter()
                .map(|u| u.1 + u.2)
                .fold(f32::NEG_INFINITY, f32::max);
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
}
