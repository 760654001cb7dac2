//! Resolving: an appeal and a registry into one [`Context`] per recipient,
//! with ids and tags resolved, defaults filled and every problem reported.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::appeal::{Appeal, Incident, Localized, Recipient, Registry, Sender};
use crate::error::{Diagnostic, Error, Source};
use crate::lang::{Date, Language};
use crate::templates::{Templates, template_error};

/// How to resolve an appeal.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    /// The date of letters whose appeal gives none (the CLI passes today);
    /// without either, resolving fails rather than guess.
    pub today: Option<Date>,
    /// Recipients to write to instead of the appeal's `recipients`: ids or `tag:NAME`.
    pub to: Vec<String>,
}

/// Everything one letter's templates can use; serialised as their data.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// Template name.
    pub template: String,
    /// The letter's language.
    pub language: Language,
    /// The letter's date.
    pub date: Date,
    /// Place written before the date.
    pub place: Option<String>,
    /// The sender's reference.
    pub reference: Option<String>,
    /// The appeal's subject; templates may supply one.
    pub subject: Option<String>,
    /// The addressee.
    pub recipient: Addressee,
    /// The sending organisation.
    pub sender: Sender,
    /// Who signs.
    pub signatory: Signer,
    /// Carbon copies, as printed.
    pub cc: Vec<String>,
    /// Enclosures.
    pub enclosures: Vec<String>,
    /// Demands.
    pub demands: Vec<String>,
    /// Incidents, in file order.
    pub incidents: Vec<Cited>,
    /// Free-form values from `[vars]`.
    pub vars: serde_json::Value,
    /// The appeal's own body, compiled; rendered into `body` by compose.
    #[serde(skip)]
    pub(crate) body: Option<Arc<AppealBody>>,
}

/// The compiled body template of an appeal.
#[derive(Debug)]
pub(crate) struct AppealBody {
    pub template: handlebars::Template,
    pub source: Source,
    pub span: std::ops::Range<usize>,
}

/// A resolved recipient.
#[derive(Debug, Clone, Serialize)]
pub struct Addressee {
    /// Id, for file names.
    pub id: String,
    /// Honorific.
    pub honorific: Option<String>,
    /// Person's name.
    pub name: Option<String>,
    /// Person's office.
    pub title: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Postal address lines.
    pub address: Vec<String>,
    /// Country.
    pub country: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// The salutation fixed by the registry, when it is in the letter's language.
    pub salutation: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}

/// The signatory of a resolved letter.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    /// Full name.
    pub name: String,
    /// Office.
    pub title: Option<String>,
    /// PNG of the signature, read by the loader.
    #[serde(skip)]
    pub image: Option<Arc<Vec<u8>>>,
}

/// A resolved incident.
#[derive(Debug, Clone, Serialize)]
pub struct Cited {
    /// Id.
    pub id: String,
    /// When.
    pub date: Option<Date>,
    /// Where.
    pub place: Option<String>,
    /// Kind.
    pub kind: Option<String>,
    /// People affected.
    pub people: Vec<String>,
    /// Organisation affected.
    pub organisation: Option<String>,
    /// What happened.
    pub summary: String,
    /// What came of it.
    pub outcome: Option<String>,
    /// Reports.
    pub sources: Vec<String>,
}

