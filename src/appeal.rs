//! The data an officer writes: the appeal and the recipient registry, as
//! plain serde types with the keys of the TOML files.
//!
//! They deserialise from any serde format (TOML, JSON from a web form, YAML)
//! and can be built in code; [`resolve`](crate::resolve()) checks them
//! whatever built them. Where a value came from a file, the loader keeps its
//! place beside the model (an [`Origin`]), not inside it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::lang::{Date, Language};
use crate::letter::FontFile;
use crate::origin::Origin;
use crate::postal::PostalLayout;

/// One appeal: who writes, to whom, about what.
///
/// From a file with [`Appeal::open`] or [`Appeal::parse`]; from JSON (or any
/// serde format) with the same keys; or in code, from [`Appeal::new`] and its
/// public fields:
///
/// ```
/// use appeal::{Appeal, Date, Localized, Sender, Signatory};
///
/// let mut appeal = Appeal::new(
///     "solidarity-appeal",
///     Sender::new("Belarusian Independent Trade Union"),
///     Signatory::new("Maksim Pozniakov"),
/// );
/// appeal.date = Date::new(2021, 4, 19);
/// appeal.recipients = vec!["fnpr".into()];
/// appeal.demands = Some(Localized::Same(vec!["speak up for the detained".into()]));
/// let letters = appeal::Engine::builtin().letters(&appeal)?;
/// assert_eq!(letters[0].recipient_id, "fnpr");
///
/// let from_json: Appeal = serde_json::from_str(r#"{
///     "template": "solidarity-appeal", "date": "2021-04-19", "recipients": ["fnpr"],
///     "demands": ["speak up for the detained"],
///     "sender": { "organisation": "Belarusian Independent Trade Union" },
///     "signatory": { "name": "Maksim Pozniakov" }
/// }"#)?;
/// assert_eq!(appeal::Engine::builtin().letters(&from_json)?, letters);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Appeal {
    /// Built-in template name or one from a template directory.
    pub template: String,
    /// Language code; without it each letter is in its recipient's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Date of the letter; without it the caller's date (today) is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Place written before the date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Localized<String>>,
    /// The sender's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The letter this one answers: `{ reference = "07-12", date = 2021-02-15 }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<InReplyTo>,
    /// Subject line; without it the template's default subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Localized<String>>,
    /// Registry ids, inline recipient ids, or `tag:NAME`.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Carbon copies: registry ids or free text.
    #[serde(default)]
    pub cc: Vec<String>,
    /// Documents sent with the letter: `"title"` or `{ title, pages, copies }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enclosures: Option<Localized<Vec<Enclosure>>>,
    /// What the letter asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demands: Option<Localized<Vec<String>>>,
    /// CommonMark body; may use template expressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Localized<String>>,
    /// The organisation that writes.
    pub sender: Sender,
    /// Who signs: one `[signatory]` table, or `[[signatory]]` tables for a
    /// letter co-signed by several people or organisations (at most
    /// [`MAX_SIGNATORIES`]).
    #[serde(with = "one_or_many")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "crate::schema::OneOrMany<Signatory>")
    )]
    pub signatory: Vec<Signatory>,
    /// Recipients defined in this appeal, beside the registry.
    #[serde(default, rename = "recipient")]
    pub inline_recipients: Vec<Recipient>,
    /// Incidents to cite from the incident databases: ids or `tag:NAME`.
    #[serde(default)]
    pub incidents: Vec<String>,
    /// Incidents defined in this appeal; always cited.
    #[serde(default, rename = "incident")]
    pub inline_incidents: Vec<Incident>,
    /// Add a chronology of the incidents after the signature, on a page of its own.
    #[serde(default)]
    pub annex: bool,
    /// The window envelope the first page is laid out for: `"din5008b"`,
    /// `"din5008a"`, `"sn010130"` (Swiss, window on the right) or `"us10"`;
    /// without it, the paper's (DIN 5008 form B on A4, US #10 on Letter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<PostalLayout>,
    /// A complaint to the ILO Committee on Freedom of Association: its
    /// parties, Conventions and requests (template `cfa-complaint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint: Option<Complaint>,
    /// Free-form values for templates.
    #[serde(default)]
    pub vars: serde_json::Map<String, serde_json::Value>,
    /// How the letters are set: the union's own fonts.
    #[serde(default)]
    pub style: LetterStyle,
    /// The file this appeal was read from, to place diagnostics.
    #[serde(skip)]
    pub(crate) origin: Option<Arc<Origin>>,
}

