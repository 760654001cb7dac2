//! Composing: a [`Context`] and its template into a [`Letter`].
//!
//! The appeal's body is rendered first and handed to the template as `body`;
//! the template's body is then rendered and parsed as CommonMark.

use std::collections::HashSet;

use crate::error::{Diagnostic, Error, Severity};
use crate::evidence::{self, Numbering};
use crate::frame;
use crate::lang::{Date, Labels, Language, capitalised, lowercase_first};
use crate::letter::{Letter, Letterhead, Mailbox, Signature, SignatureLayout};
use crate::limits::{self, Failure};
use crate::markdown;
use crate::postal::PostalLayout;
use crate::redact;
use crate::resolve::{AppealBody, Cited, Concerned, Context};
use crate::templates::{Part, Templates, locate_in_string, render_diagnostic};
use crate::typography;
use crate::window;

/// Composes the letter for one resolved context.
///
/// Every incident of the context is in the letter: where the body cites it,
/// or after the body, under "Further cases:"; the sources of each are its
/// numbered notes. In letters to authorities, protected people are named by
/// initials.
pub fn compose(context: &Context, templates: &Templates) -> Result<Letter, Error> {
    compose_checked(context, templates).map(|(letter, _)| letter)
}

/// [`compose`], with what a check should say of the letter: incidents the
/// body does not cite (notes), protected names redaction could not catch
/// (warnings).
pub(crate) fn compose_checked(
    context: &Context,
    templates: &Templates,
) -> Result<(Letter, Vec<Diagnostic>), Error> {
    let mut said = context.missing.clone();
    // One template context for every part: wrapping data anew for each
    // render would copy the whole of it each time.
    let mut data = handlebars::Context::from(
        serde_json::to_value(context).expect("contexts serialise to JSON"),
    );
    let mut body = match &context.body {
        Some(body) => render_body(body, templates, &data)?,
        None => String::new(),
    };
    if context.body.is_some() {
        let cited = evidence::cited(&body);
        for &(id, times) in &cited {
            if times > 1 {
                said.push(
                    Diagnostic::new(
                        "cited-again",
                        format!("incident \"{id}\" is cited {times} times in the body"),
                    )
                    .severity(Severity::Note)
                    .path("body")
                    .hint("each citation prints the incident's text again; its notes are numbered once"),
                );
            }
        }
    }
    data.data_mut()["body"] = body.as_str().into();
    let render = |part| templates.render(&context.template, context.language, part, &data);
    let too_deep = |part, deep: markdown::TooDeep| {
        let problem = |place: &str| deep.diagnostic(place);
        Error::from(templates.part_problem(&context.template, context.language, part, problem))
    };
    // Frame parts are one line of CommonMark each: read as plain text.
    let frame = |part| match render(part)? {
        Some(text) => markdown::plain(&text)
            .map(Some)
            .map_err(|deep| too_deep(part, deep)),
        None => Ok(None),
    };
    let labels = context.language.labels();
    let subject = match &context.subject {
        Some(subject) => one_line(subject),
        None => frame(Part::Subject)?.ok_or_else(|| {
            Diagnostic::new(
                "no-subject",
                format!(
                    "no subject: template \"{}\" has no default subject",
                    context.template
                ),
            )
            .hint("add subject = \"…\" to the appeal")
        })?,
    };
    let salutation = match frame(Part::Salutation)? {
        Some(salutation) => salutation,
        None => markdown::plain(
            &templates
                .registry
                .render_template_with_context("{{salutation recipient}}", &data)
                .map_err(|error| render_diagnostic(&error, data.data(), "", None))?,
        )
        .map_err(|deep| deep.diagnostic("salutation"))?,
    };
    let recipient = &context.recipient;
    // To an ambassador the courtesy formula is the closing: "Yours
    // sincerely," or «С уважением,» after it would close twice.
    let closing = match frame::courtesy(recipient, context.language) {
        Some(courtesy) => courtesy.to_owned(),
        None => match frame(Part::Closing)? {
            Some(closing) => closing,
            None => frame::closing(recipient, context.language, &salutation),
        },
    };
    let delivery = match frame(Part::Delivery)? {
        Some(delivery) => Some(delivery),
        None => recipient
            .email
            .as_ref()
            .map(|email| format!("{} {email}", labels.by_email)),
    };
    // Every incident is in the letter: those neither the appeal's body nor
    // the template cites follow the appeal's body (rendered again with
    // them), or, without one, the template's.
    let mut text = render(Part::Body)?.unwrap_or_default();
    let left_out = uncited(context, &evidence::cited(&text));
    if !left_out.is_empty() {
        let further = evidence::further_cases(&left_out, context.language);
        if context.body.is_some() {
            for incident in &left_out {
                said.push(
                    Diagnostic::new(
                        "uncited-incident",
                        format!("incident \"{}\" is not cited in the body", incident.id),
                    )
                    .severity(Severity::Note)
                    .path("body")
                    .hint("the letters list it after the body, under \"Further cases:\"; {{cite \"ID\"}} places it in the text"),
                );
            }
            body.push_str(&further);
            data.data_mut()["body"] = body.into();
            text = templates
                .render(&context.template, context.language, Part::Body, &data)?
                .unwrap_or_default();
        } else {
            text.push_str(&further);
        }
    }
    let mut numbering = Numbering::default();
    let (place_date, reference) = dateline(context);
    let mut letter = Letter {
        recipient_id: recipient.id.clone(),
        language: context.language,
        letterhead: letterhead(context, labels),
        date: context.date,
        place_date,
        reference,
        recipient: recipient_block(context),
        running_head: frame::running_head(recipient, context.language),
        to: recipient.email.as_ref().map(|email| Mailbox {
            name: [&recipient.name, &recipient.organisation]
                .into_iter()
                .flatten()
                .next()
                .cloned()
                .unwrap_or_default(),
            email: email.clone(),
        }),
        from: context.sender.email.as_ref().map(|email| Mailbox {
            name: context.sender.organisation.clone(),
            email: email.clone(),
        }),
        delivery: delivery.filter(|line| !line.trim().is_empty()),
        subject,
        salutation,
        body: markdown::parse(&numbering.refer(&text, &context.incidents, context.language))
            .map_err(|deep| too_deep(Part::Body, deep))?,
        closing,
        signatories: signatures(context),
        cc: context.cc.clone(),
        enclosures: context.enclosures.clone(),
        annex: (context.annex && !context.incidents.is_empty())
            .then(|| numbering.annex(&context.incidents, context.language)),
        notes: numbering.notes,
        redacted: false,
        labels,
        layout: context.layout,
        fonts: context.fonts.clone(),
    };
    if context.redact {
        let protected: Vec<&Concerned> = context
            .incidents
            .iter()
            .flat_map(|incident| &incident.people)
            .filter(|person| person.protect)
            .collect();
        redact::redact(&mut letter, &protected);
        letter.redacted = true;
        for (person, word) in redact::leftovers(&mut letter, &protected) {
            said.push(
                Diagnostic::new(
                    "protected-name",
                    format!(
                        "the letter to \"{}\" may still name {} (protected) as \"{word}\"",
                        letter.recipient_id,
                        redact::initials(&person.name)
                    ),
                )
                .severity(Severity::Warning)
                .hint("letters to authorities name protected people by initials; write the name as in the incident's people, or rephrase"),
            );
        }
    }
    // Composed characters (NFC), in every output: a decomposed "Niño"
    // would print its tilde where the font puts a lone mark. See: #12
    letter.texts_mut(&mut |text| {
        // Below U+0300 every text is composed: no mark to compose with.
        if !text.chars().all(|c| c < '\u{300}') && !unicode_normalization::is_nfc(text) {
            *text = unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect();
        }
    });
    // Last: redaction matches names as the data spells them (O'Brien),
    // and the citation tokens are resolved into note runs by now.
    typography::typeset_letter(&mut letter);
    // The block as printed.
    let layout = context.layout.unwrap_or(PostalLayout::Din5008b);
    if let Some(problem) =
        window::check(recipient, &letter.recipient, layout, &context.recipient_at)
    {
        return Err(problem.into());
    }
    Ok((letter, said))
}

