//! Page layout: a [`Letter`] into pages of positioned lines.
//!
//! Page one carries the letterhead (with the logo, if any), the return
//! address and the recipient block where the window envelope of the
//! letter's [`PostalLayout`] shows them (DIN 5008 form B: from 25 mm, 62.7 to
//! 90 mm from the top), fold and punch marks at the left edge, place and date, delivery line, subject and salutation; the body follows
//! and runs onto further pages, each with a running head. Paragraphs keep at
//! least two lines at the foot and at the head of a page (no widows or
//! orphans); the closing and signature stay together with the end of the body,
//! at least three lines of it where they go to a new page. A letter that
//! overflows its page by a few lines is kept on it, its vertical spaces
//! tightened.
//! Signature blocks stand side by side, up to three to a row, a row never
//! split over a page.
//!
//! Notes go at the foot of the page of their first reference: a line that
//! refers to a note goes on the next page rather than leave its note behind.
//! Only a note longer than a page's room is cut, and continues on the next.
//! An annex table follows on pages of its own, its header row atop each.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use super::breaking::{Breaker, Line, Placed};
use super::cache::{ParagraphMemo, PdfCache};
use super::font::{FontMetrics, Style};
use crate::error::{Diagnostic, Error};
use crate::letter::{Annex, Block, Letter, Listed, Run, Signature, SignatureLayout};
use crate::postal::{Geometry, Paper};

pub(crate) const MM: f32 = 72.0 / 25.4;

/// A line of text at its place on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// Left edge, points from the left of the page.
    pub x: f32,
    /// Baseline, points from the top of the page.
    pub y: f32,
    /// Font size, points.
    pub size: f32,
    /// The words.
    pub line: Line,
    /// The element of [`Layout::nodes`] the line is part of; none for an
    /// artifact such as a running head.
    pub tag: Option<u32>,
}

/// What an element of the letter's structure is, for tagged PDF: the
/// standard structure types of PDF 1.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The subject.
    H1,
    /// A heading in the body; the annex's title.
    H2,
    /// A paragraph, or a block of the frame (letterhead, address, date line).
    P,
    /// A list.
    L,
    /// A list item.
    LI,
    /// A list item's marker, a note's number.
    Lbl,
    /// A list item's body.
    LBody,
    /// A block quote.
    BlockQuote,
    /// A note.
    Note,
    /// The annex's table.
    Table,
    /// A table row.
    TR,
    /// A header cell.
    TH,
    /// A cell.
    TD,
    /// An image, with alternative text.
    Figure,
}

/// An element of the letter's structure, in reading order among its
/// siblings.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it is.
    pub role: Role,
    /// The element it is part of; none at the top.
    pub parent: Option<u32>,
    /// Alternative text, for figures.
    pub alt: Option<String>,
    /// The signatory whose signature image this figure is.
    pub image: Option<usize>,
    /// The element it is read after, where that is not the one before it
    /// among its siblings: a note, after the paragraph that first refers to
    /// it.
    pub follows: Option<u32>,
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text.
    Text(TextLine),
    /// The signature image of the signatory with this number, in a box:
    /// left, top, width, height (points from the top left).
    Signature(usize, [f32; 4]),
    /// A horizontal rule: left, y, right.
    Rule([f32; 3]),
    /// A vertical rule: x, top, bottom.
    VRule([f32; 3]),
    /// The letterhead's logo in its box: left, top, width, height (points
    /// from the top left); `alt` is its text alternative, the organisation.
    Logo {
        /// Left, top, width, height.
        rect: [f32; 4],
        /// What the logo says: the organisation's name.
        alt: String,
        /// Its Figure element in [`Layout::nodes`].
        tag: u32,
    },
}

/// A laid-out letter.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Page width and height, points.
    pub size: (f32, f32),
    /// What each page shows.
    pub pages: Vec<Vec<Item>>,
    /// How many items at the start of each page are its running head: the
    /// rest of a page may be the same in letters to different people.
    pub heads: Vec<usize>,
    /// The elements of the letter's structure, parents before children.
    pub nodes: Vec<Node>,
}

const BODY: f32 = 11.0;
const LEADING: f32 = 14.0;
const SMALL: f32 = 8.5;
const LEFT: f32 = 25.0 * MM;
const RIGHT: f32 = 20.0 * MM;
const TOP: f32 = 18.0 * MM;
const BOTTOM: f32 = 22.0 * MM;
const PARAGRAPH: f32 = 6.0;
/// Space between two columns side by side.
const GUTTER: f32 = 6.0 * MM;
const INDENT: f32 = 6.0 * MM;
/// Nested quotes and lists indent while their text stays at least this wide.
const NARROWEST: f32 = 90.0 * MM;

/// The space between the closing and the signatory's name, for the
/// signature image or a pen.
const SIGNATURE_HEIGHT: f32 = 13.0 * MM;
/// Signature blocks side by side, at most: three columns of 49 mm on A4.
const ACROSS: usize = 3;
/// The first baseline of a page after the first, below its running head.
const PAGE_START: f32 = TOP + 14.0 + 2.0 * LEADING;
/// The top of a table on a page after the first.
const TABLE_TOP: f32 = PAGE_START - BODY;

/// Notes: their size and leading, and the space between two.
const NOTE: f32 = 8.5;
const NOTE_LEADING: f32 = 10.5;
const NOTE_GAP: f32 = 2.0;
/// From the baseline of a page's last body line to that of its first note:
/// room for the rule between, [`NOTE_RULE`] above the note.
const NOTE_HEAD: f32 = 22.0;
const NOTE_RULE: f32 = 10.0;
const NOTE_RULE_WIDTH: f32 = 50.0 * MM;

/// Table cells: size, leading, and the space between text and rules.
const CELL: f32 = 8.5;
const CELL_LEADING: f32 = 10.5;
const CELL_PAD: f32 = 3.0;

/// The size of the address text. DIN 5008 asks for at least 8 pt in the
/// address zone; 9.5 pt is the largest half point at which the built-in
/// registry's organisations (FNPR's is 81 mm at 10 pt) fit its 6 lines of
/// 80 mm. The zones of each layout are in [`crate::postal`].
pub(crate) const ADDRESS_SIZE: f32 = 9.5;
/// Liberation Serif's ascender and descender, in ems: where an address
/// starts below the top of its zone (window, envelope, label), so that no
/// letter rises above it, and where its last line ends.
pub(super) const ASCENT: f32 = 0.891;
pub(super) const DESCENT: f32 = 0.216;
/// From the top of the zone to the first baseline, and below the last.
const ADDRESS_ASCENT: f32 = ASCENT * ADDRESS_SIZE;
const ADDRESS_DESCENT: f32 = DESCENT * ADDRESS_SIZE;
/// The return address, in the window and on the envelope: its size.
pub(super) const RETURN_SIZE: f32 = 7.0;
/// From the return-address line's baseline to the top of the address zone
/// (its underline between).
const RETURN_GAP: f32 = 3.5;
/// Where fold and punch marks start at the left edge, and their lengths.
const MARK_LEFT: f32 = 3.5 * MM;
const FOLD_MARK: f32 = 5.0 * MM;
const PUNCH_MARK: f32 = 8.0 * MM;
/// The logo's height in the letterhead, and its widest.
const LOGO_HEIGHT: f32 = 18.0 * MM;
const LOGO_WIDTH: f32 = 60.0 * MM;

/// One line of a recipient block as set in the envelope window: broken at
/// spaces (not hyphenated) to the window's width.
pub(crate) fn address_lines(metrics: &dyn FontMetrics, text: &str, width_mm: f32) -> Vec<Line> {
    ragged_lines(metrics, text, ADDRESS_SIZE, width_mm * MM)
}

/// `text` in the regular face at `size`, broken at spaces (not hyphenated)
/// to `width`: an address line, on a letter, an envelope or a label. Set
/// flush left whatever its script, as the frame is: an address block reads
/// as one, and a Hebrew name over an English title would otherwise start
/// at the right, its title at the left.
pub(crate) fn ragged_lines(
    metrics: &dyn FontMetrics,
    text: &str,
    size: f32,
    width: f32,
) -> Vec<Line> {
    let breaker = Breaker {
        metrics,
        size,
        width,
        justify: false,
        language: None,
        memo: None,
    };
    breaker.lines(&[styled(text, Style::Regular)])
}

/// Lays a letter out on pages of `paper`, taking paragraphs broken before
/// from `cache`.
///
/// Fails where the letter's layout is for other paper, where the address
/// leaves the window's address zone, and where the letterhead, recipient
/// block and date alone need more than the first page: they cannot flow
/// on, and nothing is cut off.
pub fn layout(
    letter: &Letter,
    paper: Paper,
    metrics: &dyn FontMetrics,
    cache: Option<&PdfCache>,
) -> Result<Layout, Error> {
    let size = paper.size();
    let postal = letter.layout.unwrap_or_else(|| paper.layout());
    if let Some(misfit) = postal.misfit(paper) {
        return Err(Error::invalid(vec![misfit]));
    }
    let mut page = Pager {
        metrics,
        memo: cache.map(|cache| &cache.memos().paragraphs),
        size,
        letter,
        items: Vec::new(),
        pages: Vec::new(),
        y: 0.0,
        hang: 0.0,
        notes: Vec::new(),
        printed: vec![false; letter.notes.len()],
        foot: Foot::default(),
        carry: Vec::new(),
        address_end: 0.0,
        address_pushed: false,
        nodes: RefCell::default(),
        tag: Cell::new(None),
        parent: Cell::new(None),
        note_tags: Vec::new(),
        postal: postal.geometry(),
        return_line: postal.has_return_line(),
    };
    page.first_page();
    if page.y > size.1 - BOTTOM {
        return Err(Error::invalid(vec![
            Diagnostic::new("frame-too-tall", format!(
                "the letter to {} does not fit: its letterhead, recipient block and date fill more than the first page",
                letter.recipient_id
            ))
            .hint("shorten the sender's organisation and address, the recipient's address or the place"),
        ]));
    }
    if page.address_end > page.postal.zone_bottom() * MM + 0.1 {
        // `compose` refuses an address too long for the window of the
        // layout it was given (a letter built in code, or one laid out for
        // the paper's window, gets it here); or the letterhead pushed it out.
        let (why, hint) = match page.address_pushed {
            true => (
                "the letterhead reaches into it",
                "shorten the sender's organisation or the letterhead's lines",
            ),
            false => (
                "it has too many lines",
                "shorten the recipient block, or choose a layout with a taller window",
            ),
        };
        return Err(Error::invalid(vec![
            Diagnostic::new("address-outside-window", format!(
                "the address of the letter to \"{}\" runs below the envelope window of the {postal} layout: {why}",
                letter.recipient_id
            ))
            .hint(hint),
        ]));
    }
    let (chunks, closing) = page.chunks();
    page.note_tags = (letter.notes.iter())
        .map(|_| page.open(Role::Note, None))
        .collect();
    (page.hang, page.notes) = page.note_lines();
    page.flow(chunks, closing);
    page.unreferenced_notes();
    if let Some(annex) = &letter.annex {
        page.annex(annex);
    }
    while !page.carry.is_empty() {
        page.new_page();
    }
    page.end_page();
    let heads = page.running_heads();
    Ok(Layout {
        size,
        pages: page.pages,
        heads,
        nodes: page.nodes.into_inner(),
    })
}

/// Lines that go on a page together unless they may break.
struct Chunk {
    rows: Vec<TextLine>,
    space_before: f32,
    /// May break between lines (keeping two at each side).
    breakable: bool,
    /// Must start on the same page as the next chunk.
    keep_with_next: bool,
    /// Signature images: the signatory's number, and the box (left, top,
    /// width, height) with its top from the chunk's first baseline.
    images: Vec<(usize, [f32; 4])>,
}

