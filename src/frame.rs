//! The frame of a letter in its language: the addressee block, salutation,
//! closing and signature line as each language's correspondence conventions
//! want them (ГОСТ Р 7.0.97-2016 for Russian, СТБ 6.38-2016 for Belarusian,
//! British usage for English).
//!
//! Every function here works on a resolved [`Addressee`], whose words are
//! already in the letter's language; where the data cannot give a form, the
//! function gives `None` and the caller falls back to a neutral one: a
//! letter never guesses a name's case or a person's gender.

use crate::appeal::{Gender, Localized, Rank, Signatory};
use crate::lang::Language;
use crate::resolve::Addressee;

/// The salutation made from what is known of the addressee, in `language`;
/// `None` where nothing is known that a salutation could use.
///
/// English: "Your Excellency," for an ambassador, "Dear Chargé d'Affaires,",
/// "Dear Mr. Houngbo,", "Dear Director-General,". Russian and Belarusian:
/// "Уважаемый Михаил Викторович!", "Уважаемая госпожа Петрова!",
/// "Паважаная спадарыня Кавальская!", "Уважаемый господин Председатель!".
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
                return Some(match a.honorific.as_deref().map(spelled_out) {
                    Some(honorific) => format!("Dear {honorific} {surname},"),
                    None => match &a.given {
                        Some(given) => format!("Dear {given} {surname},"),
                        None => format!("Dear {surname},"),
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
    }
}

/// The closing a letter takes when its template gives none: in English,
/// "Yours faithfully," after "Dear Sir or Madam,", otherwise "Yours
/// sincerely,"; "С уважением,"; "З павагай,".
pub(crate) fn closing(language: Language, salutation: &str) -> &'static str {
    match language {
        Language::En if salutation == language.labels().neutral_salutation => "Yours faithfully,",
        Language::En => "Yours sincerely,",
        Language::Ru => "С уважением,",
        Language::Be => "З павагай,",
    }
}

/// The courtesy formula diplomatic protocol puts before the closing of a
/// letter to an ambassador: "Please accept, Your Excellency, the assurances
/// of our highest consideration.", "Примите, господин Посол, уверения в
/// нашем глубоком уважении." (or "Ваше Превосходительство" where the
/// ambassador's gender is not known), "Прыміце, спадар Пасол, …".
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
        (Language::En, Some(surname)) => match given {
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
        Language::En => Some(addressee_lines(a, language))
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
/// Cyrillic for Russian and Belarusian, no Cyrillic for English.
pub(crate) fn in_script(text: &str, language: Language) -> bool {
    let cyrillic = text
        .chars()
        .any(|c| matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}'));
    let latin = text.chars().any(|c| c.is_ascii_alphabetic());
    match language {
        Language::En => !cyrillic,
        Language::Ru | Language::Be => cyrillic || !latin,
    }
}

/// "H.E.", "His Excellency", "Her Excellency".
fn is_excellency(honorific: &str) -> bool {
    let h = honorific.trim().to_lowercase();
    h == "h.e." || h == "he" || h.ends_with("excellency")
}

/// An honorific as a salutation writes it: "Prof." is "Professor".
fn spelled_out(honorific: &str) -> &str {
    match honorific.trim() {
        "Prof." | "Prof" => "Professor",
        other => other,
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
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
        assert_eq!(
            closing(Language::En, "Dear Sir or Madam,"),
            "Yours faithfully,"
        );
        assert_eq!(closing(Language::En, "Dear Mr. Ryder,"), "Yours sincerely,");
        assert_eq!(closing(Language::Ru, "Уважаемые господа!"), "С уважением,");
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
