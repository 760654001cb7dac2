//! Letter templates: one TOML file per template and language, whose values
//! are Handlebars templates, compiled once into a strict registry.
//!
//! A template file `NAME/LANG.toml` holds `description`, `subject`,
//! `salutation`, `delivery`, `body` (CommonMark) and `closing`; only `body`
//! is required. Without `closing`, letters take their language's own
//! ("Yours sincerely," or, after "Dear Sir or Madam,", "Yours faithfully,").

use std::collections::BTreeMap;
use std::ops::Range;

use handlebars::Handlebars;
use handlebars::template::Template;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Diagnostic, Error, Location, Source};
use crate::helpers;
use crate::lang::Language;
use crate::limits::{self, Failure, PartialProblem, Partials};

macro_rules! builtin {
    ($name:literal, $lang:literal) => {
        (
            $name,
            $lang,
            include_str!(concat!("../letter_templates/", $name, "/", $lang, ".toml")),
        )
    };
}

/// The templates built into the crate, as (name, language, text).
const BUILTIN: &[(&str, &str, &str)] = &[
    builtin!("ilo-intervention", "en"),
    builtin!("ilo-intervention", "ru"),
    builtin!("ilo-intervention", "be"),
    builtin!("ilo-intervention", "fr"),
    builtin!("ilo-intervention", "es"),
    builtin!("solidarity-appeal", "en"),
    builtin!("solidarity-appeal", "ru"),
    builtin!("solidarity-appeal", "be"),
    builtin!("embassy-petition", "en"),
    builtin!("embassy-petition", "ru"),
    builtin!("embassy-petition", "be"),
    builtin!("cfa-complaint", "en"),
    builtin!("cfa-complaint", "ru"),
    builtin!("cfa-complaint", "fr"),
    builtin!("cfa-complaint", "es"),
];

/// The parts of a letter a template file defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    Subject,
    Salutation,
    Delivery,
    Body,
    Closing,
}

impl Part {
    const ALL: [Part; 5] = [
        Part::Subject,
        Part::Salutation,
        Part::Delivery,
        Part::Body,
        Part::Closing,
    ];

    fn key(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Salutation => "salutation",
            Part::Delivery => "delivery",
            Part::Body => "body",
            Part::Closing => "closing",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    description: Option<String>,
    subject: Option<Spanned<String>>,
    salutation: Option<Spanned<String>>,
    delivery: Option<Spanned<String>>,
    body: Spanned<String>,
    closing: Option<Spanned<String>>,
}

impl TemplateFile {
    fn part(&self, part: Part) -> Option<&Spanned<String>> {
        match part {
            Part::Subject => self.subject.as_ref(),
            Part::Salutation => self.salutation.as_ref(),
            Part::Delivery => self.delivery.as_ref(),
            Part::Body => Some(&self.body),
            Part::Closing => self.closing.as_ref(),
        }
    }
}

/// What is known of one template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemplateInfo {
    /// Its name, as an appeal's `template` gives it.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The languages it is written in.
    pub languages: Vec<Language>,
}

/// A set of compiled letter templates with the helpers they use.
#[derive(Debug, Clone)]
pub struct Templates {
    pub(crate) registry: Handlebars<'static>,
    info: BTreeMap<String, TemplateInfo>,
    /// Where each part's text starts in its file, to place render errors.
    origins: BTreeMap<String, (Source, Range<usize>)>,
}

impl Templates {
    /// No templates, only the helpers.
    pub fn empty() -> Templates {
        Templates {
            registry: helpers::registry(),
            info: BTreeMap::new(),
            origins: BTreeMap::new(),
        }
    }

    /// The templates built into the crate (`letter_templates/`).
    pub fn builtin() -> Templates {
        let mut templates = Templates::empty();
        for (name, language, text) in BUILTIN {
            let source = Source::new(format!("letter_templates/{name}/{language}.toml"), *text);
            templates
                .add(
                    name,
                    Language::from_code(language).expect("known code"),
                    source,
                )
                .expect("built-in templates compile (tested)");
        }
        templates
    }

