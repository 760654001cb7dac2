//! Writing: a [`Layout`] into PDF bytes with pdf-writer.
//!
//! Each face is embedded as a subset (subsetter) holding only the glyphs
//! used, as a CID font with a ToUnicode map so that text extracts exactly,
//! Cyrillic included (TrueType outlines as CIDFontType2, CFF outlines as
//! CIDFontType0 over the OpenType program). Glyph ids are assigned in order of first use and the
//! document date comes from the letter, so equal input gives equal bytes.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use pdf_writer::types::{
    ActionType, AnnotationFlags, AnnotationType, CidFontType, FontFlags, SystemInfo, TabOrder,
    UnicodeCmap,
};
use pdf_writer::{Chunk, Content, Filter, Finish, Name, Pdf, Rect, Ref, Settings, Str, TextStr};
use subsetter::GlyphRemapper;

use super::breaking::RAISE;
use super::cache::{ContentMemo, FontMemo, PictureMemo, lock};
use super::dehint::dehint;
use super::font::{Face, Fonts, Glyph, is_ignorable, is_simple};
use super::layout::{Item, Layout, TextLine};
use super::logo::{self, Vector};
use super::memo::hash;
use super::pack::pack;
use super::tag::Tagger;
use super::visual::{self, Drawn, Segment};
use crate::appeal::Logo;
use crate::error::{Diagnostic, Error};
use crate::letter::{Letter, Signature};
use crate::render::{PdfOptions, PdfStandard, Subset};

/// Colour of link text.
const LINK: [f32; 3] = [0.05, 0.2, 0.55];

/// The characters of one face that a document shows.
#[derive(Default)]
struct CharSet {
    /// Characters below U+0540, one bit each.
    low: [u64; 21],
    high: BTreeSet<char>,
}

