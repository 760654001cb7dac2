//! Resolving: an appeal and a registry into one [`Context`] per recipient,
//! with ids and tags resolved, defaults filled and every problem reported.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::appeal::{
    Appeal, Enclosure, Entry, Gender, InReplyTo, Incident, Localized, MAX_SIGNATORIES, Person,
    Rank, Recipient, Reference, Registry, Sender, sorted_tags,
};
use crate::complaint::{self, Charge};
use crate::error::{Diagnostic, Error, Severity, Source, quote};
use crate::frame;
use crate::incidents::Incidents;
use crate::lang::{Date, Language};
use crate::letter::FontFile;
use crate::origin::Origin;
use crate::postal::{Paper, PostalLayout};
use crate::templates::{Templates, compile};
use crate::validate;

/// The tag of recipients that letters name protected people to by initials
/// only: governments, their embassies, courts.
pub const AUTHORITY: &str = "authority";

/// How to resolve an appeal.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    /// The date of letters whose appeal gives none (the CLI passes today);
    /// without either, resolving fails rather than guess.
    pub today: Option<Date>,
    /// Recipients to write to instead of the appeal's `recipients`: ids or `tag:NAME`.
    pub to: Vec<String>,
    /// The language of every letter instead of the appeal's `language`: a code.
    pub language: Option<String>,
    /// The window-envelope layout of every letter instead of the appeal's `layout`.
    pub layout: Option<PostalLayout>,
    /// The paper the letters will be printed on, where known: it gives the
    /// layout where none is chosen, and a chosen one must go with it.
    pub paper: Option<Paper>,
}

/// Everything one letter's templates can use; serialised as their data.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
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
    /// The letter this one answers.
    pub in_reply_to: Option<InReplyTo>,
    /// The appeal's subject; templates may supply one.
    pub subject: Option<String>,
    /// The addressee.
    pub recipient: Addressee,
    /// The sending organisation.
    pub sender: Sender,
    /// Who signs: the first signatory (of [`Context::signatories`]).
    pub signatory: Signer,
    /// Everyone who signs, in order.
    pub signatories: Vec<Signer>,
    /// The organisations that sign, each once, in the signatories' order:
    /// the sender for a signatory without an organisation.
    pub organisations: Vec<String>,
    /// More than one organisation signs: templates say "we, the undersigned
    /// organisations".
    pub cosigned: bool,
    /// More than one person signs: templates say "we" (a single signatory
    /// writes "I" on the organisation's behalf).
    pub we: bool,
    /// Carbon copies, as printed.
    pub cc: Vec<String>,
    /// Enclosures.
    pub enclosures: Vec<String>,
    /// Demands.
    pub demands: Vec<String>,
    /// The incidents the appeal selects (its own and those it names from
    /// the databases), by date, then in the order given.
    pub incidents: Vec<Cited>,
    /// Letters to this recipient give protected people by initials.
    pub redact: bool,
    /// Add a chronology of the incidents.
    pub annex: bool,
    /// The window-envelope layout chosen, if one is: by the caller, else by
    /// the appeal.
    pub layout: Option<PostalLayout>,
    /// The complaint to the ILO Committee on Freedom of Association, if
    /// the appeal is one.
    pub complaint: Option<Charge>,
    /// Free-form values from `[vars]`.
    pub vars: serde_json::Value,
    /// The appeal's own body, compiled; rendered into `body` by compose.
    #[serde(skip)]
    pub(crate) body: Option<Arc<AppealBody>>,
    /// What the recipient's data lacks for this letter's frame, placed in
    /// its file: `check` reports it.
    #[serde(skip)]
    pub(crate) missing: Vec<Diagnostic>,
    /// Where the recipient is defined, for diagnostics about its address.
    #[serde(skip)]
    pub(crate) recipient_at: Place,
    /// The union's own faces (`[style] fonts`).
    #[serde(skip)]
    pub(crate) fonts: Vec<FontFile>,
}

/// A value's key path and the file it is in, if it came from one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Place {
    pub origin: Option<Arc<Origin>>,
    pub path: String,
}

/// The compiled body template of an appeal, with the place of its text
/// when it came from a file.
#[derive(Debug)]
pub(crate) struct AppealBody {
    pub template: handlebars::Template,
    /// Its text, for fingerprints of a batch's inputs.
    #[cfg(feature = "batch")]
    pub text: String,
    pub place: Option<(Source, std::ops::Range<usize>)>,
}

/// A resolved recipient: every word in the letter's language.
///
/// Names and addresses fall back to another language's value; words the
/// frame builds sentences from (office, salutation, name parts) do not, so
/// a Russian letter never says "Уважаемый General Secretary!".
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Addressee {
    /// Id, for file names.
    pub id: String,
    /// Grammatical gender, given or shown by the patronymic.
    pub gender: Option<Gender>,
    /// Honorific.
    pub honorific: Option<String>,
    /// Person's name, in full.
    pub name: Option<String>,
    /// Given name.
    pub given: Option<String>,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Surname.
    pub surname: Option<String>,
    /// Surname in the dative: given, or declined (Russian).
    pub surname_dative: Option<String>,
    /// The whole name in the genitive ("Михаила Викторовича Шмакова"):
    /// declined in Russian letters where gender and name parts are known.
    pub name_genitive: Option<String>,
    /// A diplomat's rank.
    pub rank: Option<Rank>,
    /// Person's office.
    pub title: Option<String>,
    /// The office in the dative.
    pub title_dative: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// The organisation in the genitive.
    pub organisation_genitive: Option<String>,
    /// The organisation in the dative.
    pub organisation_dative: Option<String>,
    /// English text says "the" before the organisation.
    pub article: bool,
    /// Postal address lines.
    pub address: Vec<String>,
    /// Country.
    pub country: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// The salutation: the registry's in the letter's language, or one made
    /// from the data; `None` where neither can be had (templates fall back).
    pub salutation: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}

impl Addressee {
    /// An addressee known by id only.
    #[cfg(test)]
    pub(crate) fn empty(id: &str) -> Addressee {
        Addressee {
            id: id.into(),
            gender: None,
            honorific: None,
            name: None,
            given: None,
            patronymic: None,
            surname: None,
            surname_dative: None,
            name_genitive: None,
            rank: None,
            title: None,
            title_dative: None,
            organisation: None,
            organisation_genitive: None,
            organisation_dative: None,
            article: false,
            address: Vec::new(),
            country: None,
            email: None,
            salutation: None,
            tags: Vec::new(),
        }
    }
}

/// The signatory of a resolved letter.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Signer {
    /// Full name.
    pub name: String,
    /// Office.
    pub title: Option<String>,
    /// The organisation signed for: the sender's unless the signatory names one.
    pub organisation: String,
    /// PNG of the signature, read by the loader.
    #[serde(skip)]
    pub image: Option<Arc<Vec<u8>>>,
}

/// A person an incident concerns, in the letter's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Concerned {
    /// Full name.
    pub name: String,
    /// Union function.
    pub role: Option<String>,
    /// Named by initials in letters to authorities.
    pub protect: bool,
}

impl Concerned {
    /// `person` for a letter in `language`: name and role in that
    /// language where given, else as given in another (a person's name and
    /// function are evidence, never left out).
    pub(crate) fn new(person: &Person, language: Language) -> Concerned {
        Concerned {
            name: person.name.best(&[language]).cloned().unwrap_or_default(),
            role: person
                .role
                .as_ref()
                .and_then(|r| r.best(&[language]))
                .cloned(),
            protect: person.protect,
        }
    }
}

