//! The data an officer writes: the appeal file and the recipient registry,
//! as serde types exactly as the files spell them.
//!
//! Values that later stages must point back to keep their byte span
//! ([`Spanned`]) and the [`Source`] they came from.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::error::{Diagnostic, Source};
use crate::lang::Language;

/// One appeal file: who writes, to whom, about what.
#[derive(Debug, Clone, Deserialize)]
pub struct Appeal {
    /// Built-in template name or one from a template directory.
    pub template: Spanned<String>,
    /// Language code; without it each letter is in its recipient's language.
    pub language: Option<Spanned<String>>,
    /// Date of the letter; without it the caller's date (today) is used.
    pub date: Option<Spanned<Datetime>>,
    /// Place written before the date.
    pub place: Option<Spanned<Localized<String>>>,
    /// The sender's reference.
    pub reference: Option<String>,
    /// Subject line; without it the template's default subject.
    pub subject: Option<Spanned<Localized<String>>>,
    /// Registry ids, inline recipient ids, or `tag:NAME`.
    #[serde(default)]
    pub recipients: Vec<Spanned<String>>,
    /// Carbon copies: registry ids or free text.
    #[serde(default)]
    pub cc: Vec<Spanned<String>>,
    /// Documents sent with the letter.
    pub enclosures: Option<Spanned<Localized<Vec<String>>>>,
    /// What the letter asks for.
    pub demands: Option<Spanned<Localized<Vec<String>>>>,
    /// CommonMark body; may use template expressions.
    pub body: Option<Spanned<Localized<String>>>,
    /// The organisation that writes.
    pub sender: Sender,
    /// The person who signs.
    pub signatory: Signatory,
    /// Recipients defined in this file, beside the registry.
    #[serde(default, rename = "recipient")]
    pub inline_recipients: Vec<Recipient>,
    /// Incidents the letter cites.
    #[serde(default, rename = "incident")]
    pub incidents: Vec<Incident>,
    /// Free-form values for templates.
    #[serde(default)]
    pub vars: toml::Table,
    /// The file this appeal was read from.
    #[serde(skip, default = "Source::empty")]
    pub source: Source,
    /// Problems found while parsing that did not stop it (unknown keys,
    /// duplicate ids); resolving reports them.
    #[serde(skip)]
    pub problems: Vec<Diagnostic>,
    /// The signature image named by `signatory.signature`, read by [`Appeal::open`].
    #[serde(skip)]
    pub signature_image: Option<Arc<Vec<u8>>>,
}

/// A value given once for every letter, or once per language, for mailings
/// in which each letter is in its recipient's language:
/// `subject = "…"` or `subject = { en = "…", be = "…" }`.
#[derive(Debug, Clone)]
pub enum Localized<T> {
    /// The same in every letter.
    Same(T),
    /// One per language code.
    PerLanguage(BTreeMap<String, T>),
}

impl<T> Localized<T> {
    /// The value for letters in `language`; `None` where the appeal has no
    /// version in that language.
    pub fn get(&self, language: Language) -> Option<&T> {
        match self {
            Localized::Same(value) => Some(value),
            Localized::PerLanguage(values) => values.get(language.code()),
        }
    }
}

/// A table is a value per language; anything else is the value itself, so
/// that a wrong type gets the value's own error ("expected a sequence").
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Localized<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer};

        struct Visit<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = Localized<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value, or a table of values per language")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                T::deserialize(StrDeserializer::<E>::new(text)).map(Localized::Same)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(SeqAccessDeserializer::new(seq)).map(Localized::Same)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                BTreeMap::deserialize(MapAccessDeserializer::new(map)).map(Localized::PerLanguage)
            }
        }

        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}

/// The organisation that writes the letter; its letterhead.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Sender {
    /// Name of the organisation.
    pub organisation: String,
    /// Web address.
    pub website: Option<String>,
    /// Postal address lines.
    #[serde(default)]
    pub address: Vec<String>,
    /// Telephone number.
    pub phone: Option<String>,
    /// Fax number.
    pub fax: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Officers named on the letterhead.
    #[serde(default)]
    pub officers: Vec<Officer>,
}

