//! DOCX backend: the letter as an editable Word document, for a legal team
//! that edits the draft in Word or LibreOffice before it is signed.
//!
//! Every part of the letter has a named paragraph or character style
//! (`Letterhead`, `Recipient`, `Subject`, `Body Text`, `Quote`, `Signatory`,
//! …), so that restyling one restyles it everywhere; the page size and
//! margins are the PDF's; the letter's language is set on the text, so that
//! the word processor checks the spelling in it. Notes are footnotes.

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Footnote, Header, Hyperlink, HyperlinkData,
    HyperlinkType, IndentLevel, Level, LevelJc, LevelOverride, LevelText, LineSpacing,
    LineSpacingType, NumPages, NumberFormat, Numbering, NumberingId, PageMargin, PageNum,
    Paragraph, Pic, Run, RunFonts, SpecialIndentType, Start, Style, StyleType, Tab, TabValueType,
    Table, TableCell, TableRow, VertAlignType,
};

use super::Backend;
use super::pdf::Paper;
use crate::error::{Diagnostic, Error};
use crate::lang::Language;
use crate::letter::{Annex, Block, Letter, Listed, Run as TextRun, Signature, SignatureLayout};
use crate::script::mark_languages;

/// Options of the DOCX backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocxOptions {
    /// Paper size; the margins are the PDF's.
    pub paper: Paper,
}

impl Backend for DocxOptions {
    fn extension(&self) -> &'static str {
        "docx"
    }

    fn render(&self, letter: &Letter) -> Result<Vec<u8>, Error> {
        docx(letter, self)
    }
}

/// Twentieths of a point (twips) in a millimetre.
const TWIPS_PER_MM: f32 = 1440.0 / 25.4;

/// The PDF's margins (render/pdf/layout.rs), in millimetres: left, right,
/// top, bottom.
const MARGINS_MM: [f32; 4] = [25.0, 20.0, 18.0, 22.0];

/// The PDF's sizes, in half points: body, small print (letterhead details,
/// notes).
const BODY: usize = 22;
const SMALL: usize = 17;

/// The PDF's leading of body text, in twips (14 pt).
const LEADING: i32 = 280;

/// Space after a paragraph, in twips (6 pt, as the PDF).
const PARAGRAPH: u32 = 120;

/// Indent of quotes and lists, in twips (6 mm, as the PDF).
const INDENT: i32 = 340;

/// Height of the signature image, in millimetres (as the PDF).
const SIGNATURE_MM: f32 = 13.0;

/// Metric twin of the PDF's Liberation Serif, found in every Word; LibreOffice
/// maps it back to Liberation Serif.
const FONT: &str = "Times New Roman";

/// The numbering definitions: bullets, and numbers (each numbered list
/// restarts through an override). Past docx-rs's own default numbering (1).
const BULLETS: usize = 10;
const NUMBERS: usize = 11;