struct Pager<'a> {
    metrics: &'a dyn FontMetrics,
    memo: Option<&'a ParagraphMemo>,
    size: (f32, f32),
    letter: &'a Letter,
    items: Vec<Item>,
    pages: Vec<Vec<Item>>,
    /// Baseline of the last line placed, from the top.
    y: f32,
    /// How far notes' text is indented, past their numbers.
    hang: f32,
    /// Each note of the letter as lines for the foot of a page.
    notes: Vec<Vec<Line>>,
    /// Which notes are at the foot of a page (or carried to the next).
    printed: Vec<bool>,
    /// The notes at the foot of the page being filled.
    foot: Foot,
    /// What was cut from the foot of the page before: the rest of a note
    /// longer than the page's room, and the notes after it.
    carry: Vec<Part>,
    /// The foot of the recipient block's last line, from the top.
    address_end: f32,
    /// The letterhead pushed the recipient block below the window's top.
    address_pushed: bool,
    /// The elements of the letter's structure so far.
    nodes: RefCell<Vec<Node>>,
    /// The element the lines made now are part of.
    tag: Cell<Option<u32>>,
    /// The element new elements are part of.
    parent: Cell<Option<u32>>,
    /// Each note's element.
    note_tags: Vec<u32>,
    /// The window envelope's numbers, mm.
    postal: &'static Geometry,
    /// Whether the window shows a return-address line.
    return_line: bool,
}

/// The lines of one note that go at the foot of one page.
struct Part {
    number: usize,
    lines: Vec<Line>,
}

/// The notes at the foot of a page, in the order of their numbers.
#[derive(Default)]
struct Foot {
    parts: Vec<Part>,
    /// Lines of all parts.
    lines: usize,
}

/// How far above the foot of the page the body must stop for `parts`
/// notes of `lines` lines in all: from the last body line's baseline to
/// the last note's.
fn foot_height(parts: usize, lines: usize) -> f32 {
    match (parts, lines) {
        (0, _) | (_, 0) => 0.0,
        _ => (lines - 1) as f32 * NOTE_LEADING + (parts - 1) as f32 * NOTE_GAP + NOTE_HEAD,
    }
}

/// A table being laid out over pages.
struct Table {
    /// Left edges of the columns, and the right edge of the last.
    edges: Vec<f32>,
    /// The header row's cells.
    header: Vec<Vec<Line>>,
    /// Top of the table on this page.
    top: f32,
    /// Bottom of the last row placed.
    y: f32,
    /// Rows placed on this page, the header not counted.
    rows: usize,
}

/// Height of a table row of `cells`.
fn row_height(cells: &[Vec<Line>]) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    2.0 * CELL_PAD + CELL + (lines - 1) as f32 * CELL_LEADING
}

/// A run of `text` in `style`.
fn styled(text: &str, style: Style) -> Run {
    Run {
        text: text.to_owned(),
        bold: matches!(style, Style::Bold),
        italic: matches!(style, Style::Italic),
        ..Run::default()
    }
}

/// A regular piece `text` of `width` at `x`, such as a list marker or a
/// note's number, hanging before a line's text; part of the label `tag`.
fn hanging(text: String, width: f32, x: f32, tag: u32) -> Placed {
    Placed {
        text,
        style: Style::Regular,
        link: None,
        x,
        width,
        hyphen: false,
        note: None,
        language: None,
        tag: Some(tag),
    }
}

