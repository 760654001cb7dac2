//! Languages a letter can be written in, and the words of the letter frame
//! that depend on them: dates, list joining, labels.

use std::fmt;

use serde::Serialize;

/// A language a letter can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Language {
    /// English.
    En,
    /// Russian.
    Ru,
    /// Belarusian.
    Be,
    /// French, a working language of the ILO.
    Fr,
    /// Spanish, a working language of the ILO.
    Es,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Language; 5] = [
        Language::En,
        Language::Ru,
        Language::Be,
        Language::Fr,
        Language::Es,
    ];

    /// The ISO 639-1 code: `en`, `ru`, `be`, `fr`, `es`.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
            Language::Be => "be",
            Language::Fr => "fr",
            Language::Es => "es",
        }
    }

    /// Whether the language is written in Cyrillic (Russian, Belarusian).
    pub(crate) fn is_cyrillic(self) -> bool {
        matches!(self, Language::Ru | Language::Be)
    }

    /// The language with ISO 639-1 code `code`.
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL
            .into_iter()
            .find(|language| language.code() == code)
    }

    /// The codes of every supported language, for hints.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        Language::ALL.into_iter().map(Language::code)
    }

    /// Formats a date as text in this language writes it:
    /// "1 March 2021", "1 марта 2021 г.", "1 сакавіка 2021 г.",
    /// "1er mars 2021" (the first of a month is an ordinal in French),
    /// "1 de marzo de 2021".
    pub fn format_date(self, date: Date) -> String {
        let month = self.months()[usize::from(date.month - 1)];
        let (day, year) = (date.day, date.year);
        match self {
            Language::En => format!("{day} {month} {year}"),
            Language::Ru | Language::Be => format!("{day} {month} {year} г."),
            Language::Fr if day == 1 => format!("1er {month} {year}"),
            Language::Fr => format!("{day} {month} {year}"),
            Language::Es => format!("{day} de {month} de {year}"),
        }
    }

    /// Formats the date of a letter's date line: as [`format_date`](Self::format_date),
    /// but English letters write two-digit days there ("01 March 2021"), as
    /// the IndustriALL letter the templates follow does, and French ones
    /// put the article before it ("Genève, le 1er mars 2021").
    pub fn format_dateline(self, date: Date) -> String {
        match self {
            Language::En => format!(
                "{:02} {} {}",
                date.day,
                EN_MONTHS[usize::from(date.month - 1)],
                date.year
            ),
            Language::Fr => format!("le {}", self.format_date(date)),
            _ => self.format_date(date),
        }
    }

    /// Formats a date for a table column, where a month's name would be
    /// split: "16 Feb 2021", "16.02.2021", "16/02/2021".
    pub fn format_short_date(self, date: Date) -> String {
        match self {
            Language::En => {
                let month = &EN_MONTHS[usize::from(date.month - 1)][..3];
                format!("{}\u{a0}{month}\u{a0}{}", date.day, date.year)
            }
            Language::Ru | Language::Be => {
                format!("{:02}.{:02}.{}", date.day, date.month, date.year)
            }
            Language::Fr | Language::Es => {
                format!("{:02}/{:02}/{}", date.day, date.month, date.year)
            }
        }
    }

    /// The names of the months as dates in this language give them:
    /// "March", "марта", "сакавіка", "mars", "marzo".
    pub(crate) fn months(self) -> &'static [&'static str; 12] {
        match self {
            Language::En => &EN_MONTHS,
            Language::Ru => &RU_MONTHS,
            Language::Be => &BE_MONTHS,
            Language::Fr => &FR_MONTHS,
            Language::Es => &ES_MONTHS,
        }
    }

    /// True where a note call goes before the punctuation that ends its
    /// phrase (`employeur[1].`, `задержан[1].`), as French, Russian,
    /// Belarusian and Spanish typography has it; English sets it after
    /// (`employer.[1]`).
    pub fn calls_before_punctuation(self) -> bool {
        !matches!(self, Language::En)
    }

    /// Joins items in prose: "A, B and C", "A, B и C", "A, B і C",
    /// "A, B et C", "A, B y C" (and "A e inversiones": Spanish writes "e"
    /// before a word that starts with the sound i, "i-" or "hi-", but not "hie-").
    ///
    /// `last` replaces the word before the final item (with its spaces),
    /// for a serial comma: `Some(", and ")`.
    pub fn join(self, items: &[String], last: Option<&str>) -> String {
        let conjunction = match self {
            Language::En => " and ",
            Language::Ru => " и ",
            Language::Be => " і ",
            Language::Fr => " et ",
            Language::Es if items.last().is_some_and(|item| takes_e(item)) => " e ",
            Language::Es => " y ",
        };
        match items {
            [] => String::new(),
            [only] => only.clone(),
            [init @ .., final_item] => {
                format!(
                    "{}{}{}",
                    init.join(", "),
                    last.unwrap_or(conjunction),
                    final_item
                )
            }
        }
    }

    /// The fixed words of the letter frame in this language.
    pub fn labels(self) -> &'static Labels {
        match self {
            Language::En => &EN_LABELS,
            Language::Ru => &RU_LABELS,
            Language::Be => &BE_LABELS,
            Language::Fr => &FR_LABELS,
            Language::Es => &ES_LABELS,
        }
    }
}