    /// Adds (or replaces) the template `name` in `language`, parsed from `source`.
    pub fn add(&mut self, name: &str, language: Language, source: Source) -> Result<(), Error> {
        let file: TemplateFile = toml::from_str(source.text()).map_err(|error| {
            let diagnostic = Diagnostic::new("syntax", error.message().trim_end());
            match error.span() {
                Some(span) => diagnostic.at(source.locate(&span)),
                None => diagnostic,
            }
        })?;
        let mut diagnostics = Vec::new();
        let mut parts = Vec::new();
        for part in Part::ALL {
            let key = part_key(name, language, part);
            let Some(text) = file.part(part) else {
                parts.push((key, None));
                continue;
            };
            let place = Some((&source, &text.span()));
            match compile(text.get_ref(), part.key(), Some(&key), place) {
                Ok(template) => parts.push((key, Some((template, text.span())))),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
        if diagnostics.is_empty() {
            diagnostics.extend(self.partial_problem(&parts, &source));
        }
        // A file goes in whole or not at all: a registry that has passed
        // every check never holds a recursive partial.
        if !diagnostics.is_empty() {
            return Err(Error::invalid(diagnostics));
        }
        for (key, compiled) in parts {
            match compiled {
                Some((template, span)) => {
                    self.registry.register_template(&key, template);
                    self.origins.insert(key, (source.clone(), span));
                }
                None => {
                    self.registry.unregister_template(&key);
                    self.origins.remove(&key);
                }
            }
        }
        let info = self
            .info
            .entry(name.to_owned())
            .or_insert_with(|| TemplateInfo {
                name: name.to_owned(),
                description: String::new(),
                languages: Vec::new(),
            });
        if let Some(description) = file.description
            && (info.description.is_empty() || language == Language::En)
        {
            info.description = description;
        }
        if !info.languages.contains(&language) {
            info.languages.push(language);
            info.languages.sort();
        }
        Ok(())
    }

    /// The text of every template part, by key, for fingerprints of a batch's inputs.
    #[cfg(feature = "batch")]
    pub(crate) fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.origins.iter().map(|(key, (source, span))| {
            let text = source.text().get(span.clone()).unwrap_or_default();
            (key.as_str(), text)
        })
    }

    /// The template called `name`.
    pub fn get(&self, name: &str) -> Option<&TemplateInfo> {
        self.info.get(name)
    }

    /// Every template, by name.
    pub fn iter(&self) -> impl Iterator<Item = &TemplateInfo> {
        self.info.values()
    }

    /// Renders one part of a template; `None` when the template leaves it out.
    pub(crate) fn render(
        &self,
        name: &str,
        language: Language,
        part: Part,
        data: &handlebars::Context,
    ) -> Result<Option<String>, Error> {
        let key = part_key(name, language, part);
        let Some(template) = self.registry.get_template(&key) else {
            return Ok(None);
        };
        match limits::render(&self.registry, template, data) {
            Ok(text) => Ok(Some(text)),
            Err(Failure::TooLarge) => {
                let problem = |place: &str| limits::too_large(&format!("the {place}"));
                Err(self.part_problem(name, language, part, problem).into())
            }
            Err(Failure::Render(error)) => Err(self.render_error(&error, data.data())),
        }
    }

    /// A problem with one part of a template, placed at its text;
    /// `problem` makes it from the part's name (`closing of template "x"`).
    pub(crate) fn part_problem(
        &self,
        name: &str,
        language: Language,
        part: Part,
        problem: impl FnOnce(&str) -> Diagnostic,
    ) -> Diagnostic {
        let diagnostic = problem(&format!("{} of template \"{name}\"", part.key()));
        match self.origins.get(&part_key(name, language, part)) {
            Some((source, span)) => diagnostic.at(source.locate(span)),
            None => diagnostic,
        }
    }

    /// Checks the partials an appeal's body includes, with those of every
    /// template it may reach.
    pub(crate) fn check_partials(&self, body: &Template) -> Result<(), PartialProblem> {
        self.partials(&[("", body)])?.check("")
    }

    /// The partials of the registry with `new` templates in place of those
    /// of the same name.
    fn partials<'t>(
        &'t self,
        new: &[(&'t str, &'t Template)],
    ) -> Result<Partials<'t>, PartialProblem> {
        let mut partials = Partials::default();
        for &(name, template) in new {
            partials.add(name, template)?;
        }
        for (name, template) in self.registry.get_templates() {
            if !new.iter().any(|&(new, _)| new == name) {
                partials.add(name, template)?;
            }
        }
        Ok(partials)
    }

    /// The first problem with the partials of a template file's `parts`,
    /// placed at the part it was found from.
    fn partial_problem(&self, parts: &[FilePart], source: &Source) -> Option<Diagnostic> {
        let new: Vec<(&str, &Template)> = parts
            .iter()
            .filter_map(|(key, part)| Some((key.as_str(), &part.as_ref()?.0)))
            .collect();
        let place = |key: &str| {
            let found = parts.iter().find(|(part, _)| part == key);
            let span = found.and_then(|(_, part)| Some(part.as_ref()?.1.clone()));
            let key = key.rsplit('/').next().unwrap_or(key);
            (key.to_owned(), span.unwrap_or(0..0))
        };
        let (root, problem) = match self.partials(&new) {
            Ok(mut partials) => {
                let roots = new.iter().map(|&(key, _)| key);
                let mut others = self.registry.get_templates().keys().map(String::as_str);
                let roots: Vec<&str> = roots.chain(&mut others).collect();
                roots
                    .into_iter()
                    .find_map(|root| partials.check(root).err().map(|p| (root, p)))?
            }
            Err(problem) => (new.first().map_or("", |&(key, _)| key), problem),
        };
        let (key, span) = place(root);
        Some(problem.diagnostic(&key).at(source.locate(&span)))
    }
    /// A render error placed in the template file it comes from.
    fn render_error(&self, error: &handlebars::RenderError, data: &serde_json::Value) -> Error {
        let origin = error
            .template_name
            .as_ref()
            .and_then(|name| self.origins.get(name));
        let location = match (origin, error.line_no, error.column_no) {
            (Some((source, span)), Some(line), Some(column)) => {
                Some(locate_in_string(source, span, line, column))
            }
            _ => None,
        };
        render_diagnostic(error, data, "", location).into()
    }
}

