//! Fonts: the faces a letter is set in and what they measure. The embedded
//! Liberation Serif faces, a union's own faces of the same style before
//! them and Noto faces for Georgian, Armenian, Hebrew and Arabic after them
//! (then the union's faces of other styles); each character is set in the
//! first face that has it. Latin, Greek and Cyrillic are measured
//! from the font directly (glyph advances and pair kerning read with
//! ttf-parser); other scripts and combining marks are shaped with rustybuzz.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use rustybuzz::{BufferClusterLevel, Direction, UnicodeBuffer};
use ttf_parser::gpos::{PairAdjustment, PositioningSubtable};
use ttf_parser::{Face as TtfFace, GlyphId, Tag};
use unicode_normalization::char::is_combining_mark;

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

    fn is_bold(self) -> bool {
        matches!(self, Style::Bold | Style::BoldItalic)
    }

    fn is_italic(self) -> bool {
        matches!(self, Style::Italic | Style::BoldItalic)
    }
}

/// What the line breaker needs to know of a font: how wide text is.
pub trait FontMetrics {
    /// The advance width of `text` set in `style`, in ems (times the font
    /// size gives points), kerning included.
    fn width(&self, style: Style, text: &str) -> f32;
}

/// One glyph of set text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph {
    /// Glyph id in the full font.
    pub id: u16,
    /// Byte offset in the text of the first character it stands for.
    pub cluster: u32,
    /// Advance in font units, kerning included.
    pub advance: i32,
    /// What `advance` differs from the glyph's own width by, in font units.
    pub kern: i32,
    /// Where the glyph is drawn from the pen, in font units (marks).
    pub offset: (i32, i32),
}

const LIBERATION: [(&str, &[u8]); 4] = [
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

/// Faces for the scripts Liberation Serif lacks, regular and bold (the
/// italic styles use these: the scripts have no italics of their own).
const FALLBACKS: [[(&str, &[u8]); 2]; 4] = [
    [
        (
            "NotoSerifGeorgian",
            include_bytes!("../../../assets/fonts/NotoSerifGeorgian-Regular.ttf"),
        ),
        (
            "NotoSerifGeorgian-Bold",
            include_bytes!("../../../assets/fonts/NotoSerifGeorgian-Bold.ttf"),
        ),
    ],
    [
        (
            "NotoSerifArmenian",
            include_bytes!("../../../assets/fonts/NotoSerifArmenian-Regular.ttf"),
        ),
        (
            "NotoSerifArmenian-Bold",
            include_bytes!("../../../assets/fonts/NotoSerifArmenian-Bold.ttf"),
        ),
    ],
    [
        (
            "NotoSerifHebrew",
            include_bytes!("../../../assets/fonts/NotoSerifHebrew-Regular.ttf"),
        ),
        (
            "NotoSerifHebrew-Bold",
            include_bytes!("../../../assets/fonts/NotoSerifHebrew-Bold.ttf"),
        ),
    ],
    [
        (
            "NotoNaskhArabic",
            include_bytes!("../../../assets/fonts/NotoNaskhArabic-Regular.ttf"),
        ),
        (
            "NotoNaskhArabic-Bold",
            include_bytes!("../../../assets/fonts/NotoNaskhArabic-Bold.ttf"),
        ),
    ],
];

/// Characters below this are looked up once, when a face is loaded.
const CACHED: usize = 0x0530;

/// True for a character that is set glyph by glyph, from the font's
/// character map and pair kerning: the letters of Latin, Greek, Cyrillic,
/// Armenian and Georgian, punctuation and symbols. Combining marks,
/// joiners, direction controls and the scripts whose letters join or
/// reorder (Hebrew, Arabic, Indic …) are shaped.
pub fn is_simple(c: char) -> bool {
    matches!(c as u32,
        0..=0x02FF | 0x0370..=0x0482 | 0x048A..=0x058F | 0x10A0..=0x10FF | 0x1E00..=0x1FFF
        | 0x2000..=0x200B | 0x2010..=0x2029 | 0x202F..=0x205F | 0x2070..=0x20CF
        | 0x2100..=0x2BFF | 0x2C00..=0x2DDF | 0x2E00..=0x2E7F | 0xA640..=0xA66E | 0xA680..=0xA69D
        | 0xA720..=0xA7FF)
}

/// True for a character of a right-to-left script, or a control that
/// opens right-to-left text.
pub fn is_rtl(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF
        | 0x1E800..=0x1EFFF | 0x200F | 0x202B | 0x202E | 0x2067)
}