/// Renders a letter as a Word document (Office Open XML, `.docx`).
///
/// ```
/// use appeal::render::{DocxOptions, docx};
///
/// let appeal = appeal::Appeal::open(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/examples/ilo-belarus-2021/appeal.toml"
/// ))?;
/// let letters = appeal::Engine::builtin().letters(&appeal)?;
/// let bytes = docx(&letters[0], &DocxOptions::default())?;
/// assert!(bytes.starts_with(b"PK")); // a zip archive
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn docx(letter: &Letter, options: &DocxOptions) -> Result<Vec<u8>, Error> {
    let (width, height) = options.paper.size();
    let mut document = Document {
        docx: styled(Docx::new()),
        text_width: ((width / 72.0 * 25.4 - MARGINS_MM[0] - MARGINS_MM[1]) * TWIPS_PER_MM) as usize,
        lists: 0,
        links: 0,
        cited: Vec::new(),
        letter,
    };
    document.frame_top();
    for block in &letter.body {
        document.block(block, 0, false);
    }
    document.frame_bottom()?;
    if let Some(annex) = &letter.annex {
        document.annex(annex);
    }

    let twips = |points: f32| (points * 20.0).round() as u32;
    let margin = |mm: f32| (mm * TWIPS_PER_MM).round() as i32;
    let [left, right, top, bottom] = MARGINS_MM.map(margin);
    let head = format!("{} · {}", letter.running_head, letter.place_date);
    let (before, after) = letter.labels.page.split_once("{page}").unwrap_or(("", ""));
    let (between, end) = after.split_once("{pages}").unwrap_or((after, ""));
    let running = Paragraph::new()
        .style("RunningHead")
        .add_run(Run::new().add_text(format!("{head} · {before}")))
        .add_page_num(PageNum::new())
        .add_run(Run::new().add_text(between))
        .add_num_pages(NumPages::new())
        .add_run(Run::new().add_text(end));
    let date = format!("{}T00:00:00Z", letter.date);
    let docx = document
        .docx
        .page_size(twips(width), twips(height))
        .page_margin(
            PageMargin::new()
                .top(top)
                .bottom(bottom)
                .left(left)
                .right(right)
                .header(margin(10.0))
                .footer(margin(10.0)),
        )
        // The first page has the letterhead; the others a running head.
        .first_header(Header::new())
        .header(Header::new().add_paragraph(running))
        .created_at(&date)
        .updated_at(&date);

    let mut xml = docx.build();
    xml.styles = with_language(&xml.styles, letter.language);
    xml.doc_props.core = with_title(&xml.doc_props.core, letter);
    xml.footnotes = with_footnote_marks(&xml.footnotes);
    for part in [&mut xml.document, &mut xml.footnotes] {
        *part = with_run_languages(part);
    }
    // Paragraph ids come from a process-wide counter: without them the same
    // letter gives the same bytes (Word needs them only for comments).
    for part in [&mut xml.document, &mut xml.footnotes]
        .into_iter()
        .chain(&mut xml.headers)
    {
        *part = without_paragraph_ids(part);
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes).map_err(zip_error)?;
    deflated(&bytes.into_inner()).map_err(zip_error)
}

fn zip_error(error: zip::result::ZipError) -> Error {
    Diagnostic::new("docx", format!("cannot write the letter as DOCX: {error}")).into()
}

/// The archive `stored` (docx-rs stores its parts uncompressed) with every
/// part deflated: a fifth of the size, as word processors write it.
fn deflated(stored: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(stored))?;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut buffer = Vec::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        let name = part.name().to_owned();
        if part.is_dir() {
            writer.add_directory(name, options)?;
            continue;
        }
        buffer.clear();
        part.read_to_end(&mut buffer)?;
        writer.start_file(name, options)?;
        writer.write_all(&buffer)?;
    }
    Ok(writer.finish()?.into_inner())
}

/// Who signs: the one place that reads the letter's signatories.
fn signatories(letter: &Letter) -> impl Iterator<Item = &Signature> {
    letter.signatories.iter()
}

/// A letter's document under construction.
struct Document<'a> {
    docx: Docx,
    /// Numbered lists so far (each its own numbering instance).
    lists: usize,
    /// Links so far, for their relationship ids.
    links: usize,
    /// Notes already given as footnotes; a later reference repeats the number.
    cited: Vec<usize>,
    letter: &'a Letter,
    /// Between the margins, in twips: where a name set right ends.
    text_width: usize,
}