impl Pager<'_> {
    fn breaker(&self, size: f32, width: f32, justify: bool) -> Breaker<'_> {
        let language = justify.then_some(self.letter.language);
        Breaker {
            metrics: self.metrics,
            size,
            width,
            justify,
            language,
            memo: self.memo,
        }
    }

    fn text_width(&self) -> f32 {
        self.size.0 - LEFT - RIGHT
    }

    /// Lines of plain text in one style, wrapped, not justified.
    fn plain(&self, text: &str, style: Style, size: f32, width: f32) -> Vec<Line> {
        self.breaker(size, width, false)
            .lines(&[styled(text, style)])
    }

    fn put(&mut self, x: f32, y: f32, size: f32, line: Line) {
        let tag = self.tag.get();
        (self.items).push(Item::Text(TextLine {
            x,
            y,
            size,
            line,
            tag,
        }));
    }

    /// A new element of the structure, part of the element being filled
    /// (or of `alt`'s figure); its number.
    fn open(&self, role: Role, alt: Option<(Option<usize>, String)>) -> u32 {
        let mut nodes = self.nodes.borrow_mut();
        let (image, alt) = alt.unzip();
        let image = image.flatten();
        nodes.push(Node {
            role,
            parent: self.parent.get(),
            alt,
            image,
            follows: None,
        });
        nodes.len() as u32 - 1
    }

    /// Makes the lines made from now on part of a new element.
    fn leaf(&self, role: Role) {
        self.tag.set(Some(self.open(role, None)));
    }

    /// Makes the elements opened from now on part of a new element; gives
    /// the element they were part of, to go back to.
    fn enter(&self, role: Role) -> Option<u32> {
        self.parent.replace(Some(self.open(role, None)))
    }

    /// Letterhead, recipient block, place and date, delivery line.
    fn first_page(&mut self) {
        let letter = self.letter;
        let head = &letter.letterhead;
        let postal = self.postal;
        let top = postal.letterhead_top * MM;
        let right = self.size.0 - RIGHT;
        let (field_left, field_right) = (postal.field.left * MM, postal.field.right() * MM);
        // Where the window is on the right, the letterhead stays left of
        // it: logo, organisation, then address, contacts and officers, one
        // column. Else the logo and that column are at the right, beside
        // the window.
        let window_right = postal.window_right();
        let column = match window_right {
            true => (62.0 * MM).min(field_left - 4.0 * MM - LEFT),
            false => (62.0 * MM).min(right - field_right - 4.0 * MM),
        };
        let mut left_top = top;
        let mut side = top + 8.0;
        if let Some(size) = head.logo.as_ref().and_then(super::logo::size) {
            let scale = (LOGO_HEIGHT / size.1).min(LOGO_WIDTH / size.0);
            let (w, h) = (size.0 * scale, size.1 * scale);
            let x = if window_right { LEFT } else { right - w };
            let alt = head.organisation.clone();
            self.items.push(Item::Logo {
                rect: [x, top, w, h],
                tag: self.open(Role::Figure, Some((None, alt.clone()))),
                alt,
            });
            match window_right {
                true => left_top += h + 3.0 * MM,
                false => side += h + 3.0 * MM,
            }
        }
        // The organisation, top left, large and bold.
        let name_width = match window_right {
            true => field_left - 4.0 * MM - LEFT,
            false => 95.0 * MM,
        };
        let mut y = left_top + 14.0;
        self.leaf(Role::P);
        for line in self.plain(&head.organisation, Style::Bold, 15.0, name_width) {
            self.put(LEFT, y, 15.0, line);
            y += 17.0;
        }
        // Address, contacts and officers, small: top right, or under the
        // organisation.
        if window_right {
            side = y - 4.0;
        }
        let groups = [&head.address, &head.contacts, &head.officers];
        for (i, group) in groups.into_iter().enumerate() {
            if i > 0 && !group.is_empty() {
                side += 4.0;
            }
            self.leaf(Role::P);
            for text in group {
                for line in self.plain(text, Style::Regular, SMALL, column) {
                    let x = if window_right {
                        LEFT
                    } else {
                        right - line.width()
                    };
                    self.put(x, side, SMALL, line);
                    side += SMALL + 2.0;
                }
            }
        }
        // The rule under the letterhead, above the window's return-address
        // line and address; where the letterhead runs on beside the window,
        // the rule stops short of the column that does.
        let zone_top = postal.zone_top() * MM;
        let above_address = match self.return_line {
            true => RETURN_SIZE + RETURN_GAP + 2.0,
            false => 0.0,
        };
        let highest = zone_top + ADDRESS_ASCENT - LEADING - above_address;
        let bottom = if window_right { side } else { y.max(side) } - 4.0;
        let (rule, end) = match bottom {
            rule if rule <= highest => (rule, right),
            rule if window_right => (rule, field_left - 4.0 * MM),
            _ if y - 4.0 <= highest => (y - 4.0, right - column - 4.0 * MM),
            rule => (rule, right),
        };
        self.items.push(Item::Rule([LEFT, rule, end]));
        // Fold marks and the punch mark at the left edge.
        for fold in postal.folds {
            self.items
                .push(Item::Rule([MARK_LEFT, fold * MM, MARK_LEFT + FOLD_MARK]));
        }
        if let Some(punch) = postal.punch {
            self.items
                .push(Item::Rule([MARK_LEFT, punch * MM, MARK_LEFT + PUNCH_MARK]));
        }

        // The recipient, in the envelope window, on the standard's line;
        // lower only where the letterhead reaches into the address zone
        // (`layout` refuses the letter if the address then leaves it).
        let x = postal.text_left * MM;
        let standard = zone_top + ADDRESS_ASCENT;
        let mut y = match window_right {
            true => standard,
            false => standard.max(rule + LEADING + above_address),
        };
        self.address_pushed = y > standard;
        if self.return_line {
            self.leaf(Role::P);
            let width = postal.text_width * MM;
            let line = self.return_address(width);
            let baseline = y - ADDRESS_ASCENT - RETURN_GAP;
            let under = baseline + 1.5;
            self.items
                .push(Item::Rule([x, under, x + line.width().min(width)]));
            self.put(x, baseline, RETURN_SIZE, line);
        }
        self.leaf(Role::P);
        for text in &letter.recipient {
            for line in address_lines(self.metrics, text, postal.text_width) {
                self.put(x, y, ADDRESS_SIZE, line);
                y += postal.leading * MM;
            }
        }
        self.address_end = y - postal.leading * MM + ADDRESS_DESCENT;
        // Place and date below the field.
        let field_foot = (postal.field.top + postal.field.height + 10.0) * MM;
        y = y.max(field_foot).max(side) + LEADING;
        // Russian and Belarusian: the registration line and the reply line
        // under it, at the left (ГОСТ Р 7.0.97, СТБ 6.38).
        if letter.labels.registration_line {
            let lines = std::iter::once(&letter.place_date).chain(&letter.reference);
            for text in lines {
                self.leaf(Role::P);
                for line in self.plain(text, Style::Regular, BODY, self.text_width()) {
                    self.put(LEFT, y, BODY, line);
                    y += LEADING;
                }
            }
            y -= LEADING;
        } else {
            y = self.dateline(letter, y);
        }
        if let Some(delivery) = &letter.delivery {
            y += 2.0 * LEADING;
            self.leaf(Role::P);
            for line in self.plain(delivery, Style::Regular, BODY, self.text_width()) {
                self.put(LEFT, y, BODY, line);
                y += LEADING;
            }
            y -= LEADING;
        }
        self.y = y;
    }

    /// The sender's return address in one line for the window: the
    /// organisation and its address lines, " · " between; the last parts
    /// left out, and at last the organisation cut short ("…"), until it is
    /// at most `width` wide.
    fn return_address(&self, width: f32) -> Line {
        let head = &self.letter.letterhead;
        let parts: Vec<&str> = std::iter::once(head.organisation.as_str())
            .chain(head.address.iter().map(String::as_str))
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect();
        let fits = |text: &str| {
            let line = self.one_line(text);
            (line.width() <= width).then_some(line)
        };
        for count in (1..=parts.len()).rev() {
            if let Some(line) = fits(&parts[..count].join(" · ")) {
                return line;
            }
        }
        // The longest start of the name that fits with "…", found by
        // halving (a name of thousands of characters is cut in a few tries).
        let chars: Vec<char> = parts.first().copied().unwrap_or_default().chars().collect();
        let cut = |n: usize| format!("{}…", chars[..n].iter().collect::<String>().trim_end());
        let (mut fitting, mut over) = (0, chars.len() + 1);
        while over - fitting > 1 {
            let mid = (fitting + over) / 2;
            match fits(&cut(mid)) {
                Some(_) => fitting = mid,
                None => over = mid,
            }
        }
        fits(&cut(fitting)).unwrap_or_else(|| self.one_line("…"))
    }

    /// `text` as one line of the return address, however wide.
    fn one_line(&self, text: &str) -> Line {
        let breaker = self.breaker(RETURN_SIZE, 1.0e5, false);
        let lines = breaker.lines(&[styled(text, Style::Regular)]);
        lines.into_iter().next().unwrap_or_default()
    }

    /// The reference at the left, place and date at the right, side by
    /// side from `y`; each column as wide as it needs, both wrapped before
    /// they could meet. Gives the last line's baseline.
    fn dateline(&mut self, letter: &Letter, mut y: f32) -> f32 {
        let right = self.size.0 - RIGHT;
        let half = (self.text_width() - GUTTER) / 2.0;
        let mut left = y;
        if let Some(reference) = &letter.reference {
            self.leaf(Role::P);
            for line in self.plain(reference, Style::Regular, BODY, half) {
                self.put(LEFT, left, BODY, line);
                left += LEADING;
            }
        }
        let date_width = if letter.reference.is_some() {
            half
        } else {
            self.text_width()
        };
        self.leaf(Role::P);
        for line in self.plain(&letter.place_date, Style::Regular, BODY, date_width) {
            let x = right - line.width();
            self.put(x, y, BODY, line);
            y += LEADING;
        }
        y.max(left) - LEADING
    }

    /// The subject, the body and what follows it, as chunks to flow over
    /// pages; and the number of the chunk the closing starts.
    fn chunks(&self) -> (Vec<Chunk>, usize) {
        let letter = self.letter;
        let width = self.text_width();
        self.leaf(Role::H1);
        let subject = self.rows(
            self.plain(&letter.subject_line(), Style::Bold, BODY, width),
            LEFT,
        );
        let mut chunks = vec![Chunk {
            rows: subject,
            space_before: LEADING,
            breakable: true,
            keep_with_next: true,
            images: Vec::new(),
        }];
        self.leaf(Role::P);
        let salutation = self.rows(
            self.plain(&letter.salutation, Style::Regular, BODY, width),
            LEFT,
        );
        chunks.push(Chunk {
            rows: salutation,
            space_before: LEADING + PARAGRAPH,
            breakable: false,
            keep_with_next: true,
            images: Vec::new(),
        });
        for block in &letter.body {
            self.block(block, LEFT, width, &mut chunks);
        }
        for listed in letter.listed().filter(|listed| listed.before_closing) {
            self.leaf(Role::P);
            chunks.push(self.list(listed, BODY, width));
        }
        if let Some(last) = chunks.last_mut() {
            last.keep_with_next = true;
        }
        let closing_chunk = chunks.len();
        let after: Vec<Listed> = letter.listed().filter(|l| !l.before_closing).collect();
        // The closing and the first row of signature blocks: one
        // unbreakable chunk; each further row of blocks, another.
        self.leaf(Role::P);
        let closing = self.rows(
            self.plain(&letter.closing, Style::Regular, BODY, width),
            LEFT,
        );
        let top = closing.last().map_or(-LEADING, |row| row.y);
        let across = letter.signatories.len().clamp(1, ACROSS);
        let signed: Vec<(usize, &Signature)> = letter.signatories.iter().enumerate().collect();
        let last = signed.len().div_ceil(across).max(1) - 1;
        for (i, row) in signed.chunks(across).enumerate() {
            let (mut rows, images) = match i {
                0 => self.signature_row(row, across, top),
                _ => self.signature_row(row, across, -LEADING),
            };
            if i == 0 {
                rows.splice(0..0, closing.iter().cloned());
            }
            chunks.push(Chunk {
                rows,
                space_before: PARAGRAPH + 4.0,
                breakable: false,
                // Copies and enclosures never start a page of their own.
                keep_with_next: i == last && !after.is_empty(),
                images,
            });
        }
        if signed.is_empty() {
            chunks.push(Chunk {
                rows: closing,
                space_before: PARAGRAPH + 4.0,
                breakable: false,
                keep_with_next: !after.is_empty(),
                images: Vec::new(),
            });
        }
        // Copies (and enclosures, in English), small.
        for listed in after {
            self.leaf(Role::P);
            chunks.push(self.list(listed, 9.0, width));
        }
        (chunks, closing_chunk)
    }

    /// A labelled list at `size`: "Label item" where there is one item,
    /// else the label on a line of its own, then the items.
    fn list(&self, listed: Listed, size: f32, width: f32) -> Chunk {
        let mut lines = Vec::new();
        for (i, item) in listed.items.iter().enumerate() {
            let text = if listed.items.len() == 1 {
                format!("{} {item}", listed.label)
            } else if i == 0 {
                format!("{}\n{item}", listed.label)
            } else {
                item.clone()
            };
            for part in text.split('\n') {
                lines.extend(self.plain(part, Style::Regular, size, width));
            }
        }
        let rows = lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| TextLine {
                x: LEFT,
                y: i as f32 * (size + 2.0),
                size,
                line,
                tag: self.tag.get(),
            })
            .collect();
        Chunk {
            rows,
            space_before: LEADING,
            breakable: true,
            keep_with_next: false,
            images: Vec::new(),
        }
    }

    /// Rows at `x`, one leading apart, the first at 0.
    fn rows(&self, lines: Vec<Line>, x: f32) -> Vec<TextLine> {
        lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| TextLine {
                x,
                y: i as f32 * LEADING,
                size: BODY,
                line,
                tag: self.tag.get(),
            })
            .collect()
    }

    fn block(&self, block: &Block, x: f32, width: f32, chunks: &mut Vec<Chunk>) {
        match block {
            Block::Paragraph(runs) => {
                self.leaf(Role::P);
                let lines = self.breaker(BODY, width, true).paragraph(runs);
                chunks.push(Chunk {
                    rows: self.rows(lines, x),
                    space_before: PARAGRAPH,
                    breakable: true,
                    keep_with_next: false,
                    images: Vec::new(),
                });
            }
            Block::Heading(runs) => {
                let bold: Vec<Run> = runs
                    .iter()
                    .map(|r| Run {
                        bold: true,
                        ..r.clone()
                    })
                    .collect();
                self.leaf(Role::H2);
                let lines = self.breaker(BODY, width, false).paragraph(&bold);
                chunks.push(Chunk {
                    rows: self.rows(lines, x),
                    space_before: PARAGRAPH + 4.0,
                    breakable: false,
                    keep_with_next: true,
                    images: Vec::new(),
                });
            }
            Block::Quote(blocks) => {
                let indent = if width - 2.0 * INDENT >= NARROWEST {
                    INDENT
                } else {
                    0.0
                };
                let outer = self.enter(Role::BlockQuote);
                for inner in blocks {
                    self.block(inner, x + indent, width - 2.0 * indent, chunks);
                }
                self.parent.set(outer);
            }
            Block::List { start, items } => {
                // A paragraph that leads into the list ("Further cases:")
                // goes over a page break with its first item.
                if let Some(lead) = chunks.last_mut().filter(|chunk| {
                    let last = chunk.rows.last().and_then(|row| row.line.pieces.last());
                    last.is_some_and(|piece| piece.text.ends_with(':'))
                }) {
                    lead.keep_with_next = true;
                }
                // Deep in a nest, items stop indenting and markers go inline.
                let indent = if width - INDENT >= NARROWEST {
                    INDENT
                } else {
                    0.0
                };
                let list = self.enter(Role::L);
                for (i, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(start) => format!("{}.", start + i as u64),
                        None => "•".to_owned(),
                    };
                    let first = chunks.len();
                    let outer = self.enter(Role::LI);
                    let label = self.open(Role::Lbl, None);
                    self.enter(Role::LBody);
                    for (j, inner) in item.iter().enumerate() {
                        if indent == 0.0 && j == 0 {
                            self.block(&marked(inner, &marker), x, width, chunks);
                        } else {
                            self.block(inner, x + indent, width - indent, chunks);
                        }
                    }
                    self.parent.set(outer);
                    let Some(chunk) = chunks.get_mut(first) else {
                        continue;
                    };
                    if i > 0 {
                        chunk.space_before = 3.0;
                    }
                    if let Some(row) = chunk.rows.first_mut().filter(|_| indent > 0.0) {
                        // Hanging, 2 mm before this level's text; the row
                        // may start deeper, with inner markers of its own.
                        let width = self.metrics.width(Style::Regular, &marker) * BODY;
                        let at = x + (INDENT - 2.0 * MM - width).max(0.0);
                        Arc::make_mut(&mut row.line.pieces)
                            .insert(0, hanging(marker, width, at - row.x, label));
                    }
                    // A right-to-left item is mirrored: its text from the
                    // left edge, its marker hanging at the right.
                    if indent > 0.0
                        && chunks[first]
                            .rows
                            .first()
                            .is_some_and(|r| r.line.rtl.is_some())
                    {
                        for row in chunks[first..].iter_mut().flat_map(|c| &mut c.rows) {
                            row.x -= indent;
                        }
                    }
                }
                self.parent.set(list);
            }
        }
    }

    /// Places chunks from the current position, starting new pages as
    /// needed; `closing` is the number of the chunk the closing starts.
    ///
    /// Where the rest of the letter overflows its page by no more than its
    /// vertical spaces can give ([`TIGHTEST`]), they are tightened to keep
    /// it there; where it overflows by more, the closing takes the last
    /// [`BODY_WITH_CLOSING`] lines of the body with it to the next page.
    fn flow(&mut self, mut chunks: Vec<Chunk>, closing: usize) {
        let tails = keep_with_closing(&mut chunks, closing);
        let mut tightened = None;
        for i in 0..chunks.len() {
            if tightened != Some(self.pages.len()) {
                tightened = Some(self.pages.len());
                self.tighten(&mut chunks[i..]);
            }
            let chunk = &chunks[i];
            let at_top = self.items.is_empty();
            let start = if at_top {
                self.y
            } else {
                self.y + chunk.space_before + LEADING
            };
            let height = |rows: &[TextLine]| rows.last().map_or(0.0, |r| r.y);
            let whole = height(&chunk.rows);
            let follow: f32 = kept_with(&chunks, i)
                .map(|(space, rows)| space + LEADING + height(rows))
                .sum();
            let kept = kept_with(&chunks, i).flat_map(|(_, rows)| rows);
            let notes = self.growth(chunk.rows.iter().chain(kept));
            if start + whole + follow + notes <= self.bottom() || at_top {
                self.place(chunk, start);
                continue;
            }
            let n = chunk.rows.len();
            let fitting = (0..n)
                .take_while(|&k| {
                    start + chunk.rows[k].y + self.growth(&chunk.rows[..=k]) <= self.bottom()
                })
                .count();
            // Keep two lines at the foot and two (or those the closing
            // takes with it) at the head of the next page.
            let split = fitting.min(n.saturating_sub(tails[i]));
            if chunk.breakable && split >= 2 {
                let (head, tail) = chunk.rows.split_at(split);
                self.place_rows(head, start);
                self.new_page();
                let offset = tail[0].y;
                let tail: Vec<TextLine> = tail
                    .iter()
                    .map(|r| TextLine {
                        y: r.y - offset,
                        ..r.clone()
                    })
                    .collect();
                self.place_rows(&tail, self.y);
            } else {
                self.new_page();
                let y = self.y;
                self.place(chunk, y);
            }
        }
    }

    /// Tightens the spaces before `chunks`, each to no less than
    /// [`TIGHTEST`] of itself and all by the same share, where that keeps
    /// them all, with their notes, on this page and nothing less would.
    fn tighten(&self, chunks: &mut [Chunk]) {
        let at_top = self.items.is_empty();
        // The chunk at the top of a page has no space before it.
        let spaced = |k: usize| k > 0 || !at_top;
        let mut end = self.y;
        let mut give = 0.0;
        for (k, chunk) in chunks.iter().enumerate() {
            if spaced(k) {
                end += chunk.space_before + LEADING;
                give += chunk.space_before * (1.0 - TIGHTEST);
            }
            end += chunk.rows.last().map_or(0.0, |row| row.y);
        }
        let notes = self.growth(chunks.iter().flat_map(|chunk| &chunk.rows));
        // A little more than the overflow, against rounding.
        let over = end + notes - self.bottom() + 0.01;
        if over <= 0.01 || over > give {
            return;
        }
        for (k, chunk) in chunks.iter_mut().enumerate() {
            if spaced(k) {
                chunk.space_before -= chunk.space_before * (1.0 - TIGHTEST) * over / give;
            }
        }
    }

    fn place(&mut self, chunk: &Chunk, start: f32) {
        for &(signatory, [x, y, w, h]) in &chunk.images {
            self.items
                .push(Item::Signature(signatory, [x, start + y, w, h]));
        }
        self.place_rows(&chunk.rows, start);
    }

    /// One row of up to [`ACROSS`] signature blocks in as many columns,
    /// `top` the baseline of the line above them (the closing): each block
    /// the space for the signature (and its image), then name, title and
    /// organisation; rows in order of baseline, then column. A Russian or
    /// Belarusian letter's one signatory has the title left and the name
    /// right on the title's last line.
    fn signature_row(
        &self,
        blocks: &[(usize, &Signature)],
        columns: usize,
        top: f32,
    ) -> (Vec<TextLine>, Vec<(usize, [f32; 4])>) {
        let width = self.text_width();
        let column = (width - (columns - 1) as f32 * GUTTER) / columns as f32;
        let first = top + LEADING + SIGNATURE_HEIGHT;
        let image_top = top + 4.0;
        let (mut rows, mut images) = (Vec::new(), Vec::new());
        for (j, &(index, signature)) in blocks.iter().enumerate() {
            let x = LEFT + j as f32 * (column + GUTTER);
            let has_image = signature.image.is_some();
            if has_image {
                let alt = (self.letter.labels.signature).replace("{name}", &signature.name);
                self.open(Role::Figure, Some((Some(index), alt)));
            }
            self.leaf(Role::P);
            let box_width = (50.0 * MM).min(column);
            if let (SignatureLayout::TitleLeftNameRight, Some(title)) =
                (signature.layout, &signature.title)
            {
                let name_width = self.metrics.width(Style::Regular, &signature.name) * BODY;
                let room = width - name_width - 10.0 * MM;
                let shared = room >= 0.4 * width;
                let titles = self.plain(
                    title,
                    Style::Regular,
                    BODY,
                    if shared { room } else { width },
                );
                let widest = titles.iter().map(Line::width).fold(0.0, f32::max);
                let count = titles.len();
                rows.extend(self.rows(titles, x).into_iter().map(|row| TextLine {
                    y: row.y + first,
                    ..row
                }));
                let mut y = first + (count.max(1) - 1) as f32 * LEADING;
                if !shared {
                    y += LEADING;
                }
                for line in self.plain(&signature.name, Style::Regular, BODY, width) {
                    let at = LEFT + width - line.width();
                    rows.push(TextLine {
                        x: at,
                        y,
                        size: BODY,
                        line,
                        tag: self.tag.get(),
                    });
                    y += LEADING;
                }
                if has_image {
                    // Between the title and the name, over the line, as a pen signs.
                    let left = LEFT + widest + 6.0 * MM;
                    let right = LEFT + width - name_width - 4.0 * MM;
                    let fits = shared && right - left >= 20.0 * MM;
                    images.push(match fits {
                        true => (
                            index,
                            [
                                left,
                                first + (count.max(1) - 1) as f32 * LEADING - SIGNATURE_HEIGHT
                                    + 5.0,
                                (right - left).min(box_width),
                                SIGNATURE_HEIGHT - 2.0,
                            ],
                        ),
                        false => (index, [x, image_top, box_width, SIGNATURE_HEIGHT - 2.0]),
                    });
                }
                continue;
            }
            let mut lines = self.plain(&signature.name, Style::Regular, BODY, column);
            for text in signature.title.iter().chain(&signature.organisation) {
                lines.extend(self.plain(text, Style::Regular, BODY, column));
            }
            rows.extend(self.rows(lines, x).into_iter().map(|row| TextLine {
                y: row.y + first,
                ..row
            }));
            if has_image {
                images.push((index, [x, image_top, box_width, SIGNATURE_HEIGHT - 2.0]));
            }
        }
        // In order of baseline, so that the last row is the lowest.
        rows.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        (rows, images)
    }

    /// Places rows from `start`, their notes at the foot; rows that would
    /// pass the foot of the page or its notes (of a chunk taller than a
    /// page) go on the next.
    fn place_rows(&mut self, rows: &[TextLine], mut start: f32) {
        for (i, row) in rows.iter().enumerate() {
            if i > 0 && start + row.y + self.growth([row]) > self.bottom() {
                self.new_page();
                start = self.y - row.y;
            }
            let y = start + row.y;
            self.items.push(Item::Text(TextLine { y, ..row.clone() }));
            self.refer(row, y);
        }
        if let Some(last) = rows.last() {
            self.y = start + last.y;
        }
    }

    /// Closes the page being filled and opens the next, with what was cut
    /// from the foot of this one.
    fn new_page(&mut self) {
        self.end_page();
        self.y = PAGE_START;
        for part in std::mem::take(&mut self.carry) {
            self.file(part, PAGE_START);
        }
    }

    /// Closes the page being filled: its notes go at its foot, under a
    /// short rule, the last on the lowest baseline.
    fn end_page(&mut self) {
        let foot = std::mem::take(&mut self.foot);
        if foot.lines > 0 {
            let height = foot_height(foot.parts.len(), foot.lines) - NOTE_HEAD;
            let mut y = self.size.1 - BOTTOM - height;
            let rule = [LEFT, y - NOTE_RULE, LEFT + NOTE_RULE_WIDTH];
            self.items.push(Item::Rule(rule));
            let tag = self.tag.get();
            for part in foot.parts {
                let note = self
                    .letter
                    .notes
                    .iter()
                    .position(|n| n.number == part.number);
                self.tag.set(note.map(|i| self.note_tags[i]));
                for line in part.lines {
                    // A right-to-left note hangs its number at the right.
                    let x = match line.rtl {
                        Some(_) => LEFT,
                        None => LEFT + self.hang,
                    };
                    self.put(x, y, NOTE, line);
                    y += NOTE_LEADING;
                }
                y += NOTE_GAP;
            }
            self.tag.set(tag);
        }
        self.pages.push(std::mem::take(&mut self.items));
    }

    /// The lowest baseline for the body on this page: above its notes.
    fn bottom(&self) -> f32 {
        self.size.1 - BOTTOM - foot_height(self.foot.parts.len(), self.foot.lines)
    }

    /// Each note as lines for the foot of a page, its number hanging before
    /// the first as the label of its element; and how far their text is
    /// indented, past the numbers.
    fn note_lines(&self) -> (f32, Vec<Vec<Line>>) {
        let notes = &self.letter.notes;
        let width = |number: &str| self.metrics.width(Style::Regular, number) * NOTE;
        let widest = notes
            .iter()
            .map(|note| width(&note.number.to_string()))
            .fold(0.0, f32::max);
        let hang = (widest + 0.6 * NOTE).max(4.0 * MM);
        let breaker = self.breaker(NOTE, self.text_width() - hang, false);
        let lines = (notes.iter().zip(&self.note_tags))
            .map(|(note, &tag)| {
                let mut lines = breaker.paragraph(&note.runs);
                let number = note.number.to_string();
                if let Some(first) = lines.first_mut() {
                    self.parent.set(Some(tag));
                    let label = self.open(Role::Lbl, None);
                    self.parent.set(None);
                    let piece = hanging(number.clone(), width(&number), -hang, label);
                    Arc::make_mut(&mut first.pieces).insert(0, piece);
                }
                lines
            })
            .collect();
        (hang, lines)
    }

    /// The notes first referred to in `rows` and not printed yet, as
    /// indexes in `letter.notes`, in the order of their numbers.
    fn new_notes<'r>(&self, rows: impl IntoIterator<Item = &'r TextLine>) -> Vec<usize> {
        let notes = &self.letter.notes;
        let mut found: Vec<usize> = rows
            .into_iter()
            .flat_map(|row| row.line.pieces.iter())
            .filter_map(|piece| piece.note)
            .filter_map(|number| notes.iter().position(|note| note.number == number))
            .filter(|&i| !self.printed[i])
            .collect();
        found.sort_unstable_by_key(|&i| notes[i].number);
        found.dedup();
        found
    }

    /// How much higher the foot of this page must reach to hold the notes
    /// first referred to in `rows`; nothing for notes taller than a page,
    /// which no page holds whole: they start below their reference, cut.
    fn growth<'r>(&self, rows: impl IntoIterator<Item = &'r TextLine>) -> f32 {
        if self.notes.is_empty() {
            return 0.0;
        }
        let new = self.new_notes(rows);
        let lines: usize = new.iter().map(|&i| self.notes[i].len()).sum();
        if foot_height(new.len(), lines) > self.size.1 - BOTTOM - PAGE_START {
            return 0.0;
        }
        let (parts, before) = (self.foot.parts.len(), self.foot.lines);
        foot_height(parts + new.len(), before + lines) - foot_height(parts, before)
    }

    /// Puts the notes first referred to in `row`, placed at `y`, at the foot
    /// of the page.
    fn refer(&mut self, row: &TextLine, y: f32) {
        if self.notes.is_empty() {
            return;
        }
        for i in self.new_notes([row]) {
            // Read after the element that first refers to it.
            if let Some(tag) = row.tag {
                let mut nodes = self.nodes.borrow_mut();
                let parent = nodes[tag as usize].parent;
                let note = &mut nodes[self.note_tags[i] as usize];
                (note.follows, note.parent) = (Some(tag), parent);
            }
            self.print_note(i, y);
        }
    }

    /// Notes no line refers to, so that none is lost: after the others.
    fn unreferenced_notes(&mut self) {
        for i in 0..self.notes.len() {
            if !self.printed[i] {
                self.print_note(i, self.y);
            }
        }
    }

    /// Puts note `i` at the foot of the page, below a body line at `y`.
    fn print_note(&mut self, i: usize, y: f32) {
        self.printed[i] = true;
        let number = self.letter.notes[i].number;
        let lines = self.notes[i].clone();
        self.file(Part { number, lines }, y);
    }

    /// Puts `part` at the foot of the page, below a body line at `y`: as
    /// much of it as fits there, the rest at the foot of the next page.
    fn file(&mut self, mut part: Part, y: f32) {
        if !self.carry.is_empty() {
            self.carry.push(part);
            return;
        }
        let (parts, lines) = (self.foot.parts.len(), self.foot.lines);
        // The span from the foot's first baseline to its last may reach up
        // to NOTE_HEAD below `y`.
        let room = self.size.1 - BOTTOM - NOTE_HEAD - y - parts as f32 * NOTE_GAP;
        let fit = ((room / NOTE_LEADING + 1.001).floor() - lines as f32).max(0.0) as usize;
        if fit < part.lines.len() {
            let rest = part.lines.split_off(fit);
            self.carry.push(Part {
                number: part.number,
                lines: rest,
            });
        }
        if !part.lines.is_empty() {
            self.foot.lines += part.lines.len();
            let at = self.foot.parts.partition_point(|p| p.number <= part.number);
            self.foot.parts.insert(at, part);
        }
    }

    /// The annex on pages of its own: its title, then its table, the header
    /// row atop every page the table runs onto.
    fn annex(&mut self, annex: &Annex) {
        let title = self.plain(&annex.title, Style::Bold, BODY, self.text_width());
        let edges = self.column_edges(annex);
        let header = self.cells(&annex.columns, &edges, Style::Bold);
        // The table starts half a line below the title.
        let above = title.len() as f32 * LEADING - LEADING / 2.0 + BODY;
        self.table_page(above + row_height(&header) + row_height(&[]));
        self.leaf(Role::H2);
        for line in title {
            self.put(LEFT, self.y, BODY, line);
            self.y += LEADING;
        }
        let top = self.y - LEADING / 2.0;
        let outer = self.enter(Role::Table);
        let tags = self.row_tags(Role::TH, header.len());
        let mut table = Table {
            y: self.table_row(&edges, top, &header, &tags),
            edges,
            header,
            top,
            rows: 0,
        };
        for row in &annex.rows {
            let cells = self.cells(row, &table.edges, Style::Regular);
            let tags = self.row_tags(Role::TD, cells.len());
            self.add_row(&mut table, cells, &tags);
        }
        self.parent.set(outer);
        self.close_table(&table);
    }

    /// A new row of the table's structure: its cells' elements.
    fn row_tags(&self, role: Role, cells: usize) -> Vec<Option<u32>> {
        let outer = self.enter(Role::TR);
        let tags = (0..cells).map(|_| Some(self.open(role, None))).collect();
        self.parent.set(outer);
        tags
    }

    /// Column edges that fill the text width, each column in proportion to
    /// what it holds: at least its longest word (up to an equal share of
    /// the width), then as much as its average cell needs, then what is
    /// left in proportion to that.
    fn column_edges<'a>(&self, annex: &'a Annex) -> Vec<f32> {
        let count = (annex.rows.iter().map(Vec::len))
            .fold(annex.columns.len(), usize::max)
            .max(1);
        let total = self.text_width();
        let measure = |text: &str, style| self.metrics.width(style, text) * CELL;
        let pad = 2.0 * CELL_PAD;
        let (mut least, mut natural) = (vec![0.0; count], vec![0.0; count]);
        for c in 0..count {
            let head = annex.columns.get(c).map_or("", String::as_str);
            let cells = annex.rows.iter().filter_map(|row| row.get(c));
            // Words as the breaker sees them: a no-break space joins.
            let words = |text: &'a str| text.split([' ', '\n', '\t']);
            let longest = (words(head).map(|w| measure(w, Style::Bold)))
                .chain(
                    cells
                        .clone()
                        .flat_map(|cell| words(cell).map(|w| measure(w, Style::Regular))),
                )
                .fold(0.0, f32::max);
            let sum: f32 = cells.map(|cell| measure(cell, Style::Regular)).sum();
            least[c] = longest.min(total / count as f32) + pad;
            natural[c] = (sum / annex.rows.len().max(1) as f32 + pad).max(least[c]);
        }
        let spare = total - least.iter().sum::<f32>();
        let wanted: f32 = natural.iter().zip(&least).map(|(n, l)| n - l).sum();
        let widths = (0..count).map(|c| {
            if spare <= 0.0 {
                least[c] * total / (total - spare)
            } else if wanted <= spare {
                natural[c] + (spare - wanted) * natural[c] / natural.iter().sum::<f32>()
            } else {
                least[c] + spare * (natural[c] - least[c]) / wanted
            }
        });
        let mut edges = vec![LEFT];
        for width in widths {
            edges.push(edges[edges.len() - 1] + width);
        }
        edges
    }

    /// A row's cells as lines, each wrapped (and hyphenated) to its column.
    fn cells(&self, texts: &[String], edges: &[f32], style: Style) -> Vec<Vec<Line>> {
        let language = Some(self.letter.language);
        (edges.windows(2).enumerate())
            .map(|(c, edge)| {
                let width = edge[1] - edge[0] - 2.0 * CELL_PAD;
                let breaker = Breaker {
                    language,
                    ..self.breaker(CELL, width, false)
                };
                let text = texts.get(c).map_or("", String::as_str);
                breaker.paragraph(&[styled(text, style)])
            })
            .collect()
    }

    /// Adds a row to the table: whole on this page or the next, or, taller
    /// than that, as many lines as fit on each page.
    fn add_row(&mut self, table: &mut Table, mut cells: Vec<Vec<Line>>, tags: &[Option<u32>]) {
        loop {
            let room = self.bottom() - table.y;
            let height = row_height(&cells);
            if height <= room + 0.01 {
                table.y = self.table_row(&table.edges, table.y, &cells, tags);
                table.rows += 1;
                return;
            }
            let page = self.size.1 - BOTTOM - TABLE_TOP - row_height(&table.header);
            let fit = ((room - row_height(&[])) / CELL_LEADING + 1.0)
                .floor()
                .max(0.0) as usize;
            if table.rows > 0 && (height <= page || fit == 0) {
                self.next_table_page(table);
                continue;
            }
            // Below the header a line always fits, unless the header
            // fills a page: then it goes on regardless.
            let fit = fit.max(1);
            let rest = (cells.iter_mut())
                .map(|cell| cell.split_off(fit.min(cell.len())))
                .collect();
            table.y = self.table_row(&table.edges, table.y, &cells, tags);
            table.rows += 1;
            cells = rest;
            self.next_table_page(table);
        }
    }

    /// Closes the table on this page and heads it again on the next.
    fn next_table_page(&mut self, table: &mut Table) {
        self.close_table(table);
        self.table_page(row_height(&table.header) + row_height(&[]));
        table.top = TABLE_TOP;
        // The header again: an artifact, its text is the first page's.
        let artifact = vec![None; table.header.len()];
        table.y = self.table_row(&table.edges, table.top, &table.header, &artifact);
        table.rows = 0;
    }

    /// Opens a page with room for `need` below [`TABLE_TOP`]: the end of a
    /// long note carried from the page before may leave too little.
    fn table_page(&mut self, need: f32) {
        self.new_page();
        while self.bottom() - TABLE_TOP < need && self.foot.lines > 0 {
            self.new_page();
        }
    }

    /// Places a row of `cells` from `top`, each part of its element in
    /// `tags`, a rule under it; its bottom.
    fn table_row(
        &mut self,
        edges: &[f32],
        top: f32,
        cells: &[Vec<Line>],
        tags: &[Option<u32>],
    ) -> f32 {
        for ((cell, x), tag) in cells.iter().zip(edges).zip(tags) {
            self.tag.set(*tag);
            for (i, line) in cell.iter().enumerate() {
                let y = top + CELL_PAD + 0.75 * CELL + i as f32 * CELL_LEADING;
                self.put(x + CELL_PAD, y, CELL, line.clone());
            }
        }
        let bottom = top + row_height(cells);
        let right = edges[edges.len() - 1];
        self.items.push(Item::Rule([edges[0], bottom, right]));
        bottom
    }

    /// The table's rules on this page: along its top and between columns.
    fn close_table(&mut self, table: &Table) {
        let right = table.edges[table.edges.len() - 1];
        self.items
            .push(Item::Rule([table.edges[0], table.top, right]));
        for &x in &table.edges {
            self.items.push(Item::VRule([x, table.top, table.y]));
        }
    }

    /// "Recipient — date — Page 2 of 3" atop every page after the first;
    /// how many items each page's head has.
    fn running_heads(&mut self) -> Vec<usize> {
        let count = self.pages.len();
        let mut heads = vec![0; count];
        let letter = self.letter;
        let who = &letter.running_head;
        let right = self.size.0 - RIGHT;
        for number in 2..=count {
            let page_of = letter.labels.page_of(number, count);
            let mut head = Vec::new();
            let left = self.plain(who, Style::Regular, 9.0, self.text_width() * 0.6);
            if let Some(line) = left.into_iter().next() {
                head.push(Item::Text(TextLine {
                    x: LEFT,
                    y: TOP + 10.0,
                    size: 9.0,
                    line,
                    tag: None,
                }));
            }
            let text = format!("{} · {page_of}", letter.place_date);
            for line in self
                .plain(&text, Style::Regular, 9.0, self.text_width() * 0.4)
                .into_iter()
                .take(1)
            {
                let x = right - line.width();
                head.push(Item::Text(TextLine {
                    x,
                    y: TOP + 10.0,
                    size: 9.0,
                    line,
                    tag: None,
                }));
            }
            head.push(Item::Rule([LEFT, TOP + 14.0, right]));
            heads[number - 1] = head.len();
            let page = &mut self.pages[number - 1];
            head.append(page);
            *page = head;
        }
        heads
    }
}

