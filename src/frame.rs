//! The frame of a letter in its language: the addressee block, salutation,
//! closing and signature line as each language's correspondence conventions
//! want them (ГОСТ Р 7.0.97-2016 for Russian, СТБ 6.38-2016 for Belarusian,
//! British usage for English, French and Spanish administrative and
//! diplomatic usage: an office is saluted by its name, not by the surname).
//!
//! Every function here works on a resolved [`Addressee`], whose words are
//! already in the letter's language; where the data cannot give a form, the
//! function gives `None` and the caller falls back to a neutral one: a
//! letter never guesses a name's case or a person's gender.

use crate::appeal::{Gender, Localized, Rank, Signatory};
use crate::lang::{Language, capitalised, lowercase_first};
use crate::resolve::Addressee;

/// The salutation made from what is known of the addressee, in `language`;
/// `None` where nothing is known that a salutation could use.
///
/// English: "Your Excellency," for an ambassador, "Dear Chargé d'Affaires,",
/// "Dear Mr. Houngbo,", "Dear Director-General,". Russian and Belarusian:
/// "Уважаемый Михаил Викторович!", "Уважаемая госпожа Петрова!",
/// "Паважаная спадарыня Кавальская!", "Уважаемый господин Председатель!".
/// French: by office where the office is given in French ("Monsieur le
/// Directeur général,", "Madame l'Ambassadrice,", "Excellence,"), else
/// "Monsieur," or "Madame,". Spanish: "Señor Director General:",
/// "Excelentísimo señor Embajador:", "Estimada señora Pérez:". Both need the
/// gender: without it, `None`.
pub(crate) fn salutation(addressee: &Addressee, language: Language) -> Option<String> {
    // Only words in the letter's script: never "Уважаемый General Secretary!".
    let word = |value: &Option<String>| value.clone().filter(|w| in_script(w, language));
    let a = Addressee {
        honorific: word(&addressee.honorific),
        given: word(&addressee.given),
        patronymic: word(&addressee.patronymic),
        surname: word(&addressee.surname),
        title: word(&addressee.title),
        ..addressee.clone()
    };
    let a = &a;
    match language {
        Language::En => {
            let excellency = a.honorific.as_deref().is_some_and(is_excellency);
            match a.rank {
                Some(Rank::Ambassador) => return Some("Your Excellency,".into()),
                Some(Rank::ChargeDAffaires) => return Some("Dear Chargé d'Affaires,".into()),
                Some(Rank::Minister) => return Some("Dear Minister,".into()),
                Some(Rank::ConsulGeneral) => return Some("Dear Consul General,".into()),
                None if excellency => return Some("Your Excellency,".into()),
                None => {}
            }
            if let Some(surname) = &a.surname {
                // Never the bare surname ("Dear Petrova,"): the honorific,
                // else one agreeing with the gender, else the whole name.
                return Some(match (a.honorific.as_deref().map(spelled_out), a.gender) {
                    (Some(honorific), _) => format!("Dear {honorific} {surname},"),
                    (None, Some(Gender::Female)) => format!("Dear Ms. {surname},"),
                    (None, Some(Gender::Male)) => format!("Dear Mr. {surname},"),
                    (None, None) => match (&a.given, &a.name) {
                        (Some(given), _) => format!("Dear {given} {surname},"),
                        (None, Some(name)) if in_script(name, language) => {
                            format!("Dear {name},")
                        }
                        _ => return a.title.as_ref().map(|title| format!("Dear {title},")),
                    },
                });
            }
            a.title.as_ref().map(|title| format!("Dear {title},"))
        }
        Language::Ru | Language::Be => {
            let gender = a.gender?;
            let (dear, mister) = match (language, gender) {
                (Language::Ru, Gender::Male) => ("Уважаемый", "господин"),
                (Language::Ru, Gender::Female) => ("Уважаемая", "госпожа"),
                (_, Gender::Male) => ("Паважаны", "спадар"),
                (_, Gender::Female) => ("Паважаная", "спадарыня"),
            };
            if let (Some(given), Some(patronymic)) = (&a.given, &a.patronymic) {
                return Some(format!("{dear} {given} {patronymic}!"));
            }
            let ambassador = (a.rank == Some(Rank::Ambassador)).then_some(match language {
                Language::Ru => "Посол",
                _ => "Пасол",
            });
            let word = a.surname.as_deref().or(ambassador).or(a.title.as_deref())?;
            Some(format!("{dear} {mister} {}!", capitalised(word)))
        }
        Language::Fr => {
            let excellency = a.honorific.as_deref().is_some_and(is_excellency);
            let Some(gender) = a.gender else {
                let ambassador = a.rank == Some(Rank::Ambassador);
                return (ambassador || (a.rank.is_none() && excellency))
                    .then(|| "Excellence,".to_owned());
            };
            let (madam, office) = match (a.rank, gender) {
                (Some(Rank::Ambassador), Gender::Male) => ("Monsieur", Some("Ambassadeur")),
                (Some(Rank::Ambassador), Gender::Female) => ("Madame", Some("Ambassadrice")),
                (Some(Rank::ChargeDAffaires), Gender::Male) => {
                    ("Monsieur", Some("Chargé d'affaires"))
                }
                (Some(Rank::ChargeDAffaires), Gender::Female) => {
                    ("Madame", Some("Chargée d'affaires"))
                }
                (Some(Rank::Minister), Gender::Male) => ("Monsieur", Some("Ministre")),
                (Some(Rank::Minister), Gender::Female) => ("Madame", Some("Ministre")),
                (Some(Rank::ConsulGeneral), Gender::Male) => ("Monsieur", Some("Consul général")),
                (Some(Rank::ConsulGeneral), Gender::Female) => ("Madame", Some("Consule générale")),
                (None, Gender::Male) => ("Monsieur", None),
                (None, Gender::Female) => ("Madame", None),
            };
            if a.rank.is_none() && excellency {
                return Some("Excellence,".into());
            }
            match office.map(str::to_owned).or_else(|| a.title.clone()) {
                Some(office) => {
                    let office = capitalised(&office);
                    let article = match (elides(&office), gender) {
                        (true, _) => "l'",
                        (false, Gender::Male) => "le ",
                        (false, Gender::Female) => "la ",
                    };
                    Some(format!("{madam} {article}{office},"))
                }
                None if a.surname.is_some() || a.name.is_some() => Some(format!("{madam},")),
                None => None,
            }
        }
        Language::Es => {
            let excellency = a.honorific.as_deref().is_some_and(is_excellency);
            let Some(gender) = a.gender else {
                let ambassador = a.rank == Some(Rank::Ambassador);
                return (ambassador || (a.rank.is_none() && excellency))
                    .then(|| "Excelencia:".to_owned());
            };
            let (sir, dear) = match gender {
                Gender::Male => ("señor", "Estimado"),
                Gender::Female => ("señora", "Estimada"),
            };
            let office = match (a.rank, gender) {
                (Some(Rank::Ambassador), Gender::Male) => {
                    return Some("Excelentísimo señor Embajador:".into());
                }
                (Some(Rank::Ambassador), Gender::Female) => {
                    return Some("Excelentísima señora Embajadora:".into());
                }
                (None, _) if excellency => return Some("Excelencia:".into()),
                (Some(Rank::ChargeDAffaires), Gender::Male) => Some("Encargado de Negocios"),
                (Some(Rank::ChargeDAffaires), Gender::Female) => Some("Encargada de Negocios"),
                (Some(Rank::Minister), Gender::Male) => Some("Ministro"),
                (Some(Rank::Minister), Gender::Female) => Some("Ministra"),
                (Some(Rank::ConsulGeneral), _) => Some("Cónsul General"),
                (None, _) => None,
            };
            if let Some(office) = office.map(str::to_owned).or_else(|| a.title.clone()) {
                return Some(format!("{} {}:", capitalised(sir), capitalised(&office)));
            }
            a.surname
                .as_ref()
                .map(|surname| format!("{dear} {sir} {surname}:"))
        }
    }
}