impl CharSet {
    fn insert(&mut self, c: char) {
        match self.low.get_mut(c as usize / 64) {
            Some(word) => *word |= 1 << (c as usize % 64),
            None => {
                self.high.insert(c);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.low.iter().all(|w| *w == 0) && self.high.is_empty()
    }

    /// The characters, in code point order.
    fn chars(&self) -> Vec<char> {
        let low = (0..self.low.len() * 64)
            .filter(|i| self.low[i / 64] & (1 << (i % 64)) != 0)
            .filter_map(|i| char::from_u32(i as u32));
        low.chain(self.high.iter().copied()).collect()
    }
}

/// The glyphs of one face that a document shows: characters it maps
/// itself, and shaped glyphs (joined forms, ligatures) with the text each
/// stands for.
#[derive(Default)]
struct Used {
    chars: CharSet,
    shaped: BTreeMap<u16, String>,
}

impl Used {
    fn add(&mut self, segment: &Segment, glyphs: &[Glyph]) {
        // The space glyph, for the gap before a word.
        self.chars.insert(' ');
        if segment.text.chars().all(is_simple) {
            segment.text.chars().for_each(|c| self.chars.insert(c));
            return;
        }
        let mut clusters: Vec<usize> = glyphs.iter().map(|g| g.cluster as usize).collect();
        clusters.sort_unstable();
        clusters.dedup();
        for glyph in glyphs {
            let start = glyph.cluster as usize;
            let end = (clusters.iter().copied())
                .find(|&c| c > start)
                .unwrap_or(segment.text.len());
            let text = segment.text.get(start..end).unwrap_or_default();
            // Extraction (poppler) reads right-to-left text from the right,
            // the characters of a ligature too: they are given in the
            // order drawn.
            let text = match segment.rtl {
                true => text.chars().rev().collect(),
                false => text.to_owned(),
            };
            self.shaped.entry(glyph.id).or_insert(text);
        }
    }
}

/// What a face is embedded for: the face's number, its characters and its
/// shaped glyphs.
pub(super) type FontKey = (u32, Vec<char>, Vec<(u16, String)>);

/// A face as embedded for one set of characters: the same set always gives
/// the same objects, so they are made once per process and shared.
#[derive(PartialEq)]
pub(super) struct EmbeddedFont {
    base_font: String,
    /// Old glyph id → glyph id in the subset; `u16::MAX` where absent.
    map: Vec<u16>,
    /// Advance of each subset glyph, in thousandths of an em.
    widths: Vec<f32>,
    /// The subset font program, without hinting, compressed.
    program: Vec<u8>,
    /// The ToUnicode CMap, compressed.
    to_unicode: Vec<u8>,
}

/// Allocates object ids in order.
pub(super) struct Ids(pub i32);

impl Ids {
    /// The next id.
    pub fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// Writes the PDF of a laid-out letter.
pub fn write(
    letter: &Letter,
    layout: &Layout,
    fonts: &Fonts,
    options: &PdfOptions,
) -> Result<Vec<u8>, Error> {
    let memos = options.cache.memos();
    // Compact: no indentation in dictionaries.
    let mut pdf = Pdf::with_settings(Settings { pretty: false });
    let mut ids = Ids(0);
    let catalog = ids.next();
    let tree = ids.next();
    let info = ids.next();
    let mut tagger = (options.standard == PdfStandard::Archival)
        .then(|| Tagger::new(&layout.nodes, layout.pages.len(), letter.language.code()));
    let (page_refs, resources) = write_pages(
        (&letter.signatories, letter.letterhead.logo.as_ref()),
        layout,
        fonts,
        options,
        (&mut pdf, &mut ids),
        tree,
        tagger.as_mut(),
    )?;
    // PDF/A forbids .notdef: the characters no face has are named.
    if tagger.is_some() && resources.notdef {
        let missing = crate::coverage::archival(letter);
        if !missing.is_empty() {
            return Err(Error::invalid(missing));
        }
    }
    pdf.pages(tree)
        .kids(page_refs.iter().copied())
        .count(page_refs.len() as i32);
    for (font_ref, face, font) in &resources.fonts {
        write_font(&mut pdf, &mut ids, *font_ref, &fonts.faces()[*face], font);
    }
    for (image_ref, mask_ref, picture) in &resources.images {
        write_image(&mut pdf, *image_ref, *mask_ref, picture);
    }
    if let Some(emblem) = &resources.logo {
        write_emblem(&mut pdf, &mut ids, emblem);
    }

    let date = letter.date;
    let pdf_date = pdf_writer::Date::new(date.year() as u16)
        .month(date.month())
        .day(date.day());
    pdf.document_info(info)
        .title(TextStr(letter.title()))
        .author(TextStr(letter.author()))
        .creator(TextStr("appeal"))
        .creation_date(pdf_date);
    let archival = tagger.map(|tagger| tagger.write(&mut pdf, letter, &page_refs, || ids.next()));
    let mut root = pdf.catalog(catalog);
    root.pages(tree).lang(TextStr(letter.language.code()));
    if let Some(archival) = archival {
        archival.catalog(&mut root);
    }
    root.finish();
    // A file id from the content, so that equal letters give equal files.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (
        letter.title(),
        letter.author(),
        &letter.recipient,
        &letter.place_date,
        layout.pages.len(),
    )
        .hash(&mut hasher);
    let id = Hasher::finish(&hasher).to_be_bytes().to_vec();
    pdf.set_file_id((id.clone(), id.clone()));
    Ok(pack(pdf.finish(), catalog, info, &id, &memos.contents))
}

/// What a letter's pages use that may be shared with other letters in one
/// file: the fonts and images, each with the id the pages refer to it by.
pub(super) struct Resources {
    /// Font id, its face (the number in [`Fonts::faces`]), and the subset
    /// embedded.
    pub fonts: Vec<(Ref, usize, Arc<EmbeddedFont>)>,
    /// Image id, its mask's id, and the picture.
    pub images: Vec<(Ref, Ref, Arc<Picture>)>,
    /// The letterhead's logo, where a page shows it.
    pub logo: Option<Emblem>,
    /// Some character shows as the .notdef glyph: no face has it.
    pub notdef: bool,
}

/// Writes the pages of a laid-out letter into `chunk` with ids from `ids`,
/// each page a kid of `tree`: their content, links and page objects, not
/// the fonts and images they use (the caller writes those, once for all the
/// letters of a file that share them). Gives the pages' ids, in order.
/// With a `tagger`, the content is marked for the structure tree it writes.
pub(super) fn write_pages(
    (signatories, logo): (&[Signature], Option<&Logo>),
    layout: &Layout,
    fonts: &Fonts,
    options: &PdfOptions,
    (chunk, ids): (&mut Chunk, &mut Ids),
    tree: Ref,
    mut tagger: Option<&mut Tagger>,
) -> Result<(Vec<Ref>, Resources), Error> {
    let memos = options.cache.memos();
    // Every line as drawn, and which glyphs each face shows, so that each
    // can be embedded as a subset.
    let mut drawn: Vec<Drawn> = Vec::new();
    let mut used: Vec<Used> = fonts.faces().iter().map(|_| Used::default()).collect();
    let mut notdef = false;
    for item in layout.pages.iter().flatten() {
        if let Item::Text(line) = item {
            let line = visual::segments(fonts, &line.line, line.size);
            for segment in &line.segments {
                used[segment.face].add(segment, line.glyphs(segment));
            }
            notdef |= line.glyphs.iter().any(|glyph| glyph.id == 0);
            drawn.push(line);
        }
    }
    let mut embedded: Vec<Option<Arc<EmbeddedFont>>> = Vec::with_capacity(used.len());
    for (face, used) in fonts.faces().iter().zip(&mut used) {
        embedded.push(match used.chars.is_empty() && used.shaped.is_empty() {
            true => None,
            false => Some(embed(
                &memos.fonts,
                face,
                quantise(&mut used.chars, options.subset),
                std::mem::take(&mut used.shaped).into_iter().collect(),
            )?),
        });
    }
    let mut drawn = drawn.into_iter();
    let font_refs: Vec<Ref> = fonts.faces().iter().map(|_| ids.next()).collect();
    // One image per signatory with a signature, named by the signatory's number.
    let mut images = Vec::with_capacity(signatories.len());
    for signature in signatories {
        images.push(match &signature.image {
            Some(png) => Some((ids.next(), ids.next(), picture(&memos.pictures, png)?)),
            None => None,
        });
    }
    let pictures: Vec<Option<&Picture>> = images
        .iter()
        .map(|image| image.as_ref().map(|(_, _, picture)| &**picture))
        .collect();
    // The letterhead's logo, where the layout places it.
    let placed = layout
        .pages
        .iter()
        .flatten()
        .any(|item| matches!(item, Item::Logo { .. }));
    let emblem = match logo {
        Some(Logo::Png(png)) if placed => Some(Emblem::Png(
            ids.next(),
            ids.next(),
            picture(&memos.pictures, png)?,
        )),
        Some(Logo::Svg(svg)) if placed => {
            logo::vector(svg).map(|vector| Emblem::Svg(ids.next(), vector))
        }
        _ => None,
    };
    let art = Images {
        signatures: &pictures,
        logo: emblem.as_ref().map(Emblem::units),
    };
    let (width, height) = layout.size;
    let mut page_refs = Vec::new();
    for (number, (items, &head)) in layout.pages.iter().zip(&layout.heads).enumerate() {
        let page = ids.next();
        page_refs.push(page);
        // The running head apart from the rest, which may be the same in
        // letters to different people, and is then deflated once.
        let mut links = Vec::new();
        let mut contents = Vec::new();
        for part in [&items[..head], &items[head..]] {
            if part.is_empty() {
                continue;
            }
            let mut content = Content::new();
            for item in part {
                let before = links.len();
                if let Some(tagger) = &mut tagger {
                    tagger.begin(&mut content, number, item);
                }
                let line = match item {
                    Item::Text(_) => drawn.next().unwrap_or_default(),
                    _ => Drawn::default(),
                };
                draw(
                    &mut content,
                    item,
                    &line,
                    height,
                    fonts,
                    &embedded,
                    &art,
                    (&mut links, tagger.as_deref_mut()),
                );
                if let Some(tagger) = &mut tagger {
                    tagger.links(number, links.len() - before);
                }
            }
            if let Some(tagger) = &mut tagger {
                tagger.close(&mut content);
            }
            let id = ids.next();
            chunk
                .stream(
                    id,
                    &compress_once(&memos.contents, content.finish().as_slice()),
                )
                .filter(Filter::FlateDecode);
            contents.push(id);
        }
        let annotations: Vec<Ref> = links.iter().map(|_| ids.next()).collect();
        for (id, (rect, uri)) in annotations.iter().zip(&links) {
            let mut annotation = chunk.annotation(*id);
            annotation
                .subtype(AnnotationType::Link)
                .rect(*rect)
                .border(0.0, 0.0, 0.0, None);
            if let Some(tagger) = &mut tagger {
                annotation
                    .flags(AnnotationFlags::PRINT)
                    .contents(TextStr(uri))
                    .struct_parent(tagger.annotation(*id));
            }
            annotation
                .action()
                .action_type(ActionType::Uri)
                .uri(Str(uri.as_bytes()));
        }
        let mut page_writer = chunk.page(page);
        page_writer
            .media_box(Rect::new(0.0, 0.0, width, height))
            .parent(tree);
        page_writer.contents_array(contents);
        if !annotations.is_empty() {
            page_writer.annotations(annotations);
            if tagger.is_some() {
                page_writer.tab_order(TabOrder::StructureOrder);
            }
        }
        if tagger.is_some() {
            page_writer.struct_parents(number as i32);
        }
        let mut resources = page_writer.resources();
        let mut font_dict = resources.fonts();
        for (i, font) in font_refs.iter().enumerate() {
            if embedded[i].is_some() {
                font_dict.pair(Name(font_name(i).as_bytes()), *font);
            }
        }
        font_dict.finish();
        if images.iter().any(Option::is_some) || emblem.is_some() {
            let mut x_objects = resources.x_objects();
            for (i, image) in images.iter().enumerate() {
                if let Some((image_ref, _, _)) = image {
                    x_objects.pair(Name(image_name(i).as_bytes()), *image_ref);
                }
            }
            if let Some(emblem) = &emblem {
                x_objects.pair(Name(LOGO), emblem.id());
            }
        }
    }
    let fonts = (font_refs.into_iter().enumerate().zip(embedded))
        .filter_map(|((face, id), font)| Some((id, face, font?)))
        .collect();
    let images = images.into_iter().flatten().collect();
    Ok((
        page_refs,
        Resources {
            fonts,
            images,
            logo: emblem,
            notdef,
        },
    ))
}

/// Writes a signature image and its mask.
pub(super) fn write_image(chunk: &mut Chunk, image_ref: Ref, mask_ref: Ref, picture: &Picture) {
    let mut x_object = chunk.image_xobject(image_ref, &picture.rgb);
    x_object
        .width(picture.width as i32)
        .height(picture.height as i32);
    x_object.filter(Filter::FlateDecode);
    x_object.color_space().device_rgb();
    x_object.bits_per_component(8).s_mask(mask_ref);
    x_object.finish();
    let mut mask = chunk.image_xobject(mask_ref, &picture.alpha);
    mask.width(picture.width as i32)
        .height(picture.height as i32);
    mask.filter(Filter::FlateDecode);
    mask.color_space().device_gray();
    mask.bits_per_component(8);
}

/// The letterhead's logo as embedded: a PNG as an image (and its alpha
/// mask), an SVG as a form.
pub(super) enum Emblem {
    Png(Ref, Ref, Arc<Picture>),
    Svg(Ref, Vector),
}

impl Emblem {
    /// The id pages refer to it by.
    pub fn id(&self) -> Ref {
        match self {
            Emblem::Png(id, _, _) | Emblem::Svg(id, _) => *id,
        }
    }

    /// The size of its unit square (an image) or bounding box (a form).
    fn units(&self) -> (f32, f32) {
        match self {
            Emblem::Png(..) => (1.0, 1.0),
            Emblem::Svg(_, vector) => vector.size,
        }
    }
}

/// What a page's images are drawn from.
struct Images<'a> {
    /// Each signatory's picture, if any.
    signatures: &'a [Option<&'a Picture>],
    /// The size of the logo's unit square or bounding box, if it has one.
    logo: Option<(f32, f32)>,
}