/// An officer named on the letterhead.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Officer {
    /// Office held, e.g. "General Secretary".
    pub role: String,
    /// Who holds it.
    pub name: String,
}

/// The person who signs the letter.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Signatory {
    /// Full name.
    pub name: String,
    /// Office, printed under the name.
    pub title: Option<String>,
    /// PNG of the handwritten signature, relative to the appeal file.
    pub signature: Option<Spanned<String>>,
}

/// A body a letter can go to: a registry entry or an inline `[[recipient]]`.
#[derive(Debug, Clone, Deserialize)]
pub struct Recipient {
    /// Stable id used in `recipients`, `cc` and file names.
    pub id: Spanned<String>,
    /// "Mr.", "Ms.", "H.E." …
    pub honorific: Option<String>,
    /// The person addressed; left out where offices change hands.
    pub name: Option<String>,
    /// The person's office.
    pub title: Option<String>,
    /// The body addressed.
    pub organisation: Option<String>,
    /// Postal address lines.
    #[serde(default)]
    pub address: Vec<String>,
    /// Country, printed last in the address.
    pub country: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Language letters to this recipient are written in, where the template has it.
    pub language: Option<Spanned<String>>,
    /// Salutation to use instead of the one made from honorific and name.
    pub salutation: Option<String>,
    /// Tags for `tag:NAME` selection.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the facts come from.
    pub source: Option<String>,
    /// When the facts were last checked.
    pub as_of: Option<Datetime>,
}

/// An incident of repression a letter cites.
#[derive(Debug, Clone, Deserialize)]
pub struct Incident {
    /// Id for `{{cite "ID"}}`.
    pub id: Spanned<String>,
    /// When it happened.
    pub date: Option<Datetime>,
    /// Where it happened.
    pub place: Option<Spanned<Localized<String>>>,
    /// What kind: raid, arrest, dismissal, sentence …
    pub kind: Option<String>,
    /// People affected.
    #[serde(default)]
    pub people: Vec<String>,
    /// Organisation affected.
    pub organisation: Option<String>,
    /// What happened, as the letter should say it; per language if letters are.
    pub summary: Spanned<Localized<String>>,
    /// What came of it.
    pub outcome: Option<Spanned<Localized<String>>>,
    /// Where it is reported.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// The recipient registry: `[[recipient]]` entries from one or more files.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// Every entry, with the file it came from.
    pub entries: Vec<(Recipient, Source)>,
}

#[derive(Deserialize)]
pub(crate) struct RegistryFile {
    #[serde(default)]
    pub recipient: Vec<Recipient>,
}

impl Registry {
    /// The entry with `id`; a later file's entry overrides an earlier one.
    pub fn get(&self, id: &str) -> Option<&(Recipient, Source)> {
        self.entries
            .iter()
            .rev()
            .find(|(recipient, _)| recipient.id.get_ref() == id)
    }

    /// The ids of every entry, in file order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(|(recipient, _)| recipient.id.get_ref().as_str())
    }

    /// The entries tagged `tag`, in file order, later files overriding earlier ones.
    pub fn tagged<'a>(
        &'a self,
        tag: &str,
    ) -> impl Iterator<Item = &'a (Recipient, Source)> + use<'a> {
        // The last entry with an id is the one in force.
        let mut seen = std::collections::HashSet::new();
        let mut in_force: Vec<&(Recipient, Source)> = self
            .entries
            .iter()
            .rev()
            .filter(|(recipient, _)| seen.insert(recipient.id.get_ref().as_str()))
            .collect();
        in_force.reverse();
        let tag = tag.to_owned();
        in_force
            .into_iter()
            .filter(move |(recipient, _)| recipient.tags.contains(&tag))
    }

    /// Every tag used, sorted, once each.
    pub fn tags(&self) -> Vec<&str> {
        let mut tags: Vec<&str> = self
            .entries
            .iter()
            .flat_map(|(r, _)| r.tags.iter().map(String::as_str))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        tags
    }
}
