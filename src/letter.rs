//! The document model every backend consumes: the frame of a formal letter
//! and its body as blocks of styled text.

use crate::lang::{Date, Labels, Language};

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
    /// Recipient block lines: name, title, organisation, address, country.
    pub recipient: Vec<String>,
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
    /// Who signs.
    pub signatory: Signature,
    /// Carbon copies.
    pub cc: Vec<String>,
    /// Enclosures.
    pub enclosures: Vec<String>,
    /// The frame's fixed words in the letter's language.
    pub labels: &'static Labels,
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
}

/// The signatory block.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// Full name.
    pub name: String,
    /// Office.
    pub title: Option<String>,
    /// PNG of the handwritten signature.
    pub image: Option<Vec<u8>>,
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
}

impl Run {
    /// True for a hard line break.
    pub fn is_break(&self) -> bool {
        self.text == "\n"
    }
}

impl Letter {
    /// Title for document metadata: the subject.
    pub fn title(&self) -> &str {
        &self.subject
    }

    /// Author for document metadata: the sending organisation.
    pub fn author(&self) -> &str {
        &self.letterhead.organisation
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