/// The resource name of the logo.
const LOGO: &[u8] = b"Logo";

/// Writes the logo: an image and its mask, or a form with the opacity
/// states it uses (their ids from `ids`).
pub(super) fn write_emblem(chunk: &mut Chunk, ids: &mut Ids, emblem: &Emblem) {
    match emblem {
        Emblem::Png(image_ref, mask_ref, picture) => {
            write_image(chunk, *image_ref, *mask_ref, picture);
        }
        Emblem::Svg(id, vector) => {
            let states: Vec<Ref> = vector.opacities.iter().map(|_| ids.next()).collect();
            let mut form = chunk.form_xobject(*id, &vector.content);
            form.bbox(Rect::new(0.0, 0.0, vector.size.0, vector.size.1));
            if !states.is_empty() {
                let mut resources = form.resources();
                let mut dict = resources.ext_g_states();
                for (i, state) in states.iter().enumerate() {
                    dict.pair(Name(logo::state_name(i).as_bytes()), *state);
                }
            }
            form.finish();
            for (state, opacity) in states.iter().zip(&vector.opacities) {
                chunk
                    .ext_graphics(*state)
                    .non_stroking_alpha(*opacity)
                    .stroking_alpha(*opacity);
            }
        }
    }
}

/// The resource name of signatory `index`'s image: `Im0`, `Im1` …
fn image_name(index: usize) -> String {
    format!("Im{index}")
}