/// A resolved incident.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
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
    pub people: Vec<Concerned>,
    /// Those of them its summary and outcome do not name, for text that
    /// names everyone concerned without saying a name twice.
    pub people_unnamed: Vec<Concerned>,
    /// Organisation affected.
    pub organisation: Option<String>,
    /// What happened.
    pub summary: String,
    /// What came of it.
    pub outcome: Option<String>,
    /// Reports, printed as numbered notes.
    pub sources: Vec<Reference>,
    /// Who acted.
    pub authority: Option<String>,
    /// The law invoked.
    pub legal_basis: Option<String>,
    /// The documents annexed as its evidence.
    pub annexes: Vec<String>,
    /// The numbers of those annexes among all the letter's annexes.
    pub annex_numbers: Vec<usize>,
    /// Tags.
    pub tags: Vec<String>,
}

/// Resolves `appeal` against `registry` and `templates` into one context per recipient.
///
/// Every rule the loader keeps is checked here again (ids, control
/// characters, sizes, the signature image, languages), so that an appeal
/// from JSON or built in code meets the same rules as a file. Every problem
/// found is reported in one [`Error`], in file order.
///
/// This keeps every context; [`Mailing`] makes them one at a time.
pub fn resolve(
    appeal: &Appeal,
    registry: &Registry,
    incidents: &Incidents,
    templates: &Templates,
    options: &ResolveOptions,
) -> Result<Vec<Context>, Error> {
    let mailing = Mailing::new(appeal, registry, incidents, templates, options)?;
    Ok(mailing.contexts().collect())
}