impl Appeal {
    /// An appeal with `template`, `sender` and `signatory` and nothing else.
    pub fn new(template: impl Into<String>, sender: Sender, signatory: Signatory) -> Appeal {
        Appeal {
            template: template.into(),
            sender,
            signatory: vec![signatory],
            ..Appeal::default()
        }
    }

    /// Adds a co-signatory, whose block follows the others'. With an
    /// `organisation` other than the sender, the letter is co-signed: its
    /// templates say "we, the undersigned organisations".
    pub fn add_signatory(&mut self, signatory: Signatory) -> &mut Appeal {
        self.signatory.push(signatory);
        self
    }

    /// The key path of signatory `i` as the appeal writes it: `signatory`
    /// for a single `[signatory]` table, `signatory[1]` in a list.
    pub(crate) fn signatory_path(&self, i: usize) -> String {
        let listed = self
            .origin
            .as_ref()
            .is_some_and(|origin| origin.span("signatory[0]").is_some());
        if self.signatory.len() == 1 && !listed {
            "signatory".to_owned()
        } else {
            format!("signatory[{i}]")
        }
    }

    /// The name of the file this appeal was read from, if it was.
    pub fn file_name(&self) -> Option<&str> {
        self.origin.as_ref().map(|origin| origin.name())
    }
}

/// The letter an appeal answers.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InReplyTo {
    /// Its reference number.
    pub reference: String,
    /// Its date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// A document sent with the letter: `"Court ruling"`, or
/// `{ title = "Приговор суда", pages = 3, copies = 1 }`, which Russian and
/// Belarusian letters list as "Приговор суда на 3 л. в 1 экз.".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Enclosure {
    /// What it is.
    pub title: String,
    /// How many sheets it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// How many copies are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
}

impl From<&str> for Enclosure {
    fn from(title: &str) -> Self {
        Enclosure {
            title: title.to_owned(),
            ..Enclosure::default()
        }
    }
}

/// A value given once for every letter, or once per language, for mailings
/// in which each letter is in its recipient's language:
/// `subject = "…"` or `subject = { en = "…", be = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Localized<T> {
    /// The same in every letter.
    Same(T),
    /// One per language code (boxed: most values are the same in every
    /// letter, and a registry holds a dozen of them per entry).
    PerLanguage(Box<BTreeMap<String, T>>),
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

    /// The value in the first of `preferred` languages it has, else in any
    /// language: for names and addresses, which a letter prints whatever
    /// their language.
    ///
    /// ```
    /// use appeal::{Language, Localized};
    ///
    /// let name: Localized<String> = toml::from_str::<toml::Table>(
    ///     r#"name = { ru = "Михаил Шмаков", en = "Mikhail Shmakov" }"#,
    /// )?["name"].clone().try_into()?;
    /// assert_eq!(name.best(&[Language::Be, Language::En]).unwrap(), "Mikhail Shmakov");
    /// assert_eq!(name.best(&[Language::Be]).unwrap(), "Mikhail Shmakov");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn best(&self, preferred: &[Language]) -> Option<&T> {
        match self {
            Localized::Same(value) => Some(value),
            Localized::PerLanguage(values) => preferred
                .iter()
                .find_map(|language| values.get(language.code()))
                .or_else(|| values.values().next()),
        }
    }
}

impl<T: Default> Default for Localized<T> {
    fn default() -> Self {
        Localized::Same(T::default())
    }
}

impl<T> From<T> for Localized<T> {
    fn from(value: T) -> Self {
        Localized::Same(value)
    }
}

impl From<&str> for Localized<String> {
    fn from(value: &str) -> Self {
        Localized::Same(value.to_owned())
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
                BTreeMap::deserialize(MapAccessDeserializer::new(map))
                    .map(|values| Localized::PerLanguage(Box::new(values)))
            }
        }

        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}