/// The resource name of face `index`: `F0`, `F1` …
fn font_name(index: usize) -> String {
    format!("F{index}")
}

/// Draws one item of a page.
#[allow(clippy::too_many_arguments)]
fn draw(
    content: &mut Content,
    item: &Item,
    line: &Drawn,
    height: f32,
    fonts: &Fonts,
    embedded: &[Option<Arc<EmbeddedFont>>],
    images: &Images,
    (links, tagger): (&mut Vec<(Rect, String)>, Option<&mut Tagger>),
) {
    match item {
        Item::Text(text) => {
            let drawn = (links, tagger);
            draw_line(content, text, line, height, fonts, embedded, drawn);
        }
        Item::Rule([x, y, right]) => rule(content, [*x, height - y, *right, height - y]),
        Item::VRule([x, top, bottom]) => rule(content, [*x, height - top, *x, height - bottom]),
        Item::Signature(signatory, [x, y, w, h]) => {
            if let Some(picture) = images.signatures.get(*signatory).copied().flatten() {
                // Fit the image in its box, keeping its proportions.
                let scale = (w / picture.width as f32).min(h / picture.height as f32);
                let (iw, ih) = (picture.width as f32 * scale, picture.height as f32 * scale);
                content.save_state();
                content.transform([iw, 0.0, 0.0, ih, *x, height - y - ih]);
                content.x_object(Name(image_name(*signatory).as_bytes()));
                content.restore_state();
            }
        }
        Item::Logo {
            rect: [x, y, w, h], ..
        } => {
            if let Some((uw, uh)) = images.logo {
                content.save_state();
                content.transform([w / uw, 0.0, 0.0, h / uh, *x, height - y - h]);
                content.x_object(Name(LOGO));
                content.restore_state();
            }
        }
    }
}

/// Draws a thin grey rule between two points, in PDF space (from the foot).
fn rule(content: &mut Content, [x1, y1, x2, y2]: [f32; 4]) {
    content.save_state();
    content.set_stroke_gray(0.55).set_line_width(0.5);
    content.move_to(x1, y1).line_to(x2, y2).stroke();
    content.restore_state();
}