/// True for a character that shows nothing of its own (spaces, controls,
/// the soft hyphen, default-ignorable characters): no face needs it.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{AD}' || is_ignorable(c)
}

/// True for a default-ignorable character (joiners, direction marks,
/// variation selectors …), which shaping hides.
pub fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// Numbers faces apart for the kerning memo, across every set of fonts.
static FACE_IDS: AtomicU32 = AtomicU32::new(0);

/// One parsed face with its glyph cache.
pub struct Face {
    /// PostScript name.
    pub name: &'static str,
    /// The font file.
    pub data: &'static [u8],
    face: rustybuzz::Face<'static>,
    /// Font units per em.
    pub units_per_em: f32,
    /// (glyph id, advance) of every character below `CACHED`, looked up
    /// at the first use: a fallback face a letter never needs costs nothing.
    cache: OnceLock<Box<[(u16, u16)]>>,
    kern_lookups: Vec<u16>,
    /// This face's number, unique in the process.
    pub id: u32,
}

impl Face {
    /// Parses a font file; `None` where it is no font.
    fn load(name: &'static str, data: &'static [u8]) -> Option<Face> {
        let face = rustybuzz::Face::from_slice(data, 0)?;
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
        Some(Face {
            name,
            data,
            units_per_em: face.units_per_em() as f32,
            face,
            cache: OnceLock::new(),
            kern_lookups,
            id: FACE_IDS.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The parsed font, for its global metrics.
    pub fn ttf(&self) -> &TtfFace<'static> {
        &self.face
    }

    /// Glyph id and advance of `c`; glyph 0 where the font has none.
    pub fn glyph(&self, c: char) -> (u16, u16) {
        let cache = self.cache.get_or_init(|| {
            (0..CACHED as u32)
                .map(|c| char::from_u32(c).map_or((0, 0), |c| lookup(&self.face, c)))
                .collect()
        });
        match cache.get(c as usize) {
            Some(&cached) => cached,
            None => lookup(&self.face, c),
        }
    }

    /// True where the font has a glyph for `c`.
    pub fn has(&self, c: char) -> bool {
        self.glyph(c).0 != 0
    }

    /// The pair kerning of two glyphs, in font units, from the GPOS `kern`
    /// feature; remembered in `memo`, as letters repeat their pairs.
    fn kerning(&self, memo: &mut KernMemo, left: u16, right: u16) -> i16 {
        let key = u64::from(self.id) << 32 | u64::from(left) << 16 | u64::from(right);
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

    /// The advance of `text` in font units, kerning included, where every
    /// character is simple and in the font: what [`Face::glyphs`] adds up
    /// to, without building the glyphs. `None` otherwise.
    fn simple_advance(&self, text: &str) -> Option<i32> {
        let mut chars = text.chars();
        let Some(first) = chars.next() else {
            return Some(0);
        };
        let (mut previous, advance) = self.simple_glyph(first)?;
        let mut total = i32::from(advance);
        KERNING.with_borrow_mut(|memo| {
            for c in chars {
                let (id, advance) = self.simple_glyph(c)?;
                total += i32::from(advance) + i32::from(self.kerning(memo, previous, id));
                previous = id;
            }
            Some(total)
        })
    }

    fn simple_glyph(&self, c: char) -> Option<(u16, u16)> {
        let glyph = self.glyph(c);
        (is_simple(c) && glyph.0 != 0).then_some(glyph)
    }

    /// The advance of `text` in font units, as [`Face::glyphs`] sets it.
    pub fn advance(&self, text: &str, rtl: bool) -> i32 {
        match self.simple_advance(text) {
            Some(advance) => advance,
            None => self.glyphs(text, rtl).iter().map(|g| g.advance).sum(),
        }
    }

    /// The glyphs of `text`, with advances and kerning, in the order they
    /// are drawn from left to right: simple text glyph by glyph, other text
    /// shaped (right to left where `rtl`).
    pub fn glyphs(&self, text: &str, rtl: bool) -> Vec<Glyph> {
        if !rtl && text.chars().all(is_simple) {
            let mut glyphs = Vec::with_capacity(text.len());
            self.push_simple_glyphs(text, false, &mut glyphs);
            return glyphs;
        }
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_cluster_level(BufferClusterLevel::Characters);
        buffer.set_direction(match rtl {
            true => Direction::RightToLeft,
            false => Direction::LeftToRight,
        });
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&self.face, &[], buffer);
        (shaped.glyph_infos().iter())
            .zip(shaped.glyph_positions())
            .map(|(info, position)| {
                let id = u16::try_from(info.glyph_id).unwrap_or(0);
                let width = i32::from(self.face.glyph_hor_advance(GlyphId(id)).unwrap_or(0));
                Glyph {
                    id,
                    cluster: info.cluster,
                    advance: position.x_advance,
                    kern: position.x_advance - width,
                    offset: (position.x_offset, position.y_offset),
                }
            })
            // An invisible character the font has no glyph for (a Hangul
            // filler, a line separator) shows nothing, not .notdef, which
            // PDF/A forbids; its text still extracts, given apart.
            .filter(|glyph| {
                let c = text
                    .get(glyph.cluster as usize..)
                    .and_then(|t| t.chars().next());
                glyph.id != 0 || !c.is_some_and(is_invisible)
            })
            .collect()
    }

    /// Appends the glyphs of simple `text` to `glyphs`, glyph by glyph;
    /// where `covered`, appends nothing and gives false as soon as a
    /// character is not simple or not in the font.
    fn push_simple_glyphs(&self, text: &str, covered: bool, glyphs: &mut Vec<Glyph>) -> bool {
        let start = glyphs.len();
        for (at, char) in text.char_indices() {
            let (id, advance) = self.glyph(char);
            if covered && (id == 0 || !is_simple(char)) {
                glyphs.truncate(start);
                return false;
            }
            glyphs.push(Glyph {
                id,
                cluster: at as u32,
                advance: i32::from(advance),
                kern: 0,
                offset: (0, 0),
            });
        }
        let glyphs = &mut glyphs[start..];
        if glyphs.len() > 1 {
            KERNING.with_borrow_mut(|memo| {
                for i in 1..glyphs.len() {
                    let kern = i32::from(self.kerning(memo, glyphs[i - 1].id, glyphs[i].id));
                    glyphs[i - 1].kern = kern;
                    glyphs[i - 1].advance += kern;
                }
            });
        }
        true
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
        // u64::MAX is no key: no process loads 2³² faces.
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

/// The faces a letter is set in: per [`Style`], the faces in the order
/// they are tried for each character.
pub struct Fonts {
    faces: Vec<Face>,
    /// Per style, indexes in `faces`, the first tried first.
    chains: [Vec<usize>; 4],
}

impl Fonts {
    /// The embedded fonts, parsed once per process.
    pub fn embedded() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| Fonts::new(Vec::new()))
    }

    /// The embedded fonts after a union's own `faces` (font files, checked
    /// when the appeal was loaded; one that does not parse is left out).
    /// Parsed once per process for each set of files: the faces are kept
    /// for the process's lifetime, as the embedded ones are.
    pub fn with(own: &[&[u8]]) -> &'static Fonts {
        type Known = Vec<(Vec<Vec<u8>>, &'static Fonts)>;
        static KNOWN: Mutex<Known> = Mutex::new(Vec::new());
        if own.is_empty() {
            return Fonts::embedded();
        }
        let mut known = KNOWN
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, fonts)) = known
            .iter()
            .find(|(files, _)| files.iter().map(Vec::as_slice).eq(own.iter().copied()))
        {
            return fonts;
        }
        let faces = own
            .iter()
            .enumerate()
            .filter_map(|(i, data)| {
                let data: &'static [u8] = Box::leak(data.to_vec().into_boxed_slice());
                let parsed = TtfFace::parse(data, 0).ok()?;
                let name = postscript_name(&parsed).unwrap_or_else(|| format!("UnionFont{i}"));
                Face::load(Box::leak(name.into_boxed_str()), data)
            })
            .collect();
        let fonts: &'static Fonts = Box::leak(Box::new(Fonts::new(faces)));
        known.push((own.iter().map(|data| data.to_vec()).collect(), fonts));
        fonts
    }