/// The incidents of `context` that are not among those `cited`.
fn uncited<'c>(context: &'c Context, cited: &[(&str, usize)]) -> Vec<&'c Cited> {
    let cited: HashSet<&str> = cited.iter().map(|&(id, _)| id).collect();
    let incidents = context.incidents.iter();
    incidents
        .filter(|i| !cited.contains(i.id.as_str()))
        .collect()
}

/// The appeal's body rendered; checked for depth on its own, so that a
/// body nested too deep is reported in the appeal, not in the template.
fn render_body(
    body: &AppealBody,
    templates: &Templates,
    context: &handlebars::Context,
) -> Result<String, Error> {
    let at_body = |diagnostic: Diagnostic| {
        let diagnostic = diagnostic.path("body");
        match &body.place {
            Some((source, span)) => diagnostic.at(source.locate(span)),
            None => diagnostic,
        }
    };
    let text = match limits::render(&templates.registry, &body.template, context) {
        Ok(text) => text,
        Err(Failure::TooLarge) => return Err(at_body(limits::too_large("the body")).into()),
        Err(Failure::Render(error)) => {
            let location = match (&body.place, error.line_no, error.column_no) {
                (Some((source, span)), Some(line), Some(column)) => {
                    Some(locate_in_string(source, span, line, column))
                }
                _ => None,
            };
            let diagnostic = render_diagnostic(&error, context.data(), "in body: ", location);
            return Err(diagnostic.path("body").into());
        }
    };
    markdown::check(&text).map_err(|deep| at_body(deep.diagnostic("body")))?;
    Ok(text)
}