/// The organisation that writes the letter; its letterhead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Sender {
    /// Name of the organisation.
    pub organisation: String,
    /// Web address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Postal address lines.
    #[serde(default)]
    pub address: Vec<String>,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Fax number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Officers named on the letterhead.
    #[serde(default)]
    pub officers: Vec<Officer>,
    /// Whether English text says "the" before the name: "on behalf of the
    /// Free Metalworkers' Union".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub article: bool,
    /// The name in the genitive, per language: "Свободного профсоюза
    /// металлистов"; templates fall back to a phrase in the nominative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_genitive: Option<Localized<String>>,
    /// The logo at the top of the letterhead: a PNG or SVG file, relative
    /// to the appeal file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// The file named by `logo`: read and checked by [`Appeal::open`], or
    /// set in code.
    #[serde(skip)]
    pub logo_image: Option<Logo>,
}

/// A letterhead logo: the bytes of a PNG or SVG file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Logo {
    /// A PNG image, drawn as an image.
    Png(Arc<Vec<u8>>),
    /// An SVG drawing, drawn as vectors.
    Svg(Arc<Vec<u8>>),
}

impl Sender {
    /// A sender with only its name.
    pub fn new(organisation: impl Into<String>) -> Sender {
        Sender {
            organisation: organisation.into(),
            ..Sender::default()
        }
    }
}

/// An officer named on the letterhead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Officer {
    /// Office held, e.g. "General Secretary".
    pub role: String,
    /// Who holds it.
    pub name: String,
}

impl Officer {
    /// `name`, holding `role`.
    pub fn new(role: impl Into<String>, name: impl Into<String>) -> Officer {
        Officer {
            role: role.into(),
            name: name.into(),
        }
    }
}

/// The most signatories a letter has: four rows of three signature blocks,
/// about half a page. More co-signers belong in the body or an enclosure.
pub const MAX_SIGNATORIES: usize = 12;

/// How the letters of an appeal are set (`[style]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct LetterStyle {
    /// The union's own font files (TrueType or OpenType), relative to the
    /// appeal file: each character of a PDF is set in the first of them of
    /// its style (regular, bold, italic) that has it, then in the built-in
    /// faces of that style. Checked when loaded: embeddable (licence,
    /// outlines, metrics) and a text face, not symbols.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fonts: Vec<String>,
    /// The files named by `fonts`: read by [`Appeal::open`], or set in code.
    #[serde(skip)]
    pub font_files: Vec<FontFile>,
}

/// A person who signs the letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Signatory {
    /// Full name, as written in the sender's language.
    pub name: String,
    /// Office, printed with the name; per language where letters are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Localized<String>>,
    /// The co-signing organisation this person signs for; without it, the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// PNG of the handwritten signature, relative to the appeal file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Grammatical gender, for agreement: `"f"` or `"m"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Given name, per language where the scripts differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<Localized<String>>,
    /// Patronymic (Russian and Belarusian names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patronymic: Option<Localized<String>>,
    /// Surname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<Localized<String>>,
    /// The PNG named by `signature`: read by [`Appeal::open`], or set in code.
    #[serde(skip)]
    pub signature_image: Option<Arc<Vec<u8>>>,
}

impl Signatory {
    /// A signatory with only a name.
    pub fn new(name: impl Into<String>) -> Signatory {
        Signatory {
            name: name.into(),
            ..Signatory::default()
        }
    }
}

/// Grammatical gender of a person: the form of "Dear", "Уважаемый/Уважаемая",
/// and of a declined surname.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Gender {
    /// `"f"`.
    #[serde(rename = "f")]
    Female,
    /// `"m"`.
    #[serde(rename = "m")]
    Male,
}

/// A diplomat's rank, which decides how letters address them.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rank {
    /// An ambassador: "Your Excellency," and the diplomatic courtesy formula.
    Ambassador,
    /// A chargé d'affaires: "Dear Chargé d'Affaires,".
    ChargeDAffaires,
    /// A minister of government: "Dear Minister,".
    Minister,
    /// A consul general: "Dear Consul General,".
    ConsulGeneral,
}

/// `signatory`: one table, or a list of them; written back as one table
/// when there is one, so that a single signatory keeps its key paths
/// (`signatory.name`).
mod one_or_many {
    use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Signatory;