    /// Per style: the union's `own` faces of that style, then Liberation
    /// Serif of that style, then the fallbacks, then the union's other
    /// faces (for what no face of the style has). So bold and italic text
    /// stays bold and italic where the union gives only a regular face.
    fn new(own: Vec<Face>) -> Fonts {
        let styles: Vec<(bool, bool)> = own.iter().map(|face| face_style(face.ttf())).collect();
        let count = own.len();
        let mut faces = own;
        let load = |(name, data): (&'static str, &'static [u8])| {
            Face::load(name, data).expect("embedded fonts parse")
        };
        let liberation = faces.len();
        faces.extend(LIBERATION.map(load));
        let fallbacks = faces.len();
        faces.extend(FALLBACKS.iter().flat_map(|pair| pair.map(load)));
        let chains = Style::ALL.map(|style| {
            let wanted = (style.is_bold(), style.is_italic());
            let mut chain: Vec<usize> = (0..count).filter(|&i| styles[i] == wanted).collect();
            chain.push(liberation + style.index());
            let bold = usize::from(style.is_bold());
            chain.extend((0..FALLBACKS.len()).map(|script| fallbacks + 2 * script + bold));
            chain.extend((0..count).filter(|&i| styles[i] != wanted));
            chain
        });
        Fonts { faces, chains }
    }