fn letterhead(context: &Context, labels: &Labels) -> Letterhead {
    let sender = &context.sender;
    let contacts = [
        sender
            .phone
            .as_ref()
            .map(|phone| format!("{} {phone}", labels.phone)),
        sender
            .fax
            .as_ref()
            .map(|fax| format!("{} {fax}", labels.fax)),
        sender.email.clone(),
        sender.website.as_ref().map(|site| {
            site.trim_start_matches("https://")
                .trim_start_matches("http://")
                .to_owned()
        }),
    ];
    Letterhead {
        organisation: sender.organisation.clone(),
        address: sender.address.clone(),
        contacts: contacts.into_iter().flatten().collect(),
        officers: sender
            .officers
            .iter()
            .map(|o| format!("{}: {}", o.role, o.name))
            .collect(),
        logo: sender.logo_image.clone(),
    }
}

/// The signature blocks: organisations named where several sign, or where
/// a signatory's is not the letterhead's; one
/// Russian or Belarusian signatory with a title has it left, the name right.
fn signatures(context: &Context) -> Vec<Signature> {
    let alone = context.signatories.len() == 1;
    let gost = matches!(context.language, Language::Ru | Language::Be);
    context
        .signatories
        .iter()
        .map(|signer| Signature {
            name: signer.name.clone(),
            title: signer.title.clone(),
            organisation: (context.cosigned || signer.organisation != context.sender.organisation)
                .then(|| signer.organisation.clone()),
            image: signer.image.as_deref().cloned(),
            layout: match alone && gost && signer.title.is_some() {
                true => SignatureLayout::TitleLeftNameRight,
                false => SignatureLayout::Stacked,
            },
        })
        .collect()
}

/// The addressee block: the addressee as the letter's language addresses
/// them, then the postal address.
fn recipient_block(context: &Context) -> Vec<String> {
    let recipient = &context.recipient;
    let mut lines = frame::addressee_lines(recipient, context.language);
    lines.extend(recipient.address.iter().cloned());
    lines.extend(recipient.country.clone());
    lines
}