/// An appeal resolved up to its recipients: every problem of every letter
/// found and reported, the recipients chosen (as references into the
/// registry), and what all letters share made once; each letter's
/// [`Context`] is made when it is asked for, so that a mailing needs memory
/// for the letters in hand, not for all of them.
pub struct Mailing<'a> {
    appeal: &'a Appeal,
    /// The letters' languages the template has.
    languages: &'a [Language],
    /// The language of every letter, if one is set.
    language: Option<Language>,
    date: Option<Date>,
    selected: Vec<Chosen<'a>>,
    incidents: Vec<(&'a Incident, String)>,
    protected: bool,
    body: Option<Localized<Option<Arc<AppealBody>>>>,
    /// The copy lines, once for each language the letters can be in.
    cc: Vec<(Language, Vec<String>)>,
    organisations: Vec<String>,
    /// Warnings about the appeal as a whole, said with each letter.
    warnings: Vec<Diagnostic>,
    layout: Option<PostalLayout>,
    /// Contexts made so far, for tests that they are made one at a time.
    #[cfg(test)]
    made: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Mailing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailing")
            .field("template", &self.appeal.template)
            .field("letters", &self.selected.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Mailing<'a> {
    /// Resolves everything but the letters' contexts, and checks that each
    /// can be made: the same problems as [`resolve()`], without keeping a
    /// context.
    pub fn new(
        appeal: &'a Appeal,
        registry: &'a Registry,
        incidents: &'a Incidents,
        templates: &'a Templates,
        options: &'a ResolveOptions,
    ) -> Result<Mailing<'a>, Error> {
        let origin = appeal.origin.as_deref();
        let mut problems = Problems {
            origin,
            databases: Some(incidents),
            diagnostics: origin.map(|o| o.problems().to_vec()).unwrap_or_default(),
        };
        problems.values(appeal);

        let template_name = &appeal.template;
        let template = templates.get(template_name);
        if template.is_none() {
            let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
            let diagnostic = Diagnostic::new(
                "unknown-template",
                format!("unknown template \"{template_name}\""),
            )
            .suggest(template_name, names.iter().copied())
            .hint(format!("templates: {}", names.join(", ")));
            problems.at("template", diagnostic);
        }
        let languages = template
            .map(|t| t.languages.as_slice())
            .unwrap_or(&Language::ALL);
        let language = match &options.language {
            Some(code) => problems.language(None, "--language", code, languages, template_name),
            None => appeal.language.as_ref().and_then(|code| {
                problems.language(origin, "language", code, languages, template_name)
            }),
        };

        let date = match appeal.date {
            Some(date) => Some(date),
            None if options.today.is_some() => options.today,
            None => {
                let diagnostic = Diagnostic::new("no-date", "no date for the letters")
                    .hint("add date = 2021-03-01 to the appeal (or pass today's date in ResolveOptions::today)");
                problems.diagnostics.push(diagnostic);
                None
            }
        };
        problems.languages_of(appeal.place.as_ref(), "place");
        problems.languages_of(appeal.subject.as_ref(), "subject");
        problems.languages_of(appeal.enclosures.as_ref(), "enclosures");
        problems.languages_of(appeal.demands.as_ref(), "demands");
        problems.languages_of(appeal.body.as_ref(), "body");
        let selected_incidents = problems.incidents(appeal, incidents);
        for (incident, path) in &selected_incidents {
            problems.languages_of(Some(&incident.summary), &format!("{path}.summary"));
            problems.languages_of(incident.outcome.as_ref(), &format!("{path}.outcome"));
            problems.languages_of(incident.place.as_ref(), &format!("{path}.place"));
            problems.languages_of(incident.authority.as_ref(), &format!("{path}.authority"));
            problems.languages_of(
                incident.legal_basis.as_ref(),
                &format!("{path}.legal_basis"),
            );
            problems.languages_of(incident.annexes.as_ref(), &format!("{path}.annexes"));
        }
        problems.vars_languages(&appeal.vars, "vars");
        if let Some(complaint) = &appeal.complaint {
            problems.languages_of(complaint.government.as_ref(), "complaint.government");
            problems.languages_of(complaint.standing.as_ref(), "complaint.standing");
            problems.languages_of(complaint.urgency.as_ref(), "complaint.urgency");
            problems.languages_of(complaint.remedies.as_ref(), "complaint.remedies");
        }
        let protected = selected_incidents
            .iter()
            .any(|(incident, _)| incident.people.iter().any(|p| p.protect));
        let body = appeal
            .body
            .as_ref()
            .map(|body| problems.body(body, templates));

        let recipients = Recipients::new(registry, appeal);
        let selected = recipients.select(appeal, options, &mut problems);
        if complaint::applies(appeal) {
            let key = if options.to.is_empty() {
                "recipients"
            } else {
                "--to"
            };
            // Each placed at the selector that names it, where one does.
            let ids: Vec<(&str, String)> = selected
                .iter()
                .map(|chosen| {
                    let id = chosen.recipient.id.as_str();
                    let named = match options.to.is_empty() {
                        true => appeal.recipients.iter().position(|r| r == id),
                        false => options.to.iter().position(|r| r == id),
                    };
                    (id, named.map_or(key.to_owned(), |i| format!("{key}[{i}]")))
                })
                .collect();
            for (path, diagnostic) in complaint::check(appeal, &ids, &selected_incidents) {
                problems.at_or_none(&path, diagnostic);
            }
        }
        let layout = options.layout.or(appeal.layout);
        if let (Some(paper), Some(layout)) = (options.paper, layout)
            && let Some(misfit) = layout.misfit(paper)
        {
            let path = match options.layout {
                Some(_) => "--layout",
                None => "layout",
            };
            problems.at_or_none(path, misfit);
        }
        let layout = layout.or(options.paper.map(Paper::layout));
        // Warnings go with the letters, not among the errors that stop them.
        let (warnings, errors) = std::mem::take(&mut problems.diagnostics)
            .into_iter()
            .partition(|diagnostic| diagnostic.severity == Severity::Warning);
        problems.diagnostics = errors;
        let cc: Vec<Copy<'_>> = appeal
            .cc
            .iter()
            .enumerate()
            .filter_map(|(i, cc)| problems.cc(&recipients, cc, i))
            .collect();
        // Named in each language once, not once a letter.
        let cc = languages
            .iter()
            .map(|&language| {
                (
                    language,
                    cc.iter().map(|copy| copy.line(language)).collect(),
                )
            })
            .collect();
        let mut organisations: Vec<String> = Vec::new();
        for signatory in &appeal.signatory {
            let organisation = signatory
                .organisation
                .as_ref()
                .unwrap_or(&appeal.sender.organisation);
            if !organisations.contains(organisation) {
                organisations.push(organisation.clone());
            }
        }

        let mailing = Mailing {
            appeal,
            languages,
            language,
            date,
            selected,
            incidents: selected_incidents,
            protected,
            body,
            cc,
            organisations,
            warnings,
            layout,
            #[cfg(test)]
            made: std::sync::atomic::AtomicUsize::new(0),
        };
        // Each recipient is checked; the values per language are picked for
        // the first letter in each language (the others would repeat it:
        // a missing version is reported once per key and language).
        let mut missing = HashSet::new();
        let mut languages_seen: Vec<Language> = Vec::new();
        for chosen in &mailing.selected {
            let own = problems.recipient(chosen);
            let language = mailing.letter_language(own);
            if !languages_seen.contains(&language) {
                languages_seen.push(language);
                mailing.make(chosen, own, &mut problems, &mut missing);
            }
        }
        if problems.diagnostics.is_empty() {
            Ok(mailing)
        } else {
            Err(Error::invalid(problems.diagnostics))
        }
    }

    /// How many letters.
    pub fn len(&self) -> usize {
        self.selected.len()
    }

    /// True if there are no letters.
    pub fn is_empty(&self) -> bool {
        self.selected.is_empty()
    }

    /// The id of the recipient of letter `i`.
    pub fn id(&self, i: usize) -> &'a str {
        &self.selected[i].recipient.id
    }

    /// The recipients' ids, one per letter, in order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = &'a str> + '_ {
        self.selected
            .iter()
            .map(|chosen| chosen.recipient.id.as_str())
    }

    /// The sending organisation, as every letter has it.
    pub fn sender(&self) -> &'a Sender {
        &self.appeal.sender
    }

    /// The context of letter `i`, made now.
    ///
    /// # Panics
    ///
    /// If `i` is not less than [`Mailing::len`].
    pub fn context(&self, i: usize) -> Context {
        let chosen = &self.selected[i];
        let own = chosen
            .recipient
            .language
            .as_deref()
            .and_then(Language::from_code);
        let mut problems = Problems {
            origin: self.appeal.origin.as_deref(),
            databases: None,
            diagnostics: Vec::new(),
        };
        #[cfg(test)]
        self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let context = self.make(chosen, own, &mut problems, &mut HashSet::new());
        debug_assert!(problems.diagnostics.is_empty(), "checked by Mailing::new");
        context
    }

    /// Every letter's context, each made when the iterator gets to it.
    pub fn contexts(&self) -> impl ExactSizeIterator<Item = Context> + '_ {
        (0..self.len()).map(|i| self.context(i))
    }

    /// How many contexts have been made, for tests that they are made one at a time.
    #[cfg(test)]
    pub(crate) fn made(&self) -> usize {
        self.made.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The language of a letter to a recipient whose own language is `own`.
    fn letter_language(&self, own: Option<Language>) -> Language {
        let languages = self.languages;
        self.language
            .or(own.filter(|l| languages.contains(l)))
            .unwrap_or(if languages.contains(&Language::En) {
                Language::En
            } else {
                languages[0]
            })
    }

    /// The context of the letter to `chosen`, whose own language is `own`;
    /// values missing in the letter's language are reported to `problems`
    /// (once per key and language, as `missing` remembers).
    fn make(
        &self,
        chosen: &Chosen<'a>,
        own: Option<Language>,
        problems: &mut Problems<'_>,
        missing: &mut HashSet<(String, Language)>,
    ) -> Context {
        // Without a date there is no letter, but its values are checked all the same.
        let date = self.date.or(Date::new(2000, 1, 1)).expect("a real date");
        let recipient = chosen.recipient;
        let letter_language = self.letter_language(own);
        let appeal = self.appeal;
        let path = chosen.path();
        let id = recipient.id.as_str();
        let lang = letter_language;
        let mut pick = |value, key: &str| problems.pick(value, key, lang, id, missing);
        let place = pick(appeal.place.as_ref(), "place").cloned();
        let subject = pick(appeal.subject.as_ref(), "subject").cloned();
        let enclosures = problems
            .pick(appeal.enclosures.as_ref(), "enclosures", lang, id, missing)
            .map(|enclosures| enclosures.iter().map(|e| enclosure(e, lang)).collect())
            .unwrap_or_default();
        let demands = problems
            .pick(appeal.demands.as_ref(), "demands", lang, id, missing)
            .cloned()
            .unwrap_or_default();
        problems.pick(appeal.body.as_ref(), "body", lang, id, missing);
        let mut signatories = Vec::with_capacity(appeal.signatory.len());
        for (i, signatory) in appeal.signatory.iter().enumerate() {
            let path = match appeal.signatory.len() {
                1 => "signatory.title".to_owned(),
                _ => format!("signatory[{i}].title"),
            };
            let title = problems.pick(signatory.title.as_ref(), &path, lang, id, missing);
            signatories.push(Signer {
                name: frame::signed_name(signatory, lang),
                title: title.cloned(),
                organisation: signatory
                    .organisation
                    .clone()
                    .unwrap_or_else(|| appeal.sender.organisation.clone()),
                image: signatory.signature_image.clone(),
            });
        }
        let mut cited = Vec::with_capacity(self.incidents.len());
        for (incident, path) in &self.incidents {
            let mut pick = |value, key: &str| {
                problems
                    .pick(value, &format!("{path}.{key}"), lang, id, missing)
                    .cloned()
            };
            cited.push(Cited {
                id: incident.id.clone(),
                date: incident.date,
                place: pick(incident.place.as_ref(), "place"),
                kind: incident.kind.clone(),
                people: incident
                    .people
                    .iter()
                    .map(|p| Concerned::new(p, lang))
                    .collect(),
                people_unnamed: Vec::new(),
                organisation: incident.organisation.clone(),
                summary: pick(Some(&incident.summary), "summary").unwrap_or_default(),
                outcome: pick(incident.outcome.as_ref(), "outcome"),
                sources: incident.sources.clone(),
                authority: pick(incident.authority.as_ref(), "authority"),
                legal_basis: pick(incident.legal_basis.as_ref(), "legal_basis"),
                annexes: problems
                    .pick(
                        incident.annexes.as_ref(),
                        &format!("{path}.annexes"),
                        lang,
                        id,
                        missing,
                    )
                    .cloned()
                    .unwrap_or_default(),
                annex_numbers: Vec::new(),
                tags: incident.tags.clone(),
            });
        }
        // Annexes are numbered from 1 across the incidents, in order.
        let mut annexed = 0;
        for cited in &mut cited {
            cited.annex_numbers = (annexed + 1..=annexed + cited.annexes.len()).collect();
            annexed += cited.annexes.len();
            let text = [Some(&cited.summary), cited.outcome.as_ref()];
            let named =
                |person: &&Concerned| text.iter().flatten().any(|text| names(text, &person.name));
            cited.people_unnamed = cited.people.iter().filter(|p| !named(p)).cloned().collect();
        }
        let complaint = appeal.complaint.as_ref().map(|complaint| {
            let remedies = problems
                .pick(
                    complaint.remedies.as_ref(),
                    "complaint.remedies",
                    lang,
                    id,
                    missing,
                )
                .cloned()
                .unwrap_or_default();
            let incidents: Vec<&Incident> = self.incidents.iter().map(|(i, _)| *i).collect();
            let pick = |value, key: &str| problems.pick(value, key, lang, id, missing).cloned();
            let annexes = cited
                .iter()
                .flat_map(|c| c.annexes.iter().cloned())
                .collect();
            complaint::charge(complaint, lang, &incidents, pick, remedies, annexes)
        });
        let body = self
            .body
            .as_ref()
            .and_then(|bodies| bodies.get(letter_language))
            .cloned()
            .flatten();
        let vars = problems.vars(&appeal.vars, lang, id, missing);
        let mut sender = appeal.sender.clone();
        sender.organisation_genitive = (sender.organisation_genitive.as_ref())
            .and_then(|genitive| genitive.get(lang))
            .map(|genitive| Localized::Same(genitive.clone()));
        let addressee = addressee(recipient, letter_language, own);
        let missing = missing_forms(recipient, &addressee, letter_language)
            .into_iter()
            .map(|diagnostic| {
                let diagnostic = diagnostic.path(&path);
                match chosen.origin {
                    Some(origin) => diagnostic.at(origin.locate(&path)),
                    None => diagnostic,
                }
            })
            .chain(self.warnings.iter().cloned())
            .collect();
        Context {
            fonts: appeal.style.font_files.clone(),
            template: appeal.template.clone(),
            language: letter_language,
            date,
            place,
            reference: appeal.reference.clone(),
            in_reply_to: appeal.in_reply_to.clone(),
            subject,
            recipient: addressee,
            sender,
            signatory: signatories[0].clone(),
            we: signatories.len() > 1,
            signatories,
            cosigned: self.organisations.len() > 1,
            organisations: self.organisations.clone(),
            cc: (self.cc.iter())
                .find(|(language, _)| *language == letter_language)
                .map(|(_, lines)| lines.clone())
                .unwrap_or_default(),
            enclosures,
            demands,
            incidents: cited,
            redact: self.protected && recipient.tags.iter().any(|t| t == AUTHORITY),
            annex: appeal.annex,
            layout: self.layout,
            vars,
            body,
            complaint,
            missing,
            recipient_at: Place {
                origin: chosen.origin.cloned(),
                path,
            },
        }
    }
}