/// The fewest lines of the body that go with the closing to a new page: a
/// page with the closing alone, or with the last line or two of the body,
/// reads as left over.
const BODY_WITH_CLOSING: usize = 3;

/// Vertical spaces (between paragraphs, before the salutation, the closing
/// and the copies) may be tightened to this share of their size to keep a
/// letter on the page it would overflow by a few lines.
const TIGHTEST: f32 = 0.5;

/// Keeps the last [`BODY_WITH_CLOSING`] lines of the body (the chunks from
/// the salutation's next to `closing`) with the closing: each chunk they
/// are in is kept with the next, whole where a split could not leave them
/// all and two above. Gives for each chunk how many lines a split must
/// leave for the next page.
fn keep_with_closing(chunks: &mut [Chunk], closing: usize) -> Vec<usize> {
    let mut tails = vec![2; chunks.len()];
    let mut need = BODY_WITH_CLOSING;
    // The subject and the salutation go with the body anyway.
    for i in (2..closing.min(chunks.len())).rev() {
        let chunk = &mut chunks[i];
        chunk.keep_with_next = true;
        let lines = chunk.rows.len();
        if chunk.breakable && lines >= 2 + need.max(2) {
            tails[i] = need.max(2);
            break;
        }
        chunk.breakable = false;
        need = need.saturating_sub(lines);
        if need == 0 {
            break;
        }
    }
    tails
}

