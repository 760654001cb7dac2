//! The document model every backend consumes: the frame of a formal letter
//! and its body as blocks of styled text.

use std::fmt;
use std::sync::Arc;

use crate::appeal::Logo;
use crate::lang::{Date, Labels, Language};
use crate::postal::PostalLayout;

/// One letter to one recipient, ready to render.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Letter {
    /// Id of the recipient, for file names and manifests.
    pub recipient_id: String,
    /// Language the letter is written in (hyphenation, labels).
    pub language: Language,
    /// The sender's letterhead.
    pub letterhead: Letterhead,
    /// The date of the letter (for document metadata).
    pub date: Date,
    /// "Geneva, 01 March 2021".
    pub place_date: String,
    /// The sender's reference, if any.
    pub reference: Option<String>,
    /// Recipient block lines: the addressee as the letter's language
    /// addresses them, then address and country.
    pub recipient: Vec<String>,
    /// Who the letter is to, in a few words, for the head of pages after
    /// the first: "Mr. Guy Ryder, Director-General", "М. В. Шмакову".
    pub running_head: String,
    /// The recipient's mailbox, for mail drafts.
    pub to: Option<Mailbox>,
    /// The sender's mailbox, for mail drafts.
    pub from: Option<Mailbox>,
    /// "By email: ryder@ilo.org".
    pub delivery: Option<String>,
    /// Subject line, printed bold.
    pub subject: String,
    /// "Dear Mr. Ryder,".
    pub salutation: String,
    /// The body.
    pub body: Vec<Block>,
    /// "Yours sincerely,".
    pub closing: String,
    /// Who signs, one block each, in order: side by side in the PDF (three
    /// to a row), one after another in text.
    pub signatories: Vec<Signature>,
    /// Carbon copies.
    pub cc: Vec<String>,
    /// Enclosures.
    pub enclosures: Vec<String>,
    /// Numbered notes: the sources of the incidents the letter cites, each
    /// referred to by a [`Run::note`] in the body.
    pub notes: Vec<Note>,
    /// A chronology of the incidents, after the signature on a page of its own.
    pub annex: Option<Annex>,
    /// True where the names of protected people are given as initials.
    pub redacted: bool,
    /// The frame's fixed words in the letter's language.
    pub labels: &'static Labels,
    /// The window envelope its first page is laid out for; `None`: the
    /// paper's (compose then checks the address against DIN 5008 form B's
    /// window, the PDF against the paper's).
    pub layout: Option<PostalLayout>,
    /// The union's own faces (`[style] fonts`), tried before the built-in
    /// ones for each character of the PDF.
    pub fonts: Vec<FontFile>,
}

/// A font file (TrueType or OpenType) a union sets its letters in: read
/// once, shared by every letter.
#[derive(Clone, PartialEq, Eq)]
pub struct FontFile {
    /// The file's name as the appeal gives it.
    pub name: String,
    /// Its bytes.
    pub data: Arc<[u8]>,
}

impl fmt::Debug for FontFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FontFile({:?}, {} bytes)", self.name, self.data.len())
    }
}

/// The sender's letterhead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Letterhead {
    /// Organisation name.
    pub organisation: String,
    /// Postal address lines.
    pub address: Vec<String>,
    /// Telephone, fax, e-mail, website lines.
    pub contacts: Vec<String>,
    /// "President: Jörg Hofmann" lines.
    pub officers: Vec<String>,
    /// The logo, drawn at the top; its alt text is the organisation.
    pub logo: Option<Logo>,
}

/// A signatory's block.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// Full name.
    pub name: String,
    /// Office.
    pub title: Option<String>,
    /// The organisation signed for, printed under the title in a letter
    /// that several organisations sign; `None` otherwise.
    pub organisation: Option<String>,
    /// PNG of the handwritten signature.
    pub image: Option<Vec<u8>>,
    /// How name and title are set.
    pub layout: SignatureLayout,
}

impl Signature {
    /// A block with only a name, set [`SignatureLayout::Stacked`].
    pub fn new(name: impl Into<String>) -> Signature {
        Signature {
            name: name.into(),
            title: None,
            organisation: None,
            image: None,
            layout: SignatureLayout::Stacked,
        }
    }
}