/// Whether Spanish "y" becomes "e" before `word`: before the sound i
/// ("e inversiones", "e hijos"), not before a diphthong ("y hierro", "y yodo").
fn takes_e(word: &str) -> bool {
    let lower = word.trim_start_matches(['«', '“', '"', '(']).to_lowercase();
    let rest = lower
        .strip_prefix("hi")
        .or_else(|| lower.strip_prefix('h').and_then(|r| r.strip_prefix('í')))
        .or_else(|| lower.strip_prefix('i'))
        .or_else(|| lower.strip_prefix('í'));
    rest.is_some_and(|rest| !rest.starts_with(['a', 'e', 'o', 'u', 'á', 'é', 'ó', 'ú']))
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The fixed words of a letter frame in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Labels {
    /// Before the subject line, where the language labels it: "Objet :",
    /// "Asunto:"; empty in English, Russian and Belarusian letters.
    pub subject: &'static str,
    /// Before the carbon-copy list.
    pub cc: &'static str,
    /// Before the list of enclosures.
    pub enclosures: &'static str,
    /// Before the one enclosure.
    pub enclosure: &'static str,
    /// Whether enclosures are listed under the text, before the closing and
    /// signature (ГОСТ Р 7.0.97 §5.19, СТБ 6.38), not after the signature.
    pub enclosures_before_closing: bool,
    /// Before the recipient's e-mail address on the delivery line.
    pub by_email: &'static str,
    /// Before the sender's telephone number.
    pub phone: &'static str,
    /// Before the sender's fax number.
    pub fax: &'static str,
    /// Before the sender's reference in English letters.
    pub reference: &'static str,
    /// Before a registration number: "№".
    pub number: &'static str,
    /// Between a number and its date: "of", "от", "ад".
    pub of: &'static str,
    /// Before the reference of the letter this one answers.
    pub in_reply_to: &'static str,
    /// Whether the date line is a registration line ("№ 15 от 2 декабря
    /// 2021 г."), set at the left with the reply line ("На № …") under it,
    /// rather than the date at the right of the reference.
    pub registration_line: bool,
    /// The page count of the running head; `{page}` and `{pages}` are replaced.
    pub page: &'static str,
    /// The alternative text of a signature image; `{name}` is replaced.
    pub signature: &'static str,
    /// Salutation when nothing is known of the addressee.
    pub neutral_salutation: &'static str,
    /// Before the one incident the body does not cite.
    pub further_case: &'static str,
    /// Before the incidents the body does not cite.
    pub further_cases: &'static str,
    /// Heading of the list of sources in plain text.
    pub sources: &'static str,
    /// Title of the chronology after the signature.
    pub annex: &'static str,
    /// Its columns: date, place, people, what happened, outcome, sources.
    pub annex_columns: [&'static str; 6],
}

impl Labels {
    /// "Page 2 of 3" in this language.
    pub fn page_of(&self, page: usize, pages: usize) -> String {
        self.page
            .replace("{page}", &page.to_string())
            .replace("{pages}", &pages.to_string())
    }
}

static EN_LABELS: Labels = Labels {
    subject: "",
    cc: "cc:",
    enclosures: "Enclosures:",
    enclosure: "Enclosure:",
    enclosures_before_closing: false,
    by_email: "By email:",
    phone: "Tel:",
    fax: "Fax:",
    reference: "Our ref.:",
    number: "No.",
    of: "of",
    in_reply_to: "Your ref.",
    registration_line: false,
    page: "Page {page} of {pages}",
    signature: "Signature of {name}",
    neutral_salutation: "Dear Sir or Madam,",
    further_case: "A further case:",
    further_cases: "Further cases:",
    sources: "Sources",
    annex: "Annex: chronology of the cases",
    annex_columns: [
        "Date",
        "Place",
        "People",
        "What happened",
        "Outcome",
        "Sources",
    ],
};

static RU_LABELS: Labels = Labels {
    subject: "",
    cc: "Копия:",
    enclosures: "Приложение:",
    enclosure: "Приложение:",
    enclosures_before_closing: true,
    by_email: "По электронной почте:",
    phone: "Тел.:",
    fax: "Факс:",
    reference: "Исх.:",
    number: "№",
    of: "от",
    in_reply_to: "На №",
    registration_line: true,
    page: "Страница {page} из {pages}",
    signature: "Подпись: {name}",
    neutral_salutation: "Уважаемые господа!",
    further_case: "Ещё один случай:",
    further_cases: "Другие случаи:",
    sources: "Источники",
    annex: "Приложение: хронология случаев",
    annex_columns: [
        "Дата",
        "Место",
        "Лица",
        "Что произошло",
        "Последствия",
        "Источники",
    ],
};

static BE_LABELS: Labels = Labels {
    subject: "",
    cc: "Копія:",
    enclosures: "Дадатак:",
    enclosure: "Дадатак:",
    enclosures_before_closing: true,
    by_email: "Па электроннай пошце:",
    phone: "Тэл.:",
    fax: "Факс:",
    reference: "Зыходны №:",
    number: "№",
    of: "ад",
    in_reply_to: "На №",
    registration_line: true,
    page: "Старонка {page} з {pages}",
    signature: "Подпіс: {name}",
    neutral_salutation: "Паважаныя спадары!",
    further_case: "Яшчэ адзін выпадак:",
    further_cases: "Іншыя выпадкі:",
    sources: "Крыніцы",
    annex: "Дадатак: храналогія выпадкаў",
    annex_columns: ["Дата", "Месца", "Асобы", "Што адбылося", "Вынік", "Крыніцы"],
};

// French labels put a no-break space before a colon, as French
// typography does everywhere (see `typography`).
static FR_LABELS: Labels = Labels {
    subject: "Objet\u{a0}:",
    cc: "Copie\u{a0}:",
    enclosures: "Pièces jointes\u{a0}:",
    enclosure: "Pièce jointe\u{a0}:",
    enclosures_before_closing: false,
    by_email: "Par courriel\u{a0}:",
    phone: "Tél.\u{a0}:",
    fax: "Fax\u{a0}:",
    reference: "N/Réf.\u{a0}:",
    number: "n°",
    of: "du",
    in_reply_to: "V/Réf.\u{a0}:",
    registration_line: false,
    page: "Page {page} sur {pages}",
    signature: "Signature de {name}",
    neutral_salutation: "Madame, Monsieur,",
    further_case: "Un autre cas\u{a0}:",
    further_cases: "Autres cas\u{a0}:",
    sources: "Sources",
    annex: "Annexe\u{a0}: chronologie des cas",
    annex_columns: ["Date", "Lieu", "Personnes", "Faits", "Suites", "Sources"],
};

static ES_LABELS: Labels = Labels {
    subject: "Asunto:",
    cc: "c. c.:",
    enclosures: "Anexos:",
    enclosure: "Anexo:",
    enclosures_before_closing: false,
    by_email: "Por correo electrónico:",
    phone: "Tel.:",
    fax: "Fax:",
    reference: "N/Ref.:",
    number: "n.º",
    of: "del",
    in_reply_to: "S/Ref.:",
    registration_line: false,
    page: "Página {page} de {pages}",
    signature: "Firma de {name}",
    neutral_salutation: "Señora, señor:",
    further_case: "Otro caso:",
    further_cases: "Otros casos:",
    sources: "Fuentes",
    annex: "Anexo: cronología de los casos",
    annex_columns: [
        "Fecha",
        "Lugar",
        "Personas",
        "Hechos",
        "Consecuencias",
        "Fuentes",
    ],
};

const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const ES_MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const RU_MONTHS: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const BE_MONTHS: [&str; 12] = [
    "студзеня",
    "лютага",
    "сакавіка",
    "красавіка",
    "мая",
    "чэрвеня",
    "ліпеня",
    "жніўня",
    "верасня",
    "кастрычніка",
    "лістапада",
    "снежня",
];

/// `text` with its first letter in upper case: "председатель" → "Председатель".
pub(crate) fn capitalised(text: &str) -> String {
    first_letter(text, char::to_uppercase)
}

/// `text` with its first letter in lower case: "Your ref." → "your ref.".
pub(crate) fn lowercase_first(text: &str) -> String {
    first_letter(text, char::to_lowercase)
}

fn first_letter<I: Iterator<Item = char>>(text: &str, case: impl Fn(char) -> I) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => case(first).chain(chars).collect(),
        None => String::new(),
    }
}