/// Whether a French word takes "l'" for "le" or "la": before a vowel or
/// a mute h ("l'Ambassadeur", "l'Administratrice").
fn elides(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| "aeiouyàâéèêëîïôûhAEIOUYÀÂÉÈÊËÎÏÔÛH".contains(c))
}

/// The closing a letter takes when its template gives none: in English,
/// "Yours faithfully," after "Dear Sir or Madam,", otherwise "Yours
/// sincerely,"; "С уважением,"; "З павагай,"; "Atentamente,".
///
/// French closes with a sentence that repeats the salutation's words and
/// says the regard the addressee's rank is due: "Nous vous prions
/// d'agréer, Monsieur le Directeur général, l'expression de notre haute
/// considération." (an office), "… l'assurance de notre très haute
/// considération." (an ambassador), "… l'expression de nos salutations
/// distinguées."
/// (otherwise); `we` when several organisations write ("Nous vous prions
/// d'agréer, …, l'expression de notre haute considération.").
pub(crate) fn closing(addressee: &Addressee, language: Language, salutation: &str) -> String {
    match language {
        Language::En if salutation == language.labels().neutral_salutation => {
            "Yours faithfully,".into()
        }
        Language::En => "Yours sincerely,".into(),
        Language::Ru => "С уважением,".into(),
        Language::Be => "З павагай,".into(),
        Language::Es => "Atentamente,".into(),
        Language::Fr => french_closing(addressee, salutation),
    }
}

