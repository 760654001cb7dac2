//! Complaints to the ILO Committee on Freedom of Association: the ILO's
//! checklist for complainants, kept before anything is written, and the
//! parts of a complaint its template prints (Conventions with their titles,
//! the reasons for the urgent procedure).
//!
//! The checklist: a complaint goes to the ILO Director-General; it names
//! the Government complained against; the complainant gives its permanent
//! address and signs through an officer; it makes at least one allegation,
//! each with its evidence; an urgent procedure is asked for with a reason;
//! the Conventions it invokes exist.

use serde::Serialize;

use crate::appeal::{Appeal, Complainant, Complaint, Incident, Localized};
use crate::error::{Diagnostic, Severity};
use crate::lang::Language;

/// The template complaints are written with; an appeal with it, or with a
/// `[complaint]` table, keeps the checklist.
pub const TEMPLATE: &str = "cfa-complaint";

/// The recipient a complaint goes to.
pub const DIRECTOR_GENERAL: &str = "ilo-dg";

/// A complaint as its letter prints it, in the letter's language.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Charge {
    /// The country whose Government is complained against.
    pub government: String,
    /// `national`, `international-consultative` or `international-affiliates`.
    pub complainant: Complainant,
    /// The standing in the appeal's own words, if it gives them.
    pub standing: Option<String>,
    /// The Conventions invoked, with their titles and Articles.
    pub conventions: Vec<Convention>,
    /// The urgent procedure is asked for.
    pub urgent: bool,
    /// Why: the appeal's words, or the grounds the incidents show
    /// ("human life or personal freedom").
    pub urgency: Option<String>,
    /// An existing case this complaint adds to.
    pub case: Option<String>,
    /// What the Government is to do.
    pub remedies: Vec<String>,
    /// The documents annexed as evidence, numbered from 1 in this order.
    pub annexes: Vec<String>,
}

/// An ILO Convention as a complaint cites it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Convention {
    /// Its number.
    pub number: u32,
    /// Its official title in the letter's language.
    pub title: String,
    /// The Articles violated, as given or the usual ones.
    pub articles: Vec<String>,
}

/// The Conventions a complaint may invoke: number, the Articles cited when
/// none are given, and the official titles (en, fr, es, ru).
const CONVENTIONS: &[(u32, &[&str], [&str; 4])] = &[
    (
        29,
        &[],
        [
            "Forced Labour Convention, 1930",
            "Convention (n° 29) sur le travail forcé, 1930",
            "Convenio sobre el trabajo forzoso, 1930",
            "Конвенция 1930 года о принудительном или обязательном труде",
        ],
    ),
    (
        87,
        &["2", "3", "4", "8(2)"],
        [
            "Freedom of Association and Protection of the Right to Organise Convention, 1948",
            "Convention (n° 87) sur la liberté syndicale et la protection du droit syndical, 1948",
            "Convenio sobre la libertad sindical y la protección del derecho de sindicación, 1948",
            "Конвенция 1948 года о свободе ассоциации и защите права на организацию",
        ],
    ),
    (
        98,
        &["1", "2"],
        [
            "Right to Organise and Collective Bargaining Convention, 1949",
            "Convention (n° 98) sur le droit d'organisation et de négociation collective, 1949",
            "Convenio sobre el derecho de sindicación y de negociación colectiva, 1949",
            "Конвенция 1949 года о применении принципов права на организацию и на ведение коллективных переговоров",
        ],
    ),
    (
        105,
        &[],
        [
            "Abolition of Forced Labour Convention, 1957",
            "Convention (n° 105) sur l'abolition du travail forcé, 1957",
            "Convenio sobre la abolición del trabajo forzoso, 1957",
            "Конвенция 1957 года об упразднении принудительного труда",
        ],
    ),
    (
        111,
        &[],
        [
            "Discrimination (Employment and Occupation) Convention, 1958",
            "Convention (n° 111) concernant la discrimination (emploi et profession), 1958",
            "Convenio sobre la discriminación (empleo y ocupación), 1958",
            "Конвенция 1958 года о дискриминации в области труда и занятий",
        ],
    ),
    (
        135,
        &["1"],
        [
            "Workers' Representatives Convention, 1971",
            "Convention (n° 135) concernant les représentants des travailleurs, 1971",
            "Convenio sobre los representantes de los trabajadores, 1971",
            "Конвенция 1971 года о защите прав представителей работников на предприятии и предоставляемых им возможностях",
        ],
    ),
    (
        144,
        &[],
        [
            "Tripartite Consultation (International Labour Standards) Convention, 1976",
            "Convention (n° 144) sur les consultations tripartites relatives aux normes internationales du travail, 1976",
            "Convenio sobre la consulta tripartita (normas internacionales del trabajo), 1976",
            "Конвенция 1976 года о трехсторонних консультациях для содействия применению международных трудовых норм",
        ],
    ),
    (
        151,
        &[],
        [
            "Labour Relations (Public Service) Convention, 1978",
            "Convention (n° 151) sur les relations de travail dans la fonction publique, 1978",
            "Convenio sobre las relaciones de trabajo en la administración pública, 1978",
            "Конвенция 1978 года о защите права на организацию и процедурах определения условий занятости на государственной службе",
        ],
    ),
    (
        154,
        &[],
        [
            "Collective Bargaining Convention, 1981",
            "Convention (n° 154) sur la négociation collective, 1981",
            "Convenio sobre la negociación colectiva, 1981",
            "Конвенция 1981 года о содействии коллективным переговорам",
        ],
    ),
];