    /// Every face, numbered as the PDF names them.
    pub fn faces(&self) -> &[Face] {
        &self.faces
    }

    /// The face `style` is set in where it can be: its first.
    pub fn primary(&self, style: Style) -> &Face {
        &self.faces[self.chains[style.index()][0]]
    }

    /// True where some face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.faces.iter().any(|face| face.has(c))
    }

    /// `text` cut into runs of one face each, in logical order: each
    /// character in the first face of `style` that has it; spaces and
    /// punctuation stay in the face before them where it has them, marks
    /// always (a mark apart from its letter would not extract with it); a
    /// character no face has in the first face (which shows a box).
    pub fn runs(&self, style: Style, text: &str) -> Vec<(usize, Range<usize>)> {
        let chain = &self.chains[style.index()];
        let mut runs: Vec<(usize, Range<usize>)> = Vec::new();
        for (at, c) in text.char_indices() {
            let end = at + c.len_utf8();
            if let Some((face, range)) = runs.last_mut()
                && (!c.is_alphabetic() || is_invisible(c))
                && (is_invisible(c) || is_combining_mark(c) || self.faces[*face].has(c))
            {
                range.end = end;
                continue;
            }
            let face = (chain.iter().copied())
                .find(|&i| self.faces[i].has(c))
                .unwrap_or(chain[0]);
            match runs.last_mut() {
                Some((last, range)) if *last == face => range.end = end,
                _ => runs.push((face, at..end)),
            }
        }
        runs
    }

    /// Appends the glyphs of `text` set in `style` to `glyphs`, run by run
    /// in the order they are drawn (right to left where `rtl`); gives each
    /// run's face, the byte range of `text` it sets, and the range of
    /// `glyphs` it added (and those glyphs), to `run`.
    pub fn glyphs(
        &self,
        (style, text, rtl): (Style, &str, bool),
        glyphs: &mut Vec<Glyph>,
        mut run: impl FnMut(usize, Range<usize>, Range<usize>, &[Glyph]),
    ) {
        // Nearly all text: simple, and all in the style's first face. Set
        // right to left, even simple text is shaped: brackets are mirrored,
        // "(" drawn as ")" (UBA L4), and glyphs come in the order drawn.
        let first = self.chains[style.index()][0];
        let start = glyphs.len();
        if !rtl && self.faces[first].push_simple_glyphs(text, true, glyphs) {
            return run(first, 0..text.len(), start..glyphs.len(), &glyphs[start..]);
        }
        let mut runs = self.runs(style, text);
        if rtl {
            runs.reverse();
        }
        for (face, range) in runs {
            let start = glyphs.len();
            glyphs.extend(self.faces[face].glyphs(&text[range.clone()], rtl));
            run(face, range, start..glyphs.len(), &glyphs[start..]);
        }
    }
}