/// Draws one line, its segments left to right. Each stretch of segments
/// in one face, size and colour is one TJ: glyph strings, with kerning,
/// mark offsets and stretched spaces as adjustments. Note references are
/// set small on a raised baseline. With a `tagger`, a line with a label,
/// a link or another language's words is marked piece by piece.
fn draw_line(
    content: &mut Content,
    text: &TextLine,
    line: &Drawn,
    height: f32,
    fonts: &Fonts,
    embedded: &[Option<Arc<EmbeddedFont>>],
    (links, mut tagger): (&mut Vec<(Rect, String)>, Option<&mut Tagger>),
) {
    let (pieces, segments) = (&text.line.pieces, &line.segments);
    let Some(first) = segments.first() else {
        return;
    };
    content.begin_text();
    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, text.x + first.x, height - text.y]);
    let mut shown = Shown::default();
    let mut current: Option<(usize, bool)> = None;
    let mut risen = false;
    let mut linked = false;
    let mut linked_before = false;
    let mut pen = first.x;
    for segment in segments {
        let piece = &pieces[segment.piece];
        let (link, raised) = (piece.link.is_some(), piece.note.is_some());
        let size = piece.size(text.size);
        let face = &fonts.faces()[segment.face];
        let map = &embedded[segment.face]
            .as_ref()
            .expect("every face shown is embedded")
            .map;
        if current != Some((segment.face, raised)) {
            shown.flush(content);
            content.set_font(Name(font_name(segment.face).as_bytes()), size);
            current = Some((segment.face, raised));
        }
        let rise = if raised { RAISE * text.size } else { 0.0 };
        if raised != risen {
            shown.flush(content);
            content.set_rise(rise);
            risen = raised;
        }
        if link != linked {
            shown.flush(content);
            linked = link;
            let [r, g, b] = if linked { LINK } else { [0.0; 3] };
            content.set_fill_rgb(r, g, b);
        }
        if segment.first {
            shown.space(face, map, size, segment.x - pen);
        } else if (segment.x - pen).abs() > 0.001 {
            shown.adjust(-(segment.x - pen) * 1000.0 / size);
        }
        // The space before a piece is the text's before it.
        if let Some(tagger) = tagger.as_deref_mut().filter(|t| t.is_new(piece)) {
            shown.flush(content);
            tagger.piece(content, piece);
        }
        // Characters the font has no glyph for show as .notdef, and some
        // glyphs stand for no character or several: their text still
        // extracts, from an ActualText span
        // (the space before it not in the span, or it would be lost).
        // Right-to-left text is left to the extraction's own reordering.
        let glyphs = line.glyphs(segment);
        let missing = glyphs.iter().any(|g| g.id == 0) || is_given_apart(segment, glyphs);
        if missing {
            shown.flush(content);
            content
                .begin_marked_content_with_properties(Name(b"Span"))
                .properties()
                .actual_text(TextStr(segment.text));
        }
        let scale = 1000.0 / face.units_per_em;
        for glyph in glyphs {
            // Left to right, a mark is drawn where its own width puts it
            // (fonts draw marks over the letter before them): moved by its
            // offset, it would read as a gap, a space, to text extraction.
            let (dx, dy) = match segment.rtl {
                true => glyph.offset,
                false => (0, glyph.offset.1),
            };
            if dx != 0 {
                shown.adjust(-(dx as f32) * scale);
            }
            let id = map[usize::from(glyph.id)].to_be_bytes();
            if dy != 0 {
                // A mark above or below its letter: shown alone on a
                // baseline moved for it.
                shown.flush(content);
                content.set_rise(rise + dy as f32 / face.units_per_em * size);
                shown.glyph(id);
                shown.flush(content);
                content.set_rise(rise);
            } else {
                shown.glyph(id);
            }
            if glyph.kern != dx {
                shown.adjust(-((glyph.kern - dx) as f32) * scale);
            }
        }
        if missing {
            shown.flush(content);
            content.end_marked_content();
        }
        pen = segment.x + segment.width;
        if let Some(uri) = &piece.link {
            let (x1, y1) = (text.x + segment.x, height - text.y - size * 0.25);
            let rect = Rect::new(x1, y1, text.x + pen, y1 + size * 1.1);
            // The words of one link on one line make one annotation.
            match links.last_mut() {
                Some((last, last_uri)) if linked_before && last_uri == uri => {
                    last.x2 = last.x2.max(rect.x2)
                }
                _ => links.push((rect, uri.clone())),
            }
        }
        linked_before = piece.link.is_some();
    }
    shown.flush(content);
    if let Some(tagger) = tagger {
        tagger.end_line(content);
    }
    if linked {
        content.set_fill_rgb(0.0, 0.0, 0.0);
    }
    // The rise outlasts the text object.
    if risen {
        content.set_rise(0.0);
    }
    content.end_text();
}

/// True where the glyphs of left-to-right `segment` do not stand one for
/// one for its characters: a ligature, a character shaping hides (a
/// joiner). Extraction would lose or
/// misplace them.
fn is_given_apart(segment: &Segment, glyphs: &[Glyph]) -> bool {
    if segment.rtl {
        return false;
    }
    let mut clusters = 0;
    let mut last = None;
    for glyph in glyphs {
        if last != Some(glyph.cluster) {
            clusters += 1;
            last = Some(glyph.cluster);
        }
    }
    let mut chars = 0;
    for c in segment.text.chars() {
        if is_ignorable(c) {
            return true;
        }
        chars += 1;
    }
    clusters != chars
}