/// The grounds for the urgent procedure the CFA recognises, with the
/// stems of incident kinds that show them (en, ru, be), and the words for
/// them (en, fr, es, ru).
const GROUNDS: &[(&[&str], [&str; 4])] = &[
    (
        &[
            "arrest",
            "detain",
            "detention",
            "sentence",
            "prison",
            "custody",
            "death",
            "killing",
            "murder",
            "abduct",
            "арест",
            "задерж",
            "приговор",
            "заключ",
            "смерт",
            "убий",
            "арышт",
            "затрым",
            "прысуд",
            "зняволен",
        ],
        [
            "human life or personal freedom",
            "la vie humaine ou la liberté des personnes",
            "la vida humana o la libertad de las personas",
            "жизни человека или личной свободы",
        ],
    ),
    (
        &["dissol", "liquidat", "ликвид", "роспуск", "ліквід"],
        [
            "the dissolution of an organisation",
            "la dissolution d'une organisation",
            "la disolución de una organización",
            "роспуска организации",
        ],
    ),
];

/// The column of a table for `language`: en, fr, es, ru; `None` for a
/// language complaints are not written in.
fn column(language: Language) -> Option<usize> {
    match language.code() {
        "en" => Some(0),
        "fr" => Some(1),
        "es" => Some(2),
        "ru" => Some(3),
        _ => None,
    }
}

/// True where the checklist applies to `appeal`.
pub(crate) fn applies(appeal: &Appeal) -> bool {
    appeal.template == TEMPLATE || appeal.complaint.is_some()
}

/// The grounds for the urgent procedure `incidents` show, once each, in
/// `language`.
fn grounds(incidents: &[&Incident], language: Language) -> Vec<String> {
    let column = column(language).unwrap_or(0);
    GROUNDS
        .iter()
        .filter(|(stems, _)| {
            incidents
                .iter()
                .any(|incident| shows(incident.kind.as_deref().unwrap_or_default(), stems))
        })
        .map(|(_, words)| words[column].to_owned())
        .collect()
}

/// Words that deny what follows them: "no detention", «без задержания».
const NEGATIONS: &[&str] = &["no", "not", "non", "without", "не", "нет", "без", "няма"];

/// True where a word of `kind` starts with one of `stems` and the word
/// before it does not deny it.
fn shows(kind: &str, stems: &[&str]) -> bool {
    let kind = kind.to_lowercase();
    let words: Vec<&str> = kind
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, word)| {
        stems.iter().any(|stem| word.starts_with(stem))
            && (i == 0 || !NEGATIONS.contains(&words[i - 1]))
    })
}