    pub fn serialize<S: Serializer>(list: &[Signatory], serializer: S) -> Result<S::Ok, S::Error> {
        match list {
            [one] => one.serialize(serializer),
            _ => list.serialize(serializer),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Signatory>, D::Error> {
        struct Visit;

        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Vec<Signatory>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a [signatory] table, or a list of [[signatory]] tables")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                Signatory::deserialize(MapAccessDeserializer::new(map)).map(|one| vec![one])
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq))
            }
        }

        deserializer.deserialize_any(Visit)
    }
}

/// A body a letter can go to: a registry entry or an inline `[[recipient]]`.
///
/// Every text field is one value (in the recipient's `language`) or one per
/// language: `title = { en = "Chairman", ru = "Председатель" }`. A letter
/// uses the value in its own language; names and addresses fall back to
/// another language's value, words of the frame (title, salutation) never do.
///
/// Files give every field at one level; in memory, what only some entries
/// give (name parts, case forms, rank, salutation, sourcing) is kept apart
/// in [`Forms`], so that a registry of 100,000 entries does not hold a
/// dozen empty fields for each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "RecipientFields", into = "RecipientFields")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Recipient {
    /// Stable id used in `recipients`, `cc` and file names.
    pub id: String,
    /// "Mr.", "Ms.", "Dr" … (English letters).
    pub honorific: Option<Localized<String>>,
    /// The person addressed, in full; left out where offices change hands.
    pub name: Option<Localized<String>>,
    /// The person's office.
    pub title: Option<Localized<String>>,
    /// The body addressed.
    pub organisation: Option<Localized<String>>,
    /// Postal address lines.
    pub address: Option<Localized<Vec<String>>>,
    /// Country, printed last in the address.
    pub country: Option<Localized<String>>,
    /// E-mail address.
    pub email: Option<String>,
    /// Language letters to this recipient are written in, where the template has it.
    pub language: Option<String>,
    /// Tags for `tag:NAME` selection.
    pub tags: Vec<String>,
    /// Name parts, case forms, rank, salutation and sourcing, where given.
    pub forms: Option<Box<Forms>>,
}

/// What only some recipients give: the name's parts and case forms, a
/// diplomat's rank, a fixed salutation, where the facts come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Forms {
    /// Grammatical gender of the person addressed: `"f"` or `"m"`.
    pub gender: Option<Gender>,
    /// Given name.
    pub given: Option<Localized<String>>,
    /// Patronymic (Russian and Belarusian names).
    pub patronymic: Option<Localized<String>>,
    /// Surname.
    pub surname: Option<Localized<String>>,
    /// The surname in the dative ("Шмакову"); Russian forms are declined
    /// where not given, Belarusian ones must be given.
    pub surname_dative: Option<Localized<String>>,
    /// A diplomat's rank.
    pub rank: Option<Rank>,
    /// The office in the dative, for the addressee block of Russian and
    /// Belarusian letters: "Председателю", "Паслу".
    pub title_dative: Option<Localized<String>>,
    /// The body's name in the genitive: "Федерации независимых профсоюзов России".
    pub organisation_genitive: Option<Localized<String>>,
    /// The body's name in the dative: "Федерации независимых профсоюзов России".
    pub organisation_dative: Option<Localized<String>>,
    /// Whether English text says "the" before the organisation's name.
    pub article: Option<bool>,
    /// Salutation to use instead of the one made from the name and office.
    pub salutation: Option<Localized<String>>,
    /// Where the facts come from.
    pub source: Option<String>,
    /// When the facts were last checked.
    pub as_of: Option<Date>,
}

impl Forms {
    /// No forms at all.
    pub const NONE: Forms = Forms {
        gender: None,
        given: None,
        patronymic: None,
        surname: None,
        surname_dative: None,
        rank: None,
        title_dative: None,
        organisation_genitive: None,
        organisation_dative: None,
        article: None,
        salutation: None,
        source: None,
        as_of: None,
    };
}

