//! Fonts: the embedded Liberation Serif faces, their metrics (glyph advances
//! and pair kerning read from the font with ttf-parser) and the subsets that
//! go into a PDF.

use std::cell::RefCell;
use std::sync::OnceLock;

use ttf_parser::gpos::{PairAdjustment, PositioningSubtable};
use ttf_parser::{Face as TtfFace, GlyphId, Tag};

/// The four styles of the body face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    /// Upright, regular weight.
    Regular,
    /// Upright, bold.
    Bold,
    /// Italic, regular weight.
    Italic,
    /// Italic, bold.
    BoldItalic,
}

impl Style {
    /// The style of a run that is `bold` and/or `italic`.
    pub fn of(bold: bool, italic: bool) -> Style {
        match (bold, italic) {
            (false, false) => Style::Regular,
            (true, false) => Style::Bold,
            (false, true) => Style::Italic,
            (true, true) => Style::BoldItalic,
        }
    }

    /// Every style, in the order fonts are numbered in a PDF.
    pub const ALL: [Style; 4] = [
        Style::Regular,
        Style::Bold,
        Style::Italic,
        Style::BoldItalic,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// What the line breaker needs to know of a font: how wide text is.
pub trait FontMetrics {
    /// The advance width of `text` set in `style`, in ems (times the font
    /// size gives points), kerning included.
    fn width(&self, style: Style, text: &str) -> f32;
}

/// One glyph of shaped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph {
    /// Glyph id in the full font.
    pub id: u16,
    /// The character it stands for.
    pub char: char,
    /// Advance in font units, kerning with the next glyph included.
    pub advance: i32,
    /// The kerning part of `advance`, in font units.
    pub kern: i32,
}

const FACES: [(&str, &[u8]); 4] = [
    (
        "LiberationSerif",
        include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf"),
    ),
    (
        "LiberationSerif-Bold",
        include_bytes!("../../../assets/fonts/LiberationSerif-Bold.ttf"),
    ),
    (
        "LiberationSerif-Italic",
        include_bytes!("../../../assets/fonts/LiberationSerif-Italic.ttf"),
    ),
    (
        "LiberationSerif-BoldItalic",
        include_bytes!("../../../assets/fonts/LiberationSerif-BoldItalic.ttf"),
    ),
];

/// Characters below this are looked up once, when a face is loaded.
const CACHED: usize = 0x0530;

/// One parsed face with its glyph cache.
pub struct Face {
    /// PostScript name.
    pub name: &'static str,
    /// The font file.
    pub data: &'static [u8],
    face: TtfFace<'static>,
    /// Font units per em.
    pub units_per_em: f32,
    /// (glyph id, advance) of every character below `CACHED`.
    cache: Vec<(u16, u16)>,
    kern_lookups: Vec<u16>,
    /// Which of the embedded faces this is.
    index: u8,
}

impl Face {
    fn load(index: u8, name: &'static str, data: &'static [u8]) -> Face {
        let face = TtfFace::parse(data, 0).expect("embedded fonts parse");
        let cache = (0..CACHED as u32)
            .map(|c| char::from_u32(c).map_or((0, 0), |c| lookup(&face, c)))
            .collect();
        let kern_lookups = face
            .tables()
            .gpos
            .map(|gpos| {
                let mut lookups: Vec<u16> = gpos
                    .features
                    .into_iter()
                    .filter(|feature| feature.tag == Tag::from_bytes(b"kern"))
                    .flat_map(|feature| feature.lookup_indices)
                    .collect();
                lookups.sort_unstable();
                lookups.dedup();
                lookups
            })
            .unwrap_or_default();
        Face {
            name,
            data,
            units_per_em: f32::from(face.units_per_em()),
            face,
            cache,
            kern_lookups,
            index,
        }
    }

    /// The parsed font, for its global metrics.
    pub fn ttf(&self) -> &TtfFace<'static> {
        &self.face
    }

    /// Glyph id and advance of `c`; glyph 0 where the font has none.
    pub fn glyph(&self, c: char) -> (u16, u16) {
        match self.cache.get(c as usize) {
            Some(&cached) => cached,
            None => lookup(&self.face, c),
        }
    }

    /// The pair kerning of two glyphs, in font units, from the GPOS `kern`
    /// feature; remembered in `memo`, as letters repeat their pairs.
    fn kerning(&self, memo: &mut KernMemo, left: u16, right: u16) -> i16 {
        let key = u64::from(self.index) << 32 | u64::from(left) << 16 | u64::from(right);
        let slot = &mut memo.slots[KernMemo::slot(key)];
        if slot.0 != key {
            *slot = (key, self.lookup_kerning(left, right));
        }
        slot.1
    }

    fn lookup_kerning(&self, left: u16, right: u16) -> i16 {
        let Some(gpos) = self.face.tables().gpos else {
            return 0;
        };
        let (left, right) = (GlyphId(left), GlyphId(right));
        for &index in &self.kern_lookups {
            let Some(lookup) = gpos.lookups.get(index) else {
                continue;
            };
            for subtable in lookup.subtables.into_iter::<PositioningSubtable>() {
                let PositioningSubtable::Pair(pair) = subtable else {
                    continue;
                };
                let value = match pair {
                    PairAdjustment::Format1 { coverage, sets } => coverage
                        .get(left)
                        .and_then(|i| sets.get(i))
                        .and_then(|set| set.get(right))
                        .map(|(first, _)| first.x_advance),
                    PairAdjustment::Format2 {
                        coverage,
                        classes,
                        matrix,
                    } => {
                        if coverage.contains(left) {
                            matrix
                                .get((classes.0.get(left), classes.1.get(right)))
                                .map(|(first, _)| first.x_advance)
                        } else {
                            None
                        }
                    }
                };
                if let Some(value) = value {
                    return value;
                }
            }
        }
        0
    }