/// True where `text` names `name`: every word of the name (every part of a
/// hyphenated one) is in it, endings aside, as names are declined
/// ("Андрей Комлик-Яматин" in "квартире Андрея Комлика-Яматина").
fn names(text: &str, name: &str) -> bool {
    let mut words = name
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|word| !word.is_empty())
        .peekable();
    words.peek().is_some()
        && words.all(|word| {
            let chars: Vec<char> = word.chars().collect();
            let stem: String = match chars.len() {
                ..=4 => word.to_owned(),
                n => chars[..n - 2].iter().collect(),
            };
            text.contains(&stem)
        })
}

/// An enclosure as the enclosures line of a letter in `language` lists it:
/// "Court ruling (3 pages)", "Приговор суда на 3 л. в 1 экз.".
fn enclosure(enclosure: &Enclosure, language: Language) -> String {
    let title = &enclosure.title;
    match (language, enclosure.pages, enclosure.copies) {
        (_, None, None) => title.clone(),
        (Language::En | Language::Fr | Language::Es, pages, copies) => {
            let plural = |n: u32| if n == 1 { "" } else { "s" };
            let pages = pages.map(|n| match language {
                Language::Es => format!("{n} página{}", plural(n)),
                _ => format!("{n} page{}", plural(n)),
            });
            let copies = copies.map(|n| match language {
                Language::Fr => format!("{n} exemplaire{}", plural(n)),
                Language::Es => format!("{n} ejemplar{}", if n == 1 { "" } else { "es" }),
                _ => format!("{n} cop{}", if n == 1 { "y" } else { "ies" }),
            });
            let what: Vec<String> = [pages, copies].into_iter().flatten().collect();
            format!("{title} ({})", what.join(", "))
        }
        (Language::Ru | Language::Be, pages, copies) => {
            let (sheets, into) = match language {
                Language::Ru => ("на {} л.", "в {} экз."),
                _ => ("на {} арк.", "у {} экз."),
            };
            let mut out = title.clone();
            for (n, form) in [(pages, sheets), (copies, into)] {
                if let Some(n) = n {
                    out.push(' ');
                    out.push_str(&form.replace("{}", &n.to_string()));
                }
            }
            out
        }
    }
}

/// A recipient an appeal selects, with where it was defined.
struct Chosen<'a> {
    recipient: &'a Recipient,
    origin: Option<&'a Arc<Origin>>,
    /// Its number among the `[[recipient]]` tables of that file, if it
    /// came from one (a mailing keeps one of these per letter: small).
    index: Option<u32>,
}

/// A recipient's number in its file, as a mailing keeps it.
fn number(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 4 billion recipients in a file")
}

impl Chosen<'_> {
    /// Its key path in its file (`recipient[3]`), or what it is.
    fn path(&self) -> String {
        match self.index {
            Some(i) => format!("recipient[{i}]"),
            None => format!("registry entry \"{}\"", self.recipient.id.escape_debug()),
        }
    }
}

/// The registry with the appeal's inline recipients over it, without copying either.
struct Recipients<'a> {
    registry: &'a Registry,
    appeal: &'a Appeal,
    /// Inline recipients by id: the last one of an id is in force.
    inline: HashMap<&'a str, usize>,
}

impl<'a> Recipients<'a> {
    fn new(registry: &'a Registry, appeal: &'a Appeal) -> Self {
        let inline = appeal
            .inline_recipients
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        Recipients {
            registry,
            appeal,
            inline,
        }
    }

    fn inline(&self, i: usize) -> Chosen<'a> {
        Chosen {
            recipient: &self.appeal.inline_recipients[i],
            origin: self.appeal.origin.as_ref(),
            index: Some(number(i)),
        }
    }

    fn entry(entry: Entry<'a>) -> Chosen<'a> {
        Chosen {
            recipient: entry.recipient,
            origin: entry.origin.map(|(origin, _)| origin),
            index: entry.origin.map(|(_, i)| number(i)),
        }
    }

    fn get(&self, id: &str) -> Option<Chosen<'a>> {
        match self.inline.get(id) {
            Some(&i) => Some(self.inline(i)),
            None => self.registry.entry(id).map(Self::entry),
        }
    }

    fn tagged(&self, tag: &'a str) -> impl Iterator<Item = Chosen<'a>> + '_ {
        let from_registry = self
            .registry
            .tagged_entries(tag)
            .filter(|entry| !self.inline.contains_key(entry.recipient.id.as_str()))
            .map(Self::entry);
        let inline = (0..self.appeal.inline_recipients.len())
            .filter(move |&i| {
                let recipient = &self.appeal.inline_recipients[i];
                self.inline.get(recipient.id.as_str()) == Some(&i)
                    && recipient.tags.iter().any(|t| t == tag)
            })
            .map(|i| self.inline(i));
        from_registry.chain(inline)
    }

    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        let inline = self.appeal.inline_recipients.iter().map(|r| r.id.as_str());
        self.registry.ids().chain(inline)
    }

    fn tags(&self) -> Vec<&'a str> {
        let inline = self.appeal.inline_recipients.iter().flat_map(|r| &r.tags);
        sorted_tags(self.registry.iter().flat_map(|r| &r.tags).chain(inline))
    }

    /// The recipients an appeal (or `options.to`) selects, each once, in order.
    fn select(
        &self,
        appeal: &'a Appeal,
        options: &'a ResolveOptions,
        problems: &mut Problems<'_>,
    ) -> Vec<Chosen<'a>> {
        let (selectors, key) = if options.to.is_empty() {
            (&appeal.recipients, "recipients")
        } else {
            (&options.to, "--to")
        };
        if selectors.is_empty() {
            problems.at(
                "recipients",
                Diagnostic::new("no-recipients", "no recipients")
                    .hint("add recipients = [\"ilo-dg\"] (registry ids, or \"tag:embassy\"); `appeal recipients` lists them"),
            );
        }
        let mut seen = HashSet::new();
        let mut selected = Vec::new();
        for (i, selector) in selectors.iter().enumerate() {
            let path = format!("{key}[{i}]");
            let matches: Vec<Chosen<'a>> = match selector.strip_prefix("tag:") {
                Some(tag) => {
                    let tagged: Vec<_> = self.tagged(tag).collect();
                    if tagged.is_empty() {
                        let tags = self.tags();
                        let diagnostic = Diagnostic::new(
                            "unknown-tag",
                            format!("no recipient has tag \"{tag}\" in {path}"),
                        )
                        .suggest(tag, tags.iter().copied())
                        .hint(format!("tags: {}", tags.join(", ")));
                        problems.at_or_none(&path, diagnostic);
                    }
                    tagged
                }
                None => match self.get(selector) {
                    Some(chosen) => vec![chosen],
                    None => {
                        let diagnostic = Diagnostic::new(
                            "unknown-recipient",
                            format!("unknown recipient \"{selector}\" in {path}"),
                        )
                        .suggest(selector, self.ids())
                        .hint("`appeal recipients` lists the registry; [[recipient]] defines one inline");
                        problems.at_or_none(&path, diagnostic);
                        Vec::new()
                    }
                },
            };
            for chosen in matches {
                if seen.insert(chosen.recipient.id.as_str()) {
                    selected.push(chosen);
                }
            }
        }
        selected
    }
}