/// How a signature block sets the name and the title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureLayout {
    /// The name, then the title and organisation under it (English usage;
    /// every block of a co-signed letter).
    #[default]
    Stacked,
    /// The title on the left, the name on the right on the title's last
    /// line (ГОСТ Р 7.0.97, СТБ 6.38: «Председатель СПМ ……… А. Ф. Бухвостов»);
    /// Russian and Belarusian letters with one signatory.
    TitleLeftNameRight,
}

/// A block of the letter body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Block {
    /// A paragraph of styled runs.
    Paragraph(Vec<Run>),
    /// A heading, printed as a bold paragraph.
    Heading(Vec<Run>),
    /// A list; `start` is the first number of a numbered list.
    List {
        /// First number of a numbered list; `None` for bullets.
        start: Option<u64>,
        /// Each item's blocks.
        items: Vec<Vec<Block>>,
    },
    /// A block quote.
    Quote(Vec<Block>),
}

/// A piece of text with one style.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Run {
    /// The text; `"\n"` alone is a hard line break.
    pub text: String,
    /// Bold.
    pub bold: bool,
    /// Italic.
    pub italic: bool,
    /// Target of a link.
    pub link: Option<String>,
    /// A reference to note number `n`: the text is the number, printed
    /// raised and small (in plain text, as `[n]`).
    pub note: Option<usize>,
    /// Inline code: printed as it is, never typeset.
    pub code: bool,
    /// The language of the text where it is not the letter's: a BCP 47
    /// code such as `be`, from a cited source's `language` or from the
    /// script (Hebrew, Georgian, Armenian, Greek). Tagged PDF marks it
    /// for screen readers; the text output ignores it.
    pub language: Option<String>,
}

impl Run {
    /// True for a hard line break.
    pub fn is_break(&self) -> bool {
        self.text == "\n"
    }
}

/// A labelled list of the frame: enclosures or copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a> {
    /// "Enclosures:", "Enclosure:", "Копия:" …
    pub label: &'static str,
    /// The items.
    pub items: &'a [String],
    /// Printed under the text, before the closing (Russian and Belarusian
    /// enclosures); otherwise after the signature.
    pub before_closing: bool,
}

impl Letter {
    /// The subject as the letter prints it: "Objet : …" in French,
    /// "Asunto: …" in Spanish, the subject alone in other languages (and in
    /// mail headers and document titles).
    pub fn subject_line(&self) -> String {
        match self.labels.subject {
            "" => self.subject.clone(),
            label => format!("{label} {}", self.subject),
        }
    }

    /// The enclosures and the copies, each where there are any, in the
    /// order the letter's language lists them: enclosures (under the text
    /// in Russian and Belarusian letters, else after the signature), then
    /// copies.
    pub fn listed(&self) -> impl Iterator<Item = Listed<'_>> {
        let labels = self.labels;
        let enclosures = Listed {
            label: match self.enclosures.len() {
                1 => labels.enclosure,
                _ => labels.enclosures,
            },
            items: &self.enclosures,
            before_closing: labels.enclosures_before_closing,
        };
        let cc = Listed {
            label: labels.cc,
            items: &self.cc,
            before_closing: false,
        };
        [enclosures, cc]
            .into_iter()
            .filter(|listed| !listed.items.is_empty())
    }

    /// Calls `f` on every text of the letter a reader or a program can see:
    /// frame, body (and link targets), notes, annex.
    pub(crate) fn texts_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.frame_texts_mut(f);
        blocks_mut(&mut self.body, f);
        for note in &mut self.notes {
            runs_mut(&mut note.runs, f);
        }
    }

    /// Calls `f` on every text of the letter but its body and notes: the
    /// frame and the annex.
    pub(crate) fn frame_texts_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.frame_texts(true, f);
    }

    /// [`Letter::frame_texts_mut`] but the names of the mailboxes, which
    /// are header values of a mail draft, not printed.
    pub(crate) fn printed_frame_texts_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.frame_texts(false, f);
    }

    /// Calls `f` on the runs of each paragraph and heading of the body, at
    /// any depth, and of each note.
    pub(crate) fn paragraphs_mut(&mut self, f: &mut dyn FnMut(&mut [Run])) {
        paragraphs_mut(&mut self.body, f);
        for note in &mut self.notes {
            f(&mut note.runs);
        }
    }

    fn frame_texts(&mut self, mailboxes: bool, f: &mut dyn FnMut(&mut String)) {
        let head = &mut self.letterhead;
        let frame = [
            &mut head.organisation,
            &mut self.place_date,
            &mut self.subject,
        ]
        .into_iter()
        .chain([
            &mut self.running_head,
            &mut self.salutation,
            &mut self.closing,
        ])
        .chain(
            head.address
                .iter_mut()
                .chain(&mut head.contacts)
                .chain(&mut head.officers),
        )
        .chain(
            self.recipient
                .iter_mut()
                .chain(&mut self.cc)
                .chain(&mut self.enclosures),
        )
        .chain(self.reference.iter_mut().chain(&mut self.delivery))
        .chain(self.signatories.iter_mut().flat_map(|signature| {
            std::iter::once(&mut signature.name)
                .chain(&mut signature.title)
                .chain(&mut signature.organisation)
        }))
        .chain(
            self.to
                .iter_mut()
                .chain(&mut self.from)
                .filter(|_| mailboxes)
                .map(|m| &mut m.name),
        );
        frame.for_each(&mut *f);
        if let Some(annex) = &mut self.annex {
            f(&mut annex.title);
            annex.rows.iter_mut().flatten().for_each(&mut *f);
        }
    }

    /// Title for document metadata: the subject.
    pub fn title(&self) -> &str {
        &self.subject
    }

    /// Author for document metadata: the sending organisation.
    pub fn author(&self) -> &str {
        &self.letterhead.organisation
    }
}

