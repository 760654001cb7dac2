//! Template helpers: dates, salutations, prose lists and incident citations,
//! each in the language of the letter being composed.
//!
//! | helper | example | output |
//! |---|---|---|
//! | `date` | `{{date date}}` | `01 March 2021` |
//! | `salutation` | `{{salutation recipient fallback="Dear colleagues,"}}` | `Dear Mr. Ryder,` |
//! | `the` | `{{the sender}}`, `{{the sender capital=true}}` | `the Free Metalworkers' Union` (with `article = true`, in English) |
//! | `many` | `{{#if (many incidents)}}cases{{else}}case{{/if}}` | true for a list of two or more |
//! | `join` | `{{join demands last=", and "}}` | `A, B, and C` |
//! | `cite` | `{{cite "rep-raid"}}` | the incident's summary and outcome |

use handlebars::{
    Context, Handlebars, Helper, HelperResult, JsonRender, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde_json::Value;

use crate::error::did_you_mean;
use crate::lang::{Date, Language};

/// A strict Handlebars registry with this crate's helpers, escaping what it
/// prints for CommonMark (not HTML): templates write CommonMark, and data
/// must come out as written, `*`, `_`, `[`, `&amp;` and all.
/// `{{{triple}}}` prints without escaping: for the appeal's own body.
pub(crate) fn registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(escape_markdown);
    registry.register_helper("date", Box::new(date));
    registry.register_helper("salutation", Box::new(salutation));
    registry.register_helper("join", Box::new(join));
    registry.register_helper("the", Box::new(the));
    registry.register_helper("cite", Box::new(cite));
    registry.register_helper("many", Box::new(many));
    registry
}

/// Backslash-escapes every ASCII punctuation character, which CommonMark
/// then reads as itself.
pub(crate) fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The language of the letter being rendered: the context's `language`.
fn language(ctx: &Context) -> Language {
    ctx.data()
        .get("language")
        .and_then(Value::as_str)
        .and_then(Language::from_code)
        .unwrap_or(Language::En)
}

fn fail(message: String) -> RenderError {
    RenderErrorReason::Other(message).into()
}

fn param<'a>(
    h: &'a Helper<'_>,
    index: usize,
    helper: &str,
    what: &str,
) -> Result<&'a Value, RenderError> {
    h.param(index)
        .map(|p| p.value())
        .ok_or_else(|| fail(format!("helper \"{helper}\" needs {what}")))
}

/// The first parameter, which must be a string.
fn str_param<'a>(h: &'a Helper<'_>, helper: &str, what: &str) -> Result<&'a str, RenderError> {
    let value = param(h, 0, helper, what)?;
    value
        .as_str()
        .ok_or_else(|| fail(format!("helper \"{helper}\" needs {what}, got {value}")))
}

fn hash_str<'a>(h: &'a Helper<'_>, key: &str) -> Option<&'a str> {
    h.hash_get(key).and_then(|v| v.value().as_str())
}

fn date(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let date: Date = str_param(h, "date", "a date, e.g. {{date date}}")?
        .parse()
        .map_err(fail)?;
    out.write(&language(ctx).format_date(date))?;
    Ok(())
}

fn salutation(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let recipient = param(
        h,
        0,
        "salutation",
        "a recipient, e.g. {{salutation recipient}}",
    )?;
    let text = match recipient.get("salutation").and_then(Value::as_str) {
        Some(made) => made,
        None => hash_str(h, "fallback").unwrap_or(language(ctx).labels().neutral_salutation),
    };
    out.write(&escape_markdown(text))?;
    Ok(())
}

/// An organisation's name as English prose writes it: with "the" where its
/// `article` says so; in other languages, the name alone.
fn the(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let body = param(h, 0, "the", "a sender or recipient, e.g. {{the sender}}")?;
    let Some(name) = body.get("organisation").and_then(Value::as_str) else {
        return Err(fail(format!(
            "helper \"the\" needs a sender or recipient with an organisation, got {body}"
        )));
    };
    let article = body.get("article").and_then(Value::as_bool) == Some(true);
    if article && language(ctx) == Language::En {
        let capital = h.hash_get("capital").and_then(|v| v.value().as_bool()) == Some(true);
        out.write(if capital { "The " } else { "the " })?;
    }
    out.write(&escape_markdown(name))?;
    Ok(())
}

// True for a list of two or more: a sentence about it is in the plural.
handlebars::handlebars_helper!(many: |list: Value| list.as_array().is_some_and(|items| items.len() > 1));

fn join(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let list = param(h, 0, "join", "a list, e.g. {{join demands}}")?;
    let items: Vec<String> = match list {
        Value::Array(items) => items
            .iter()
            .map(|item| escape_markdown(&item.render()))
            .collect(),
        other => return Err(fail(format!("helper \"join\" needs a list, got {other}"))),
    };
    out.write(&language(ctx).join(&items, hash_str(h, "last")))?;
    Ok(())
}