/// A recipient as files write it: every field at one level.
#[derive(Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct RecipientFields {
    /// Stable id used in `recipients`, `cc` and file names.
    pub id: String,
    /// "Mr.", "Ms.", "Dr" … (English letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific: Option<Localized<String>>,
    /// The person addressed, in full; left out where offices change hands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Localized<String>>,
    /// Grammatical gender of the person addressed: `"f"` or `"m"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<Localized<String>>,
    /// Patronymic (Russian and Belarusian names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patronymic: Option<Localized<String>>,
    /// Surname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<Localized<String>>,
    /// The surname in the dative ("Шмакову"); Russian forms are declined
    /// where not given, Belarusian ones must be given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname_dative: Option<Localized<String>>,
    /// A diplomat's rank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<Rank>,
    /// The person's office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Localized<String>>,
    /// The office in the dative, for the addressee block of Russian and
    /// Belarusian letters: "Председателю", "Паслу".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_dative: Option<Localized<String>>,
    /// The body addressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Localized<String>>,
    /// The body's name in the genitive: "Федерации независимых профсоюзов России".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_genitive: Option<Localized<String>>,
    /// The body's name in the dative: "Федерации независимых профсоюзов России".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_dative: Option<Localized<String>>,
    /// Whether English text says "the" before the organisation's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<bool>,
    /// Postal address lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Localized<Vec<String>>>,
    /// Country, printed last in the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Localized<String>>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Language letters to this recipient are written in, where the template has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Salutation to use instead of the one made from the name and office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<Localized<String>>,
    /// Tags for `tag:NAME` selection.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the facts come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the facts were last checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
}

impl From<RecipientFields> for Recipient {
    fn from(f: RecipientFields) -> Recipient {
        let forms = Forms {
            gender: f.gender,
            given: f.given,
            patronymic: f.patronymic,
            surname: f.surname,
            surname_dative: f.surname_dative,
            rank: f.rank,
            title_dative: f.title_dative,
            organisation_genitive: f.organisation_genitive,
            organisation_dative: f.organisation_dative,
            article: f.article,
            salutation: f.salutation,
            source: f.source,
            as_of: f.as_of,
        };
        Recipient {
            id: f.id,
            honorific: f.honorific,
            name: f.name,
            title: f.title,
            organisation: f.organisation,
            address: f.address,
            country: f.country,
            email: f.email,
            language: f.language,
            tags: f.tags,
            forms: (forms != Forms::NONE).then(|| Box::new(forms)),
        }
    }
}

impl From<Recipient> for RecipientFields {
    fn from(r: Recipient) -> RecipientFields {
        let forms = r.forms.map(|forms| *forms).unwrap_or_default();
        RecipientFields {
            id: r.id,
            honorific: r.honorific,
            name: r.name,
            title: r.title,
            organisation: r.organisation,
            address: r.address,
            country: r.country,
            email: r.email,
            language: r.language,
            tags: r.tags,
            gender: forms.gender,
            given: forms.given,
            patronymic: forms.patronymic,
            surname: forms.surname,
            surname_dative: forms.surname_dative,
            rank: forms.rank,
            title_dative: forms.title_dative,
            organisation_genitive: forms.organisation_genitive,
            organisation_dative: forms.organisation_dative,
            article: forms.article,
            salutation: forms.salutation,
            source: forms.source,
            as_of: forms.as_of,
        }
    }
}

impl Recipient {
    /// A recipient with only its id.
    pub fn new(id: impl Into<String>) -> Recipient {
        Recipient {
            id: id.into(),
            ..Recipient::default()
        }
    }

    /// Its forms; none where it gives none.
    pub fn forms(&self) -> &Forms {
        self.forms.as_deref().unwrap_or(&Forms::NONE)
    }

    /// Its forms, to set one.
    pub fn forms_mut(&mut self) -> &mut Forms {
        self.forms.get_or_insert_with(Box::default)
    }
}

/// An incident of repression a letter cites.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Incident {
    /// Id for `{{cite "ID"}}`.
    pub id: String,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Localized<String>>,
    /// What kind: raid, arrest, dismissal, sentence …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// People affected.
    #[serde(default)]
    pub people: Vec<Person>,
    /// Organisation affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// What happened, as the letter should say it; per language if letters are.
    pub summary: Localized<String>,
    /// What came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Localized<String>>,
    /// Where it is reported: printed as numbered notes.
    #[serde(default)]
    pub sources: Vec<Reference>,
    /// Who acted: "the police", "the Investigative Committee".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<Localized<String>>,
    /// The law invoked against the people: "Article 342 of the Criminal Code".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<Localized<String>>,
    /// Documents sent with a complaint as its evidence: "Court ruling of
    /// 17 February 2021"; numbered as annexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annexes: Option<Localized<Vec<String>>>,
    /// Tags for `tag:NAME` selection.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A complaint to the ILO Committee on Freedom of Association, lodged with
