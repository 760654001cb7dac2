//! Mail-draft backend: an RFC 5322 message (mail-builder) with the text
//! rendering as its body and the PDF attached, ready to open in a mail
//! client and send. Nothing is sent.
//!
//! Header values are checked for line breaks and refused, never folded
//! into new headers. Date, Message-ID and MIME boundary come from the
//! letter, so that equal letters give equal drafts.

use std::hash::{Hash, Hasher};

use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::MimePart;

use super::Backend;
use super::pdf::{PdfOptions, pdf};
use super::text::{TextOptions, text};
use crate::error::{Diagnostic, Error};
use crate::lang::Date;
use crate::letter::{Letter, Mailbox};

/// Options of the mail-draft backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmlOptions {
    /// How the body text is rendered.
    pub text: TextOptions,
    /// How the attached PDF is rendered.
    pub pdf: PdfOptions,
}

impl Backend for EmlOptions {
    fn extension(&self) -> &'static str {
        "eml"
    }

    fn render(&self, letter: &Letter) -> Result<Vec<u8>, Error> {
        eml(letter, self)
    }
}

/// Renders a letter as a mail draft: To the recipient, From the sender,
/// the letter as text, the PDF attached.
///
/// ```
/// use appeal::render::{EmlOptions, eml};
///
/// let appeal = appeal::Appeal::open(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/examples/ilo-belarus-2021/appeal.toml"
/// ))?;
/// let letters = appeal::Engine::builtin().letters(&appeal)?;
/// let draft = String::from_utf8(eml(&letters[0], &EmlOptions::default())?)?;
/// assert!(draft.contains("To: \"Guy Ryder\" <ryder@ilo.org>"));
/// assert!(draft.contains("Content-Type: application/pdf"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn eml(letter: &Letter, options: &EmlOptions) -> Result<Vec<u8>, Error> {
    // Refuse before rendering anything.
    mailboxes(letter)?;
    draft(
        letter,
        &text(letter, &options.text),
        &pdf(letter, &options.pdf)?,
    )
}

/// The mail draft of a letter whose text and PDF are already rendered: a
/// batch that writes them too renders each once.
pub fn draft(letter: &Letter, body: &str, attachment: &[u8]) -> Result<Vec<u8>, Error> {
    let (to, from) = mailboxes(letter)?;
    let id = &letter.recipient_id;
    let file_name = crate::file_names([id.as_str()], "pdf").remove(0);

    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&body, &attachment).hash(&mut hasher);
    let digest = hasher.finish();
    let domain = from
        .email
        .rsplit_once('@')
        .map_or("appeal.invalid", |(_, domain)| domain);
    let boundary = format!("appeal-{digest:016x}");
    let mixed = MimePart::new(
        ContentType::new("multipart/mixed").attribute("boundary", boundary),
        vec![
            MimePart::new("text/plain", body),
            MimePart::new("application/pdf", attachment).attachment(file_name),
        ],
    );
    MessageBuilder::new()
        .from(address(from))
        .to(address(to))
        .subject(letter.subject.as_str())
        .date(timestamp(letter.date))
        .message_id(format!("{digest:016x}.{id}@{domain}"))
        .header(
            "Content-Language",
            mail_builder::headers::raw::Raw::new(letter.language.code()),
        )
        .body(mixed)
        .write_to_vec()
        .map_err(|e| Error::io("<eml>", e))
}

/// The recipient's and the sender's mailboxes, refusing a draft without one
/// and any header value with a line break.
fn mailboxes(letter: &Letter) -> Result<(&Mailbox, &Mailbox), Error> {
    let id = &letter.recipient_id;
    let to = letter.to.as_ref().ok_or_else(|| {
        Diagnostic::new("no-email", format!("no e-mail address for recipient \"{id}\""))
            .hint("add email = \"…\" to its registry entry or [[recipient]], or leave eml out of --format")
    })?;
    let from = letter.from.as_ref().ok_or_else(|| {
        Diagnostic::new("no-email", "no e-mail address for the sender")
            .hint("add email = \"…\" under [sender]")
    })?;
    for (what, value) in [
        ("recipient name", to.name.as_str()),
        ("recipient email", &to.email),
        ("sender name", &from.name),
        ("sender email", &from.email),
        ("subject", &letter.subject),
    ] {
        if value.contains(['\r', '\n']) {
            return Err(Diagnostic::new(
                "line-break-in-header",
                format!("{what} of the letter to \"{id}\" contains a line break"),
            )
            .hint("a line break in a mail header would start a new header; remove it")
            .into());
        }
    }
    Ok((to, from))
}

fn address(mailbox: &Mailbox) -> (&str, &str) {
    (mailbox.name.as_str(), mailbox.email.as_str())
}

/// Noon UTC of the letter's date, in seconds since 1970 (days from civil, H. Hinnant).
fn timestamp(date: Date) -> i64 {
    let (month, day) = (i64::from(date.month()), i64::from(date.day()));
    let year = i64::from(date.year()) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era - 719_468) * 86_400 + 12 * 3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_noon_utc_of_the_letter_date() {
        assert_eq!(timestamp(Date::new(1970, 1, 1).unwrap()), 43_200);
        assert_eq!(timestamp(Date::new(2021, 3, 1).unwrap()), 1_614_600_000);
        assert_eq!(timestamp(Date::new(2024, 2, 29).unwrap()), 1_709_208_000);
    }
}