/// "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos
/// salutations distinguées.": the French formula around the salutation.
fn french_closing(addressee: &Addressee, salutation: &str) -> String {
    let words = salutation
        .trim()
        .trim_end_matches([',', ':', '!'])
        .trim_end();
    // "Monsieur le Directeur général" keeps its capitals inside the
    // sentence; "Chers camarades" does not.
    let courtesy_title = ["Madame", "Monsieur", "Mesdames", "Messieurs", "Excellence"]
        .iter()
        .any(|title| words.starts_with(title));
    let words = match courtesy_title {
        true => words.to_owned(),
        false => lowercase_first(words),
    };
    let excellency = addressee.rank == Some(Rank::Ambassador)
        || (addressee.rank.is_none() && addressee.honorific.as_deref().is_some_and(is_excellency))
        || words.starts_with("Excellence");
    let office = [
        "Monsieur le ",
        "Madame la ",
        "Monsieur l'",
        "Madame l'",
        "Mesdames et Messieurs les ",
    ]
    .iter()
    .any(|start| words.starts_with(start));
    let fraternal = ["cher ", "chère ", "chers ", "chères "]
        .iter()
        .any(|start| words.starts_with(start));
    let (pray, my, mine) = ("Nous vous prions", "notre", "nos");
    if fraternal {
        return format!("Nous vous adressons, {words}, {mine} salutations fraternelles.");
    }
    let regard = if excellency {
        format!("l'assurance de {my} très haute considération")
    } else if office {
        format!("l'expression de {my} haute considération")
    } else {
        format!("l'expression de {mine} salutations distinguées")
    };
    format!("{pray} d'agréer, {words}, {regard}.")
}

/// The courtesy formula diplomatic protocol closes a letter to an
/// ambassador with, in place of the usual closing: "Please accept, Your Excellency, the assurances
/// of our highest consideration.", "Примите, господин Посол, уверения в
/// нашем глубоком уважении." (or "Ваше Превосходительство" where the
/// ambassador's gender is not known), "Прыміце, спадар Пасол, …",
/// "Aprovecho la oportunidad para reiterar a Vuestra Excelencia las
/// seguridades de mi más alta y distinguida consideración." French needs none: its closing is the
/// formula.
pub(crate) fn courtesy(addressee: &Addressee, language: Language) -> Option<&'static str> {
    let excellency = addressee.rank == Some(Rank::Ambassador)
        || (addressee.rank.is_none() && addressee.honorific.as_deref().is_some_and(is_excellency));
    if !excellency {
        return None;
    }
    match (language, addressee.gender) {
        (Language::En, _) => {
            Some("Please accept, Your Excellency, the assurances of our highest consideration.")
        }
        (Language::Ru, Some(Gender::Male)) => {
            Some("Примите, господин Посол, уверения в нашем глубоком уважении.")
        }
        (Language::Ru, Some(Gender::Female)) => {
            Some("Примите, госпожа Посол, уверения в нашем глубоком уважении.")
        }
        (Language::Ru, None) => {
            Some("Примите, Ваше Превосходительство, уверения в нашем глубоком уважении.")
        }
        (Language::Be, Some(Gender::Male)) => {
            Some("Прыміце, спадар Пасол, запэўненні ў нашай глыбокай павазе.")
        }
        (Language::Be, Some(Gender::Female)) => {
            Some("Прыміце, спадарыня Пасол, запэўненні ў нашай глыбокай павазе.")
        }
        (Language::Be, None) => None,
        (Language::Es, _) => Some(
            "Aprovecho la oportunidad para reiterar a Vuestra Excelencia las seguridades de mi más alta y distinguida consideración.",
        ),
        (Language::Fr, _) => None,
    }
}