/// A diagnostic for a render error: the message after `prefix`, a "did you
/// mean" for a misspelt variable, and a hint on how to define it.
pub(crate) fn render_diagnostic(
    error: &handlebars::RenderError,
    data: &serde_json::Value,
    prefix: &str,
    location: Option<Location>,
) -> Diagnostic {
    use handlebars::RenderErrorReason as Reason;
    let message = match error.reason() {
        Reason::MissingVariable(Some(path)) => format!("undefined variable \"{path}\""),
        Reason::Other(message) => message.clone(),
        reason => reason.to_string().to_lowercase(),
    };
    let code = match error.reason() {
        Reason::MissingVariable(_) => "undefined-variable",
        _ => "template-render",
    };
    let mut diagnostic = Diagnostic::new(code, format!("{prefix}{message}"));
    diagnostic.location = location;
    if let Reason::MissingVariable(Some(path)) = error.reason() {
        let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
        let object = parent
            .split('.')
            .filter(|s| !s.is_empty())
            .try_fold(data, |value, key| value.get(key));
        if let Some(serde_json::Value::Object(fields)) = object {
            diagnostic = match crate::error::did_you_mean(last, fields.keys().map(String::as_str)) {
                Some(best) if parent.is_empty() => {
                    diagnostic.hint(format!("did you mean \"{best}\"?"))
                }
                Some(best) => diagnostic.hint(format!("did you mean \"{parent}.{best}\"?")),
                None => diagnostic,
            };
        }
        diagnostic = diagnostic.hint(format!(
            "\"{path}\" is not set for this letter; define it in the appeal (e.g. under [vars]) or guard it with {{{{#if}}}}"
        ));
    }
    diagnostic
}

/// A part of a template file: its key, and its compiled text with the span
/// of that text, when the file has the part.
type FilePart = (String, Option<(Template, Range<usize>)>);

fn part_key(name: &str, language: Language, part: Part) -> String {
    format!("{name}/{language}/{}", part.key())
}

/// Compiles the text of a template, called `name` if registered, after
/// checking how deep it nests (handlebars' parser would overflow the stack
/// first); errors name `key` and are placed in the file where the text (the
/// string literal at `place`) came from one.
pub(crate) fn compile(
    text: &str,
    key: &str,
    name: Option<&str>,
    place: Option<(&Source, &Range<usize>)>,
) -> Result<Template, Box<Diagnostic>> {
    // Handlebars finds the line and column of every expression from the
    // start of the text: compiling takes time in the square of their number
    // (15,000 citations: 3.6 s), far past any letter's.
    let expressions = text.matches("{{").count();
    if expressions > limits::MAX_EXPRESSIONS {
        let diagnostic = Diagnostic::new(
            "too-large",
            format!(
                "{key} holds {expressions} template expressions; at most {}",
                limits::MAX_EXPRESSIONS
            ),
        )
        .hint("a letter cites far fewer: select fewer incidents, or write the text without {{…}}");
        return Err(placed(diagnostic, place, None).into());
    }
    if let Err(deep) = limits::template_nesting(text) {
        let diagnostic = limits::too_deep(&deep.what, key);
        return Err(placed(diagnostic, place, Some((deep.line, deep.column))).into());
    }
    let compiled = match name {
        Some(name) => Template::compile_with_name(text, name.to_owned()),
        None => Template::compile(text),
    };
    compiled.map_err(|error| template_error(place, &error).into())
}