/// the ILO Director-General: `[complaint]` in an appeal.
///
/// ```toml
/// [complaint]
/// government = "Belarus"
/// complainant = "international-affiliates"
/// conventions = [87, 98, { number = 135, articles = ["1"] }]
/// urgent = true
/// remedies = ["release the detained trade unionists"]
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Complaint {
    /// The country whose Government the complaint is against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub government: Option<Localized<String>>,
    /// What kind of organisation complains, which gives its standing.
    #[serde(default)]
    pub complainant: Complainant,
    /// The standing of the complainant in words, instead of the default
    /// for its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing: Option<Localized<String>>,
    /// The ILO Conventions violated: `87`, or `{ number = 135, articles = ["1"] }`.
    #[serde(default)]
    pub conventions: Vec<ConventionRef>,
    /// Ask for the urgent procedure.
    #[serde(default)]
    pub urgent: bool,
    /// Why the case is urgent; without it, derived from the incidents'
    /// kinds (arrest, detention, sentence, death, dissolution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Localized<String>>,
    /// The number of an existing CFA case this complaint adds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// What the Government is to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedies: Option<Localized<Vec<String>>>,
}

/// Who lodges a complaint, as the CFA's procedure admits them.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Complainant {
    /// A national organisation directly interested in the matter.
    #[default]
    National,
    /// An international organisation of workers with consultative status with the ILO.
    InternationalConsultative,
    /// An international organisation whose affiliates are directly affected.
    InternationalAffiliates,
}

/// An ILO Convention a complaint invokes: its number, and the Articles
/// where not its usual ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConventionRef {
    /// The Convention's number: 87.
    pub number: u32,
    /// Its Articles violated: `["2", "3", "8(2)"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<String>,
}

impl<'de> Deserialize<'de> for ConventionRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            number: u32,
            #[serde(default)]
            articles: Vec<String>,
        }

        struct Visit;

        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ConventionRef;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Convention number, or a table with number and articles")
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<ConventionRef, E> {
                let number = u32::try_from(n)
                    .map_err(|_| E::custom(format!("no ILO Convention has number {n}")))?;
                Ok(ConventionRef {
                    number,
                    articles: Vec::new(),
                })
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<ConventionRef, E> {
                let number = u32::try_from(n)
                    .map_err(|_| E::custom(format!("no ILO Convention has number {n}")))?;
                Ok(ConventionRef {
                    number,
                    articles: Vec::new(),
                })
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ConventionRef, A::Error> {
                let Full { number, articles } =
                    Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ConventionRef { number, articles })
            }
        }

        deserializer.deserialize_any(Visit)
    }
}

/// A person an incident concerns: `"Name"`, or `{ name, role, protect }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Person {
    /// Full name, as the letters print it; per language where the scripts
    /// differ: `{ en = "Artem Zhernak", ru = "Артём Жернак" }`.
    pub name: Localized<String>,
    /// Union function: "chairman of the SPM primary organisation at MAZ".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Localized<String>>,
    /// Named in full only in letters to recipients not tagged `authority`;
    /// to those, by initials.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protect: bool,
}

impl Person {
    /// A person known by name only.
    pub fn new(name: impl Into<Localized<String>>) -> Person {
        Person {
            name: name.into(),
            ..Person::default()
        }
    }
}

/// Where an incident is reported: `"https://…"`, or `{ url, title, publisher, date, language }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Reference {
    /// The address of the report (http or https).
    pub url: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// The language of its title where it is not the letter's: a BCP 47
    /// code such as `be`, so that tagged PDF marks the title for screen
    /// readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Reference {
    /// A report known by its address only.
    pub fn new(url: impl Into<String>) -> Reference {
        Reference {
            url: url.into(),
            ..Reference::default()
        }
    }
}