/// A TJ being gathered: glyph strings and adjustments, written when the
/// font, rise or colour changes.
#[derive(Default)]
struct Shown {
    /// The glyph ids of every string, one after another.
    bytes: Vec<u8>,
    /// Each adjustment with where in `bytes` it comes.
    adjustments: Vec<(usize, f32)>,
}

impl Shown {
    fn glyph(&mut self, id: [u8; 2]) {
        self.bytes.extend(id);
    }

    /// Ends the glyph string so far and moves the pen back by `amount`
    /// thousandths of an em (rounded to hundredths: far below what shows).
    fn adjust(&mut self, amount: f32) {
        let amount = (amount * 100.0).round() / 100.0;
        if amount != 0.0 {
            self.adjustments.push((self.bytes.len(), amount));
        }
    }

    /// The gap before a word: a real space glyph, for text extraction,
    /// stretched (or shrunk) to the gap's width.
    fn space(&mut self, face: &Face, map: &[u16], size: f32, gap: f32) {
        if gap > 0.01 {
            let (id, advance) = face.glyph(' ');
            let space_width = f32::from(advance) / face.units_per_em * size;
            self.glyph(map[usize::from(id)].to_be_bytes());
            self.adjust(-(gap - space_width) * 1000.0 / size);
        } else if gap < -0.01 {
            self.adjust(-gap * 1000.0 / size);
        }
    }

    /// Writes what was gathered as one TJ.
    fn flush(&mut self, content: &mut Content) {
        if self.adjustments.is_empty() && self.bytes.is_empty() {
            return;
        }
        let mut shown = content.show_positioned();
        let mut items = shown.items();
        let mut start = 0;
        for &(end, amount) in &self.adjustments {
            if end > start {
                items.show(Str(&self.bytes[start..end]));
            }
            items.adjust(amount);
            start = end;
        }
        if self.bytes.len() > start {
            items.show(Str(&self.bytes[start..]));
        }
        self.bytes.clear();
        self.adjustments.clear();
    }
}

/// The characters to embed: exactly those shown, or (for batches) those
/// plus every printable ASCII character and the dashes, quotes and no-break
/// space typography prints, and the basic Cyrillic alphabets
/// when any Cyrillic is shown, so that letters to different people share
/// one subset.
fn quantise(set: &mut CharSet, subset: Subset) -> Vec<char> {
    if subset == Subset::Shared {
        // What typography prints in every language, too.
        (' '..='~')
            .chain("\u{a0}–—‘’“”".chars())
            .for_each(|c| set.insert(c));
        let cyrillic = set
            .chars()
            .iter()
            .any(|c| ('\u{400}'..='\u{4FF}').contains(c));
        if cyrillic {
            ('А'..='я')
                .chain("ЁёІіЎўЄєЇїҐґ«»–—„“”№".chars())
                .for_each(|c| set.insert(c));
        }
    }
    set.chars()
}

/// The embedded form of `face` for `chars`, made once for a cache.
fn embed(
    memo: &FontMemo,
    face: &Face,
    chars: Vec<char>,
    shaped: Vec<(u16, String)>,
) -> Result<Arc<EmbeddedFont>, Error> {
    let key = (face.id, chars, shaped);
    let hash = hash(&key);
    if let Some(font) = lock(memo).get(hash, |known| *known == key) {
        return Ok(font);
    }
    let font = Arc::new(make_font(face, &key.1, &key.2)?);
    let bytes = key.1.len() * size_of::<char>()
        + key.2.iter().map(|(_, text)| 2 + text.len()).sum::<usize>()
        + font.base_font.len()
        + font.map.len() * size_of::<u16>()
        + font.widths.len() * size_of::<f32>()
        + font.program.len()
        + font.to_unicode.len();
    lock(memo).insert(hash, key, font.clone(), bytes);
    Ok(font)
}

fn make_font(face: &Face, chars: &[char], shaped: &[(u16, String)]) -> Result<EmbeddedFont, Error> {
    // Glyphs in id order; a glyph shared by several characters stands for the first.
    let mut glyphs: BTreeMap<u16, String> = BTreeMap::new();
    for &c in chars {
        glyphs
            .entry(face.glyph(c).0)
            .or_insert_with(|| c.to_string());
    }
    for (id, text) in shaped {
        glyphs.entry(*id).or_insert_with(|| text.clone());
    }
    let ids: Vec<u16> = glyphs.keys().copied().collect();
    let remapper = GlyphRemapper::new_from_glyphs_sorted(&ids);
    let subset = subsetter::subset(face.data, 0, &remapper).map_err(|e| {
        Error::from(Diagnostic::new(
            "font",
            format!("cannot subset font {}: {e}", face.name),
        ))
    })?;
    let mut map = vec![u16::MAX; usize::from(face.ttf().number_of_glyphs())];
    let mut widths = vec![0.0; usize::from(remapper.num_gids())];
    let scale = 1000.0 / face.units_per_em;
    for old in remapper.remapped_gids() {
        let new = remapper.get(old).expect("remapped");
        map[usize::from(old)] = new;
        let advance = face
            .ttf()
            .glyph_hor_advance(ttf_parser::GlyphId(old))
            .unwrap_or(0);
        // Whole thousandths: shorter, and within the unit PDF/A allows.
        widths[usize::from(new)] = (f32::from(advance) * scale).round();
    }
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"UCS"),
        supplement: 0,
    };
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), info);
    for (old, text) in &glyphs {
        if *old != 0 && !text.is_empty() {
            cmap.pair_with_multiple(map[usize::from(*old)], text.chars());
        }
    }
    // A subset tag from the characters it holds: six capitals.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (chars, shaped).hash(&mut hasher);
    let mut tag = Hasher::finish(&hasher);
    let prefix: String = (0..6)
        .map(|_| {
            let c = (b'A' + (tag % 26) as u8) as char;
            tag /= 26;
            c
        })
        .collect();
    Ok(EmbeddedFont {
        base_font: format!("{prefix}+{}", face.name),
        map,
        widths,
        program: compress(&dehint(&subset), SHARED),
        to_unicode: compress(&cmap.finish(), SHARED),
    })
}