/// The addressee block above the salutation, without postal address.
///
/// English: honorific and name, office, organisation. Russian and
/// Belarusian (ГОСТ Р 7.0.97-2016 §5.11, СТБ 6.38-2016): the office in the
/// dative with the organisation in the genitive ("Председателю Федерации
/// независимых профсоюзов России"), or the organisation in the nominative
/// and the office in the dative on the next line; then the person as
/// initials and surname in the dative ("М. В. Шмакову"). A form the data
/// does not give is left out, never guessed.
pub(crate) fn addressee_lines(addressee: &Addressee, language: Language) -> Vec<String> {
    let a = addressee;
    let mut lines = Vec::new();
    match language {
        Language::En => {
            let name = match (&a.honorific, &a.name) {
                (Some(honorific), Some(name)) => Some(format!("{honorific} {name}")),
                (None, Some(name)) => Some(name.clone()),
                _ => None,
            };
            lines.extend(name);
            lines.extend(a.title.clone());
            lines.extend(a.organisation.clone());
        }
        // "Monsieur Gilbert F. Houngbo", "Sr. Gilbert F. Houngbo": the
        // courtesy title the gender gives, or the honorific given in the
        // letter's language.
        Language::Fr | Language::Es => {
            let courtesy = a.honorific.clone().or_else(|| {
                let title = match (language, a.gender?) {
                    (Language::Fr, Gender::Male) => "Monsieur",
                    (Language::Fr, Gender::Female) => "Madame",
                    (_, Gender::Male) => "Sr.",
                    (_, Gender::Female) => "Sra.",
                };
                Some(title.to_owned())
            });
            let name = match (courtesy, &a.name) {
                (Some(courtesy), Some(name)) => Some(format!("{courtesy} {name}")),
                (None, Some(name)) => Some(name.clone()),
                _ => None,
            };
            lines.extend(name);
            lines.extend(a.title.clone());
            lines.extend(a.organisation.clone());
        }
        Language::Ru | Language::Be => {
            match (&a.title_dative, &a.organisation_genitive, &a.organisation) {
                // A diplomat's post names the state: "Послу Республики Беларусь в …".
                (Some(post), _, _) if a.rank.is_some() => lines.push(post.clone()),
                (Some(post), Some(of), _) => lines.push(format!("{post} {of}")),
                (Some(post), None, Some(organisation)) => {
                    lines.push(organisation.clone());
                    lines.push(post.clone());
                }
                (Some(post), None, None) => lines.push(post.clone()),
                (None, _, Some(organisation)) => lines.push(organisation.clone()),
                (None, _, None) => {}
            }
            if let Some(surname) = &a.surname_dative {
                lines.push(addressed(a, surname, language));
            }
        }
    }
    lines
}

/// The signatory's name as the signature line prints it: in full in English
/// ("Maksim Pozniakov"), as initials and surname in Russian and Belarusian
/// ("А. Ф. Бухвостов"), from the name parts in the letter's language where
/// given, else from `name`, whose last word is then the surname.
pub(crate) fn signed_name(signatory: &Signatory, language: Language) -> String {
    fn part(value: &Option<Localized<String>>, language: Language) -> Option<&str> {
        value
            .as_ref()
            .and_then(|v| v.get(language))
            .map(String::as_str)
    }
    let (given, patronymic, surname) = (
        part(&signatory.given, language),
        part(&signatory.patronymic, language),
        part(&signatory.surname, language),
    );
    match (language, surname) {
        (Language::En | Language::Fr | Language::Es, Some(surname)) => match given {
            Some(given) => format!("{given} {surname}"),
            None => surname.to_owned(),
        },
        (Language::Ru | Language::Be, Some(surname)) => initialled(given, patronymic, surname),
        (Language::Ru | Language::Be, None) if in_script(&signatory.name, language) => {
            let words: Vec<&str> = signatory.name.split_whitespace().collect();
            match words.as_slice() {
                [first @ .., last] if !first.is_empty() => {
                    let mut out: String = first.iter().map(|w| initials(w) + " ").collect();
                    out.push_str(last);
                    out
                }
                _ => signatory.name.clone(),
            }
        }
        _ => signatory.name.clone(),
    }
}