/// A string is the value's main field; a table, the whole value (with the
/// table's own errors: an unknown key, a bad date).
macro_rules! string_or_table {
    ($type:ident, $field:ident: $main:ty, $expecting:literal, $full:ident { $($rest:ident: $ty:ty),* }) => {
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct $full {
                    $field: $main,
                    $(#[serde(default)] $rest: $ty,)*
                }

                struct Visit;

                impl<'de> serde::de::Visitor<'de> for Visit {
                    type Value = $type;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$type, E> {
                        Ok($type { $field: <$main>::from(text), ..$type::default() })
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<$type, A::Error> {
                        let full = $full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                        let $full { $field, $($rest),* } = full;
                        Ok($type { $field, $($rest),* })
                    }
                }

                deserializer.deserialize_any(Visit)
            }
        }
    };
}

string_or_table!(Person, name: Localized<String>, "a name, or a table with name, role and protect", FullPerson {
    role: Option<Localized<String>>,
    protect: bool
});
string_or_table!(Enclosure, title: String, "a title, or a table with title, pages and copies", FullEnclosure {
    pages: Option<u32>,
    copies: Option<u32>
});
string_or_table!(Reference, url: String, "a URL, or a table with url, title, publisher, date and language", FullReference {
    title: Option<String>,
    publisher: Option<String>,
    date: Option<Date>,
    language: Option<String>
});

impl Incident {
    /// An incident with its id and what happened.
    pub fn new(id: impl Into<String>, summary: impl Into<Localized<String>>) -> Incident {
        Incident {
            id: id.into(),
            summary: summary.into(),
            ..Incident::default()
        }
    }
}

/// The recipient registry: `[[recipient]]` entries from one or more files,
/// or built in code, with an index by id.
///
/// A later entry with an id overrides an earlier one; lookups by id do not
/// depend on the registry's size.
///
/// ```
/// use appeal::{Recipient, Registry};
///
/// let mut registry = Registry::builtin();
/// let mut union = Recipient::new("metall-union");
/// union.organisation = Some("Metalworkers' Union (example)".into());
/// union.tags = vec!["campaign-2026".into()];
/// registry.insert(union);
/// assert_eq!(registry.tagged("campaign-2026").count(), 1);
/// assert!(registry.get("ilo-dg").is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// The recipients, as they were added: a file's whole, taken without
    /// copying it.
    parts: Vec<Part>,
    /// How many recipients there are in all the parts.
    count: usize,
    /// The entry in force for each id (the last one), by its place in the
    /// registry: the ids are not kept twice.
    index: hashbrown::HashTable<u32>,
}

/// Recipients added together, from one file or from none.
#[derive(Debug, Clone)]
struct Part {
    /// The first one's place in the registry.
    start: usize,
    recipients: Vec<Recipient>,
    /// The file, and the first one's number among its `[[recipient]]` tables.
    origin: Option<(Arc<Origin>, usize)>,
}

/// A registry entry with the file (and `[[recipient]]` number) it came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub recipient: &'a Recipient,
    pub origin: Option<(&'a Arc<Origin>, usize)>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct RegistryFile {
    /// The recipients, one `[[recipient]]` table each.
    #[serde(default)]
    pub recipient: Vec<Recipient>,
}

/// The hash of an id in the registry's index: fixed, so that a registry
/// needs no hasher of its own.
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

impl Registry {
    /// A registry of `recipients`, later ones overriding earlier ones with the same id.
    pub fn from_recipients(recipients: impl IntoIterator<Item = Recipient>) -> Registry {
        let mut registry = Registry::default();
        registry.add(recipients.into_iter().collect(), None);
        registry
    }

    /// Adds `recipient`, overriding an entry with the same id.
    pub fn insert(&mut self, recipient: Recipient) {
        match self.parts.last_mut() {
            Some(part) if part.origin.is_none() => {
                part.recipients.push(recipient);
                self.count += 1;
                self.index_from(self.count - 1);
            }
            _ => self.add(vec![recipient], None),
        }
    }