/// True where every letter of `name` is Latin.
pub(crate) fn is_latin(name: &str) -> bool {
    name.chars().filter(|c| c.is_alphabetic()).all(
        |c| matches!(c, 'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}'),
    )
}

/// `recipient` as a letter in `letter` addresses it; `own` is the
/// recipient's language.
fn addressee(recipient: &Recipient, letter: Language, own: Option<Language>) -> Addressee {
    let word = |value: &Option<Localized<String>>| in_language(value.as_ref(), letter, own);
    let text = |value: &Option<Localized<String>>| any_language(value.as_ref(), letter, own);
    let (mut given, mut patronymic, mut surname) = (
        word(&recipient.forms().given),
        word(&recipient.forms().patronymic),
        word(&recipient.forms().surname),
    );
    // Without parts, a name in the letter's own script gives them where its
    // shape is unmistakable: a Russian or Belarusian name with a patronymic,
    // a Latin-script name's last word (never an Arabic or Hebrew name's:
    // its last word need not be a surname). See: #12
    if let (None, None, None, Some(full)) = (&given, &patronymic, &surname, word(&recipient.name)) {
        let words: Vec<&str> = full.split_whitespace().collect();
        match (letter, words.as_slice()) {
            (Language::En | Language::Fr | Language::Es, [.., last]) if is_latin(&full) => {
                surname = Some((*last).to_owned())
            }
            (Language::Ru | Language::Be, [g, p, s])
                if frame::gender_of_patronymic(p).is_some() =>
            {
                (given, patronymic, surname) = (
                    Some((*g).to_owned()),
                    Some((*p).to_owned()),
                    Some((*s).to_owned()),
                );
            }
            _ => {}
        }
    }
    let gender = (recipient.forms().gender)
        .or_else(|| patronymic.as_deref().and_then(frame::gender_of_patronymic));
    let russian = |part, name: &Option<String>, case| match (letter, name, gender) {
        (Language::Ru, Some(name), Some(gender)) => Some(frame::declined(part, name, gender, case)),
        _ => None,
    };
    let surname_dative = word(&recipient.forms().surname_dative)
        .or_else(|| russian(frame::NamePart::Surname, &surname, frame::Case::Dative));
    let name_genitive = surname.as_ref().and_then(|_| {
        let parts = [
            russian(frame::NamePart::Given, &given, frame::Case::Genitive),
            russian(
                frame::NamePart::Patronymic,
                &patronymic,
                frame::Case::Genitive,
            ),
            russian(frame::NamePart::Surname, &surname, frame::Case::Genitive),
        ];
        let declined: Vec<String> = parts.into_iter().flatten().collect();
        (!declined.is_empty()).then(|| declined.join(" "))
    });
    let mut addressee = Addressee {
        id: recipient.id.clone(),
        gender,
        honorific: word(&recipient.honorific),
        name: text(&recipient.name),
        given,
        patronymic,
        surname,
        surname_dative,
        name_genitive,
        rank: recipient.forms().rank,
        title: word(&recipient.title),
        title_dative: word(&recipient.forms().title_dative),
        organisation: text(&recipient.organisation),
        organisation_genitive: word(&recipient.forms().organisation_genitive),
        organisation_dative: word(&recipient.forms().organisation_dative),
        article: recipient.forms().article.unwrap_or(false),
        address: any_language(recipient.address.as_ref(), letter, own).unwrap_or_default(),
        country: text(&recipient.country),
        email: recipient.email.clone(),
        salutation: word(&recipient.forms().salutation),
        tags: recipient.tags.clone(),
    };
    if addressee.salutation.is_none() {
        addressee.salutation = frame::salutation(&addressee, letter);
    }
    addressee
}

/// What a letter in `language` to `recipient` cannot say for want of a
/// form: the person's name in the dative, the office in the dative, the
/// gender a salutation agrees with. Letters leave such a part out (or fall
/// back to a neutral salutation) rather than guess it.
fn missing_forms(
    recipient: &Recipient,
    addressee: &Addressee,
    language: Language,
) -> Vec<Diagnostic> {
    let id = &recipient.id;
    let code = language.code();
    let mut missing = Vec::new();
    let mut say = |what: String, hint: String| {
        missing.push(
            Diagnostic::new("missing-form", what)
                .severity(Severity::Warning)
                .hint(hint),
        );
    };
    if matches!(language, Language::Ru | Language::Be) {
        // A person known by name, or by name parts alone, in any language.
        let person = (addressee.name.clone())
            .or_else(|| addressee.surname.clone())
            .or_else(|| {
                let surname = recipient.forms().surname.as_ref();
                surname.and_then(|surname| surname.best(&[])).cloned()
            });
        if let (Some(name), None) = (&person, &addressee.surname_dative) {
            let how = match (language, addressee.gender) {
                (Language::Ru, None) if addressee.surname.is_some() => {
                    "add gender = \"f\" or \"m\" (the surname is then declined)".to_owned()
                }
                (Language::Ru, _) => {
                    "add given, patronymic and surname = { ru = \"…\" } (declined), \
                                      or surname_dative = { ru = \"…\" }"
                        .to_owned()
                }
                _ => format!(
                    "add surname_dative = {{ {code} = \"…\" }} (and given, patronymic = {{ {code} = \"…\" }} for the initials)"
                ),
            };
            say(
                format!(
                    "the {code} letter to \"{id}\" leaves out {name}: no surname in the dative in {code}"
                ),
                how,
            );
        }
        if let (Some(title), None) = (
            recipient.title.as_ref().and_then(|t| t.best(&[language])),
            &addressee.title_dative,
        ) {
            say(
                format!(
                    "the {code} letter to \"{id}\" leaves out the office \"{title}\": no title_dative in {code}"
                ),
                format!("add title_dative = {{ {code} = \"…\" }}"),
            );
        }
    }
    // A name whose last word is not taken for the surname. See: #12
    if let (Language::En | Language::Fr | Language::Es, Some(name), None) =
        (language, &addressee.name, &addressee.surname)
        && !is_latin(name)
        && addressee.given.is_none()
    {
        say(
            format!(
                "the {code} letter to \"{id}\" salutes no one by name: \"{name}\" has no surname given, and its last word is not taken for one"
            ),
            "add surname = \"…\" (and gender = \"f\" or \"m\")".to_owned(),
        );
    }
    if addressee.salutation.is_none() && (addressee.name.is_some() || addressee.title.is_some()) {
        let hint = match (language, addressee.gender) {
            (Language::Ru | Language::Be | Language::Fr | Language::Es, None) => {
                "add gender = \"f\" or \"m\"".to_owned()
            }
            _ => format!("add salutation = {{ {code} = \"…\" }}, or the name parts in {code}"),
        };
        say(
            format!(
                "the {code} letter to \"{id}\" has no salutation made from the data: the template's fallback is used"
            ),
            hint,
        );
    }
    missing
}