/// The checklist's findings for `appeal`, each with the key path it is
/// about: `recipients` are the ids the appeal writes to, `incidents` those
/// it cites with their key paths.
pub(crate) fn check(
    appeal: &Appeal,
    recipients: &[(&str, String)],
    incidents: &[(&Incident, String)],
) -> Vec<(String, Diagnostic)> {
    let mut found = Vec::new();
    let mut at = |path: &str, diagnostic: Diagnostic| found.push((path.to_owned(), diagnostic));
    // Only the complaint template prints [complaint]: elsewhere it would be
    // dropped without a word.
    if appeal.template != TEMPLATE {
        at(
            "complaint",
            Diagnostic::new(
                "complaint-template",
                format!(
                    "[complaint] is printed by template \"{TEMPLATE}\" only, not by \"{}\"",
                    appeal.template
                ),
            )
            .hint("template = \"cfa-complaint\" for a complaint to the ILO Committee on Freedom of Association, or leave out [complaint]"),
        );
        return found;
    }
    for (id, path) in recipients {
        if *id != DIRECTOR_GENERAL {
            let hint = match *id {
                "ilo-cfa" => {
                    "recipients = [\"ilo-dg\"]: the Director-General transmits complaints, and further information in an existing case (case = \"…\"), to the Committee"
                }
                _ => "recipients = [\"ilo-dg\"]; copies go to others with cc",
            };
            at(
                path,
                Diagnostic::new(
                    "complaint-recipient",
                    format!("a complaint to the Committee on Freedom of Association is addressed to the ILO Director-General, not to \"{id}\""),
                )
                .hint(hint),
            );
        }
    }
    let Some(complaint) = &appeal.complaint else {
        at(
            "template",
            Diagnostic::new("no-complaint", "a complaint needs a [complaint] table")
                .hint("[complaint] government = \"…\", conventions = [87, 98], remedies = [\"…\"]"),
        );
        return found;
    };
    if !given(complaint.government.as_ref()) {
        at(
            "complaint",
            Diagnostic::new("no-government", "the complaint names no Government").hint(
                "government = \"Belarus\": the country whose Government the complaint is against",
            ),
        );
    }
    if appeal.sender.address.is_empty() {
        at(
            "sender",
            Diagnostic::new("no-address", "the complainant gives no postal address")
                .hint("add address = [\"…\"] to [sender]: the ILO asks for the complainant's permanent address"),
        );
    }
    let path = signatory_path(appeal);
    if !appeal.signatory.iter().any(|s| given(s.title.as_ref())) {
        at(
            &path,
            Diagnostic::new("no-signatory-post", "no signatory of the complaint gives a post")
                .hint("add title = \"General Secretary\": a complaint is signed by an officer of the complainant"),
        );
    }
    if incidents.is_empty() {
        at(
            "template",
            Diagnostic::new("no-allegations", "the complaint makes no allegation")
                .hint("each incident is one numbered allegation: add [[incident]] entries, or incidents = [\"id\", \"tag:NAME\"] with --incidents FILE"),
        );
    }
    for (incident, path) in incidents {
        // Annexes count where each language lists some (a blank one is
        // refused on its own).
        let listed = |annexes: &Vec<String>| !annexes.is_empty();
        let annexed = match &incident.annexes {
            None => false,
            Some(Localized::Same(annexes)) => listed(annexes),
            Some(Localized::PerLanguage(lists)) => !lists.is_empty() && lists.values().all(listed),
        };
        if incident.sources.is_empty() && !annexed {
            at(
                path,
                Diagnostic::new(
                    "no-evidence",
                    format!("allegation \"{}\" gives no evidence", incident.id),
                )
                .hint("add sources = [\"https://…\"] (reports) or annexes = [\"…\"] (documents sent with the complaint)"),
            );
        }
    }
    if complaint.urgent
        && !incidents.is_empty()
        && complaint.urgency.is_none()
        && grounds(
            &incidents.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            Language::En,
        )
        .is_empty()
    {
        at(
            "complaint.urgent",
            Diagnostic::new("no-urgency", "the urgent procedure is asked for, but nothing says why")
                .hint("add urgency = \"…\", or cite an incident of kind arrest, detention, sentence, death or dissolution: the Committee treats cases involving human life or personal freedom, or the dissolution of an organisation, as urgent"),
        );
    }
    if !complaint.urgent && complaint.urgency.is_some() {
        at(
            "complaint.urgency",
            Diagnostic::new(
                "urgency-not-asked",
                "urgency gives a reason, but the urgent procedure is not asked for: the letter leaves it out",
            )
            .severity(Severity::Warning)
            .hint("add urgent = true, or leave urgency out"),
        );
    }
    if complaint.conventions.is_empty() {
        at(
            "complaint",
            Diagnostic::new("no-conventions", "the complaint invokes no ILO Convention")
                .hint("conventions = [87, 98]: freedom of association and collective bargaining"),
        );
    }
    for (i, convention) in complaint.conventions.iter().enumerate() {
        let path = format!("complaint.conventions[{i}]");
        if complaint.conventions[..i]
            .iter()
            .any(|c| c.number == convention.number)
        {
            at(
                &path,
                Diagnostic::new(
                    "duplicate-convention",
                    format!("Convention No. {} is given twice", convention.number),
                )
                .hint("give each Convention once, with all its Articles"),
            );
        }
        if !CONVENTIONS.iter().any(|(n, _, _)| *n == convention.number) {
            let known: Vec<String> = CONVENTIONS.iter().map(|(n, _, _)| n.to_string()).collect();
            at(
                &path,
                Diagnostic::new(
                    "unknown-convention",
                    format!("unknown ILO Convention No. {}", convention.number),
                )
                .suggest(
                    &convention.number.to_string(),
                    known.iter().map(String::as_str),
                )
                .hint(format!(
                    "Conventions a complaint can invoke: {}",
                    known.join(", ")
                )),
            );
        }
    }
    found
}