    /// Adds `recipients`, from `origin` (a file, and the number of the
    /// first among its `[[recipient]]` tables) if they came from one.
    pub(crate) fn add(&mut self, recipients: Vec<Recipient>, origin: Option<(Arc<Origin>, usize)>) {
        if recipients.is_empty() {
            return;
        }
        let start = self.count;
        self.count += recipients.len();
        self.parts.push(Part {
            start,
            recipients,
            origin,
        });
        self.index_from(start);
    }

    /// Indexes the recipients from place `start` on, each overriding an
    /// earlier one with its id.
    fn index_from(&mut self, start: usize) {
        let Registry {
            parts,
            index,
            count,
        } = self;
        let id_at = |i: u32| -> &str { &Self::find(parts, i as usize).id };
        index.reserve(*count - start, |&i| id_hash(id_at(i)));
        for i in start..*count {
            let id = id_at(i as u32);
            let place = u32::try_from(i).expect("fewer than 4 billion recipients");
            match index.entry(id_hash(id), |&j| id_at(j) == id, |&j| id_hash(id_at(j))) {
                hashbrown::hash_table::Entry::Occupied(mut entry) => *entry.get_mut() = place,
                hashbrown::hash_table::Entry::Vacant(entry) => {
                    entry.insert(place);
                }
            }
        }
    }

    /// The recipient at place `i` of `parts`.
    fn find(parts: &[Part], i: usize) -> &Recipient {
        let part = &parts[parts.partition_point(|part| part.start <= i) - 1];
        &part.recipients[i - part.start]
    }

    /// Adds the entries of `other`; where ids are equal, `other`'s entry wins.
    pub fn extend(&mut self, other: Registry) {
        for part in other.parts {
            self.add(part.recipients, part.origin);
        }
    }

    /// The place of the entry in force with `id`.
    fn place(&self, id: &str) -> Option<usize> {
        let found = self.index.find(id_hash(id), |&i| {
            Self::find(&self.parts, i as usize).id == id
        });
        found.map(|&i| i as usize)
    }

    /// Entry `i` with where it came from.
    fn at(&self, i: usize) -> Entry<'_> {
        let part = &self.parts[self.parts.partition_point(|part| part.start <= i) - 1];
        Entry {
            recipient: &part.recipients[i - part.start],
            origin: part
                .origin
                .as_ref()
                .map(|(origin, first)| (origin, first + i - part.start)),
        }
    }

    /// The entry with `id`.
    pub fn get(&self, id: &str) -> Option<&Recipient> {
        self.entry(id).map(|entry| entry.recipient)
    }

    pub(crate) fn entry(&self, id: &str) -> Option<Entry<'_>> {
        self.place(id).map(|i| self.at(i))
    }

    /// The entries in force (not overridden), in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &Recipient> {
        self.in_force().map(|entry| entry.recipient)
    }

    pub(crate) fn in_force(&self) -> impl Iterator<Item = Entry<'_>> {
        let places = self.parts.iter().flat_map(|part| {
            let numbered = part.recipients.iter().enumerate();
            numbered.map(move |(k, recipient)| (part, k, recipient))
        });
        places
            .filter(|(part, k, recipient)| self.place(&recipient.id) == Some(part.start + k))
            .map(|(part, k, recipient)| Entry {
                recipient,
                origin: part
                    .origin
                    .as_ref()
                    .map(|(origin, first)| (origin, first + k)),
            })
    }

    /// How many entries are in force.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True if there are no entries.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The ids of the entries in force.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|recipient| recipient.id.as_str())
    }

    /// The entries in force tagged `tag`, in the order they were added.
    pub fn tagged<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Recipient> {
        self.iter()
            .filter(move |recipient| recipient.tags.iter().any(|t| t == tag))
    }

    pub(crate) fn tagged_entries<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = Entry<'a>> {
        self.in_force()
            .filter(move |entry| entry.recipient.tags.iter().any(|t| t == tag))
    }

    /// Every tag used, sorted, once each.
    pub fn tags(&self) -> Vec<&str> {
        sorted_tags(self.iter().flat_map(|r| &r.tags))
    }
}

/// Tags sorted, once each.
pub(crate) fn sorted_tags<'a>(tags: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut tags: Vec<&str> = tags.map(String::as_str).collect();
    tags.sort_unstable();
    tags.dedup();
    tags
}