/// Writes an embedded face as a Type 0 font over a CID font.
pub(super) fn write_font(
    pdf: &mut Chunk,
    ids: &mut Ids,
    font: Ref,
    face: &Face,
    embedded: &EmbeddedFont,
) {
    let (cid, descriptor, file, cmap) = (ids.next(), ids.next(), ids.next(), ids.next());
    let base = Name(embedded.base_font.as_bytes());
    let scale = 1000.0 / face.units_per_em;
    pdf.type0_font(font)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    // CFF outlines (OpenType `OTTO`) are a CIDFontType0 over the OpenType
    // file; the subsetter makes their CIDs the new glyph ids.
    let cff = face.ttf().tables().cff.is_some();
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(match cff {
            true => CidFontType::Type0,
            false => CidFontType::Type2,
        })
        .base_font(base)
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        })
        .font_descriptor(descriptor)
        .default_width(0.0);
    if !cff {
        cid_font.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    cid_font
        .widths()
        .consecutive(0, embedded.widths.iter().copied());
    cid_font.finish();

    let ttf = face.ttf();
    let bbox = ttf.global_bounding_box();
    let italic = ttf.italic_angle();
    let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
    if italic != 0.0 {
        flags |= FontFlags::ITALIC;
    }
    let mut descriptor = pdf.font_descriptor(descriptor);
    descriptor
        .name(base)
        .flags(flags)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(italic)
        .ascent(f32::from(ttf.ascender()) * scale)
        .descent(f32::from(ttf.descender()) * scale)
        .cap_height(f32::from(ttf.capital_height().unwrap_or(ttf.ascender())) * scale)
        .stem_v(80.0);
    match cff {
        true => descriptor.font_file3(file),
        false => descriptor.font_file2(file),
    };
    descriptor.finish();
    let mut program = pdf.stream(file, &embedded.program);
    program.filter(Filter::FlateDecode);
    if cff {
        program.pair(Name(b"Subtype"), Name(b"OpenType"));
    }
    program.finish();
    pdf.stream(cmap, &embedded.to_unicode)
        .filter(Filter::FlateDecode);
}

/// Deflate level for what each letter has of its own: page contents.
const CONTENT: u8 = 1;
/// Deflate level for what is made once and shared by letters: fonts (per
/// process) and signature images (per thread).
pub(super) const SHARED: u8 = 9;

/// Deflates page content at level [`CONTENT`], or takes the result for
/// equal content deflated before with the same memo: in a batch, the pages
/// after the first are mostly the same in every letter.
pub(super) fn compress_once(memo: &ContentMemo, content: &[u8]) -> Arc<Vec<u8>> {
    let hash = hash(&content);
    if let Some(deflated) = lock(memo).get(hash, |raw| raw == content) {
        return deflated;
    }
    let deflated = Arc::new(compress(content, CONTENT));
    let bytes = content.len() + deflated.len();
    lock(memo).insert(hash, content.to_vec(), deflated.clone(), bytes);
    deflated
}

/// Deflates a stream (zlib format) at `level`, reusing one compressor per
/// thread: its tables are large, and clearing them is cheaper than
/// allocating them anew.
pub(super) fn compress(mut input: &[u8], level: u8) -> Vec<u8> {
    use miniz_oxide::DataFormat;
    use miniz_oxide::deflate::core::{CompressorOxide, TDEFLFlush, TDEFLStatus, compress};
    thread_local! {
        static COMPRESSOR: RefCell<Box<CompressorOxide>> = RefCell::new(Box::default());
    }
    COMPRESSOR.with_borrow_mut(|compressor| {
        compressor.reset();
        compressor.set_format_and_level(DataFormat::Zlib, level);
        let mut output = vec![0; (input.len() / 2).max(64)];
        let mut written = 0;
        loop {
            let (status, read, wrote) = compress(
                compressor,
                input,
                &mut output[written..],
                TDEFLFlush::Finish,
            );
            written += wrote;
            match status {
                TDEFLStatus::Done => {
                    output.truncate(written);
                    return output;
                }
                TDEFLStatus::Okay => {
                    input = &input[read..];
                    if output.len() - written < 64 {
                        output.resize(output.len() * 2, 0);
                    }
                }
                status => unreachable!("deflate into memory cannot fail: {status:?}"),
            }
        }
    })
}

