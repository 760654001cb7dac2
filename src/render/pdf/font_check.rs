//! Checking a union's own font file (`[style] fonts`) when the appeal is
//! loaded, as the PDF will use it: its licence lets it be embedded as a
//! subset, it has outlines and sane metrics, a trial subset succeeds, and
//! it is a face for text, not symbols. So `check` finds a font that would
//! fail at render, or print a blank or absurd letter.

use std::ops::RangeInclusive;

use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId, Tag};

/// The advances, in ems, of the space and of `n` in a usable font.
const ADVANCE: RangeInclusive<f32> = 0.05..=2.0;

/// Characters whose glyphs a trial subset holds, where the font has them.
const SAMPLE: &str = " .,nNoOaA0";

/// Why the PDF cannot use the font file `data`, where it cannot.
pub fn check_font(data: &[u8]) -> Result<(), String> {
    let face =
        Face::parse(data, 0).map_err(|e| format!("not a TrueType or OpenType font ({e})"))?;
    if face.tables().cmap.is_none() {
        return Err("the font maps no characters (it has no cmap table)".to_owned());
    }
    licence(&face)?;
    outlines(&face)?;
    metrics(&face)?;
    text_face(&face)?;
    trial_subset(data, &face)
}

/// Refuses a font whose licence (OS/2 fsType) forbids embedding it, or
/// embedding a subset (the PDF always embeds a subset). The bits are read
/// as they are, whatever the table's version: the usage bits by the most
/// permissive set (restricted only alone; bit 0 is reserved), the subset
/// and bitmap bits each on its own.
fn licence(face: &Face<'_>) -> Result<(), String> {
    let os2 = face.raw_face().table(Tag::from_bytes(b"OS/2"));
    let Some(&[high, low]) = os2.and_then(|table| table.get(8..10)) else {
        return Ok(());
    };
    let bits = u16::from_be_bytes([high, low]);
    let refused = if bits & 0x000E == 0x0002 {
        "forbids embedding it in a document (restricted licence)"
    } else if bits & 0x0100 != 0 {
        "forbids embedding a subset of it (no subsetting), and the PDF embeds only the glyphs it uses"
    } else if bits & 0x0200 != 0 {
        "allows embedding its bitmaps only, and the PDF embeds outlines"
    } else {
        return Ok(());
    };
    Err(format!(
        "the font's licence (OS/2 fsType) {refused}; an archival PDF must embed its fonts"
    ))
}

/// Refuses a font without outlines the PDF can embed (TrueType glyf with
/// loca, or CFF), or without horizontal metrics.
fn outlines(face: &Face<'_>) -> Result<(), String> {
    let raw = face.raw_face();
    let has = |tag: &[u8; 4]| raw.table(Tag::from_bytes(tag)).is_some();
    if !has(b"glyf") && !has(b"CFF ") {
        return Err(match has(b"CFF2") {
            true => "the font has CFF2 outlines, which cannot be embedded; use its TrueType (.ttf) or CFF (.otf) form".to_owned(),
            false => "the font has no outlines (no glyf or CFF table: a bitmap font?)".to_owned(),
        });
    }
    if has(b"glyf") && face.tables().glyf.is_none() {
        return Err("the font's glyph locations (loca table) are missing or broken".to_owned());
    }
    if face.tables().hmtx.is_none() {
        return Err("the font has no horizontal metrics (hmtx table)".to_owned());
    }
    Ok(())
}

/// Refuses absurd metrics: a space or `n` narrower than a twentieth of an
/// em or wider than two (units per em out of 16–16384 ttf-parser refuses).
fn metrics(face: &Face<'_>) -> Result<(), String> {
    let units = f32::from(face.units_per_em());
    for (c, name) in [(' ', "space"), ('n', "letter n")] {
        let Some(id) = face.glyph_index(c) else {
            continue;
        };
        let advance = f32::from(face.glyph_hor_advance(id).unwrap_or(0)) / units;
        if !ADVANCE.contains(&advance) {
            return Err(format!(
                "the font's {name} is {advance:.2} em wide, outside {}–{} em: its metrics are broken",
                ADVANCE.start(),
                ADVANCE.end()
            ));
        }
    }
    Ok(())
}

/// Refuses a symbol or dingbat font: one whose Unicode character map has
/// fewer letters (of any script) than symbols, punctuation and private-use
/// characters. Listed first, it would take over the letter's punctuation.
fn text_face(face: &Face<'_>) -> Result<(), String> {
    let (mut letters, mut others) = (0usize, 0usize);
    let mut seen = std::collections::BTreeSet::new();
    let subtables = face.tables().cmap.map(|cmap| cmap.subtables);
    for subtable in subtables.into_iter().flatten() {
        if !subtable.is_unicode() {
            continue;
        }
        subtable.codepoints(|code| {
            let Some(c) = char::from_u32(code) else {
                return;
            };
            if !seen.insert(c) || c.is_whitespace() || c.is_control() || c.is_numeric() {
                return;
            }
            match c.is_alphabetic() {
                true => letters += 1,
                false if !unicode_normalization::char::is_combining_mark(c) => others += 1,
                false => {}
            }
        });
    }
    if letters + others == 0 {
        return Err(
            "the font maps no Unicode characters (a symbol-encoded font?); \
             a union's face must be a text face (of any script)"
                .to_owned(),
        );
    }
    if letters < others {
        return Err(format!(
            "the font is a symbol font: of the characters it maps, {letters} are letters and \
             {others} symbols, punctuation or private-use; a union's face must be a text face \
             (of any script), with more letters than those"
        ));
    }
    Ok(())
}

/// Refuses a font the subsetter cannot subset: a trial subset of the
/// glyphs of a few common characters and of the first glyphs.
fn trial_subset(data: &[u8], face: &Face<'_>) -> Result<(), String> {
    let mut ids: Vec<u16> = (SAMPLE.chars())
        .filter_map(|c| face.glyph_index(c))
        .chain((0..face.number_of_glyphs().min(8)).map(GlyphId))
        .map(|id| id.0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let remapper = GlyphRemapper::new_from_glyphs_sorted(&ids);
    subsetter::subset(data, 0, &remapper)
        .map(drop)
        .map_err(|e| format!("the font cannot be embedded: subsetting it fails ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");

    #[test]
    fn accepts_the_embedded_faces() {
        for data in [
            REGULAR,
            include_bytes!("../../../assets/fonts/NotoSerifGeorgian-Bold.ttf"),
            include_bytes!("../../../assets/fonts/NotoNaskhArabic-Regular.ttf"),
            include_bytes!("../../../assets/fonts/NotoSerifHebrew-Regular.ttf"),
        ] {
            assert_eq!(check_font(data), Ok(()));
        }
    }

    #[test]
    fn refuses_what_is_no_font() {
        assert_eq!(
            check_font(b"not a font"),
            Err("not a TrueType or OpenType font (unknown magic)".to_owned())
        );
    }
}