/// A calendar date, as letters carry it: always a real day of the years 1
/// to 9999.
///
/// ```
/// use appeal::Date;
///
/// let date: Date = "2021-03-01".parse()?;
/// assert_eq!((date.year(), date.month(), date.day()), (2021, 3, 1));
/// assert_eq!(Date::new(2021, 2, 29), None);
/// assert!("2021-13-01".parse::<Date>().is_err());
/// // In serde formats, a string or a TOML date.
/// let json: Date = serde_json::from_str("\"2021-03-01\"")?;
/// assert_eq!(json, date);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if it exists in the Gregorian calendar (years 1 to 9999).
    pub fn new(year: i16, month: u8, day: u8) -> Option<Date> {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1..=9999).contains(&year) && (1..=days).contains(&day)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// The year, 1 to 9999.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    /// Parses `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Date, String> {
        let invalid = || {
            format!(
                "invalid date {}, expected YYYY-MM-DD",
                crate::error::quote(s)
            )
        };
        let mut parts = s.splitn(3, '-');
        let mut next = || parts.next().ok_or_else(invalid);
        let (year, month, day) = (next()?, next()?, next()?);
        let digits =
            |part: &str, len| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
            return Err(invalid());
        }
        Date::new(
            year.parse().map_err(|_| invalid())?,
            month.parse().map_err(|_| invalid())?,
            day.parse().map_err(|_| invalid())?,
        )
        .ok_or_else(invalid)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A `YYYY-MM-DD` string, or a TOML date (which reaches serde as a map with
/// one private key).
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;

        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Date;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date like 2021-03-01")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
                text.parse().map_err(|_| {
                    E::custom(format!(
                        "expected a date like 2021-03-01, not {}",
                        crate::error::quote(text)
                    ))
                })
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
                match map.next_entry::<String, String>()? {
                    Some((_, text)) => self.visit_str(&text),
                    None => Err(serde::de::Error::custom("expected a date like 2021-03-01")),
                }
            }
        }

        deserializer.deserialize_any(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn formats_dates_per_language() {
        let date = Date::new(2021, 3, 1).unwrap();
        assert_eq!(Language::En.format_date(date), "1 March 2021");
        assert_eq!(Language::En.format_dateline(date), "01 March 2021");
        assert_eq!(Language::Ru.format_date(date), "1 марта 2021 г.");
        assert_eq!(Language::Ru.format_dateline(date), "1 марта 2021 г.");
        assert_eq!(Language::Be.format_date(date), "1 сакавіка 2021 г.");
        assert_eq!(Language::Fr.format_date(date), "1er mars 2021");
        assert_eq!(Language::Fr.format_dateline(date), "le 1er mars 2021");
        assert_eq!(Language::Es.format_date(date), "1 de marzo de 2021");
        assert_eq!(Language::Es.format_dateline(date), "1 de marzo de 2021");
        let date = Date::new(2021, 2, 16).unwrap();
        assert_eq!(Language::Fr.format_date(date), "16 février 2021");
        assert_eq!(Language::Fr.format_short_date(date), "16/02/2021");
        assert_eq!(Language::Es.format_short_date(date), "16/02/2021");
        let date = Date::new(2021, 8, 31).unwrap();
        assert_eq!(Language::Fr.format_date(date), "31 août 2021");
        assert_eq!(Language::Es.format_date(date), "31 de agosto de 2021");
    }

    #[test]
    fn joins_lists_in_prose() {
        let items = strings(&["A", "B", "C"]);
        assert_eq!(Language::En.join(&items, None), "A, B and C");
        assert_eq!(Language::Ru.join(&items, None), "A, B и C");
        assert_eq!(Language::Be.join(&items, None), "A, B і C");
        assert_eq!(Language::Fr.join(&items, None), "A, B et C");
        assert_eq!(Language::Es.join(&items, None), "A, B y C");
        let es = |last: &str| Language::Es.join(&strings(&["A", last]), None);
        assert_eq!(es("inversiones"), "A e inversiones");
        assert_eq!(es("hijos"), "A e hijos");
        assert_eq!(es("Italia"), "A e Italia");
        assert_eq!(es("hierro"), "A y hierro");
        assert_eq!(es("iodo"), "A y iodo");
        assert_eq!(es("libertad"), "A y libertad");
        assert_eq!(Language::En.join(&items[..2], Some(", and ")), "A, and B");
        assert_eq!(Language::En.join(&items[..1], None), "A");
        assert_eq!(Language::En.join(&[], None), "");
    }

    #[test]
    fn parses_and_validates_dates() {
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        assert_eq!(
            "2023-02-29".parse::<Date>().unwrap_err(),
            "invalid date \"2023-02-29\", expected YYYY-MM-DD"
        );
        assert!("2023-1-01".parse::<Date>().is_err());
    }

    #[test]
    fn labels_count_pages() {
        assert_eq!(Language::En.labels().page_of(2, 3), "Page 2 of 3");
        assert_eq!(Language::Be.labels().page_of(1, 2), "Старонка 1 з 2");
        assert_eq!(Language::Fr.labels().page_of(2, 3), "Page 2 sur 3");
        assert_eq!(Language::Es.labels().page_of(2, 3), "Página 2 de 3");
        assert_eq!(Language::from_code("fr"), Some(Language::Fr));
        assert_eq!(Language::from_code("es"), Some(Language::Es));
    }
}