/// Who a letter is to, in a few words, for the running head: the person
/// (English: "Mr. Guy Ryder, Director-General"; Russian and Belarusian: as the addressee
/// block names them, in the dative), else the office, else the organisation.
pub(crate) fn running_head(addressee: &Addressee, language: Language) -> String {
    let a = addressee;
    let person = match language {
        Language::En | Language::Fr | Language::Es => Some(addressee_lines(a, language))
            .filter(|lines| !lines.is_empty())
            .map(|lines| lines[..lines.len().min(2)].join(", ")),
        Language::Ru | Language::Be => a
            .surname_dative
            .as_ref()
            .map(|surname| addressed(a, surname, language)),
    };
    person
        .or_else(|| a.organisation.clone())
        .or_else(|| a.title.clone())
        .unwrap_or_default()
}

/// The person in the addressee block: initials before the surname in
/// Russian ("М. В. Шмакову", ГОСТ Р 7.0.97-2016), after it in Belarusian
/// ("Кавальскай В. І.", СТБ 6.38-2016).
fn addressed(a: &Addressee, surname: &str, language: Language) -> String {
    let initials: Vec<String> = [&a.given, &a.patronymic]
        .into_iter()
        .flatten()
        .map(|part| initials(part))
        .collect();
    match (language, initials.is_empty()) {
        (_, true) => surname.to_owned(),
        (Language::Be, false) => format!("{surname} {}", initials.join(" ")),
        _ => format!("{} {surname}", initials.join(" ")),
    }
}

/// "М. В. Шмакову": the initials of `given` and `patronymic` before `surname`.
pub(crate) fn initialled(given: Option<&str>, patronymic: Option<&str>, surname: &str) -> String {
    let mut out = String::new();
    for part in [given, patronymic].into_iter().flatten() {
        out.push_str(&initials(part));
        out.push(' ');
    }
    out.push_str(surname);
    out
}

/// "А." for "Александр", "Ж.-П." for "Жан-Поль".
fn initials(name: &str) -> String {
    name.split('-')
        .filter_map(|part| part.chars().next())
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join("-")
}

/// The gender a Russian or Belarusian patronymic shows: "-вич" and "-ич"
/// are a man's, "-вна", "-ўна" (Belarusian), "-чна" and "-ична" a woman's.
pub(crate) fn gender_of_patronymic(patronymic: &str) -> Option<Gender> {
    let lower = patronymic.trim().to_lowercase();
    if lower.ends_with("ич") || lower.ends_with("іч") || lower.ends_with(" оглы") {
        Some(Gender::Male)
    } else if ["вна", "ўна", "чна", " кызы"]
        .iter()
        .any(|ending| lower.ends_with(ending))
    {
        Some(Gender::Female)
    } else {
        None
    }
}