/// A template syntax error, placed in the file where the template's text
/// (the string literal at `span`) came from one.
pub(crate) fn template_error(
    place: Option<(&Source, &Range<usize>)>,
    error: &handlebars::TemplateError,
) -> Diagnostic {
    use handlebars::TemplateErrorReason as Reason;
    let diagnostic = match error.reason() {
        Reason::InvalidSyntax(_) => Diagnostic::new("template-syntax", "invalid template syntax").hint(
            "close every {{#if}} and {{#each}} with {{/if}} and {{/each}}, and balance the braces",
        ),
        reason => Diagnostic::new(
            "template-syntax",
            format!("invalid template: {}", reason.to_string().to_lowercase()),
        ),
    };
    placed(diagnostic, place, error.pos())
}

/// `diagnostic` placed at `position` (line, column) of the text of a
/// template, in the file where the text came from one.
fn placed(
    diagnostic: Diagnostic,
    place: Option<(&Source, &Range<usize>)>,
    position: Option<(usize, usize)>,
) -> Diagnostic {
    match (place, position) {
        (Some((source, span)), Some((line, column))) => {
            diagnostic.at(locate_in_string(source, span, line, column))
        }
        (Some((source, span)), None) => diagnostic.at(source.locate(span)),
        (None, Some((line, column))) => {
            diagnostic.hint(format!("at line {line}, column {column} of the text"))
        }
        (None, None) => diagnostic,
    }
}

/// The file location of `line`:`column` (1-based) inside the string literal at `span`.
pub(crate) fn locate_in_string(
    source: &Source,
    span: &Range<usize>,
    line: usize,
    column: usize,
) -> Location {
    let literal = source.text().get(span.clone()).unwrap_or_default();
    let opening = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| literal.starts_with(q))
        .unwrap_or("");
    let mut start = span.start + opening.len();
    if opening.len() == 3
        && source
            .text()
            .get(start..)
            .is_some_and(|t| t.starts_with('\n'))
    {
        start += 1;
    }
    let mut location = source.locate(&(start..start));
    if line > 1 {
        location.line += line - 1;
        location.column = column;
    } else {
        location.column += column.saturating_sub(1);
    }
    location
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_have_every_language() {
        let templates = Templates::builtin();
        let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cfa-complaint",
                "embassy-petition",
                "ilo-intervention",
                "solidarity-appeal"
            ]
        );
        for info in templates.iter() {
            // The ILO's languages where a template writes to it.
            let languages = match info.name.as_str() {
                "ilo-intervention" => &Language::ALL[..],
                "cfa-complaint" => &[Language::En, Language::Ru, Language::Fr, Language::Es],
                _ => &[Language::En, Language::Ru, Language::Be],
            };
            assert_eq!(info.languages, languages, "{}", info.name);
            assert!(!info.description.is_empty());
        }
    }

    #[test]
    fn places_syntax_errors_in_the_file() {
        let source = Source::new(
            "t/en.toml",
            "closing = \"x\"\nbody = \"\"\"\nfine\nbad {{#if x}}\n\"\"\"\n",
        );
        let error = Templates::empty()
            .add("t", Language::En, source)
            .unwrap_err();
        let location = error.diagnostics()[0].location.clone().unwrap();
        assert_eq!((location.file.as_str(), location.line), ("t/en.toml", 5));
        assert!(
            error
                .to_string()
                .contains("error: invalid template syntax\n  hint: close every"),
            "{error}"
        );
    }

    #[test]
    fn reports_unknown_template_keys() {
        let source = Source::new(
            "t/en.toml",
            "closing = \"x\"\nbody = \"y\"\nsubjet = \"z\"\n",
        );
        let error = Templates::empty()
            .add("t", Language::En, source)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("t/en.toml:3:1: error: unknown field `subjet`"),
            "{error}"
        );
    }
}