/// A word for a letter in `letter`: the value in that language, or the one
/// value, where it is in the recipient's language `own` (or that is unknown).
fn in_language(
    value: Option<&Localized<String>>,
    letter: Language,
    own: Option<Language>,
) -> Option<String> {
    match value? {
        Localized::PerLanguage(values) => values.get(letter.code()).cloned(),
        Localized::Same(text) => own.is_none_or(|own| own == letter).then(|| text.clone()),
    }
}

/// A name or address for a letter in `letter`: the value in that language,
/// else in the recipient's own, else any.
fn any_language<T: Clone>(
    value: Option<&Localized<T>>,
    letter: Language,
    own: Option<Language>,
) -> Option<T> {
    // A French or Spanish letter prints a name in Latin script rather than
    // in the recipient's Cyrillic.
    let latin = matches!(letter, Language::Fr | Language::Es).then_some(Language::En);
    let preferred: Vec<Language> = std::iter::once(letter).chain(latin).chain(own).collect();
    value?.best(&preferred).cloned()
}

/// Diagnostics collected while resolving, placed by key path in the file
/// the value came from (when it came from one).
struct Problems<'s> {
    origin: Option<&'s Origin>,
    /// The incident databases: a path `incident "id".summary` is in one.
    databases: Option<&'s Incidents>,
    diagnostics: Vec<Diagnostic>,
}