/// True for a value given, in some language (a blank one is refused on
/// its own).
fn given(value: Option<&Localized<String>>) -> bool {
    match value {
        None => false,
        Some(Localized::Same(_)) => true,
        Some(Localized::PerLanguage(texts)) => !texts.is_empty(),
    }
}

/// The key path of the (first) signatory.
fn signatory_path(appeal: &Appeal) -> String {
    match appeal.signatory.len() {
        1 => "signatory".to_owned(),
        _ => "signatory[0]".to_owned(),
    }
}

/// `complaint` as a letter in `language` prints it; `pick` gives a
/// per-language value's version (reporting one that is missing).
pub(crate) fn charge<'a>(
    complaint: &'a Complaint,
    language: Language,
    incidents: &[&Incident],
    mut pick: impl FnMut(Option<&'a Localized<String>>, &str) -> Option<String>,
    remedies: Vec<String>,
    annexes: Vec<String>,
) -> Charge {
    let column = column(language).unwrap_or(0);
    let conventions = complaint
        .conventions
        .iter()
        .filter_map(|cited| {
            let (number, usual, titles) =
                CONVENTIONS.iter().find(|(n, _, _)| *n == cited.number)?;
            Some(Convention {
                number: *number,
                title: titles[column].to_owned(),
                articles: match cited.articles.is_empty() {
                    true => usual.iter().map(|a| (*a).to_owned()).collect(),
                    false => cited.articles.clone(),
                },
            })
        })
        .collect();
    let urgency = match pick(complaint.urgency.as_ref(), "complaint.urgency") {
        // It completes "as it involves …": its own full stop would be a second.
        Some(text) => Some(text.trim().trim_end_matches('.').to_owned()),
        None => {
            let grounds = grounds(incidents, language);
            (!grounds.is_empty()).then(|| language.join(&grounds, None))
        }
    };
    Charge {
        government: pick(complaint.government.as_ref(), "complaint.government").unwrap_or_default(),
        complainant: complaint.complainant,
        standing: pick(complaint.standing.as_ref(), "complaint.standing"),
        conventions,
        urgent: complaint.urgent,
        urgency,
        case: complaint.case.clone(),
        remedies,
        annexes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(kind: &str) -> Incident {
        let mut incident = Incident::new("x", "y");
        incident.kind = Some(kind.into());
        incident
    }

    #[test]
    fn urgency_needs_a_word_that_shows_it_undenied() {
        let stems = GROUNDS[0].0;
        assert!(shows("Detention of union leaders", stems));
        assert!(shows("обыск и задержание", stems));
        assert!(shows("arrest; raid", stems));
        assert!(!shows("raid, no detention", stems));
        assert!(!shows("release without arrest", stems));
        assert!(!shows("predetention hearing", stems));
        assert!(!shows("обыск без задержания", stems));
    }

    #[test]
    fn urgency_is_derived_from_incident_kinds_in_each_language() {
        let arrest = incident("administrative arrest");
        let liquidation = incident("ликвидация профсоюза");
        let raid = incident("raid");
        assert_eq!(
            grounds(&[&arrest, &liquidation, &raid], Language::En),
            [
                "human life or personal freedom",
                "the dissolution of an organisation"
            ]
        );
        assert_eq!(grounds(&[&raid], Language::En), Vec::<String>::new());
        assert_eq!(
            grounds(&[&arrest], Language::Ru),
            ["жизни человека или личной свободы"]
        );
    }

    #[test]
    fn every_convention_has_its_titles() {
        for (number, _, titles) in CONVENTIONS {
            assert!(titles.iter().all(|t| !t.is_empty()), "{number}");
            assert!(titles[1].contains(&format!("n° {number}")), "{number}");
        }
    }
}