/// A signature image as embedded: 8-bit RGB and alpha planes, deflated.
#[derive(PartialEq)]
pub(super) struct Picture {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    alpha: Vec<u8>,
}

/// A picture, or why the file has none.
pub(super) type Decoded = Result<Arc<Picture>, String>;

/// The picture of a PNG file, decoded and deflated once for a memo: every
/// letter of a batch carries the same signature.
fn picture(memo: &PictureMemo, png: &[u8]) -> Result<Arc<Picture>, Error> {
    let hash = hash(&png);
    let found = lock(memo).get(hash, |known| known == png);
    let decoded = match found {
        Some(decoded) => decoded,
        None => {
            let decoded = decode_png(png).map(Arc::new);
            let bytes = png.len()
                + decoded
                    .as_ref()
                    .map_or(0, |picture| picture.rgb.len() + picture.alpha.len());
            lock(memo).insert(hash, png.to_vec(), decoded.clone(), bytes);
            decoded
        }
    };
    decoded.map_err(|problem| {
        Error::from(Diagnostic::new(
            "bad-signature-image",
            format!("cannot read signature image: {problem}"),
        ))
    })
}

fn decode_png(data: &[u8]) -> Result<Picture, String> {
    let invalid = |e: &dyn std::fmt::Display| e.to_string();
    let mut decoder = png::Decoder::new(std::io::Cursor::new(data));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| invalid(&e))?;
    let mut buffer = vec![
        0;
        reader
            .output_buffer_size()
            .ok_or_else(|| invalid(&"image too large"))?
    ];
    let frame = reader.next_frame(&mut buffer).map_err(|e| invalid(&e))?;
    let pixels = &buffer[..frame.buffer_size()];
    let (width, height) = (frame.width, frame.height);
    let count = (width * height) as usize;
    let mut rgb = Vec::with_capacity(count * 3);
    let mut alpha = Vec::with_capacity(count);
    match frame.color_type {
        png::ColorType::Rgba => pixels.chunks_exact(4).for_each(|p| {
            rgb.extend_from_slice(&p[..3]);
            alpha.push(p[3]);
        }),
        png::ColorType::Rgb => pixels.chunks_exact(3).for_each(|p| {
            rgb.extend_from_slice(p);
            alpha.push(255);
        }),
        png::ColorType::GrayscaleAlpha => pixels.chunks_exact(2).for_each(|p| {
            rgb.extend_from_slice(&[p[0]; 3]);
            alpha.push(p[1]);
        }),
        png::ColorType::Grayscale => pixels.iter().for_each(|&p| {
            rgb.extend_from_slice(&[p; 3]);
            alpha.push(255);
        }),
        png::ColorType::Indexed => return Err(invalid(&"indexed colours were not expanded")),
    }
    Ok(Picture {
        width,
        height,
        rgb: compress(&rgb, SHARED),
        alpha: compress(&alpha, SHARED),
    })
}

#[cfg(test)]
mod tests {
    use lopdf::content::Content as Decoded;
    use lopdf::{Document, Object};

    use crate::letter::Block;
    use crate::render::PdfOptions;
    use crate::render::pdf::layout::tests::{letter, note, reference, run};

    #[test]
    fn note_addresses_are_links_on_every_line_and_references_are_raised() {
        let url = format!("https://example.org/{}", "report/".repeat(30));
        let mut letter = letter(vec![Block::Paragraph(vec![
            run("An outcome."),
            reference(1),
            run(","),
            reference(2),
        ])]);
        letter.notes = vec![note(1, 1, &url), note(2, 0, "https://example.org/2")];
        let bytes = crate::render::pdf::pdf(&letter, &PdfOptions::default()).unwrap();
        let document = Document::load_mem(&bytes).unwrap();
        let uris: Vec<&[u8]> = (document.objects.values())
            .filter_map(|object| object.as_dict().ok()?.get(b"A").ok()?.as_dict().ok())
            .map(|action| action.get(b"URI").unwrap().as_str().unwrap())
            .collect();
        // The long address runs over lines: an annotation on each.
        assert!(uris.iter().filter(|uri| **uri == url.as_bytes()).count() >= 2);
        assert!(uris.contains(&&b"https://example.org/2"[..]));

        let page = document.page_iter().next().unwrap();
        let content = Decoded::decode(&document.get_page_content(page)).unwrap();
        let number = |object: &Object| object.as_float().unwrap();
        let rises: Vec<f32> = (content.operations.iter())
            .filter(|op| op.operator == "Ts")
            .map(|op| number(&op.operands[0]))
            .collect();
        // Raised a third of the body's em, then back, once: "1,2" is one stretch.
        assert_eq!(rises.len(), 2, "{rises:?}");
        assert!((rises[0] - 11.0 * 0.33).abs() < 0.01 && rises[1] == 0.0);
        let sizes: Vec<f32> = (content.operations.iter())
            .filter(|op| op.operator == "Tf")
            .map(|op| number(&op.operands[1]))
            .collect();
        assert!(
            sizes.iter().any(|size| (size - 6.6).abs() < 0.01),
            "{sizes:?}"
        );
    }
}