impl Problems<'_> {
    /// Reports a problem with the appeal's value at `path`, or with the
    /// value of a database's incident at `incident "id"…` in its file.
    fn at(&mut self, path: &str, diagnostic: Diagnostic) {
        let defined = path
            .strip_prefix("incident \"")
            .and_then(|rest| rest.split_once('"'))
            .and_then(|(id, key)| Some((self.databases?.defined(id)?, key)));
        match defined {
            Some((defined, key)) => {
                let origin = defined.origin.clone();
                self.in_file(Some(&origin), &defined.path(key), diagnostic);
            }
            None => self.in_file(self.origin, path, diagnostic),
        }
    }

    /// Reports a problem with the value at `path` in `origin`'s file.
    fn in_file(&mut self, origin: Option<&Origin>, path: &str, diagnostic: Diagnostic) {
        let mut diagnostic = diagnostic.path(path);
        if let Some(origin) = origin {
            diagnostic = diagnostic.at(origin.locate(path));
        }
        self.diagnostics.push(diagnostic);
    }

    /// Places a diagnostic in the file, unless the value came from the command line.
    fn at_or_none(&mut self, path: &str, diagnostic: Diagnostic) {
        if path.starts_with("--") {
            self.diagnostics.push(diagnostic.path(path));
        } else {
            self.at(path, diagnostic);
        }
    }

    /// The rules on values the loader keeps too: text without control
    /// characters and within size, well-formed unique ids, a usable
    /// signature image.
    fn values(&mut self, appeal: &Appeal) {
        let value = serde_json::to_value(appeal).unwrap_or_default();
        let mut found = Vec::new();
        let bytes = validate::strings(&value, &mut String::new(), &mut found);
        for (mut path, diagnostic) in found {
            // One signatory is written back as a table; the file may have a list of one.
            if let Some(rest) = path.strip_prefix("signatory.")
                && appeal.signatory_path(0) != "signatory"
            {
                path = format!("signatory[0].{rest}");
            }
            self.at(&path, diagnostic);
        }
        if bytes > validate::MAX_TEXT_BYTES {
            let size = bytes as f64 / (1024.0 * 1024.0);
            self.diagnostics.push(
                Diagnostic::new(
                    "too-large",
                    format!("the appeal holds {size:.1} MiB of text; an appeal holds at most 1 MiB"),
                )
                .hint("a letter of hundreds of pages is likely a pasted file; many recipients belong in a registry"),
            );
        }
        if let Some(diagnostic) = appeal.sender.email.as_deref().and_then(validate::email) {
            self.at("sender.email", diagnostic);
        }
        let recipient_ids = appeal.inline_recipients.iter().map(|r| r.id.as_str());
        self.ids(recipient_ids, "recipient");
        self.ids(
            appeal.inline_incidents.iter().map(|i| i.id.as_str()),
            "incident",
        );
        for (i, incident) in appeal.inline_incidents.iter().enumerate() {
            for (j, source) in incident.sources.iter().enumerate() {
                if let Some(diagnostic) = validate::url(&source.url) {
                    self.at(&format!("incident[{i}].sources[{j}]"), diagnostic);
                }
                if let Some(diagnostic) =
                    source.language.as_deref().and_then(validate::language_tag)
                {
                    self.at(&format!("incident[{i}].sources[{j}].language"), diagnostic);
                }
            }
        }
        self.signatories(appeal);
    }

    /// At least one signatory and at most [`MAX_SIGNATORIES`], each with a
    /// usable signature image if any.
    fn signatories(&mut self, appeal: &Appeal) {
        let count = appeal.signatory.len();
        if count == 0 {
            let diagnostic = Diagnostic::new("no-signatory", "no signatory").hint(
                "add [signatory] with name = \"…\" (and title); [[signatory]] tables for several",
            );
            self.at("signatory", diagnostic);
        }
        if count > MAX_SIGNATORIES {
            let diagnostic = Diagnostic::new(
                "too-many-signatories",
                format!("{count} signatories; a letter has at most {MAX_SIGNATORIES}"),
            )
            .hint("signature blocks go three to a row, four rows at most; name further co-signers in the body or list them in an enclosure");
            self.at(&format!("signatory[{MAX_SIGNATORIES}]"), diagnostic);
        }
        for (i, signatory) in appeal.signatory.iter().enumerate() {
            if let Some(image) = &signatory.signature_image
                && let Err(problem) = validate::signature::check(image, false)
            {
                let diagnostic = Diagnostic::new(
                    "bad-signature-image",
                    format!("cannot use the signature image: {problem}"),
                );
                self.at(
                    &format!("{}.signature", appeal.signatory_path(i)),
                    diagnostic,
                );
            }
        }
        // A logo set in code is checked as one read from a file.
        if let Some(logo) = &appeal.sender.logo_image
            && let Err(problem) = validate::logo::check(logo)
        {
            let diagnostic = Diagnostic::new("bad-logo", format!("cannot use the logo: {problem}"));
            self.at("sender.logo", diagnostic);
        }
    }

    /// The incidents `appeal` selects, with the key path of each in
    /// diagnostics: its own, then those it names from `databases` (by id
    /// or `tag:NAME`), each once, by date (undated last), then in the order given.
    fn incidents<'a>(
        &mut self,
        appeal: &'a Appeal,
        databases: &'a Incidents,
    ) -> Vec<(&'a Incident, String)> {
        let mut selected: Vec<(&Incident, String)> = appeal
            .inline_incidents
            .iter()
            .enumerate()
            .map(|(i, incident)| (incident, format!("incident[{i}]")))
            .collect();
        let mut seen: HashSet<&str> = selected.iter().map(|(i, _)| i.id.as_str()).collect();
        for (i, selector) in appeal.incidents.iter().enumerate() {
            let path = format!("incidents[{i}]");
            let matches: Vec<&Incident> = match selector.strip_prefix("tag:") {
                Some(tag) => {
                    let tagged: Vec<&Incident> = databases.tagged(tag).collect();
                    if tagged.is_empty() {
                        let tags = databases.tags();
                        let diagnostic = Diagnostic::new(
                            "unknown-tag",
                            format!("no incident has tag \"{tag}\" in {path}"),
                        )
                        .suggest(tag, tags.iter().copied())
                        .hint(
                            match (databases.is_empty(), tags.is_empty()) {
                                (true, _) => {
                                    "no incident database is loaded: --incidents FILE".to_owned()
                                }
                                (false, true) => "no incident of the databases has tags".to_owned(),
                                (false, false) => format!("tags: {}", tags.join(", ")),
                            },
                        );
                        self.at(&path, diagnostic);
                    }
                    tagged
                }
                None => match databases.get(selector) {
                    Some(incident) => vec![incident],
                    None => {
                        let diagnostic = Diagnostic::new(
                            "unknown-incident",
                            format!("unknown incident \"{selector}\" in {path}"),
                        )
                        .suggest(selector, databases.iter().map(|i| i.id.as_str()))
                        .hint("`appeal incidents` lists the databases (--incidents FILE); [[incident]] defines one inline");
                        self.at(&path, diagnostic);
                        Vec::new()
                    }
                },
            };
            for incident in matches {
                if seen.insert(&incident.id) {
                    selected.push((incident, format!("incident \"{}\"", incident.id)));
                }
            }
        }
        // By date; on the same day, in the order given (a stable sort).
        selected.sort_by_key(|(incident, _)| (incident.date.is_none(), incident.date));
        selected
    }

    /// Reports ids of `[[what]]` entries that are malformed or given twice.
    fn ids<'a>(&mut self, ids: impl Iterator<Item = &'a str>, what: &str) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, id) in ids.enumerate() {
            let path = format!("{what}[{i}].id");
            if let Some(diagnostic) = validate::id(id, what) {
                self.at(&path, diagnostic);
            } else if let Some(first) = seen.insert(id, i) {
                let mut diagnostic =
                    Diagnostic::new("duplicate-id", format!("duplicate {what} id \"{id}\""));
                diagnostic = match self.origin {
                    Some(origin) => diagnostic.hint(format!(
                        "first defined at {}",
                        origin.locate(&format!("{what}[{first}].id"))
                    )),
                    None => diagnostic.hint(format!("first defined as {what}[{first}]")),
                };
                self.at(&path, diagnostic);
            }
        }
    }

    /// Checks a selected recipient the way the appeal's own values are
    /// checked; its language, if it has a known one.
    fn recipient(&mut self, chosen: &Chosen<'_>) -> Option<Language> {
        let recipient = chosen.recipient;
        let chosen_path = chosen.path();
        let origin = chosen.origin.map(|origin| &**origin);
        if origin.is_none()
            && let Some(diagnostic) = validate::id(&recipient.id, "recipient")
        {
            self.diagnostics.push(diagnostic.path(&chosen_path));
        }
        let value = serde_json::to_value(recipient).unwrap_or_default();
        let mut found = Vec::new();
        validate::strings(&value, &mut chosen_path.clone(), &mut found);
        for (path, diagnostic) in found {
            self.in_file(origin, &path, diagnostic);
        }
        if let Some(diagnostic) = recipient.email.as_deref().and_then(validate::email) {
            self.in_file(origin, &format!("{}.email", chosen_path), diagnostic);
        }
        let r = recipient;
        let texts = [
            ("honorific", &r.honorific),
            ("name", &r.name),
            ("given", &r.forms().given),
            ("patronymic", &r.forms().patronymic),
            ("surname", &r.forms().surname),
            ("surname_dative", &r.forms().surname_dative),
            ("title", &r.title),
            ("title_dative", &r.forms().title_dative),
            ("organisation", &r.organisation),
            ("organisation_genitive", &r.forms().organisation_genitive),
            ("organisation_dative", &r.forms().organisation_dative),
            ("country", &r.country),
            ("salutation", &r.forms().salutation),
        ];
        for (key, value) in texts {
            self.languages_in(origin, value.as_ref(), &format!("{}.{key}", chosen_path));
        }
        let address = format!("{}.address", chosen_path);
        self.languages_in(origin, r.address.as_ref(), &address);
        let path = format!("{}.language", chosen_path);
        recipient
            .language
            .as_ref()
            .and_then(|code| self.language(origin, &path, code, &Language::ALL, ""))
    }

    fn language(
        &mut self,
        origin: Option<&Origin>,
        path: &str,
        code: &str,
        available: &[Language],
        template: &str,
    ) -> Option<Language> {
        let Some(language) = Language::from_code(code) else {
            let diagnostic = Diagnostic::new(
                "unknown-language",
                format!("unknown language {}", quote(code)),
            )
            .suggest(code, Language::codes())
            .hint(format!(
                "languages: {}",
                Language::codes().collect::<Vec<_>>().join(", ")
            ));
            self.in_file(origin, path, diagnostic);
            return None;
        };
        if !available.contains(&language) {
            let codes: Vec<&str> = available.iter().map(|l| l.code()).collect();
            let diagnostic = Diagnostic::new(
                "unknown-language",
                format!("template \"{template}\" has no \"{language}\" version"),
            )
            .hint(format!("it has: {}", codes.join(", ")));
            self.in_file(origin, path, diagnostic);
            return None;
        }
        Some(language)
    }

    /// The body compiled, once per language it is given in; `None` where it
    /// does not compile (and a diagnostic says why).
    fn body(
        &mut self,
        body: &Localized<String>,
        templates: &Templates,
    ) -> Localized<Option<Arc<AppealBody>>> {
        let mut compile = |text: &str, path: String| {
            let place = self.origin.and_then(|origin| {
                let span = origin.span(&path)?;
                Some((origin.source().clone(), span))
            });
            let at = place.as_ref().map(|(source, span)| (source, span));
            let checked = compile(text, &path, None, at).and_then(|template| {
                match templates.check_partials(&template) {
                    Ok(()) => Ok(template),
                    Err(problem) => {
                        let diagnostic = problem.diagnostic(&path);
                        Err(Box::new(match at {
                            Some((source, span)) => diagnostic.at(source.locate(span)),
                            None => diagnostic,
                        }))
                    }
                }
            });
            match checked {
                Ok(template) => Some(Arc::new(AppealBody {
                    template,
                    #[cfg(feature = "batch")]
                    text: text.to_owned(),
                    place,
                })),
                Err(diagnostic) => {
                    self.diagnostics.push(diagnostic.path(path));
                    None
                }
            }
        };
        match body {
            Localized::Same(text) => Localized::Same(compile(text, "body".into())),
            Localized::PerLanguage(texts) => Localized::PerLanguage(Box::new(
                texts
                    .iter()
                    .map(|(code, text)| (code.clone(), compile(text, format!("body.{code}"))))
                    .collect(),
            )),
        }
    }

    /// Reports the keys of a per-language value of the appeal that are not language codes.
    fn languages_of<T>(&mut self, value: Option<&Localized<T>>, key: &str) {
        let origin = self.origin;
        self.languages_in(origin, value, key);
    }

    /// Reports the keys of a per-language value at `key` in `origin`'s
    /// file that are not language codes.
    fn languages_in<T>(
        &mut self,
        origin: Option<&Origin>,
        value: Option<&Localized<T>>,
        key: &str,
    ) {
        let Some(Localized::PerLanguage(values)) = value else {
            return;
        };
        for code in values
            .keys()
            .filter(|code| Language::from_code(code).is_none())
        {
            let diagnostic = Diagnostic::new(
                "unknown-language",
                format!("unknown language {} in {key}", quote(code)),
            )
            .suggest(code, Language::codes())
            .hint(format!(
                "{key} is given per language: {}",
                Language::codes().collect::<Vec<_>>().join(", ")
            ));
            self.in_file(origin, &format!("{key}.{code}"), diagnostic);
        }
    }

    /// The version of `value` for a letter in `language`; reports, once per
    /// key and language, a per-language value that lacks it.
    fn pick<'v, T>(
        &mut self,
        value: Option<&'v Localized<T>>,
        key: &str,
        language: Language,
        recipient: &str,
        missing: &mut HashSet<(String, Language)>,
    ) -> Option<&'v T> {
        let value = value?;
        let picked = value.get(language);
        if picked.is_none() && missing.insert((key.to_owned(), language)) {
            let diagnostic = Diagnostic::new(
                "missing-language",
                format!(
                    "{key} has no \"{language}\" version, needed for the letter to \"{recipient}\""
                ),
            )
            .hint(format!(
                "add {language} = … to {key}, or set language = \"…\" for every letter"
            ));
            self.at(key, diagnostic);
        }
        picked
    }

    /// Reports tables of `[vars]` whose keys are language codes but one or
    /// more: a value per language with a mistyped code, which a letter
    /// would otherwise print as a table.
    fn vars_languages(&mut self, vars: &serde_json::Map<String, serde_json::Value>, path: &str) {
        for (key, value) in vars {
            let path = format!("{path}.{key}");
            if let serde_json::Value::Object(map) = value {
                if map.keys().any(|k| Language::from_code(k).is_some()) {
                    let per_language: Localized<()> = Localized::PerLanguage(Box::new(
                        map.keys().map(|k| (k.clone(), ())).collect(),
                    ));
                    self.languages_of(Some(&per_language), &path);
                } else {
                    self.vars_languages(map, &path);
                }
            }
        }
    }

    /// `[vars]` for a letter in `language`: a table whose keys are all
    /// language codes is a value per language, and gives the letter's.
    fn vars(
        &mut self,
        vars: &serde_json::Map<String, serde_json::Value>,
        language: Language,
        recipient: &str,
        missing: &mut HashSet<(String, Language)>,
    ) -> serde_json::Value {
        use serde_json::Value;
        fn localize(
            problems: &mut Problems<'_>,
            value: &Value,
            path: &str,
            language: Language,
            recipient: &str,
            missing: &mut HashSet<(String, Language)>,
        ) -> Value {
            match value {
                Value::Object(map)
                    if !map.is_empty() && map.keys().all(|k| Language::from_code(k).is_some()) =>
                {
                    let per_language = Localized::PerLanguage(Box::new(
                        map.iter().map(|(k, v)| (k.clone(), v)).collect(),
                    ));
                    problems
                        .pick(Some(&per_language), path, language, recipient, missing)
                        .map(|v| (*v).clone())
                        .unwrap_or(Value::Null)
                }
                Value::Object(map) => {
                    // Some keys language codes and some not: a value per
                    // language with a mistyped code, never a table to print.
                    if map.keys().any(|k| Language::from_code(k).is_some()) {
                        let per_language =
                            Localized::PerLanguage(Box::new(map.clone().into_iter().collect()));
                        problems.languages_of(Some(&per_language), path);
                    }
                    Value::Object(
                        map.iter()
                            .map(|(k, v)| {
                                let path = format!("{path}.{k}");
                                let v = localize(problems, v, &path, language, recipient, missing);
                                (k.clone(), v)
                            })
                            .collect(),
                    )
                }
                other => other.clone(),
            }
        }
        let vars = Value::Object(vars.clone());
        localize(self, &vars, "vars", language, recipient, missing)
    }

    /// A cc entry: a registry id, or other text, kept as it is.
    fn cc<'a>(
        &mut self,
        recipients: &Recipients<'a>,
        cc: &'a str,
        index: usize,
    ) -> Option<Copy<'a>> {
        if let Some(chosen) = recipients.get(cc) {
            return Some(Copy::Recipient(chosen.recipient));
        }
        let looks_like_id = !cc.is_empty()
            && cc
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if looks_like_id {
            let diagnostic = Diagnostic::new(
                "unknown-recipient",
                format!("unknown recipient \"{cc}\" in cc[{index}]"),
            )
            .suggest(cc, recipients.ids())
            .hint("cc takes registry ids or free text such as \"ITUC PERC\"");
            self.at(&format!("cc[{index}]"), diagnostic);
            return None;
        }
        Some(Copy::Text(cc))
    }
}