impl FontMetrics for Fonts {
    fn width(&self, style: Style, text: &str) -> f32 {
        let face = self.primary(style);
        if let Some(advance) = face.simple_advance(text) {
            return advance as f32 / face.units_per_em;
        }
        let rtl = text.chars().any(is_rtl);
        self.runs(style, text)
            .into_iter()
            .map(|(face, range)| {
                let face = &self.faces[face];
                face.advance(&text[range], rtl) as f32 / face.units_per_em
            })
            .sum()
    }
}

/// Whether a face is (bold, italic): bold by its weight (600 or more) or
/// its style bits, italic where italic or oblique.
fn face_style(face: &TtfFace<'_>) -> (bool, bool) {
    let bold = face.is_bold() || face.weight().to_number() >= 600;
    (bold, face.is_italic() || face.is_oblique())
}

/// The font's PostScript name, kept to the characters a PDF name allows.
fn postscript_name(face: &TtfFace<'_>) -> Option<String> {
    let name = (face.names().into_iter())
        .filter(|name| name.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|name| name.to_string())?;
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(63)
        .collect();
    (!name.is_empty()).then_some(name)
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
                assert_ne!(fonts.primary(style).glyph(c).0, 0, "{style:?} has no {c:?}");
            }
        }
    }

    #[test]
    fn kerns_pairs_from_the_font() {
        let face = Fonts::embedded().primary(Style::Regular);
        let glyphs = face.glyphs("AV", false);
        assert!(glyphs[0].kern < 0, "{glyphs:?}");
        assert_eq!(glyphs[1].kern, 0);
        let fonts = Fonts::embedded();
        assert!(
            fonts.width(Style::Regular, "AV")
                < fonts.width(Style::Regular, "A") + fonts.width(Style::Regular, "V")
        );
    }

    #[test]
    fn advance_is_the_sum_of_the_glyphs() {
        let face = Fonts::embedded().primary(Style::Italic);
        for text in ["", "AV", "Тьма ўсё, Wolf-Yamatin.", "שרה"] {
            assert_eq!(
                face.advance(text, false),
                face.glyphs(text, false)
                    .iter()
                    .map(|g| g.advance)
                    .sum::<i32>()
            );
        }
    }

    #[test]
    fn bold_is_wider_than_regular() {
        let fonts = Fonts::embedded();
        let text = "Belarusian Independent Trade Union";
        assert!(fonts.width(Style::Bold, text) > fonts.width(Style::Regular, text));
    }

    #[test]
    fn sets_each_script_in_a_face_that_has_it() {
        let fonts = Fonts::embedded();
        let name = |text: &str, style| -> Vec<&str> {
            (fonts.runs(style, text).into_iter())
                .map(|(face, _)| fonts.faces()[face].name)
                .collect()
        };
        assert_eq!(name("Dear שרה כהן,", Style::Regular), ["LiberationSerif"]);
        assert_eq!(name("ნინო", Style::Bold), ["NotoSerifGeorgian-Bold"]);
        assert_eq!(name("Արամ", Style::Italic), ["NotoSerifArmenian"]);
        assert_eq!(name("عبد الله", Style::Regular), ["NotoNaskhArabic"]);
        for text in ["שרה כהן", "عبد الله", "ნინო", "Արամ"] {
            assert!(fonts.width(Style::Regular, text) > 1.0, "{text}");
        }
    }

    #[test]
    fn bold_and_italic_keep_their_style_over_a_regular_union_face() {
        let own: &[u8] = include_bytes!("../../../tests/fixtures/fonts/AppealTestCff.otf");
        let fonts = Fonts::with(&[own]);
        let name = |style| fonts.faces()[fonts.runs(style, "Subject")[0].0].name;
        assert_eq!(name(Style::Regular), "AppealTestCff-Regular");
        assert_eq!(name(Style::Bold), "LiberationSerif-Bold");
        assert_eq!(name(Style::Italic), "LiberationSerif-Italic");
        assert_eq!(name(Style::BoldItalic), "LiberationSerif-BoldItalic");
        // What no face of the style has, the union's other faces set.
        let bold = &fonts.chains[Style::Bold.index()];
        assert_eq!(bold.last(), Some(&0));
    }

    #[test]
    fn a_face_is_bold_by_its_weight_or_style_bits() {
        let style = |data: &[u8]| face_style(&TtfFace::parse(data, 0).unwrap());
        let [regular, bold, italic, bold_italic] = LIBERATION.map(|(_, data)| data);
        assert_eq!(style(regular), (false, false));
        assert_eq!(style(bold), (true, false));
        assert_eq!(style(italic), (false, true));
        assert_eq!(style(bold_italic), (true, true));
        // The regular face with an OS/2 weight of 600 (semibold).
        let os2 = TtfFace::parse(regular, 0)
            .unwrap()
            .raw_face()
            .table(Tag::from_bytes(b"OS/2"))
            .unwrap()
            .as_ptr() as usize
            - regular.as_ptr() as usize;
        let mut semibold = regular.to_vec();
        semibold[os2 + 4..os2 + 6].copy_from_slice(&600u16.to_be_bytes());
        assert_eq!(style(&semibold), (true, false));
    }

    #[test]
    fn a_bold_union_face_sets_bold_text_only() {
        let own: &[u8] = include_bytes!("../../../assets/fonts/NotoSerifGeorgian-Bold.ttf");
        let fonts = Fonts::with(&[own]);
        let first = |style: Style| fonts.chains[style.index()][0];
        assert_eq!(first(Style::Bold), 0);
        assert_ne!(first(Style::Regular), 0);
        assert_ne!(first(Style::Italic), 0);
    }

    // See: #12 (a Hangul filler drew .notdef in a PDF claiming PDF/A)
    #[test]
    fn draws_no_notdef_for_invisible_characters() {
        let face = Fonts::embedded().primary(Style::Regular);
        for text in [
            "a\u{3164}b",
            "a\u{115F}\u{1160}b",
            "a\u{FFA0}b",
            "a\u{1BCA0}b",
        ] {
            let glyphs = face.glyphs(text, false);
            assert!(glyphs.iter().all(|g| g.id != 0), "{text:?}: {glyphs:?}");
            assert_eq!(glyphs.len(), 2, "{text:?}");
        }
    }

    #[test]
    fn shapes_arabic_into_joined_forms_right_to_left() {
        let fonts = Fonts::embedded();
        let (mut glyphs, mut runs) = (Vec::new(), Vec::new());
        let text = (Style::Regular, "سلام", true);
        fonts.glyphs(text, &mut glyphs, |face, _, within, _| {
            runs.push((face, within))
        });
        assert_eq!(runs.len(), 1);
        // Drawn from the left: the last letter first.
        assert_eq!(glyphs.first().unwrap().cluster, "سلا".len() as u32);
        let face = &fonts.faces()[runs[0].0];
        let isolated: Vec<u16> = "سلام".chars().map(|c| face.glyph(c).0).collect();
        // Joined letters are other glyphs than the letters alone.
        assert!(
            glyphs.iter().any(|g| !isolated.contains(&g.id)),
            "{glyphs:?}"
        );
    }
}