impl Document<'_> {
    fn add(&mut self, paragraph: Paragraph) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_paragraph(paragraph);
    }

    /// Lines as paragraphs of `style`, the last one keeping its space after.
    fn lines<'s>(&mut self, style: &str, lines: impl IntoIterator<Item = &'s String>) {
        for line in lines {
            self.add(Paragraph::new().style(style).add_run(text(line)));
        }
    }

    fn frame_top(&mut self) {
        let letter = self.letter;
        let head = &letter.letterhead;
        self.lines("Letterhead", [&head.organisation]);
        self.lines(
            "LetterheadDetails",
            head.address
                .iter()
                .chain(&head.contacts)
                .chain(&head.officers),
        );
        // The recipient block apart from the letterhead, as in the PDF.
        for (i, line) in letter.recipient.iter().enumerate() {
            let mut paragraph = Paragraph::new().style("Recipient").add_run(text(line));
            if i == 0 {
                paragraph = paragraph.line_spacing(LineSpacing::new().before(PARAGRAPH * 4));
            }
            self.add(paragraph);
        }
        self.lines("Delivery", &letter.delivery);
        self.lines("PlaceDate", [&letter.place_date]);
        self.lines("Reference", &letter.reference);
        self.lines("Subject", [&letter.subject_line()]);
        self.lines("Salutation", [&letter.salutation]);
    }

    fn frame_bottom(&mut self) -> Result<(), Error> {
        let letter = self.letter;
        for listed in letter.listed().filter(|listed| listed.before_closing) {
            self.list(listed);
        }
        self.add(
            Paragraph::new()
                .style("Closing")
                .keep_next(true)
                .add_run(text(&letter.closing)),
        );
        for signatory in signatories(letter) {
            if let Some(image) = &signatory.image {
                let (width, height) = png_size(image)?;
                let height_emu = (SIGNATURE_MM * 36_000.0) as u32;
                let width_emu = (height_emu as f32 * width as f32 / height as f32) as u32;
                let picture = Pic::new_with_dimensions(image.clone(), width, height)
                    .id("rIdSignature")
                    .size(width_emu, height_emu);
                self.add(
                    Paragraph::new()
                        .style("Signature")
                        .keep_next(true)
                        .add_run(Run::new().add_image(picture)),
                );
            }
            match (&signatory.title, signatory.layout) {
                // The post at the left, the name at the right margin (ГОСТ Р 7.0.97).
                (Some(title), SignatureLayout::TitleLeftNameRight) => self.add(
                    Paragraph::new()
                        .style("Signatory")
                        .add_tab(Tab::new().val(TabValueType::Right).pos(self.text_width))
                        .add_run(text(title))
                        .add_run(Run::new().add_tab())
                        .add_run(text(&signatory.name)),
                ),
                _ => {
                    self.lines("Signatory", [&signatory.name]);
                    self.lines("SignatoryTitle", &signatory.title);
                }
            }
            self.lines("SignatoryTitle", &signatory.organisation);
        }
        for listed in letter.listed().filter(|listed| !listed.before_closing) {
            self.list(listed);
        }
        Ok(())
    }

    /// Enclosures or copies: "Label item", or the label and a bulleted list.
    fn list(&mut self, listed: Listed) {
        match listed.items {
            [] => {}
            [only] => self.lines("Enclosures", [&format!("{} {only}", listed.label)]),
            items => {
                self.lines("Enclosures", [&listed.label.to_owned()]);
                for item in items {
                    let item = Paragraph::new()
                        .style("EnclosureItem")
                        .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                        .add_run(text(item));
                    self.add(item);
                }
            }
        }
    }

    /// A body block; `depth` counts the lists and quotes it is in.
    fn block(&mut self, block: &Block, depth: usize, quoted: bool) {
        let indent = |paragraph: Paragraph, extra: usize| match extra {
            0 => paragraph,
            n => paragraph.indent(Some(INDENT * n as i32), None, None, None),
        };
        match block {
            Block::Paragraph(runs) => {
                let style = if quoted { "Quote" } else { "BodyText" };
                let paragraph = self.runs(Paragraph::new().style(style), runs);
                self.add(indent(paragraph, depth));
            }
            Block::Heading(runs) => {
                let paragraph = self.runs(Paragraph::new().style("BodyHeading"), runs);
                self.add(indent(paragraph, depth));
            }
            Block::Quote(blocks) => {
                for block in blocks {
                    self.block(block, depth + 1, true);
                }
            }
            Block::List { start, items } => {
                let numbering = match start {
                    None => BULLETS,
                    Some(start) => {
                        self.lists += 1;
                        let id = NUMBERS + self.lists;
                        let docx = std::mem::take(&mut self.docx);
                        self.docx = docx.add_numbering(
                            Numbering::new(id, NUMBERS)
                                .add_override(LevelOverride::new(0).start(*start as usize)),
                        );
                        id
                    }
                };
                let level = depth.min(8);
                for item in items {
                    for (i, block) in item.iter().enumerate() {
                        match (i, block) {
                            (0, Block::Paragraph(runs)) => {
                                let paragraph = Paragraph::new().style("ListParagraph").numbering(
                                    NumberingId::new(numbering),
                                    IndentLevel::new(level),
                                );
                                let paragraph = self.runs(paragraph, runs);
                                self.add(paragraph);
                            }
                            _ => self.block(block, depth + 1, quoted),
                        }
                    }
                }
            }
        }
    }

    /// `paragraph` with `runs`: bold, italic, links, notes, line breaks, and
    /// the language of words in another than the letter's.
    fn runs(&mut self, mut paragraph: Paragraph, runs: &[TextRun]) -> Paragraph {
        for run in mark_languages(runs).iter() {
            if run.is_break() {
                paragraph = paragraph.add_run(Run::new().add_break(BreakType::TextWrapping));
                continue;
            }
            if let Some(number) = run.note {
                paragraph = paragraph.add_run(self.note(number));
                continue;
            }
            let mut styled = text(&run.text);
            if run.bold {
                styled = styled.bold();
            }
            if run.italic {
                styled = styled.italic();
            }
            if let Some(language) = &run.language {
                styled = styled.style(&format!("{LANGUAGE_MARK}{language}"));
            }
            paragraph = match &run.link {
                Some(url) => {
                    self.links += 1;
                    let mut link = Hyperlink::new(url, HyperlinkType::External)
                        .add_run(styled.style("Hyperlink"));
                    // Ids by count, not from the crate's process-wide counter:
                    // the same letter gives the same bytes.
                    if let HyperlinkData::External { rid, .. } = &mut link.link {
                        *rid = format!("rIdLink{}", self.links);
                    }
                    paragraph.add_hyperlink(link)
                }
                None => paragraph.add_run(styled),
            };
        }
        paragraph
    }

    /// A reference to note `number`: the footnote itself the first time, its
    /// number again after that.
    fn note(&mut self, number: usize) -> Run {
        if self.cited.contains(&number) {
            return Run::new()
                .style("FootnoteReference")
                .add_text(number.to_string());
        }
        self.cited.push(number);
        let mut content = Paragraph::new()
            .style("FootnoteText")
            .add_run(
                Run::new()
                    .style("FootnoteReference")
                    .add_text(number.to_string()),
            )
            .add_run(Run::new().add_text(" "));
        if let Some(note) = self.letter.notes.iter().find(|n| n.number == number) {
            // docx-rs writes no relationships for footnotes, so a link
            // there would point nowhere: its address is its text.
            let runs: Vec<TextRun> = note
                .runs
                .iter()
                .map(|run| TextRun {
                    link: None,
                    ..run.clone()
                })
                .collect();
            content = self.runs(content, &runs);
        }
        Run::new().add_footnote_reference(Footnote {
            id: number,
            content: vec![content],
        })
    }

    /// The chronology: a table on a page of its own.
    fn annex(&mut self, annex: &Annex) {
        self.add(
            Paragraph::new()
                .style("AnnexHeading")
                .page_break_before(true)
                .add_run(text(&annex.title)),
        );
        let cell = |content: &str, bold: bool| {
            let mut paragraph = Paragraph::new().style("AnnexCell");
            for (i, line) in content.split('\n').enumerate() {
                if i > 0 {
                    paragraph = paragraph.add_run(Run::new().add_break(BreakType::TextWrapping));
                }
                let run = text(line);
                paragraph = paragraph.add_run(if bold { run.bold() } else { run });
            }
            TableCell::new().add_paragraph(paragraph)
        };
        let mut rows = vec![TableRow::new(
            annex.columns.iter().map(|c| cell(c, true)).collect(),
        )];
        rows.extend(
            annex
                .rows
                .iter()
                .map(|row| TableRow::new(row.iter().map(|c| cell(c, false)).collect())),
        );
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_table(Table::new(rows).style("AnnexTable"));
    }
}