/// Resolves `appeal` against `registry` and `templates` into one context per recipient.
///
/// Every problem found is reported in one [`Error`], in file order.
pub fn resolve(
    appeal: &Appeal,
    registry: &Registry,
    templates: &Templates,
    options: &ResolveOptions,
) -> Result<Vec<Context>, Error> {
    let mut problems = Problems {
        source: &appeal.source,
        diagnostics: appeal.problems.clone(),
    };

    let template_name = appeal.template.get_ref();
    let template = templates.get(template_name);
    if template.is_none() {
        let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
        let diagnostic = Diagnostic::new(format!("unknown template \"{template_name}\""))
            .suggest(template_name, names.iter().copied())
            .hint(format!("templates: {}", names.join(", ")));
        problems.at(&appeal.template, diagnostic);
    }
    let languages = template
        .map(|t| t.languages.as_slice())
        .unwrap_or(&Language::ALL);
    let language = appeal
        .language
        .as_ref()
        .and_then(|code| problems.language(code, languages, template_name));

    let date = match &appeal.date {
        Some(date) => problems.date(date, "date"),
        None if options.today.is_some() => options.today,
        None => {
            let diagnostic = Diagnostic::new("no date for the letters")
                .hint("add date = 2021-03-01 to the appeal (or pass today's date in ResolveOptions::today)");
            problems.diagnostics.push(diagnostic);
            None
        }
    };
    let incidents: Vec<Cited> = appeal
        .incidents
        .iter()
        .map(|incident| problems.incident(incident))
        .collect();
    problems.languages_of(appeal.place.as_ref(), "place");
    problems.languages_of(appeal.subject.as_ref(), "subject");
    problems.languages_of(appeal.enclosures.as_ref(), "enclosures");
    problems.languages_of(appeal.demands.as_ref(), "demands");
    problems.languages_of(appeal.body.as_ref(), "body");
    for incident in &appeal.incidents {
        problems.languages_of(Some(&incident.summary), "incident summary");
        problems.languages_of(incident.outcome.as_ref(), "incident outcome");
        problems.languages_of(incident.place.as_ref(), "incident place");
    }
    let body = appeal.body.as_ref().map(|body| problems.body(body));
    let mut missing = HashSet::new();

    // Inline recipients override registry entries with the same id.
    let mut all = registry.clone();
    all.entries.extend(
        appeal
            .inline_recipients
            .iter()
            .map(|r| (r.clone(), appeal.source.clone())),
    );
    let selected = select(&all, appeal, options, &mut problems);
    let cc: Vec<String> = appeal
        .cc
        .iter()
        .enumerate()
        .filter_map(|(i, cc)| problems.cc(&all, cc, i))
        .collect();

    let mut contexts = Vec::new();
    for (recipient, source) in selected {
        let mut local = Problems {
            source,
            diagnostics: Vec::new(),
        };
        let own = recipient
            .language
            .as_ref()
            .and_then(|code| local.language(code, &Language::ALL, ""));
        problems.diagnostics.append(&mut local.diagnostics);
        let letter_language = language
            .or(own.filter(|l| languages.contains(l)))
            .unwrap_or(if languages.contains(&Language::En) {
                Language::En
            } else {
                languages[0]
            });
        let id = recipient.id.get_ref();
        let lang = letter_language;
        let place = problems
            .pick(appeal.place.as_ref(), "place", lang, id, &mut missing)
            .cloned();
        let subject = problems
            .pick(appeal.subject.as_ref(), "subject", lang, id, &mut missing)
            .cloned();
        let enclosures = problems.pick(
            appeal.enclosures.as_ref(),
            "enclosures",
            lang,
            id,
            &mut missing,
        );
        let enclosures = enclosures.cloned().unwrap_or_default();
        let demands = problems.pick(appeal.demands.as_ref(), "demands", lang, id, &mut missing);
        let demands = demands.cloned().unwrap_or_default();
        problems.pick(appeal.body.as_ref(), "body", lang, id, &mut missing);
        let mut cited = incidents.clone();
        for (cited, incident) in cited.iter_mut().zip(&appeal.incidents) {
            let summary = problems.pick(
                Some(&incident.summary),
                "incident summary",
                lang,
                id,
                &mut missing,
            );
            cited.summary = summary.cloned().unwrap_or_default();
            let outcome = problems.pick(
                incident.outcome.as_ref(),
                "incident outcome",
                lang,
                id,
                &mut missing,
            );
            cited.outcome = outcome.cloned();
            let place = problems.pick(
                incident.place.as_ref(),
                "incident place",
                lang,
                id,
                &mut missing,
            );
            cited.place = place.cloned();
        }
        let body = body
            .as_ref()
            .and_then(|bodies| bodies.get(letter_language))
            .cloned()
            .flatten();
        let (Some(date), true) = (date, problems.diagnostics.is_empty()) else {
            continue;
        };
        contexts.push(Context {
            template: template_name.clone(),
            language: letter_language,
            date,
            place,
            reference: appeal.reference.clone(),
            subject,
            recipient: addressee(recipient, own.is_none_or(|own| own == letter_language)),
            sender: appeal.sender.clone(),
            signatory: Signer {
                name: appeal.signatory.name.clone(),
                title: appeal.signatory.title.clone(),
                image: appeal.signature_image.clone(),
            },
            cc: cc.clone(),
            enclosures,
            demands,
            incidents: cited,
            vars: serde_json::to_value(&appeal.vars).unwrap_or_default(),
            body,
        });
    }
    if problems.diagnostics.is_empty() {
        Ok(contexts)
    } else {
        Err(Error::invalid(problems.diagnostics))
    }
}