/// What must go on the same page as chunk `i`: along a chain of chunks kept
/// with the next, each whole, up to the first lines of one that breaks; each
/// with the space before it.
fn kept_with(chunks: &[Chunk], i: usize) -> impl Iterator<Item = (f32, &[TextLine])> {
    let mut at = Some(i);
    std::iter::from_fn(move || {
        let j = at.filter(|&j| chunks[j].keep_with_next && j + 1 < chunks.len())?;
        let next = &chunks[j + 1];
        let lines = if next.breakable {
            next.rows.len().min(2)
        } else {
            next.rows.len()
        };
        at = (!next.breakable).then_some(j + 1);
        Some((next.space_before, &next.rows[..lines]))
    })
}

/// `block` with `marker` before its first words, for a list too deeply
/// nested to hang its markers.
fn marked(block: &Block, marker: &str) -> Block {
    let mark = |runs: &[Run]| {
        let mut marked = vec![Run {
            text: format!("{marker} "),
            ..Run::default()
        }];
        marked.extend_from_slice(runs);
        marked
    };
    match block {
        Block::Paragraph(runs) => Block::Paragraph(mark(runs)),
        Block::Heading(runs) => Block::Heading(mark(runs)),
        Block::Quote(blocks) => Block::Quote(first_marked(blocks, marker)),
        Block::List { start, items } => Block::List {
            start: *start,
            items: match items.split_first() {
                Some((first, rest)) => std::iter::once(first_marked(first, marker))
                    .chain(rest.iter().cloned())
                    .collect(),
                None => Vec::new(),
            },
        },
    }
}

/// `blocks` with the first one [`marked`].
fn first_marked(blocks: &[Block], marker: &str) -> Vec<Block> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            if i == 0 {
                marked(block, marker)
            } else {
                block.clone()
            }
        })
        .collect()
}