/// A run of `text`, a line break for each `\n` in it.
fn text(text: &str) -> Run {
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

/// The width and height of a PNG, in pixels, from its header.
fn png_size(image: &[u8]) -> Result<(u32, u32), Error> {
    let header = image
        .get(16..24)
        .filter(|_| image.starts_with(b"\x89PNG\r\n\x1a\n"));
    let size = header.map(|h| {
        let number = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        (number(&h[..4]), number(&h[4..]))
    });
    match size {
        Some((width, height)) if width > 0 && height > 0 => Ok((width, height)),
        _ => Err(Diagnostic::new("bad-signature-image", "the signature image is not a PNG").into()),
    }
}

/// The document's styles: Word's defaults, and one named style per part of
/// the letter, each a user can change.
fn styled(docx: Docx) -> Docx {
    let spacing = |before: u32, after: u32| {
        LineSpacing::new()
            .before(before)
            .after(after)
            .line(LEADING)
            .line_rule(LineSpacingType::AtLeast)
    };
    let paragraph = |id: &str, name: &str| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .q_format(true)
    };
    let mut footnote_reference = Style::new("FootnoteReference", StyleType::Character)
        .name("footnote reference")
        .based_on("DefaultParagraphFont");
    footnote_reference.run_property = footnote_reference
        .run_property
        .vert_align(VertAlignType::SuperScript);
    let level = |level: usize, format: &str, text: &str| {
        Level::new(
            level,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
        .indent(
            Some(INDENT * (level as i32 + 1)),
            Some(SpecialIndentType::Hanging(INDENT)),
            None,
            None,
        )
    };
    let mut bullets = AbstractNumbering::new(BULLETS);
    let mut numbers = AbstractNumbering::new(NUMBERS);
    for i in 0..9 {
        bullets = bullets.add_level(level(i, "bullet", ["•", "–", "◦"][i % 3]));
        numbers = numbers.add_level(level(i, "decimal", &format!("%{}.", i + 1)));
    }
    docx.default_fonts(
        RunFonts::new()
            .ascii(FONT)
            .hi_ansi(FONT)
            .cs(FONT)
            .east_asia(FONT),
    )
    .default_size(BODY)
    .default_line_spacing(spacing(0, 0))
    .add_style(paragraph("Letterhead", "Letterhead").bold().size(28))
    .add_style(paragraph("LetterheadDetails", "Letterhead Details").size(SMALL))
    .add_style(paragraph("Recipient", "Recipient").line_spacing(spacing(0, 0)))
    .add_style(paragraph("Delivery", "Delivery").line_spacing(spacing(PARAGRAPH * 2, 0)))
    .add_style(paragraph("PlaceDate", "Place and Date").line_spacing(spacing(PARAGRAPH * 2, 0)))
    .add_style(paragraph("Reference", "Reference"))
    .add_style(
        paragraph("Subject", "Subject")
            .bold()
            .line_spacing(spacing(PARAGRAPH * 3, PARAGRAPH * 2)),
    )
    .add_style(paragraph("Salutation", "Salutation").line_spacing(spacing(0, PARAGRAPH)))
    .add_style(
        paragraph("BodyText", "Body Text")
            .align(AlignmentType::Both)
            .line_spacing(spacing(0, PARAGRAPH)),
    )
    .add_style(
        paragraph("BodyHeading", "Body Heading")
            .bold()
            .line_spacing(spacing(PARAGRAPH, PARAGRAPH)),
    )
    .add_style(
        paragraph("ListParagraph", "List Paragraph")
            .align(AlignmentType::Both)
            .line_spacing(spacing(0, PARAGRAPH / 2)),
    )
    .add_style(
        paragraph("Quote", "Quote")
            .align(AlignmentType::Both)
            .indent(Some(INDENT), None, Some(INDENT), None)
            .line_spacing(spacing(0, PARAGRAPH)),
    )
    .add_style(paragraph("Closing", "Closing").line_spacing(spacing(PARAGRAPH, PARAGRAPH)))
    .add_style(paragraph("Signature", "Signature Image"))
    .add_style(paragraph("Signatory", "Signatory"))
    .add_style(
        paragraph("SignatoryTitle", "Signatory Title").line_spacing(spacing(0, PARAGRAPH * 2)),
    )
    .add_style(paragraph("Enclosures", "Enclosures"))
    .add_style(paragraph("EnclosureItem", "Enclosure Item"))
    .add_style(
        paragraph("FootnoteText", "footnote text")
            .size(SMALL)
            .line_spacing(
                LineSpacing::new()
                    .line(210)
                    .line_rule(LineSpacingType::AtLeast),
            ),
    )
    .add_style(footnote_reference)
    .add_style(
        Style::new("Hyperlink", StyleType::Character)
            .name("Hyperlink")
            .based_on("DefaultParagraphFont")
            .color("0563C1")
            .underline("single"),
    )
    .add_style(paragraph("RunningHead", "Running Head").size(SMALL))
    .add_style(
        paragraph("AnnexHeading", "Annex Heading")
            .bold()
            .line_spacing(spacing(0, PARAGRAPH * 2)),
    )
    .add_style(paragraph("AnnexCell", "Annex Cell").size(SMALL))
    .add_style(Style::new("AnnexTable", StyleType::Table).name("Annex Table"))
    .add_abstract_numbering(bullets)
    .add_abstract_numbering(numbers)
    .add_numbering(Numbering::new(BULLETS, BULLETS))
    .add_numbering(Numbering::new(NUMBERS, NUMBERS))
}

/// `footnotes.xml` with each footnote's own number (the first run, styled
/// `FootnoteReference`) as Word's mark, `<w:footnoteRef/>`, which word
/// processors number themselves (docx-rs has no element for it).
fn with_footnote_marks(footnotes: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(footnotes);
    let mut out = String::with_capacity(xml.len());
    let mut rest: &str = &xml;
    while let Some(at) = rest.find("<w:footnote w:id=\"") {
        let (before, footnote) = rest.split_at(at);
        out.push_str(before);
        let id = footnote["<w:footnote w:id=\"".len()..]
            .split('"')
            .next()
            .unwrap_or_default();
        let number = format!(
            r#"<w:rStyle w:val="FootnoteReference" /></w:rPr><w:t xml:space="preserve">{id}</w:t>"#
        );
        let end = footnote
            .find("</w:footnote>")
            .map_or(footnote.len(), |e| e + 1);
        out.push_str(&footnote[..end].replacen(
            &number,
            r#"<w:rStyle w:val="FootnoteReference" /></w:rPr><w:footnoteRef />"#,
            1,
        ));
        rest = &footnote[end..];
    }
    out.push_str(rest);
    out.into_bytes()
}

/// `xml` without `w14:paraId` attributes.
fn without_paragraph_ids(xml: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(xml);
    let mut out = String::with_capacity(xml.len());
    let mut rest: &str = &xml;
    while let Some(at) = rest.find(" w14:paraId=\"") {
        out.push_str(&rest[..at]);
        let value = &rest[at + " w14:paraId=\"".len()..];
        rest = value.find('"').map_or("", |end| &value[end + 1..]);
    }
    out.push_str(rest);
    out.into_bytes()
}

/// What a run's style starts with where it marks the run's language, for
/// [`with_run_languages`] to make a `w:lang` of: docx-rs sets no language
/// on a run.
const LANGUAGE_MARK: &str = "appeal-language-";

/// `xml` with each run's language mark made its `w:lang`, last in its
/// properties as the schema orders them.
fn with_run_languages(xml: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(xml);
    let mark = format!(r#"<w:rStyle w:val="{LANGUAGE_MARK}"#);
    let mut out = String::with_capacity(xml.len());
    let mut rest: &str = &xml;
    while let Some(at) = rest.find(&mark) {
        out.push_str(&rest[..at]);
        let after = &rest[at + mark.len()..];
        let (language, after) = after.split_once('"').unwrap_or((after, ""));
        let after = after.trim_start_matches(" />").trim_start_matches("/>");
        let end = after.find("</w:rPr>").unwrap_or(after.len());
        out.push_str(&after[..end]);
        out.push_str(&format!(
            r#"<w:lang w:val="{language}" w:bidi="{language}" />"#
        ));
        rest = &after[end..];
    }
    out.push_str(rest);
    out.into_bytes()
}

/// The language tag Word checks spelling in.
fn tag(language: Language) -> &'static str {
    match language {
        Language::En => "en-GB",
        Language::Ru => "ru-RU",
        Language::Be => "be-BY",
        Language::Fr => "fr-FR",
        Language::Es => "es-ES",
    }
}

/// `styles.xml` with the letter's language on the document's default run
/// properties (docx-rs has no setter for it), so that all text is in it.
fn with_language(styles: &[u8], language: Language) -> Vec<u8> {
    let xml = String::from_utf8_lossy(styles);
    let tag = tag(language);
    let lang = format!(r#"<w:lang w:val="{tag}" w:eastAsia="{tag}" w:bidi="{tag}" />"#);
    let xml = if let Some(at) = xml.find("</w:rPr></w:rPrDefault>") {
        format!("{}{lang}{}", &xml[..at], &xml[at..])
    } else {
        xml.replacen(
            "<w:rPrDefault><w:rPr />",
            &format!("<w:rPrDefault><w:rPr>{lang}</w:rPr>"),
            1,
        )
    };
    xml.into_bytes()
}

/// The document properties with the letter's subject as title, its sender
/// as author and its language.
fn with_title(core: &[u8], letter: &Letter) -> Vec<u8> {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let author = escape(letter.author());
    let xml = String::from_utf8_lossy(core)
        .replace(
            "<dc:creator>unknown</dc:creator>",
            &format!(
                "<dc:creator>{author}</dc:creator><dc:title>{}</dc:title><dc:language>{}</dc:language>",
                escape(letter.title()),
                tag(letter.language)
            ),
        )
        .replace(
            "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
            &format!("<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"),
        );
    xml.into_bytes()
}