/// The recipients an appeal (or `options.to`) selects, each once, in order.
fn select<'a>(
    all: &'a Registry,
    appeal: &Appeal,
    options: &ResolveOptions,
    problems: &mut Problems<'_>,
) -> Vec<&'a (Recipient, Source)> {
    let from_options: Vec<Spanned<String>>;
    let (selectors, key) = if options.to.is_empty() {
        (&appeal.recipients, "recipients")
    } else {
        from_options = options
            .to
            .iter()
            .map(|to| Spanned::new(0..0, to.clone()))
            .collect();
        (&from_options, "--to")
    };
    if selectors.is_empty() {
        problems.diagnostics.push(
            Diagnostic::new("no recipients")
                .at(problems.source.locate(&(0..0)))
                .hint("add recipients = [\"ilo-dg\"] (registry ids, or \"tag:embassy\"); `appeal recipients` lists them"),
        );
    }
    // The entry in force for each id: the last one.
    let by_id: HashMap<&str, &(Recipient, Source)> = all
        .entries
        .iter()
        .map(|entry| (entry.0.id.get_ref().as_str(), entry))
        .collect();
    let mut seen = HashMap::new();
    let mut selected = Vec::new();
    for (i, selector) in selectors.iter().enumerate() {
        let text = selector.get_ref();
        let matches: Vec<&(Recipient, Source)> = match text.strip_prefix("tag:") {
            Some(tag) => {
                let tagged: Vec<_> = all.tagged(tag).collect();
                if tagged.is_empty() {
                    let tags = all.tags();
                    let diagnostic =
                        Diagnostic::new(format!("no recipient has tag \"{tag}\" in {key}[{i}]"))
                            .suggest(tag, tags.iter().copied())
                            .hint(format!("tags: {}", tags.join(", ")));
                    problems.at_or_none(selector, key, diagnostic);
                }
                tagged
            }
            None => {
                match by_id.get(text.as_str()) {
                    Some(&entry) => vec![entry],
                    None => {
                        let diagnostic = Diagnostic::new(format!("unknown recipient \"{text}\" in {key}[{i}]"))
                        .suggest(text, all.ids())
                        .hint("`appeal recipients` lists the registry; [[recipient]] defines one inline");
                        problems.at_or_none(selector, key, diagnostic);
                        Vec::new()
                    }
                }
            }
        };
        for entry in matches {
            if seen.insert(entry.0.id.get_ref().as_str(), ()).is_none() {
                selected.push(entry);
            }
        }
    }
    selected
}

fn addressee(recipient: &Recipient, salutation_fits: bool) -> Addressee {
    Addressee {
        id: recipient.id.get_ref().clone(),
        honorific: recipient.honorific.clone(),
        name: recipient.name.clone(),
        title: recipient.title.clone(),
        organisation: recipient.organisation.clone(),
        address: recipient.address.clone(),
        country: recipient.country.clone(),
        email: recipient.email.clone(),
        salutation: recipient.salutation.clone().filter(|_| salutation_fits),
        tags: recipient.tags.clone(),
    }
}