/// A Russian name part in the dative or genitive, declined by `petrovich`.
pub(crate) fn declined(part: NamePart, name: &str, gender: Gender, case: Case) -> String {
    use petrovich::{Case as C, Gender as G};
    let gender = match gender {
        Gender::Male => G::Male,
        Gender::Female => G::Female,
    };
    let case = match case {
        Case::Dative => C::Dative,
        Case::Genitive => C::Genitive,
    };
    // Petrovich declines one word; compound surnames decline part by part.
    name.split('-')
        .map(|word| match part {
            NamePart::Given => petrovich::firstname(gender, word, case),
            NamePart::Patronymic => petrovich::middlename(gender, word, case),
            NamePart::Surname => petrovich::lastname(gender, word, case),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Which part of a name to decline.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NamePart {
    Given,
    Patronymic,
    Surname,
}

/// The grammatical cases letters need.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Case {
    Dative,
    Genitive,
}

/// True for text a letter in `language` can use as a word of its frame:
/// Cyrillic for Russian and Belarusian, no Cyrillic for English, French and
/// Spanish.
pub(crate) fn in_script(text: &str, language: Language) -> bool {
    let cyrillic = text
        .chars()
        .any(|c| matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}'));
    let latin = text.chars().any(|c| c.is_ascii_alphabetic());
    match language {
        Language::En | Language::Fr | Language::Es => !cyrillic,
        Language::Ru | Language::Be => cyrillic || !latin,
    }
}

/// "H.E.", "His Excellency", "Her Excellency"; "S. E.", "Son Excellence";
/// "Excmo. Sr.", "Su Excelencia".
fn is_excellency(honorific: &str) -> bool {
    let h = honorific.trim().to_lowercase();
    ["h.e.", "he", "s.e.", "s. e.", "excmo. sr.", "excma. sra."].contains(&h.as_str())
        || h.ends_with("excellency")
        || h.ends_with("excellence")
        || h.ends_with("excelencia")
}

/// An honorific as a salutation writes it: "Prof." is "Professor".
fn spelled_out(honorific: &str) -> &str {
    match honorific.trim() {
        "Prof." | "Prof" => "Professor",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addressee() -> Addressee {
        Addressee::empty("x")
    }

    #[test]
    fn russian_salutations_agree_with_gender() {
        let mut a = addressee();
        a.given = Some("Михаил".into());
        a.patronymic = Some("Викторович".into());
        a.surname = Some("Шмаков".into());
        assert_eq!(salutation(&a, Language::Ru), None, "no gender, no guess");
        a.gender = Some(Gender::Male);
        assert_eq!(
            salutation(&a, Language::Ru).unwrap(),
            "Уважаемый Михаил Викторович!"
        );
        let mut b = addressee();
        b.gender = Some(Gender::Female);
        b.surname = Some("Петрова".into());
        assert_eq!(
            salutation(&b, Language::Ru).unwrap(),
            "Уважаемая госпожа Петрова!"
        );
        b.surname = Some("Кавальская".into());
        assert_eq!(
            salutation(&b, Language::Be).unwrap(),
            "Паважаная спадарыня Кавальская!"
        );
        let mut c = addressee();
        c.gender = Some(Gender::Male);
        c.title = Some("председатель".into());
        assert_eq!(
            salutation(&c, Language::Ru).unwrap(),
            "Уважаемый господин Председатель!"
        );
    }

    #[test]
    fn english_salutations_follow_rank_and_never_abbreviate() {
        let mut a = addressee();
        a.honorific = Some("H.E.".into());
        a.surname = Some("Exampleov".into());
        assert_eq!(salutation(&a, Language::En).unwrap(), "Your Excellency,");
        a.rank = Some(Rank::ChargeDAffaires);
        assert_eq!(
            salutation(&a, Language::En).unwrap(),
            "Dear Chargé d'Affaires,"
        );
        let mut b = addressee();
        b.honorific = Some("Prof.".into());
        b.surname = Some("Ewing".into());
        assert_eq!(
            salutation(&b, Language::En).unwrap(),
            "Dear Professor Ewing,"
        );
        let mut petrova = addressee();
        petrova.name = Some("Anna Petrova".into());
        petrova.surname = Some("Petrova".into());
        assert_eq!(
            salutation(&petrova, Language::En).unwrap(),
            "Dear Anna Petrova,"
        );
        petrova.gender = Some(Gender::Female);
        assert_eq!(
            salutation(&petrova, Language::En).unwrap(),
            "Dear Ms. Petrova,"
        );
        let mut c = addressee();
        c.title = Some("Director-General".into());
        assert_eq!(
            salutation(&c, Language::En).unwrap(),
            "Dear Director-General,"
        );
        assert_eq!(salutation(&addressee(), Language::En), None);
    }

    #[test]
    fn closings_agree_with_the_salutation() {
        let a = addressee();
        assert_eq!(
            closing(&a, Language::En, "Dear Sir or Madam,"),
            "Yours faithfully,"
        );
        assert_eq!(
            closing(&a, Language::En, "Dear Mr. Ryder,"),
            "Yours sincerely,"
        );
        assert_eq!(
            closing(&a, Language::Ru, "Уважаемые господа!"),
            "С уважением,"
        );
    }

    fn man(title: Option<&str>) -> Addressee {
        let mut a = addressee();
        a.gender = Some(Gender::Male);
        a.title = title.map(str::to_owned);
        a.name = Some("Gilbert F. Houngbo".into());
        a.surname = Some("Houngbo".into());
        a
    }

    #[test]
    fn french_salutes_the_office_and_never_guesses_gender() {
        let fr = |a: &Addressee| salutation(a, Language::Fr);
        assert_eq!(
            fr(&man(Some("Directeur général"))).unwrap(),
            "Monsieur le Directeur général,"
        );
        let mut woman = man(Some("directrice générale"));
        woman.gender = Some(Gender::Female);
        assert_eq!(fr(&woman).unwrap(), "Madame la Directrice générale,");
        woman.title = Some("Administratrice".into());
        assert_eq!(fr(&woman).unwrap(), "Madame l'Administratrice,");
        woman.title = None;
        assert_eq!(fr(&woman).unwrap(), "Madame,");
        assert_eq!(fr(&man(None)).unwrap(), "Monsieur,");
        let mut ambassador = addressee();
        ambassador.rank = Some(Rank::Ambassador);
        assert_eq!(fr(&ambassador).unwrap(), "Excellence,");
        ambassador.gender = Some(Gender::Male);
        assert_eq!(fr(&ambassador).unwrap(), "Monsieur l'Ambassadeur,");
        ambassador.gender = Some(Gender::Female);
        assert_eq!(fr(&ambassador).unwrap(), "Madame l'Ambassadrice,");
        ambassador.rank = Some(Rank::ChargeDAffaires);
        assert_eq!(fr(&ambassador).unwrap(), "Madame la Chargée d'affaires,");
        ambassador.gender = Some(Gender::Male);
        assert_eq!(fr(&ambassador).unwrap(), "Monsieur le Chargé d'affaires,");
        let mut unknown = man(Some("Directeur général"));
        unknown.gender = None;
        assert_eq!(fr(&unknown), None, "no gender, no guess");
        // A Cyrillic title is no French office.
        let mut cyrillic = man(None);
        cyrillic.title = Some("Директор".into());
        assert_eq!(fr(&cyrillic).unwrap(), "Monsieur,");
    }

    #[test]
    fn french_closing_repeats_the_salutation() {
        let dg = man(Some("Directeur général"));
        let s = salutation(&dg, Language::Fr).unwrap();
        assert_eq!(
            closing(&dg, Language::Fr, &s),
            "Nous vous prions d'agréer, Monsieur le Directeur général, l'expression de notre haute considération."
        );
        let mut ambassador = addressee();
        ambassador.rank = Some(Rank::Ambassador);
        ambassador.gender = Some(Gender::Female);
        let s = salutation(&ambassador, Language::Fr).unwrap();
        assert_eq!(
            closing(&ambassador, Language::Fr, &s),
            "Nous vous prions d'agréer, Madame l'Ambassadrice, l'assurance de notre très haute considération."
        );
        assert_eq!(
            closing(&addressee(), Language::Fr, "Madame, Monsieur,"),
            "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
        );
        assert_eq!(
            closing(&addressee(), Language::Fr, "Chers camarades,"),
            "Nous vous adressons, chers camarades, nos salutations fraternelles."
        );
        assert_eq!(
            courtesy(&ambassador, Language::Fr),
            None,
            "the closing says it"
        );
    }

    #[test]
    fn spanish_salutations_by_office_then_surname() {
        let es = |a: &Addressee| salutation(a, Language::Es);
        assert_eq!(
            es(&man(Some("Director General"))).unwrap(),
            "Señor Director General:"
        );
        assert_eq!(es(&man(None)).unwrap(), "Estimado señor Houngbo:");
        let mut woman = man(None);
        woman.gender = Some(Gender::Female);
        woman.surname = Some("Pérez".into());
        assert_eq!(es(&woman).unwrap(), "Estimada señora Pérez:");
        let mut ambassador = addressee();
        ambassador.rank = Some(Rank::Ambassador);
        assert_eq!(es(&ambassador).unwrap(), "Excelencia:");
        ambassador.gender = Some(Gender::Male);
        assert_eq!(es(&ambassador).unwrap(), "Excelentísimo señor Embajador:");
        assert!(courtesy(&ambassador, Language::Es).is_some());
        let mut unknown = man(Some("Director General"));
        unknown.gender = None;
        assert_eq!(es(&unknown), None);
        assert_eq!(
            closing(&unknown, Language::Es, "Señora, señor:"),
            "Atentamente,"
        );
    }

    #[test]
    fn french_and_spanish_blocks_name_the_person_then_the_office() {
        let mut dg = man(Some("Directeur général"));
        dg.organisation = Some("Bureau international du Travail (BIT)".into());
        assert_eq!(
            addressee_lines(&dg, Language::Fr),
            [
                "Monsieur Gilbert F. Houngbo",
                "Directeur général",
                "Bureau international du Travail (BIT)"
            ]
        );
        dg.title = Some("Director General".into());
        assert_eq!(
            addressee_lines(&dg, Language::Es)[..2],
            ["Sr. Gilbert F. Houngbo", "Director General"]
        );
        dg.gender = None;
        assert_eq!(addressee_lines(&dg, Language::Es)[0], "Gilbert F. Houngbo");
    }

    #[test]
    fn russian_addressee_block_is_in_the_dative_with_initials_first() {
        let mut a = addressee();
        a.title_dative = Some("Председателю".into());
        a.organisation_genitive = Some("Федерации независимых профсоюзов России".into());
        a.organisation = Some("Федерация независимых профсоюзов России".into());
        a.given = Some("Михаил".into());
        a.patronymic = Some("Викторович".into());
        a.surname_dative = Some("Шмакову".into());
        assert_eq!(
            addressee_lines(&a, Language::Ru),
            [
                "Председателю Федерации независимых профсоюзов России",
                "М. В. Шмакову"
            ]
        );
        a.organisation_genitive = None;
        a.surname_dative = None;
        assert_eq!(
            addressee_lines(&a, Language::Ru),
            ["Федерация независимых профсоюзов России", "Председателю"]
        );
    }

    #[test]
    fn petrovich_declines_by_gender() {
        let dative = |part, name, gender| declined(part, name, gender, Case::Dative);
        assert_eq!(dative(NamePart::Surname, "Шмаков", Gender::Male), "Шмакову");
        assert_eq!(
            dative(NamePart::Surname, "Петрова", Gender::Female),
            "Петровой"
        );
        assert_eq!(
            dative(NamePart::Surname, "Безымянных", Gender::Male),
            "Безымянных"
        );
        assert_eq!(
            dative(NamePart::Surname, "Салтыков-Щедрин", Gender::Male),
            "Салтыкову-Щедрину"
        );
        assert_eq!(
            declined(
                NamePart::Patronymic,
                "Викторович",
                Gender::Male,
                Case::Genitive
            ),
            "Викторовича"
        );
    }

    #[test]
    fn patronymics_show_gender_and_initials_take_hyphens() {
        assert_eq!(gender_of_patronymic("Викторович"), Some(Gender::Male));
        assert_eq!(gender_of_patronymic("Ивановна"), Some(Gender::Female));
        assert_eq!(gender_of_patronymic("Ильинична"), Some(Gender::Female));
        assert_eq!(gender_of_patronymic("Віктаравіч"), Some(Gender::Male));
        assert_eq!(gender_of_patronymic("Іванаўна"), Some(Gender::Female));
        assert_eq!(gender_of_patronymic("Smith"), None);
        assert_eq!(initialled(Some("Жан-Поль"), None, "Сартру"), "Ж.-П. Сартру");
        let mut a = addressee();
        a.given = Some("Вольга".into());
        a.patronymic = Some("Іванаўна".into());
        a.surname_dative = Some("Кавальскай".into());
        assert_eq!(addressee_lines(&a, Language::Be), ["Кавальскай В. І."]);
        assert_eq!(addressee_lines(&a, Language::Ru), ["В. І. Кавальскай"]);
    }

    #[test]
    fn frame_words_must_be_in_the_letters_script() {
        assert!(!in_script("General Secretary", Language::Ru));
        let mut a = addressee();
        a.gender = Some(Gender::Male);
        a.title = Some("General Secretary".into());
        assert_eq!(salutation(&a, Language::Ru), None);
        assert!(in_script("Председатель", Language::Ru));
        assert!(!in_script("Председатель", Language::En));
        assert!(in_script("Director-General", Language::En));
    }
}