fn cite(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let id = str_param(h, "cite", "an incident id, e.g. {{cite \"rep-raid\"}}")?;
    let incidents = ctx
        .data()
        .get("incidents")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let ids = || {
        incidents
            .iter()
            .filter_map(|incident| incident.get("id").and_then(Value::as_str))
    };
    let Some(incident) = incidents
        .iter()
        .find(|incident| incident.get("id").and_then(Value::as_str) == Some(id))
    else {
        let mut message = format!("unknown incident \"{id}\" in cite");
        match did_you_mean(id, ids()) {
            Some(best) => message.push_str(&format!("; did you mean \"{best}\"?")),
            None => message.push_str(&format!(
                "; incidents: {}",
                ids().collect::<Vec<_>>().join(", ")
            )),
        }
        return Err(fail(message));
    };
    let text = |key: &str| {
        incident
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    out.write(&escape_markdown(text("summary").unwrap_or_default()))?;
    if let Some(outcome) = text("outcome") {
        out.write(" ")?;
        out.write(&escape_markdown(outcome))?;
    }
    out.write(&crate::evidence::citation(id))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The output as the letter shows it: read as CommonMark.
    fn render(template: &str, data: Value) -> Result<String, String> {
        registry()
            .render_template(template, &data)
            .map(|markdown| crate::markdown::plain(&markdown).unwrap())
            .map_err(|e| crate::templates::render_diagnostic(&e, &data, "", None).message)
    }

    #[test]
    fn formats_dates_in_the_letter_language() {
        assert_eq!(
            render("{{date d}}", json!({"language": "be", "d": "2021-03-01"})).unwrap(),
            "1 сакавіка 2021 г."
        );
        assert_eq!(
            render("{{date d}}", json!({"language": "en", "d": "yesterday"})).unwrap_err(),
            "invalid date \"yesterday\", expected YYYY-MM-DD"
        );
    }

    #[test]
    fn salutes_with_override_or_fallback() {
        let data = json!({"language": "en", "r": {"title": null, "name": null}, "s": {"salutation": "Your Excellency,"}});
        assert_eq!(
            render(
                "{{salutation r fallback=\"Dear colleagues,\"}}",
                data.clone()
            )
            .unwrap(),
            "Dear colleagues,"
        );
        assert_eq!(
            render("{{salutation s}}", data).unwrap(),
            "Your Excellency,"
        );
    }

    #[test]
    fn joins_in_prose_keeping_data_as_written() {
        let data = json!({"language": "ru", "xs": ["A &amp; B", "*C*", "[D](x)"]});
        assert_eq!(
            render("{{join xs}}", data).unwrap(),
            "A &amp; B, *C* и [D](x)"
        );
    }

    #[test]
    fn cites_incidents_by_id() {
        let data = json!({"incidents": [{"id": "rep-raid", "summary": "Raided.", "outcome": "Detained."}]});
        assert_eq!(
            render("{{cite \"rep-raid\"}}", data.clone()).unwrap(),
            format!("Raided. Detained.{}", crate::evidence::citation("rep-raid"))
        );
        assert_eq!(
            render("{{cite \"rep-rade\"}}", data).unwrap_err(),
            "unknown incident \"rep-rade\" in cite; did you mean \"rep-raid\"?"
        );
    }

    #[test]
    fn prints_data_as_written_but_template_markup_as_markup() {
        let data = json!({"name": "O_Brien <b>&</b> # 1. *x*"});
        assert_eq!(
            render("**{{name}}**", data.clone()).unwrap(),
            "O_Brien <b>&</b> # 1. *x*"
        );
        let blocks =
            crate::markdown::parse(&registry().render_template("**{{name}}**", &data).unwrap())
                .unwrap();
        let crate::letter::Block::Paragraph(runs) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert!(runs.iter().all(|run| run.bold), "{runs:?}");
    }

    #[test]
    fn strict_mode_rejects_undefined_variables() {
        assert_eq!(
            render("{{recipient.nme}}", json!({"recipient": {}})).unwrap_err(),
            "undefined variable \"recipient.nme\""
        );
    }

    #[test]
    fn many_tells_the_plural_from_the_singular() {
        let template = "{{#if (many xs)}}cases{{else}}case{{/if}}";
        assert_eq!(render(template, json!({"xs": ["a"]})).unwrap(), "case");
        assert_eq!(
            render(template, json!({"xs": ["a", "b"]})).unwrap(),
            "cases"
        );
        assert_eq!(render(template, json!({"xs": []})).unwrap(), "case");
    }
}