/// Diagnostics collected while resolving one file.
struct Problems<'s> {
    source: &'s Source,
    diagnostics: Vec<Diagnostic>,
}

impl Problems<'_> {
    fn at<T>(&mut self, value: &Spanned<T>, diagnostic: Diagnostic) {
        self.diagnostics
            .push(diagnostic.at(self.source.locate(&value.span())));
    }

    /// Places a diagnostic in the file, unless the value came from the command line.
    fn at_or_none<T>(&mut self, value: &Spanned<T>, key: &str, diagnostic: Diagnostic) {
        if key.starts_with("--") {
            self.diagnostics.push(diagnostic);
        } else {
            self.at(value, diagnostic);
        }
    }

    fn language(
        &mut self,
        code: &Spanned<String>,
        available: &[Language],
        template: &str,
    ) -> Option<Language> {
        let Some(language) = Language::from_code(code.get_ref()) else {
            let diagnostic = Diagnostic::new(format!("unknown language \"{}\"", code.get_ref()))
                .suggest(code.get_ref(), Language::codes())
                .hint(format!(
                    "languages: {}",
                    Language::codes().collect::<Vec<_>>().join(", ")
                ));
            self.at(code, diagnostic);
            return None;
        };
        if !available.contains(&language) {
            let codes: Vec<&str> = available.iter().map(|l| l.code()).collect();
            let diagnostic = Diagnostic::new(format!(
                "template \"{template}\" has no \"{language}\" version"
            ))
            .hint(format!("it has: {}", codes.join(", ")));
            self.at(code, diagnostic);
            return None;
        }
        Some(language)
    }

    fn date(&mut self, value: &Spanned<Datetime>, key: &str) -> Option<Date> {
        let datetime = value.get_ref();
        let date = match (datetime.date, datetime.time) {
            (Some(date), None) => i16::try_from(date.year)
                .ok()
                .and_then(|year| Date::new(year, date.month, date.day)),
            _ => None,
        };
        if date.is_none() {
            let diagnostic = Diagnostic::new(format!(
                "{key} must be a date like 2021-03-01, not \"{datetime}\""
            ));
            self.at(value, diagnostic);
        }
        date
    }

    fn incident(&mut self, incident: &Incident) -> Cited {
        let id = incident.id.get_ref();
        Cited {
            id: id.clone(),
            date: incident.date.and_then(|date| {
                self.date(
                    &Spanned::new(incident.id.span(), date),
                    &format!("incident \"{id}\" date"),
                )
            }),
            place: None,
            kind: incident.kind.clone(),
            people: incident.people.clone(),
            organisation: incident.organisation.clone(),
            summary: String::new(),
            outcome: None,
            sources: incident.sources.clone(),
        }
    }

    /// The body compiled, once per language it is given in; `None` where it
    /// does not compile (and a diagnostic says why).
    fn body(&mut self, body: &Spanned<Localized<String>>) -> Localized<Option<Arc<AppealBody>>> {
        let mut compile = |text: &str| match handlebars::Template::compile(text) {
            Ok(template) => Some(Arc::new(AppealBody {
                template,
                source: self.source.clone(),
                span: body.span(),
            })),
            Err(error) => {
                self.diagnostics
                    .push(template_error(self.source, &body.span(), &error));
                None
            }
        };
        match body.get_ref() {
            Localized::Same(text) => Localized::Same(compile(text)),
            Localized::PerLanguage(texts) => Localized::PerLanguage(
                texts
                    .iter()
                    .map(|(code, text)| (code.clone(), compile(text)))
                    .collect(),
            ),
        }
    }

    /// Reports the keys of a per-language value that are not language codes.
    fn languages_of<T>(&mut self, value: Option<&Spanned<Localized<T>>>, key: &str) {
        let Some(value) = value else { return };
        if let Localized::PerLanguage(values) = value.get_ref() {
            for code in values
                .keys()
                .filter(|code| Language::from_code(code).is_none())
            {
                let diagnostic = Diagnostic::new(format!("unknown language \"{code}\" in {key}"))
                    .suggest(code, Language::codes())
                    .hint(format!(
                        "{key} is given per language: {}",
                        Language::codes().collect::<Vec<_>>().join(", ")
                    ));
                self.at(value, diagnostic);
            }
        }
    }

    /// The version of `value` for a letter in `language`; reports, once per
    /// key and language, a per-language value that lacks it.
    fn pick<'v, T>(
        &mut self,
        value: Option<&'v Spanned<Localized<T>>>,
        key: &'static str,
        language: Language,
        recipient: &str,
        missing: &mut HashSet<(&'static str, Language)>,
    ) -> Option<&'v T> {
        let value = value?;
        let picked = value.get_ref().get(language);
        if picked.is_none() && missing.insert((key, language)) {
            let diagnostic = Diagnostic::new(format!(
                "{key} has no \"{language}\" version, needed for the letter to \"{recipient}\""
            ))
            .hint(format!(
                "add {language} = … to {key}, or set language = \"…\" for every letter"
            ));
            self.at(value, diagnostic);
        }
        picked
    }

    /// A cc entry: a registry id becomes its organisation (and person); other text is kept.
    fn cc(&mut self, all: &Registry, cc: &Spanned<String>, index: usize) -> Option<String> {
        let text = cc.get_ref();
        if let Some((recipient, _)) = all.get(text) {
            let person = [recipient.name.as_deref(), recipient.title.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            return Some(match (&recipient.organisation, person.is_empty()) {
                (Some(organisation), true) => organisation.clone(),
                (Some(organisation), false) => format!("{}, {organisation}", person.join(", ")),
                (None, _) => person.join(", "),
            });
        }
        let looks_like_id = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if looks_like_id {
            let diagnostic =
                Diagnostic::new(format!("unknown recipient \"{text}\" in cc[{index}]"))
                    .suggest(text, all.ids())
                    .hint("cc takes registry ids or free text such as \"ITUC PERC\"");
            self.at(cc, diagnostic);
            return None;
        }
        Some(text.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPEAL: &str = r#"
template = "ilo-intervention"
date = 2021-03-01
recipients = ["ilo-dg", "tag:embassy"]
cc = ["fnpr", "Belarusian Congress of Democratic Trade Unions"]
[sender]
organisation = "U"
[signatory]
name = "S"
"#;

    fn resolve_text(text: &str) -> Result<Vec<Context>, Error> {
        let appeal = Appeal::parse(Source::new("a.toml", text)).unwrap();
        resolve(
            &appeal,
            &Registry::builtin(),
            &Templates::builtin(),
            &ResolveOptions::default(),
        )
    }

    #[test]
    fn expands_tags_and_picks_languages() {
        let contexts = resolve_text(APPEAL).unwrap();
        assert_eq!(contexts[0].recipient.id, "ilo-dg");
        assert_eq!(
            contexts.len(),
            1 + Registry::builtin().tagged("embassy").count()
        );
        let de = contexts
            .iter()
            .find(|c| c.recipient.id == "embassy-by-de")
            .unwrap();
        assert_eq!(de.language, Language::Be);
        assert_eq!(
            de.recipient.salutation.as_deref(),
            Some("Паважаны спадар Пасол!")
        );
        assert_eq!(
            contexts[0].cc,
            [
                "Михаил Викторович Шмаков, Председатель, Федерация независимых профсоюзов России (ФНПР)",
                "Belarusian Congress of Democratic Trade Unions"
            ]
        );
    }

    #[test]
    fn fixed_language_drops_foreign_salutations() {
        let contexts =
            resolve_text(&APPEAL.replace("date =", "language = \"en\"\ndate =")).unwrap();
        let de = contexts
            .iter()
            .find(|c| c.recipient.id == "embassy-by-de")
            .unwrap();
        assert_eq!(
            (de.language, de.recipient.salutation.as_deref()),
            (Language::En, None)
        );
    }

    #[test]
    fn reports_all_problems_at_once() {
        let text = APPEAL
            .replace("\"ilo-intervention\"", "\"ilo-intervension\"")
            .replace("\"ilo-dg\"", "\"ilo-gd\"")
            .replace("tag:embassy", "tag:embasy")
            .replace("\"fnpr\"", "\"fnrp\"")
            .replace(
                "date = 2021-03-01",
                "date = 2021-03-01T10:00:00\nlanguage = \"by\"",
            );
        let message = resolve_text(&text).unwrap_err().to_string();
        insta::assert_snapshot!(message);
    }

    #[test]
    fn options_to_replaces_recipients() {
        let appeal = Appeal::parse(Source::new("a.toml", APPEAL)).unwrap();
        let options = ResolveOptions {
            to: vec!["fnpr".into()],
            ..ResolveOptions::default()
        };
        let contexts = resolve(
            &appeal,
            &Registry::builtin(),
            &Templates::builtin(),
            &options,
        )
        .unwrap();
        assert_eq!(contexts.len(), 1);
        assert_eq!(
            (contexts[0].recipient.id.as_str(), contexts[0].language),
            ("fnpr", Language::Ru)
        );
        let options = ResolveOptions {
            to: vec!["fnrp".into()],
            ..ResolveOptions::default()
        };
        let error = resolve(
            &appeal,
            &Registry::builtin(),
            &Templates::builtin(),
            &options,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string().lines().next().unwrap(),
            "error: unknown recipient \"fnrp\" in --to[0]"
        );
    }

    #[test]
    fn per_language_values_follow_each_letter() {
        let text = APPEAL.replace(
            "cc = [",
            "demands = { en = [\"free them\"], be = [\"вызваліць іх\"] }\nsubject = { en = \"S\", be = \"Т\" }\ncc = [",
        );
        let contexts = resolve_text(&text.replace("\"ilo-dg\", ", "")).unwrap();
        let de = contexts
            .iter()
            .find(|c| c.recipient.id == "embassy-by-de")
            .unwrap();
        assert_eq!(
            (de.demands.as_slice(), de.subject.as_deref()),
            (["вызваліць іх".to_owned()].as_slice(), Some("Т"))
        );
        let us = contexts
            .iter()
            .find(|c| c.recipient.id == "embassy-by-us")
            .unwrap();
        assert_eq!(
            (us.demands.as_slice(), us.subject.as_deref()),
            (["free them".to_owned()].as_slice(), Some("S"))
        );
        // fnpr writes in Russian: the missing version is reported once.
        let error = resolve_text(
            &text
                .replace("tag:embassy", "fnpr")
                .replace("\"ilo-dg\", ", ""),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "a.toml:5:11: error: demands has no \"ru\" version, needed for the letter to \"fnpr\"\n  \
             hint: add ru = … to demands, or set language = \"…\" for every letter\n\
             a.toml:6:11: error: subject has no \"ru\" version, needed for the letter to \"fnpr\"\n  \
             hint: add ru = … to subject, or set language = \"…\" for every letter"
        );
        let error = resolve_text(&text.replace("be = [", "by = [")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("a.toml:5:11: error: unknown language \"by\" in demands"),
            "{error}"
        );
    }

    #[test]
    fn no_date_and_no_today_is_an_error_not_a_guess() {
        let error = resolve_text(&APPEAL.replace("date = 2021-03-01\n", "")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "error: no date for the letters\n  \
             hint: add date = 2021-03-01 to the appeal (or pass today's date in ResolveOptions::today)"
        );
    }
}