/// The laid-out text, one line per row with positions in whole points, for snapshots.
pub fn dump(layout: &Layout) -> String {
    let mut out = String::new();
    for (number, page) in layout.pages.iter().enumerate() {
        out.push_str(&format!("--- page {}\n", number + 1));
        for item in page {
            match item {
                Item::Text(text) => {
                    let words: Vec<String> = text
                        .line
                        .pieces
                        .iter()
                        .map(|p| {
                            let style = match p.style {
                                Style::Regular => "",
                                Style::Bold => "*",
                                Style::Italic => "_",
                                Style::BoldItalic => "*_",
                            };
                            let raised = if p.note.is_some() { "^" } else { "" };
                            let hyphen = if p.hyphen { "-" } else { "" };
                            format!("{raised}{style}{}{hyphen}", p.text)
                        })
                        .collect();
                    // A right-to-left line: the right edge it is set against.
                    let rtl = match text.line.rtl {
                        Some(measure) => {
                            format!(" [right to left, to {}]", (text.x + measure).round())
                        }
                        None => String::new(),
                    };
                    out.push_str(&format!(
                        "{:>4} {:>4} {:>4.1} {}{rtl}\n",
                        text.y.round(),
                        text.x.round(),
                        text.size,
                        words.join(" ")
                    ));
                }
                Item::Signature(_, [x, y, w, h]) => out.push_str(&format!(
                    "{:>4} {:>4} [signature {}x{}]\n",
                    y.round(),
                    x.round(),
                    w.round(),
                    h.round()
                )),
                Item::Rule([x, y, right]) => out.push_str(&format!(
                    "{:>4} {:>4} [rule to {}]\n",
                    y.round(),
                    x.round(),
                    right.round()
                )),
                Item::VRule([x, top, bottom]) => out.push_str(&format!(
                    "{:>4} {:>4} [rule down to {}]\n",
                    top.round(),
                    x.round(),
                    bottom.round()
                )),
                Item::Logo {
                    rect: [x, y, w, h],
                    alt,
                    ..
                } => out.push_str(&format!(
                    "{:>4} {:>4} [logo {}x{}: {alt}]\n",
                    y.round(),
                    x.round(),
                    w.round(),
                    h.round()
                )),
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lang::Language;
    use crate::letter::{Note, Signature};
    use crate::postal::PostalLayout;
    use crate::render::pdf::breaking::tests::Fixed;

    /// A run of plain `text`.
    pub(crate) fn run(text: &str) -> Run {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }

    pub(crate) use crate::letter::tests::letter;

    /// Paragraph `k` is words `pk` filling about `lines` lines.
    fn paragraph(k: usize, lines: usize) -> Block {
        let word = format!("p{k:02}");
        // A word and a space are 4 characters, 22 pt; a line holds 21 of them.
        let text = vec![word; 21 * lines - 3].join(" ");
        Block::Paragraph(vec![Run {
            text,
            ..Run::default()
        }])
    }

    /// How many lines of each paragraph each page holds.
    fn lines_per_page(layout: &Layout) -> Vec<BTreeMap<String, usize>> {
        layout
            .pages
            .iter()
            .map(|page| {
                let mut counts = BTreeMap::new();
                for item in page {
                    if let Item::Text(text) = item
                        && let Some(word) =
                            text.line.pieces.first().filter(|p| p.text.starts_with('p'))
                    {
                        *counts.entry(word.text.clone()).or_default() += 1;
                    }
                }
                counts
            })
            .collect()
    }

    use std::collections::BTreeMap;

    /// A reference to note `n`.
    pub(crate) fn reference(n: usize) -> Run {
        Run {
            text: n.to_string(),
            note: Some(n),
            ..Run::default()
        }
    }

    /// Note `n`: a source of `lines` lines or so, then its address.
    pub(crate) fn note(n: usize, lines: usize, url: &str) -> Note {
        // A note line holds about 100 characters of the fixed font.
        let text = format!("n{n:02}w ").repeat(20 * lines);
        Note {
            number: n,
            runs: vec![
                Run {
                    text,
                    ..Run::default()
                },
                Run {
                    text: url.into(),
                    link: Some(url.into()),
                    ..Run::default()
                },
            ],
        }
    }

    /// The notes laid out, by the number before their first line: the page
    /// (from 0) and the first line of each.
    fn notes_laid_out(layout: &Layout) -> Vec<(usize, &TextLine)> {
        let mut found = Vec::new();
        for (page, items) in layout.pages.iter().enumerate() {
            for item in items {
                if let Item::Text(text) = item
                    && text.size == NOTE
                    && text.line.pieces.first().is_some_and(|p| p.x < 0.0)
                {
                    found.push((page, text));
                }
            }
        }
        found
    }

    /// The page (from 0) of each note's first reference, by number.
    fn first_references(layout: &Layout) -> BTreeMap<usize, usize> {
        let mut first = BTreeMap::new();
        for (page, items) in layout.pages.iter().enumerate() {
            for item in items {
                if let Item::Text(text) = item {
                    for number in text.line.pieces.iter().filter_map(|p| p.note) {
                        first.entry(number).or_insert(page);
                    }
                }
            }
        }
        first
    }

    /// A letter of three pages or so with `count` notes, each referred to
    /// at the end of a paragraph, some twice.
    fn letter_with_notes(count: usize) -> Letter {
        let body = (0..count)
            .map(|k| {
                let Block::Paragraph(mut runs) = paragraph(k, 2 + k % 4) else {
                    unreachable!()
                };
                runs.push(reference(k + 1));
                if k % 5 == 4 {
                    runs.extend([run(" again"), reference(k - 2)]);
                }
                Block::Paragraph(runs)
            })
            .collect();
        let mut letter = letter(body);
        letter.notes = (1..=count)
            .map(|n| note(n, n % 4, &format!("https://example.org/{n}")))
            .collect();
        letter
    }

    /// A letter signed by `n`, each with a title, organisation and image,
    /// after `lines` lines of body.
    fn cosigned(n: usize, lines: usize) -> Letter {
        let mut letter = letter(vec![paragraph(0, lines)]);
        letter.signatories = (0..n)
            .map(|i| {
                let mut signature = Signature::new(format!("S{i}name"));
                signature.title = Some(format!("S{i}title"));
                signature.organisation = Some(format!("S{i}org of a long name"));
                signature.image = Some(Vec::new());
                signature
            })
            .collect();
        letter
    }

    /// Where the lines of signatory `i`'s block are: (page, x, y) of each.
    fn block_of(layout: &Layout, i: usize) -> Vec<(usize, f32, f32)> {
        let mut found = Vec::new();
        for (page, items) in layout.pages.iter().enumerate() {
            for item in items {
                if let Item::Text(text) = item
                    && text
                        .line
                        .pieces
                        .iter()
                        .any(|p| p.text.starts_with(&format!("S{i}")))
                {
                    found.push((page, text.x, text.y));
                }
            }
        }
        found
    }

    #[test]
    fn two_and_three_signature_blocks_stand_side_by_side() {
        for n in [2, 3] {
            let layout = layout(&cosigned(n, 3), Paper::A4, &Fixed, None).unwrap();
            let blocks: Vec<_> = (0..n).map(|i| block_of(&layout, i)).collect();
            for block in &blocks {
                // Name, title, organisation on two lines (the column is narrow).
                assert!(block.len() >= 3, "{block:?}");
            }
            let names: Vec<_> = blocks.iter().map(|block| block[0]).collect();
            for pair in names.windows(2) {
                assert_eq!(
                    (pair[0].0, pair[0].2),
                    (pair[1].0, pair[1].2),
                    "same page and line: {names:?}"
                );
                assert!(
                    pair[1].1 >= pair[0].1 + 40.0 * MM,
                    "distinct columns: {names:?}"
                );
            }
            let images: Vec<(usize, [f32; 4])> = layout.pages[0]
                .iter()
                .filter_map(|item| match item {
                    Item::Signature(i, rect) => Some((*i, *rect)),
                    _ => None,
                })
                .collect();
            assert_eq!(
                images.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
                (0..n).collect::<Vec<_>>()
            );
            for (i, rect) in &images {
                assert_eq!(rect[1], images[0].1[1], "images on one line");
                assert_eq!(rect[0], names[*i].1, "image over its block");
                assert!(
                    rect[1] + rect[3] < names[*i].2 - BODY * 0.7,
                    "image above the name"
                );
            }
        }
        // Four or more: rows of three.
        let layout = layout(&cosigned(5, 3), Paper::A4, &Fixed, None).unwrap();
        let names: Vec<_> = (0..5).map(|i| block_of(&layout, i)[0]).collect();
        assert_eq!(names[3].1, names[0].1, "the second row starts at the left");
        assert!(names[3].2 > names[0].2 + SIGNATURE_HEIGHT, "{names:?}");
        assert_eq!(names[4].2, names[3].2);
    }

    /// Wherever the body ends, no block (image and lines) and no row of
    /// blocks is split over a page; the closing stays with the first row.
    #[test]
    fn a_signature_block_is_never_split_over_a_page() {
        let mut breaks = 0;
        for n in [1, 3, 5] {
            for lines in 30..75 {
                let letter = cosigned(n, lines);
                let layout = layout(&letter, Paper::A4, &Fixed, None).unwrap();
                let rows: Vec<Vec<(usize, f32, f32)>> =
                    (0..n).map(|i| block_of(&layout, i)).collect();
                for (i, block) in rows.iter().enumerate() {
                    let page = block[0].0;
                    assert!(
                        block.iter().all(|line| line.0 == page),
                        "block {i} split after {lines} lines: {block:?}"
                    );
                    let image = layout.pages[page]
                        .iter()
                        .any(|item| matches!(item, Item::Signature(j, _) if *j == i));
                    assert!(image, "image {i} not on the page of its block");
                    if i % ACROSS != 0 {
                        assert_eq!(page, rows[i - i % ACROSS][0].0, "row of block {i} split");
                    }
                }
                let closing = layout.pages.iter().position(|items| {
                    items.iter().any(
                        |item| matches!(item, Item::Text(t) if t.line.pieces[0].text == "Yours,"),
                    )
                });
                assert_eq!(
                    closing,
                    Some(rows[0][0].0),
                    "closing apart from the first row"
                );
                if rows[n - 1][0].0 > 0 && layout.pages.len() > 1 {
                    breaks += 1;
                }
            }
        }
        assert!(breaks > 10, "the body never pushed the blocks over a page");
    }

    /// In each layout the address starts on the standard's line (the
    /// body's, 25 mm, where the window is on the left) and stays in the
    /// address zone of the window (DIN 5008 form B: 62.7 to 90 mm from the
    /// top) for as many lines as it holds; the return-address line is above
    /// it, in the field; fold and punch marks are at the left edge.
    #[test]
    fn the_address_is_in_the_envelope_window() {
        for postal in PostalLayout::ALL {
            let g = postal.geometry();
            let paper = match g.sheet.0 > 215.0 {
                true => Paper::Letter,
                false => Paper::A4,
            };
            for count in 1..=g.lines {
                let mut letter = letter(vec![paragraph(0, 2)]);
                letter.layout = Some(postal);
                letter.letterhead.address = vec!["Street 1".into(), "City".into()];
                letter.recipient = (0..count).map(|i| format!("Line {i}")).collect();
                let layout = layout(&letter, paper, &Fixed, None).unwrap();
                let texts = || {
                    layout.pages[0].iter().filter_map(|item| match item {
                        Item::Text(text) => Some(text),
                        _ => None,
                    })
                };
                let address: Vec<&TextLine> = texts()
                    .filter(|text| text.line.pieces[0].text == "Line")
                    .collect();
                assert_eq!(address.len(), count);
                for line in &address {
                    assert!(
                        (line.x - g.text_left * MM).abs() < 0.01,
                        "{postal}: x = {} mm",
                        line.x / MM
                    );
                    let top = line.y - 0.891 * line.size;
                    let bottom = line.y + 0.216 * line.size;
                    assert!(
                        top >= g.zone_top() * MM - 0.01 && bottom <= g.zone_bottom() * MM,
                        "{postal}: {} to {} mm",
                        top / MM,
                        bottom / MM
                    );
                    assert!(line.x + line.line.width() <= (g.text_left + g.text_width) * MM + 0.01);
                }
                let back: Vec<&TextLine> =
                    texts().filter(|text| text.size == RETURN_SIZE).collect();
                assert_eq!(
                    back.len(),
                    usize::from(postal.has_return_line()),
                    "{postal}"
                );
                for line in back {
                    assert!(line.y - 0.891 * line.size >= g.field.top * MM, "{postal}");
                    assert!(line.y < g.zone_top() * MM, "{postal}");
                    let words: Vec<&str> =
                        line.line.pieces.iter().map(|p| p.text.as_str()).collect();
                    assert_eq!(words.join(" "), "Union · Street 1 · City");
                }
            }
            // The marks: short rules at the left edge.
            let letter = letter(vec![paragraph(0, 2)]);
            let layout = layout(
                &Letter {
                    layout: Some(postal),
                    ..letter
                },
                paper,
                &Fixed,
                None,
            )
            .unwrap();
            let marks: Vec<f32> = layout.pages[0]
                .iter()
                .filter_map(|item| match item {
                    Item::Rule([x, y, _]) if *x < 10.0 * MM => Some((y / MM * 10.0).round() / 10.0),
                    _ => None,
                })
                .collect();
            let mut marks = marks;
            marks.sort_by(f32::total_cmp);
            assert_eq!(marks, g.marks(), "{postal}");
        }
    }

    /// A layout for other paper is refused; the paper's is the default.
    #[test]
    fn a_layout_goes_with_its_paper() {
        let mut letter = letter(vec![paragraph(0, 2)]);
        letter.layout = Some(PostalLayout::Us10);
        let error = layout(&letter, Paper::A4, &Fixed, None).unwrap_err();
        let diagnostic = &error.into_diagnostics()[0];
        assert_eq!(diagnostic.code, "layout-paper");
        assert_eq!(
            diagnostic.message,
            "the us10 layout is for US Letter paper; the letters are on A4"
        );
        letter.layout = None;
        let layout = layout(&letter, Paper::Letter, &Fixed, None).unwrap();
        let first = layout.pages[0].iter().find_map(|item| match item {
            Item::Text(text) if text.line.pieces[0].text == "Recipient" => Some(text.x),
            _ => None,
        });
        assert_eq!(first, Some(25.0 * MM));
    }

    /// The return address is cut to the field's width: the last address
    /// lines go first, then the organisation's name is cut short.
    #[test]
    fn the_return_address_is_cut_to_fit() {
        let mut letter = letter(vec![paragraph(0, 2)]);
        letter.letterhead.organisation = "Union ".repeat(30);
        letter.letterhead.address = vec!["Street 1".into()];
        let layout = layout(&letter, Paper::A4, &Fixed, None).unwrap();
        let back = layout.pages[0]
            .iter()
            .find_map(|item| match item {
                Item::Text(text) if text.size == RETURN_SIZE => Some(text),
                _ => None,
            })
            .unwrap();
        let words: Vec<&str> = back.line.pieces.iter().map(|p| p.text.as_str()).collect();
        assert!(words.last().unwrap().ends_with('…'), "{words:?}");
        assert!(!words.contains(&"Street"));
        assert!(back.line.width() <= 80.0 * MM);
    }

    #[test]
    fn each_note_is_at_the_foot_of_the_page_of_its_first_reference() {
        let layout = layout(&letter_with_notes(20), Paper::A4, &Fixed, None).unwrap();
        assert!(layout.pages.len() >= 3, "{} pages", layout.pages.len());
        let first = first_references(&layout);
        let notes = notes_laid_out(&layout);
        let numbers: Vec<String> = notes
            .iter()
            .map(|(_, line)| line.line.pieces[0].text.clone())
            .collect();
        let expected: Vec<String> = (1..=20).map(|n| n.to_string()).collect();
        assert_eq!(numbers, expected, "each note once, in number order");
        let bottom = layout.size.1 - BOTTOM;
        for (n, (page, line)) in (1..).zip(&notes) {
            assert_eq!(
                *page, first[&n],
                "note {n} is not on the page of its reference"
            );
            assert!(line.y <= bottom, "note {n} passes the margin");
            for item in &layout.pages[*page] {
                if let Item::Text(body) = item
                    && body.size == BODY
                {
                    assert!(
                        body.y + NOTE_HEAD <= line.y + 0.01,
                        "note {n} is not below the body"
                    );
                }
            }
        }
        // The rule above them, on each page with notes.
        for page in notes.iter().map(|(page, _)| *page) {
            let rules = layout.pages[page].iter().filter(|item| {
                matches!(item, Item::Rule([x, _, right]) if *x == LEFT && *right == LEFT + NOTE_RULE_WIDTH)
            });
            assert_eq!(rules.count(), 1, "page {}", page + 1);
        }
    }

    #[test]
    fn no_widows_or_orphans_where_notes_push_lines_on() {
        for count in 10..30 {
            let layout = layout(&letter_with_notes(count), Paper::A4, &Fixed, None).unwrap();
            let pages = lines_per_page(&layout);
            for (number, page) in pages.iter().enumerate().skip(1) {
                let (first_paragraph, lines) = page.iter().next().unwrap();
                if let Some(before) = pages[number - 1].get(first_paragraph) {
                    assert!(
                        *before >= 2 && *lines >= 2,
                        "{count} notes: {first_paragraph} split {before}/{lines}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_note_longer_than_a_page_goes_on_over_the_next() {
        let mut letter = letter(vec![Block::Paragraph(vec![
            run("Short."),
            reference(1),
            reference(2),
        ])]);
        letter.notes = vec![
            note(1, 90, "https://example.org/1"),
            note(2, 1, "https://example.org/2"),
        ];
        let layout = layout(&letter, Paper::A4, &Fixed, None).unwrap();
        let words = |page: &Vec<Item>| {
            page.iter()
                .filter_map(|item| match item {
                    Item::Text(text) if text.size == NOTE => Some(text.line.pieces.len()),
                    _ => None,
                })
                .sum::<usize>()
        };
        let shown: usize = layout.pages.iter().map(words).sum();
        // Each note's words, its address and its number.
        assert_eq!(shown, 20 * 90 + 2 + 20 + 2);
        assert!(words(&layout.pages[0]) > 0 && words(&layout.pages[1]) > 0);
        let notes = notes_laid_out(&layout);
        assert_eq!(notes.len(), 2);
        assert_eq!(
            (notes[0].0, notes[1].0),
            (0, 1),
            "note 2 follows the rest of note 1"
        );
    }

    #[test]
    fn a_long_address_in_a_note_breaks_after_its_punctuation_inside_the_width() {
        let url = format!(
            "https://example.org/{}?q={}&x=1",
            "path/".repeat(40),
            "a".repeat(150)
        );
        let mut letter = letter(vec![Block::Paragraph(vec![run("Short."), reference(1)])]);
        letter.notes = vec![note(1, 0, &url)];
        let layout = layout(&letter, Paper::A4, &Fixed, None).unwrap();
        let right = layout.size.0 - RIGHT;
        let mut address = String::new();
        for item in &layout.pages[0] {
            if let Item::Text(text) = item
                && text.size == NOTE
            {
                assert!(
                    text.x + text.line.width() <= right + 0.01,
                    "{text:?} is too wide"
                );
                let piece = text.line.pieces.last().unwrap();
                assert!(!piece.hyphen, "a hyphen is added to {:?}", piece.text);
                assert_eq!(piece.link.as_deref(), Some(url.as_str()));
                address.push_str(&piece.text);
            }
        }
        assert_eq!(address, url);
        let ends: Vec<&str> = layout.pages[0]
            .iter()
            .filter_map(|item| match item {
                Item::Text(text) if text.size == NOTE => text.line.pieces.last(),
                _ => None,
            })
            .map(|piece| piece.text.as_str())
            .collect();
        assert!(ends.len() >= 3, "{ends:?}");
        // At its punctuation while there is some, then where it must.
        assert!(
            ends[0] == "https://example.org/" || ends[0].ends_with('/'),
            "{ends:?}"
        );
        assert!(!ends[0].ends_with("://"), "{ends:?}");
    }

    #[test]
    fn the_annex_runs_over_pages_its_header_atop_each() {
        let mut letter = letter(vec![paragraph(0, 3)]);
        let columns = Language::En.labels().annex_columns;
        letter.annex = Some(Annex {
            title: "Annex: chronology".into(),
            columns: columns.map(String::from).to_vec(),
            rows: (0..40)
                .map(|i| {
                    let happened = "arrested ".repeat(10 + i % 7 * 5);
                    vec![
                        format!("row{i:02}"),
                        "Minsk".into(),
                        "A. B.".into(),
                        happened,
                        "fined".into(),
                        "1, 2".into(),
                    ]
                })
                .collect(),
        });
        let layout = layout(&letter, Paper::A4, &Fixed, None).unwrap();
        fn text(item: &Item) -> Option<&TextLine> {
            match item {
                Item::Text(text) if text.size == CELL => Some(text),
                _ => None,
            }
        }
        let annex_pages: Vec<&Vec<Item>> = layout
            .pages
            .iter()
            .filter(|page| page.iter().any(|item| text(item).is_some()))
            .collect();
        assert!(
            annex_pages.len() >= 2,
            "{} pages of annex",
            annex_pages.len()
        );
        assert!(
            !annex_pages[0]
                .iter()
                .any(|item| matches!(item, Item::Text(t) if t.line.pieces[0].text == "Yours,"))
        );
        let mut rows = Vec::new();
        for page in &annex_pages {
            let cells: Vec<&TextLine> = page.iter().filter_map(text).collect();
            let head: Vec<&str> = cells
                .iter()
                .take(6)
                .map(|t| t.line.pieces[0].text.as_str())
                .collect();
            assert_eq!(
                head,
                ["Date", "Place", "People", "What", "Outcome", "Sources"][..head.len().min(6)]
            );
            assert!(cells[0].line.pieces[0].style == Style::Bold);
            rows.extend(
                cells
                    .iter()
                    .map(|t| t.line.pieces[0].text.as_str())
                    .filter(|t| t.starts_with("row")),
            );
        }
        let expected: Vec<String> = (0..40).map(|i| format!("row{i:02}")).collect();
        assert_eq!(rows, expected, "every row once, whole, in order");
    }

    #[test]
    fn no_widows_or_orphans_at_any_page_break() {
        // Paragraph lengths chosen so that breaks fall at every offset.
        for first in 1..=6 {
            let mut body = vec![paragraph(0, first)];
            body.extend((1..30).map(|k| paragraph(k, 2 + k % 5)));
            let layout = layout(&letter(body), Paper::A4, &Fixed, None).unwrap();
            assert!(layout.pages.len() >= 2);
            let pages = lines_per_page(&layout);
            for (number, page) in pages.iter().enumerate().skip(1) {
                let (first_paragraph, lines) = page.iter().next().unwrap();
                if let Some(before) = pages[number - 1].get(first_paragraph) {
                    assert!(
                        *before >= 2 && *lines >= 2,
                        "{first_paragraph} split {before}/{lines}"
                    );
                }
            }
        }
    }

    // See: #12 ("Further cases:" stood alone at the foot of a page, its
    // cases on the next)
    #[test]
    fn a_paragraph_leading_into_a_list_goes_over_a_break_with_it() {
        let page_of = |layout: &Layout, word: &str| {
            (layout.pages.iter()).position(|page| {
                page.iter().any(|item| {
                    matches!(item, Item::Text(t) if t.line.pieces.iter().any(|p| p.text == word))
                })
            })
        };
        let mut moved = 0;
        for n in 1..40 {
            let mut body: Vec<Block> = (0..n).map(|k| paragraph(k, 3)).collect();
            body.push(Block::Paragraph(vec![run("Further cases:")]));
            // Cases enough that the closing's own keep does not reach back.
            let mut items = vec![vec![Block::Paragraph(vec![run("firstcase")])]];
            items.extend((0..8).map(|k| vec![paragraph(100 + k, 3)]));
            body.push(Block::List { start: None, items });
            let layout = layout(&letter(body), Paper::A4, &Fixed, None).unwrap();
            let (lead, first) = (page_of(&layout, "cases:"), page_of(&layout, "firstcase"));
            assert_eq!(lead, first, "{n} paragraphs");
            moved += usize::from(page_of(&layout, "p0") != lead);
        }
        assert!(moved > 0, "no length put the list on another page");
    }

    #[test]
    fn closing_never_stands_alone_on_a_page() {
        for n in 1..40 {
            let body = (0..n).map(|k| paragraph(k, 3)).collect();
            let layout = layout(&letter(body), Paper::A4, &Fixed, None).unwrap();
            let last = layout.pages.last().unwrap();
            let has_body = last.iter().any(
                |item| matches!(item, Item::Text(t) if t.line.pieces[0].text.starts_with('p')),
            );
            assert!(
                has_body || layout.pages.len() == 1,
                "{n} paragraphs: closing alone on the last page"
            );
        }
    }

    /// The baselines of the body's lines (of [`paragraph`]s) on each page.
    fn body_baselines(layout: &Layout) -> Vec<Vec<f32>> {
        let body = |item: &Item| match item {
            Item::Text(text)
                if text
                    .line
                    .pieces
                    .first()
                    .is_some_and(|p| p.text.starts_with('p')) =>
            {
                Some(text.y)
            }
            _ => None,
        };
        layout
            .pages
            .iter()
            .map(|page| page.iter().filter_map(body).collect())
            .collect()
    }

    /// The spaces between paragraphs of the body, page by page.
    fn paragraph_spaces(layout: &Layout) -> Vec<f32> {
        let mut spaces = Vec::new();
        for page in body_baselines(layout) {
            for pair in page.windows(2) {
                let space = pair[1] - pair[0] - LEADING;
                if space > 0.01 {
                    spaces.push(space);
                }
            }
        }
        spaces
    }

    /// The page the closing is on, and the lines of the body above it there.
    fn closing_page(layout: &Layout) -> (usize, usize) {
        let closing =
            |item: &Item| matches!(item, Item::Text(t) if t.line.pieces[0].text == "Yours,");
        let page = layout
            .pages
            .iter()
            .position(|page| page.iter().any(closing))
            .unwrap();
        (page, body_baselines(layout)[page].len())
    }

    // See: #12
    #[test]
    fn a_letter_a_few_lines_too_long_is_tightened_onto_its_page() {
        let mut tightened = 0;
        let mut two_pages = false;
        for lines in 1..20 {
            let mut body: Vec<Block> = (0..4).map(|k| paragraph(k, 3)).collect();
            body.push(paragraph(4, lines));
            let layout = layout(&letter(body), Paper::A4, &Fixed, None).unwrap();
            let spaces = paragraph_spaces(&layout);
            for &space in &spaces {
                assert!(
                    space >= PARAGRAPH * TIGHTEST - 0.01,
                    "{lines}: space of {space}"
                );
            }
            if spaces.iter().any(|&space| space < PARAGRAPH - 0.01) {
                tightened += 1;
                assert_eq!(
                    layout.pages.len(),
                    1,
                    "{lines}: tightened, and still two pages"
                );
                // All by the same share.
                let (least, most) = spaces
                    .iter()
                    .fold((f32::MAX, 0.0_f32), |(a, b), &s| (a.min(s), b.max(s)));
                assert!(most - least < 0.01, "{spaces:?}");
            }
            if layout.pages.len() > 1 {
                two_pages = true;
                assert!(spaces.iter().all(|&space| (space - PARAGRAPH).abs() < 0.01));
            }
        }
        // A line or three over: the spaces give about 3 lines.
        assert!(
            (1..=4).contains(&tightened),
            "tightened for {tightened} lengths"
        );
        assert!(two_pages, "the body never ran onto a second page");
    }

    // See: #12
    #[test]
    fn the_closing_takes_three_lines_of_the_body_to_a_new_page() {
        let mut breaks = 0;
        for last in 1..=4 {
            for before in 1..=5 {
                for n in 8..20 {
                    let mut body: Vec<Block> = (0..n).map(|k| paragraph(k, 3)).collect();
                    body.extend([paragraph(n, before), paragraph(n + 1, last)]);
                    let layout = layout(&letter(body), Paper::A4, &Fixed, None).unwrap();
                    let (page, lines) = closing_page(&layout);
                    if page > 0 {
                        breaks += 1;
                        assert!(
                            lines >= BODY_WITH_CLOSING,
                            "{n} + {before} + {last}: {lines} lines with the closing"
                        );
                    }
                }
            }
        }
        assert!(breaks > 20, "the closing went to a new page {breaks} times");
    }

    #[test]
    fn copies_never_stand_alone_on_a_page() {
        for n in 1..40 {
            let mut letter = letter((0..n).map(|k| paragraph(k, 3)).collect());
            letter.cc = vec!["Copy One".into(), "Copy Two".into()];
            let layout = layout(&letter, Paper::A4, &Fixed, None).unwrap();
            let last = layout.pages.last().unwrap();
            let has_closing = last
                .iter()
                .any(|item| matches!(item, Item::Text(t) if t.line.pieces[0].text == "Yours,"));
            assert!(
                has_closing,
                "{n} paragraphs: copies without the closing on the last page"
            );
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Text of `words` words, each 1 to 12 characters or, now and then, 90.
        fn text(words: std::ops::Range<usize>) -> impl Strategy<Value = String> {
            let word = prop_oneof![9 => "[a-z]{1,12}", 1 => "[a-z]{90}"];
            prop::collection::vec(word, words).prop_map(|w| w.join(" "))
        }

        fn lines(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec(text(1..8), n)
        }

        prop_compose! {
            fn letters()(
                frame in (text(1..12), lines(0..4), lines(0..3), lines(1..6), text(1..6)),
                reference in prop::option::of(text(1..8)),
                subject in text(1..60),
                paragraphs in prop::collection::vec(text(1..200), 0..12),
                // Quoted, in a list item, nested `depth` times.
                nested in prop::option::of((text(1..80), 1..40usize, any::<bool>())),
                // One to five signatories; one may set title left, name right.
                signatories in prop::collection::vec(
                    (text(1..6), prop::option::of(text(1..30)), prop::option::of(text(1..12)), any::<bool>()),
                    1..6,
                ),
                title_left in any::<bool>(),
                copies in (lines(0..5), lines(0..5)),
                // Each referred to from a paragraph (chosen by the number),
                // or from none: at most 80 words, then a long address.
                notes in prop::collection::vec((text(0..80), any::<Option<u8>>()), 0..20),
                annex in prop::option::weighted(0.3, (
                    prop::collection::vec(text(1..4), 1..7),
                    prop::collection::vec(prop::collection::vec(text(0..30), 0..7), 0..30),
                )),
                // The window layouts of A4, with a logo or without.
                postal in prop::sample::select(vec![PostalLayout::Din5008a, PostalLayout::Din5008b, PostalLayout::Sn010130]),
                logo in any::<bool>(),
            ) -> Letter {
                let (organisation, address, officers, recipient, place_date) = frame;
                let run = |text: String| vec![Run { text, ..Run::default() }];
                let mut body: Vec<Block> = paragraphs.into_iter().map(|p| Block::Paragraph(run(p))).collect();
                if let Some((text, depth, list)) = nested {
                    let mut block = Block::Paragraph(run(text));
                    for _ in 0..depth {
                        block = match list {
                            true => Block::List { start: Some(1), items: vec![vec![block]] },
                            false => Block::Quote(vec![block]),
                        };
                    }
                    body.insert(body.len() / 2, block);
                }
                let mut letter = letter(body);
                letter.layout = Some(postal);
                if logo {
                    let png = include_bytes!("../../../tests/fixtures/logo/logo.png");
                    letter.letterhead.logo = Some(crate::appeal::Logo::Png(std::sync::Arc::new(png.to_vec())));
                }
                letter.letterhead.organisation = organisation;
                letter.letterhead.address = address;
                letter.letterhead.officers = officers;
                letter.recipient = recipient;
                letter.place_date = place_date;
                letter.reference = reference;
                letter.subject = subject;
                let alone = signatories.len() == 1;
                letter.signatories = signatories
                    .into_iter()
                    .map(|(name, title, organisation, image)| {
                        let mut signature = Signature::new(name);
                        signature.title = title;
                        signature.organisation = organisation.filter(|_| !alone);
                        signature.image = image.then(Vec::new);
                        if alone && title_left {
                            signature.layout = SignatureLayout::TitleLeftNameRight;
                        }
                        signature
                    })
                    .collect();
                (letter.cc, letter.enclosures) = copies;
                let paragraphs = letter.body.len();
                for (i, (text, at)) in notes.into_iter().enumerate() {
                    let number = i + 1;
                    if let (Some(at), true) = (at, paragraphs > 0)
                        && let Block::Paragraph(runs) = &mut letter.body[usize::from(at) % paragraphs]
                    {
                        runs.push(super::reference(number));
                    }
                    let url = format!("https://example.org/{}", "a/b.".repeat(number * 10));
                    letter.notes.push(Note {
                        number,
                        runs: vec![
                            Run { text, ..Run::default() },
                            Run { text: url.clone(), link: Some(url), ..Run::default() },
                        ],
                    });
                }
                letter.annex = annex.map(|(columns, rows)| Annex {
                    title: "Annex".into(),
                    columns,
                    rows,
                });
                letter
            }
        }

        proptest! {
            /// No two lines of text overlap, and all of them are on the paper,
            /// inside the margins.
            #[test]
            fn lines_never_overlap_or_leave_the_page(letter in letters()) {
                let layout = match layout(&letter, Paper::A4, &Fixed, None) {
                    Ok(layout) => layout,
                    Err(error) => {
                        // Only a frame taller than a page is refused, or an
                        // address the letterhead pushes out of the window.
                        let message = error.to_string();
                        prop_assert!(
                            message.contains("fill more than the first page")
                                || message.contains("runs below the envelope window"),
                            "{message}"
                        );
                        return Ok(());
                    }
                };
                let (width, height) = layout.size;
                // Each note once, those on one page in the order of their numbers.
                let notes = notes_laid_out(&layout);
                let number = |line: &TextLine| line.line.pieces[0].text.parse::<usize>().unwrap();
                for pair in notes.windows(2).filter(|pair| pair[0].0 == pair[1].0) {
                    prop_assert!(number(pair[0].1) < number(pair[1].1), "notes out of order: {pair:?}");
                }
                let mut numbers: Vec<usize> = notes.iter().map(|(_, line)| number(line)).collect();
                numbers.sort_unstable();
                prop_assert!(numbers.into_iter().eq(1..=letter.notes.len()), "a note is lost or repeated");
                // Page one's letterhead may start higher, and the Swiss
                // window's address run further right, than the body.
                let postal = letter.layout.unwrap().geometry();
                let letterhead_top = postal.letterhead_top * MM;
                let window_right = (postal.text_left + postal.text_width) * MM;
                for (number, page) in layout.pages.iter().enumerate() {
                    let top = if number == 0 { letterhead_top.min(TOP) } else { TOP };
                    let right = if number == 0 { window_right.max(width - RIGHT) } else { width - RIGHT };
                    for item in page {
                        let inside = match *item {
                            // Fold and punch marks, at the left edge of the first page.
                            Item::Rule([x, ..]) if number == 0 && x < LEFT => x >= MARK_LEFT,
                            Item::Rule([x, y, end]) => x >= LEFT - 0.01 && end <= right + 0.01 && y >= top && y <= height - BOTTOM + 0.25 * BODY,
                            Item::VRule([x, top, bottom]) => x >= LEFT - 0.01 && x <= width - RIGHT + 0.01 && top >= TOP && bottom <= height - BOTTOM + 0.01,
                            _ => true,
                        };
                        prop_assert!(inside, "page {}: {item:?} leaves the margins", number + 1);
                    }
                    for item in page {
                        if let Item::Text(t) = item {
                            for pair in t.line.pieces.windows(2) {
                                prop_assert!(pair[0].x + pair[0].width <= pair[1].x + 0.01, "page {}: {:?} overlaps {:?}", number + 1, pair[0].text, pair[1].text);
                            }
                        }
                    }
                    let boxes: Vec<[f32; 4]> = page
                        .iter()
                        .filter_map(|item| match item {
                            Item::Text(t) => Some([t.x + t.line.pieces.first().map_or(0.0, |p| p.x), t.y - 0.75 * t.size, t.x + t.line.width(), t.y + 0.25 * t.size]),
                            Item::Logo { rect: [x, y, w, h], .. } => Some([*x, *y, x + w, y + h]),
                            _ => None,
                        })
                        .collect();
                    for (i, a) in boxes.iter().enumerate() {
                        prop_assert!(a[0] >= 15.0 * MM && a[2] <= right + 0.01, "page {}: {a:?} leaves the margins", number + 1);
                        prop_assert!(a[1] >= top && a[3] <= height - BOTTOM + 0.25 * BODY, "page {}: {a:?} leaves the margins", number + 1);
                        for b in &boxes[i + 1..] {
                            let apart = a[2] <= b[0] + 0.01 || b[2] <= a[0] + 0.01 || a[3] <= b[1] + 0.01 || b[3] <= a[1] + 0.01;
                            prop_assert!(apart, "page {}: {a:?} overlaps {b:?}", number + 1);
                        }
                    }
                }
            }
        }
    }

    // See: #12
    #[test]
    fn right_to_left_items_and_notes_hang_their_markers_at_the_right() {
        let item = |text: &str| vec![Block::Paragraph(vec![run(text)])];
        let mut letter = letter(vec![
            Block::List {
                start: None,
                items: vec![item("פריט ראשון"), item("English item")],
            },
            Block::Paragraph(vec![run("See"), reference(1)]),
        ]);
        letter.notes = vec![Note {
            number: 1,
            runs: vec![run("מקור")],
        }];
        let layout = layout(&letter, Paper::A4, &Fixed, None).unwrap();
        let row = |first: &str| {
            let found = layout.pages[0].iter().find_map(|item| match item {
                Item::Text(text) if text.line.pieces.iter().any(|p| p.text == first) => Some(text),
                _ => None,
            });
            found.unwrap_or_else(|| panic!("no line with {first}"))
        };
        let width = Paper::A4.size().0 - LEFT - RIGHT;
        // The Hebrew item: its measure from the left margin, its marker
        // hanging before its start, drawn mirrored past its end.
        let hebrew = row("פריט");
        assert_eq!((hebrew.x, hebrew.line.rtl), (LEFT, Some(width - INDENT)));
        assert!(hebrew.line.pieces[0].text == "•" && hebrew.line.pieces[0].x < 0.0);
        let english = row("English");
        assert_eq!((english.x, english.line.rtl), (LEFT + INDENT, None));
        // The Hebrew note: from the left margin, its number at the right.
        let note = row("מקור");
        let hang = note.line.pieces[0].x;
        assert!(note.line.pieces[0].text == "1" && hang < 0.0);
        assert_eq!((note.x, note.line.rtl), (LEFT, Some(width + hang)));
    }
}