    /// The advance of `text` in font units, kerning included: what
    /// [`Face::glyphs`] adds up to, without building the glyphs.
    pub fn advance(&self, text: &str) -> i32 {
        let mut chars = text.chars();
        let Some(first) = chars.next() else { return 0 };
        let (mut previous, advance) = self.glyph(first);
        let mut total = i32::from(advance);
        KERNING.with_borrow_mut(|memo| {
            for c in chars {
                let (id, advance) = self.glyph(c);
                total += i32::from(advance) + i32::from(self.kerning(memo, previous, id));
                previous = id;
            }
        });
        total
    }

    /// The glyphs of `text`, with advances and kerning.
    pub fn glyphs(&self, text: &str) -> Vec<Glyph> {
        let mut glyphs: Vec<Glyph> = text
            .chars()
            .map(|char| {
                let (id, advance) = self.glyph(char);
                Glyph {
                    id,
                    char,
                    advance: i32::from(advance),
                    kern: 0,
                }
            })
            .collect();
        if glyphs.len() > 1 {
            KERNING.with_borrow_mut(|memo| {
                for i in 1..glyphs.len() {
                    let kern = i32::from(self.kerning(memo, glyphs[i - 1].id, glyphs[i].id));
                    glyphs[i - 1].kern = kern;
                    glyphs[i - 1].advance += kern;
                }
            });
        }
        glyphs
    }
}

/// Kerning looked up so far, per thread: a direct-mapped cache keyed by
/// (face, left, right) packed in a u64. A letter uses a few hundred pairs;
/// a collision only costs a lookup in the font.
struct KernMemo {
    slots: Box<[(u64, i16)]>,
}

impl KernMemo {
    const SIZE: usize = 1 << 13;

    fn slot(key: u64) -> usize {
        ((key ^ (key >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 51) as usize & (Self::SIZE - 1)
    }
}

impl Default for KernMemo {
    fn default() -> Self {
        // u64::MAX is no key: face indexes are below 4.
        KernMemo {
            slots: vec![(u64::MAX, 0); Self::SIZE].into_boxed_slice(),
        }
    }
}

thread_local! {
    static KERNING: RefCell<KernMemo> = RefCell::default();
}

fn lookup(face: &TtfFace<'_>, c: char) -> (u16, u16) {
    let id = face.glyph_index(c).unwrap_or(GlyphId(0));
    (id.0, face.glyph_hor_advance(id).unwrap_or(0))
}

/// The embedded faces, one per [`Style`].
pub struct Fonts {
    faces: [Face; 4],
}

impl Fonts {
    /// The embedded fonts, parsed once per process.
    pub fn embedded() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| Fonts {
            faces: std::array::from_fn(|i| Face::load(i as u8, FACES[i].0, FACES[i].1)),
        })
    }

    /// The face for `style`.
    pub fn face(&self, style: Style) -> &Face {
        &self.faces[style.index()]
    }
}

impl FontMetrics for Fonts {
    fn width(&self, style: Style, text: &str) -> f32 {
        let face = self.face(style);
        face.advance(text) as f32 / face.units_per_em
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_latin_and_cyrillic() {
        let fonts = Fonts::embedded();
        for style in Style::ALL {
            // The typography of every language: dashes, quotes, apostrophe,
            // no-break space.
            for c in "AaÖöüéÉ ЁёЎўІіЖжЩщЪъ«»„–—“”‘’№§\u{a0}".chars()
            {
                assert_ne!(fonts.face(style).glyph(c).0, 0, "{style:?} has no {c:?}");
            }
        }
    }

    #[test]
    fn kerns_pairs_from_the_font() {
        let face = Fonts::embedded().face(Style::Regular);
        let glyphs = face.glyphs("AV");
        assert!(glyphs[0].kern < 0, "{glyphs:?}");
        assert_eq!(face.glyphs("AV")[1].kern, 0);
        let fonts = Fonts::embedded();
        assert!(
            fonts.width(Style::Regular, "AV")
                < fonts.width(Style::Regular, "A") + fonts.width(Style::Regular, "V")
        );
    }

    #[test]
    fn advance_is_the_sum_of_the_glyphs() {
        let face = Fonts::embedded().face(Style::Italic);
        for text in ["", "AV", "Тьма ўсё, Wolf-Yamatin."] {
            assert_eq!(
                face.advance(text),
                face.glyphs(text).iter().map(|g| g.advance).sum::<i32>()
            );
        }
    }

    #[test]
    fn bold_is_wider_than_regular() {
        let fonts = Fonts::embedded();
        let text = "Belarusian Independent Trade Union";
        assert!(fonts.width(Style::Bold, text) > fonts.width(Style::Regular, text));
    }
}