/// The date line and the reference line.
///
/// English: "Geneva, 01 March 2021" and "Ref.: 15/2021; your ref. 07-12 of
/// 15 February 2021". Russian and Belarusian (ГОСТ Р 7.0.97-2016 §5.13–5.15):
/// "№ 15/2021 от 25 ноября 2021 г." and "На № 07-12 от 15 февраля 2021 г.";
/// the place only where the letterhead has no address.
fn dateline(context: &Context) -> (String, Option<String>) {
    let language = context.language;
    let labels = language.labels();
    let date = language.format_dateline(context.date);
    let reply = context.in_reply_to.as_ref().map(|reply| {
        let of = |date: Option<Date>| match date {
            Some(date) => format!(" {} {}", labels.of, language.format_date(date)),
            None => String::new(),
        };
        format!(
            "{} {}{}",
            labels.in_reply_to,
            reply.reference,
            of(reply.date)
        )
    });
    match language {
        // "Genève, le 1er mars 2021"; "Ginebra, 1 de marzo de 2021".
        Language::En | Language::Fr | Language::Es => {
            let place_date = match &context.place {
                Some(place) => format!("{place}, {date}"),
                None => capitalised(&date),
            };
            let ours = context
                .reference
                .as_ref()
                .map(|r| format!("{} {r}", labels.reference));
            let reference = match (ours, reply) {
                // "Our ref.: 15; your ref. 07"; "N/Réf. : 15 ; V/Réf. : 07".
                (Some(ours), Some(reply)) if language == Language::En => {
                    Some(format!("{ours}; {}", lowercase_first(&reply)))
                }
                (Some(ours), Some(reply)) => Some(format!("{ours}; {reply}")),
                (ours, reply) => ours.or(reply),
            };
            (place_date, reference)
        }
        Language::Ru | Language::Be => {
            let dated = match &context.reference {
                Some(reference) => format!("{} {reference} {} {date}", labels.number, labels.of),
                None => date,
            };
            let place_date = match &context.place {
                Some(place) if context.sender.address.is_empty() => format!("{place}, {dated}"),
                _ => dated,
            };
            (place_date, reply)
        }
    }
}

/// Folds a field of the appeal onto one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appeal::{Appeal, Registry};
    use crate::error::Source;
    use crate::incidents::Incidents;
    use crate::letter::Block;
    use crate::resolve::{ResolveOptions, resolve};

    fn letters(text: &str) -> Result<Vec<Letter>, Error> {
        let templates = Templates::builtin();
        let appeal = Appeal::parse(Source::new("a.toml", text)).unwrap();
        let contexts = resolve(
            &appeal,
            &Registry::builtin(),
            &Incidents::default(),
            &templates,
            &ResolveOptions::default(),
        )?;
        contexts.iter().map(|c| compose(c, &templates)).collect()
    }

    const APPEAL: &str = r#"template = "ilo-intervention"
date = 2021-03-01
place = "Geneva"
subject = "Stop repression"
recipients = ["ilo-dg"]
demands = ["free them"]
body = """
Dear friends at {{recipient.organisation}}: A & B.
{{cite "raid"}}
"""
[sender]
organisation = "U"
phone = "+41 1"
website = "https://u.org"
[signatory]
name = "S"
[[incident]]
id = "raid"
summary = "The office was raided."
"#;

    #[test]
    fn composes_frame_and_body() {
        let letter = letters(APPEAL).unwrap().remove(0);
        assert_eq!(letter.place_date, "Geneva, 01\u{a0}March 2021");
        assert_eq!(letter.salutation, "Dear Mr. Houngbo,");
        assert_eq!(letter.delivery.as_deref(), Some("By email: ilo@ilo.org"));
        assert_eq!(letter.letterhead.contacts, ["Tel: +41 1", "u.org"]);
        assert_eq!(
            letter.recipient[..2],
            ["Mr. Gilbert F.\u{a0}Houngbo", "Director-General"]
        );
        let Block::Paragraph(runs) = &letter.body[0] else {
            panic!("{:?}", letter.body)
        };
        // "B." reads as an initial: it is kept with the word after it.
        assert_eq!(
            runs[0].text,
            "Dear friends at International Labour Office (ILO): A & B.\u{a0}The office was raided."
        );
    }

    #[test]
    fn places_body_errors_in_the_appeal() {
        let error =
            letters(&APPEAL.replace("{{recipient.organisation}}", "{{recipient.organization}}"))
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "a.toml:8:17: error: in body: undefined variable \"recipient.organization\"\n  \
             hint: did you mean \"recipient.organisation\"?\n  \
             hint: \"recipient.organization\" is not set for this letter; define it in the appeal (e.g. under [vars]) or guard it with {{#if}}"
        );
        let error = letters(&APPEAL.replace("\"raid\"}}", "\"raids\"}}")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a.toml:9:1: error: in body: unknown incident \"raids\" in cite; did you mean \"raid\"?"
        );
    }
}