/// A numbered note at the foot of the page that refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Note {
    /// Its number, from 1, in the order of first reference.
    pub number: usize,
    /// Its text; a source's address is a link run whose text is the address.
    pub runs: Vec<Run>,
}

/// A table of the incidents an appeal cites: one row each, in date order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Annex {
    /// Its heading: "Annex: chronology of the cases".
    pub title: String,
    /// The column heads: date, place, people, what happened, outcome, sources.
    pub columns: Vec<String>,
    /// One row of cells per incident, as many as the columns.
    pub rows: Vec<Vec<String>>,
}

fn blocks_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut String)) {
    for block in blocks {
        match block {
            Block::Paragraph(runs) | Block::Heading(runs) => runs_mut(runs, f),
            Block::List { items, .. } => items.iter_mut().for_each(|item| blocks_mut(item, f)),
            Block::Quote(blocks) => blocks_mut(blocks, f),
        }
    }
}

fn paragraphs_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut [Run])) {
    for block in blocks {
        match block {
            Block::Paragraph(runs) | Block::Heading(runs) => f(runs),
            Block::List { items, .. } => items.iter_mut().for_each(|item| paragraphs_mut(item, f)),
            Block::Quote(blocks) => paragraphs_mut(blocks, f),
        }
    }
}

fn runs_mut(runs: &mut [Run], f: &mut dyn FnMut(&mut String)) {
    for run in runs {
        f(&mut run.text);
        if let Some(link) = &mut run.link {
            f(link);
        }
    }
}

/// A display name and an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Display name: a person or an organisation.
    pub name: String,
    /// The address.
    pub email: String,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A letter to "r" with `body`, its frame short, for tests of any stage.
    pub(crate) fn letter(body: Vec<Block>) -> Letter {
        Letter {
            fonts: Vec::new(),
            recipient_id: "r".into(),
            language: Language::En,
            letterhead: Letterhead {
                organisation: "Union".into(),
                address: vec![],
                contacts: vec![],
                officers: vec![],
                logo: None,
            },
            date: Date::new(2021, 3, 1).unwrap(),
            place_date: "Geneva, 01 March 2021".into(),
            reference: None,
            recipient: vec!["Recipient".into()],
            running_head: "Recipient".into(),
            to: None,
            from: None,
            delivery: None,
            subject: "Subject".into(),
            salutation: "Dear colleagues,".into(),
            body,
            closing: "Yours,".into(),
            signatories: vec![Signature::new("Name")],
            cc: vec![],
            enclosures: vec![],
            notes: vec![],
            annex: None,
            redacted: false,
            labels: Language::En.labels(),
            layout: None,
        }
    }
}