/// Who a copy of the letters goes to.
enum Copy<'a> {
    /// A registry or inline recipient.
    Recipient(&'a Recipient),
    /// Free text.
    Text(&'a str),
}

impl Copy<'_> {
    /// The copy line in a letter in `language`: name, office and
    /// organisation, each where the data has it in a form that language can use.
    fn line(&self, language: Language) -> String {
        match self {
            Copy::Text(text) => (*text).to_owned(),
            Copy::Recipient(recipient) => {
                let own = recipient.language.as_deref().and_then(Language::from_code);
                let a = addressee(recipient, language, own);
                match language {
                    // "Копия: Генеральному секретарю IndustriALL Global Union";
                    // an organisation without an office in the dative too:
                    // «Копия: Панъевропейскому региональному совету МКП».
                    Language::Ru | Language::Be => {
                        match (&a.title_dative, &a.organisation_dative) {
                            (None, Some(organisation)) => organisation.clone(),
                            _ => frame::addressee_lines(&a, language).join(" "),
                        }
                    }
                    Language::En | Language::Fr | Language::Es => [a.name, a.title, a.organisation]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            }
        }
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
            &Incidents::default(),
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
        // Copies are named in each letter's language.
        assert_eq!(
            contexts[0].cc,
            [
                "Mikhail Shmakov, President, Federation of Independent Trade Unions of Russia (FNPR)",
                "Belarusian Congress of Democratic Trade Unions"
            ]
        );
        assert_eq!(
            de.cc[0],
            "Старшыні Федэрацыі незалежных прафсаюзаў Расіі (ФНПР) Шмакову М. В."
        );
    }

    #[test]
    fn fixed_language_takes_salutations_in_that_language() {
        let contexts =
            resolve_text(&APPEAL.replace("date =", "language = \"en\"\ndate =")).unwrap();
        let de = contexts
            .iter()
            .find(|c| c.recipient.id == "embassy-by-de")
            .unwrap();
        assert_eq!(
            (de.language, de.recipient.salutation.as_deref()),
            (Language::En, Some("Your Excellency,"))
        );
        let contexts =
            resolve_text(&APPEAL.replace("date =", "language = \"ru\"\ndate =")).unwrap();
        let salutations: Vec<&str> = contexts
            .iter()
            .map(|c| c.recipient.salutation.as_deref().unwrap_or("-"))
            .take(3)
            .collect();
        assert_eq!(
            salutations,
            [
                "Уважаемый господин Унгбо!",
                "Уважаемый господин Посол!",
                "Уважаемый господин Посол!"
            ]
        );
    }

    #[test]
    fn reports_all_problems_at_once() {
        let text = APPEAL
            .replace("\"ilo-intervention\"", "\"ilo-intervension\"")
            .replace("\"ilo-dg\"", "\"ilo-gd\"")
            .replace("tag:embassy", "tag:embasy")
            .replace("\"fnpr\"", "\"fnrp\"")
            .replace("date = 2021-03-01", "date = 2021-03-01\nlanguage = \"by\"");
        let message = resolve_text(&text).unwrap_err().to_string();
        insta::assert_snapshot!(message);
    }

    #[test]
    fn a_date_with_a_time_is_refused_at_its_place() {
        let error = Appeal::parse(Source::new(
            "a.toml",
            APPEAL.replace("date = 2021-03-01", "date = 2021-03-01T10:00:00"),
        ))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "a.toml:3:8: error: expected a date like 2021-03-01, not \"2021-03-01T10:00:00\""
        );
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
            &Incidents::default(),
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
            &Incidents::default(),
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
                .contains("a.toml:5:38: error: unknown language \"by\" in demands"),
            "{error}"
        );
        assert_eq!(error.diagnostics()[1].path.as_deref(), Some("demands.by"));
    }

    #[test]
    fn a_declined_name_is_still_the_name() {
        assert!(names(
            "В квартире Андрея Комлика-Яматина провели обыск.",
            "Андрей Комлик-Яматин"
        ));
        assert!(names("Artem Zhernak was arrested.", "Artem Zhernak"));
        assert!(!names("The office was raided.", "Vladimir Maley"));
        assert!(!names("Ivan Petrov", ""));
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
