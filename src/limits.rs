//! Limits on how deep templates and body text nest and how far a template
//! expands: handlebars, the CommonMark reader and the backends recurse once
//! per level, and nested loops multiply text, so that input past these
//! limits would overflow the stack or fill memory instead of being refused.

use std::collections::{BTreeMap, HashMap};

use handlebars::template::{DecoratorTemplate, Parameter, Template, TemplateElement};
use handlebars::{Handlebars, Output, RenderContext, Renderable};

use crate::error::Diagnostic;

/// How deep body blocks (quotes, lists) and template blocks (`{{#if}}`,
/// `{{#each}}`, partials, `{{else if}}` chains) may nest: far beyond any
/// letter, far below what a thread's stack holds.
pub(crate) const MAX_DEPTH: usize = 64;

/// How many template expressions (`{{…}}`) one template may hold.
pub(crate) const MAX_EXPRESSIONS: usize = 1000;

/// How much text one part of a letter (the body, the closing, …) may expand
/// to: as much as a whole appeal may hold.
pub(crate) const MAX_EXPANSION: usize = crate::validate::MAX_TEXT_BYTES;

/// Nesting past [`MAX_DEPTH`] in a template's text, found before handlebars
/// parses it: `what` is the tag that went too deep, `line` and `column`
/// (1-based) where it is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TemplateTooDeep {
    pub what: String,
    pub line: usize,
    pub column: usize,
}

/// Checks how deep the blocks and subexpressions of a template's text nest.
///
/// Handlebars' parser recurses on every level, so the text is scanned for
/// its tags instead: `{{#…}}` opens a level, `{{/…}}` closes it, and each
/// `{{else if …}}` nests one more (handlebars chains them inside each other).
pub(crate) fn template_nesting(text: &str) -> Result<(), TemplateTooDeep> {
    // Levels each open block adds: one, plus one per chained `{{else …}}`.
    let mut open: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find("{{") {
        let start = at + found;
        let tag = Tag::at(text, start);
        at = tag.end;
        if start > 0 && text.as_bytes()[start - 1] == b'\\' {
            continue; // `\{{` is text
        }
        let deeper = match tag.kind {
            Kind::Open => {
                open.push(1);
                true
            }
            Kind::Chain => open.last_mut().map(|levels| *levels += 1).is_some(),
            Kind::Close => {
                depth -= open.pop().unwrap_or(0);
                false
            }
            Kind::Other => false,
        };
        depth += usize::from(deeper);
        let (what, too_deep) = if depth > MAX_DEPTH && deeper {
            (tag.label(), true)
        } else {
            ("subexpressions".to_owned(), tag.parentheses > MAX_DEPTH)
        };
        if too_deep {
            let before = &text[..start];
            return Err(TemplateTooDeep {
                what,
                line: before.matches('\n').count() + 1,
                column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
            });
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Open,
    Chain,
    Close,
    Other,
}

/// One `{{…}}` tag of a template's text.
struct Tag<'t> {
    kind: Kind,
    /// What follows the `#` or the `else`: the block's name and arguments.
    name: &'t str,
    /// Just past it: after `}}`, or the end of a raw block or comment.
    end: usize,
    /// How deep its parentheses nest.
    parentheses: usize,
}

impl<'t> Tag<'t> {
    fn at(text: &'t str, start: usize) -> Tag<'t> {
        let rest = &text[start..];
        let past = |marker: &str| {
            rest.find(marker)
                .map_or(text.len(), |end| start + end + marker.len())
        };
        let other = |end| Tag {
            kind: Kind::Other,
            name: "",
            end,
            parentheses: 0,
        };
        // Handlebars reads neither raw blocks nor comments.
        if rest.starts_with("{{{{") {
            return other(past("{{{{/"));
        }
        if rest.starts_with("{{!") {
            return other(past(if rest.starts_with("{{!--") {
                "--}}"
            } else {
                "}}"
            }));
        }
        let end = past("}}");
        let inner = rest[2..].split("}}").next().unwrap_or_default();
        let body = inner.trim_start_matches('~').trim_start();
        let (kind, name) = if let Some(name) = body.strip_prefix('#') {
            (Kind::Open, name)
        } else if let Some(name) = body.strip_prefix('/') {
            (Kind::Close, name)
        } else if let Some(name) = body.strip_prefix("else").or_else(|| body.strip_prefix('^')) {
            // A bare `{{else}}` switches branches; `{{else if …}}` nests.
            let chained = !name.trim().trim_end_matches('~').is_empty();
            (if chained { Kind::Chain } else { Kind::Other }, name)
        } else {
            (Kind::Other, body)
        };
        let mut open = 0usize;
        let mut parentheses = 0;
        for c in inner.chars() {
            match c {
                '(' => open += 1,
                ')' => open = open.saturating_sub(1),
                _ => {}
            }
            parentheses = parentheses.max(open);
        }
        Tag {
            kind,
            name,
            end,
            parentheses,
        }
    }

    /// The tag as people write it, without its arguments: `{{#each}}`, `{{else if}}`.
    fn label(&self) -> String {
        let name = self
            .name
            .trim_start()
            .split(|c: char| c.is_whitespace() || c == '~')
            .next()
            .unwrap_or_default();
        match self.kind {
            Kind::Chain => format!("{{{{else {name}}}}}"),
            _ => format!("{{{{#{name}}}}}"),
        }
    }
}

/// A diagnostic for `what` (`quotes`, `{{#if}}`, …) nested past [`MAX_DEPTH`] in `place`.
pub(crate) fn too_deep(what: &str, place: &str) -> Diagnostic {
    Diagnostic::new(
        "too-deep",
        format!("{what} nested deeper than {MAX_DEPTH} levels in {place}"),
    )
}

/// A diagnostic for `what` (`the body`, …) expanding past [`MAX_EXPANSION`].
pub(crate) fn too_large(what: &str) -> Diagnostic {
    Diagnostic::new(
        "too-large",
        format!(
            "{what} expands to more than {} MiB",
            MAX_EXPANSION / (1024 * 1024)
        ),
    )
    .hint("{{#each}} inside {{#each}} writes its text once for every pair of items")
}

/// Why a template did not render.
pub(crate) enum Failure {
    /// Its text grew past [`MAX_EXPANSION`].
    TooLarge,
    /// Handlebars (or a helper) failed.
    Render(handlebars::RenderError),
}

/// Renders `template` as the registry would, but stops as soon as its text
/// grows past [`MAX_EXPANSION`]: loops inside loops multiply text faster
/// than memory can hold it.
pub(crate) fn render(
    registry: &Handlebars<'_>,
    template: &Template,
    data: &handlebars::Context,
) -> Result<String, Failure> {
    let mut render_context = RenderContext::new(template.name.as_ref());
    let mut out = Capped::default();
    match template.render(registry, data, &mut render_context, &mut out) {
        Ok(()) => Ok(out.text),
        Err(_) if out.full => Err(Failure::TooLarge),
        Err(error) => Err(Failure::Render(error)),
    }
}

/// Output that fails, and so stops handlebars, past [`MAX_EXPANSION`].
#[derive(Default)]
struct Capped {
    text: String,
    full: bool,
}

impl Output for Capped {
    fn write(&mut self, seg: &str) -> std::io::Result<()> {
        if self.text.len() + seg.len() > MAX_EXPANSION {
            self.full = true;
            return Err(std::io::Error::other("the text is too large"));
        }
        self.text.push_str(seg);
        Ok(())
    }
}

/// What is wrong with the partials of a set of templates.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PartialProblem {
    /// The partial includes itself, through the others named (none when directly).
    Recursive { name: String, through: Vec<String> },
    /// Partials and blocks nest past [`MAX_DEPTH`] through these partials.
    TooDeep { through: Vec<String> },
    /// A partial is named by an expression: which one cannot be known before rendering.
    Dynamic,
}

impl PartialProblem {
    /// The problem as a diagnostic about `place` (`body`, …).
    pub(crate) fn diagnostic(&self, place: &str) -> Diagnostic {
        match self {
            PartialProblem::Recursive { name, through } => {
                let via = match through.as_slice() {
                    [] => String::new(),
                    names => format!(" through {}", quoted(names)),
                };
                Diagnostic::new(
                    "partial-recursion",
                    format!("partial \"{name}\" includes itself{via} in {place}"),
                )
                .hint("a partial may include others, but never itself")
            }
            PartialProblem::TooDeep { through } => {
                too_deep("partials and blocks", place).hint(format!("through {}", quoted(through)))
            }
            PartialProblem::Dynamic => Diagnostic::new(
                "dynamic-partial",
                format!("a partial is named by an expression in {place}"),
            )
            .hint("name partials as written: {{> name}}, {{#*inline \"name\"}}"),
        }
    }
}

/// The first few of `names`, quoted.
fn quoted(names: &[String]) -> String {
    let mut list: Vec<String> = names
        .iter()
        .take(3)
        .map(|name| format!("\"{name}\""))
        .collect();
    if names.len() > 3 {
        list.push("…".to_owned());
    }
    list.join(", ")
}

/// What each partial includes, read from compiled templates: a partial is
/// a registered template, or an inline one (`{{#*inline "name"}}`) defined
/// in any of them. Handlebars looks inline partials up in the scope of the
/// render, so all those of one name are taken as one, which may include
/// what any of them includes.
#[derive(Default)]
pub(crate) struct Partials<'t> {
    nodes: BTreeMap<&'t str, Node<'t>>,
    /// How deep each partial found acyclic nests.
    depths: HashMap<&'t str, usize>,
}

#[derive(Default)]
struct Node<'t> {
    /// How deep its own blocks nest.
    depth: usize,
    /// The partials it includes, each with how deep in its blocks.
    includes: Vec<(usize, &'t str)>,
}

impl<'t> Partials<'t> {
    /// Adds a template that renders as (or is included as) `name`.
    pub(crate) fn add(
        &mut self,
        name: &'t str,
        template: &'t Template,
    ) -> Result<(), PartialProblem> {
        self.walk(name, template, 0)
    }

    /// Reads one level of a template; recursion is bounded by the nesting
    /// checked in its text before it compiled.
    fn walk(
        &mut self,
        node: &'t str,
        template: &'t Template,
        depth: usize,
    ) -> Result<(), PartialProblem> {
        let own = &mut self.nodes.entry(node).or_default().depth;
        *own = (*own).max(depth);
        for element in &template.elements {
            match element {
                TemplateElement::HelperBlock(helper) => {
                    for inner in [&helper.template, &helper.inverse].into_iter().flatten() {
                        self.walk(node, inner, depth + 1)?;
                    }
                }
                TemplateElement::DecoratorBlock(decorator)
                    if decorator.name.as_name() == Some("inline") =>
                {
                    let name = match decorator.params.first() {
                        Some(Parameter::Literal(serde_json::Value::String(name))) => name,
                        _ => return Err(PartialProblem::Dynamic),
                    };
                    if let Some(inner) = &decorator.template {
                        self.walk(name, inner, 0)?;
                    }
                }
                TemplateElement::DecoratorBlock(decorator) => {
                    self.inner(node, decorator, depth)?;
                }
                TemplateElement::PartialExpression(partial)
                | TemplateElement::PartialBlock(partial) => {
                    let name = match &partial.name {
                        Parameter::Literal(serde_json::Value::String(name)) => name.as_str(),
                        name => name.as_name().ok_or(PartialProblem::Dynamic)?,
                    };
                    // The block passed in was rendered before the partial.
                    if name != "@partial-block" {
                        self.nodes
                            .entry(node)
                            .or_default()
                            .includes
                            .push((depth, name));
                    }
                    self.inner(node, partial, depth)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn inner(
        &mut self,
        node: &'t str,
        decorator: &'t DecoratorTemplate,
        depth: usize,
    ) -> Result<(), PartialProblem> {
        match &decorator.template {
            Some(inner) => self.walk(node, inner, depth + 1),
            None => Ok(()),
        }
    }

    /// Follows what `root` includes: no partial may come back to itself,
    /// nor may partials and blocks nest past [`MAX_DEPTH`].
    pub(crate) fn check(&mut self, root: &'t str) -> Result<(), PartialProblem> {
        self.depth(root, &mut Vec::new()).map(|_| ())
    }

    /// How deep `name` nests; recursion is bounded by the path, at most
    /// [`MAX_DEPTH`] partials long.
    fn depth(&mut self, name: &'t str, path: &mut Vec<&'t str>) -> Result<usize, PartialProblem> {
        if let Some(&depth) = self.depths.get(name) {
            return Ok(depth);
        }
        if let Some(at) = path.iter().position(|&on| on == name) {
            return Err(PartialProblem::Recursive {
                name: name.to_owned(),
                through: named(&path[at + 1..]),
            });
        }
        if path.len() > MAX_DEPTH {
            return Err(PartialProblem::TooDeep {
                through: named(path),
            });
        }
        let Some(node) = self.nodes.get(name) else {
            return Ok(0); // not defined: an error when rendering
        };
        let (mut deepest, includes) = (node.depth, node.includes.clone());
        path.push(name);
        for (at, partial) in includes {
            deepest = deepest.max(at + 1 + self.depth(partial, path)?);
            if deepest > MAX_DEPTH {
                return Err(PartialProblem::TooDeep {
                    through: named(path),
                });
            }
        }
        path.pop();
        self.depths.insert(name, deepest);
        Ok(deepest)
    }
}

/// The names on a path of partials, but for the unnamed root (an appeal's body).
fn named(path: &[&str]) -> Vec<String> {
    path.iter()
        .filter(|name| !name.is_empty())
        .map(|&name| name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, n: usize, close: &str) -> String {
        format!("{}x{}", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn counts_template_blocks_before_parsing() {
        // See: #15
        let ifs = |n| nested("{{#if a}}", n, "{{/if}}");
        assert_eq!(template_nesting(&ifs(MAX_DEPTH)), Ok(()));
        assert_eq!(
            template_nesting(&format!("\n{}", ifs(MAX_DEPTH + 1))),
            Err(TemplateTooDeep {
                what: "{{#if}}".into(),
                line: 2,
                column: 9 * MAX_DEPTH + 1,
            })
        );
        assert!(template_nesting(&ifs(5_000)).is_err());
        // Closed blocks, bare `{{else}}`, escaped tags and comments do not nest.
        let siblings = ifs(MAX_DEPTH).repeat(3);
        assert_eq!(template_nesting(&siblings), Ok(()));
        let branches = nested("{{#each a}}{{else}}", MAX_DEPTH, "{{/each}}");
        assert_eq!(template_nesting(&branches), Ok(()));
        let text = format!("{}{{{{!-- {} --}}}}", "\\{{#if a}}".repeat(99), ifs(99));
        assert_eq!(template_nesting(&text), Ok(()));
    }

    #[test]
    fn counts_else_if_chains_and_subexpressions() {
        let chain = format!(
            "{{{{#if a}}}}{}{{{{/if}}}}",
            "{{else if b}}".repeat(MAX_DEPTH)
        );
        assert_eq!(template_nesting(&chain).unwrap_err().what, "{{else if}}");
        let calls = |n| {
            format!(
                "{{{{#if {}a{}}}}}x{{{{/if}}}}",
                "(not ".repeat(n),
                ")".repeat(n)
            )
        };
        assert_eq!(template_nesting(&calls(MAX_DEPTH)), Ok(()));
        assert_eq!(
            template_nesting(&calls(MAX_DEPTH + 1)).unwrap_err().what,
            "subexpressions"
        );
    }

    fn check(templates: &[(&str, &str)], root: &str) -> Result<(), PartialProblem> {
        let compiled: Vec<(&str, Template)> = templates
            .iter()
            .map(|&(name, text)| (name, Template::compile(text).unwrap()))
            .collect();
        let mut partials = Partials::default();
        for (name, template) in &compiled {
            partials.add(name, template)?;
        }
        partials.check(root)
    }

    #[test]
    fn finds_partials_that_include_themselves() {
        let inline = r#"{{#*inline "p"}}{{#if a}}{{> p}}{{/if}}{{/inline}}{{> p}}"#;
        assert_eq!(
            check(&[("t", inline)], "t"),
            Err(PartialProblem::Recursive {
                name: "p".into(),
                through: vec![],
            })
        );
        let mutual = [("a", "{{> b}}"), ("b", "{{> c}}"), ("c", "{{> a}}")];
        assert_eq!(
            check(&mutual, "a"),
            Err(PartialProblem::Recursive {
                name: "a".into(),
                through: vec!["b".into(), "c".into()],
            })
        );
        let shared = [("a", "{{> c}}{{> b}}"), ("b", "{{> c}}{{> c}}"), ("c", "x")];
        assert_eq!(check(&shared, "a"), Ok(()));
        assert_eq!(
            check(&[("a", "{{> (lookup this \"p\")}}")], "a"),
            Err(PartialProblem::Dynamic)
        );
    }

    #[test]
    fn counts_blocks_through_partials() {
        let chain: Vec<(String, String)> = (0..100)
            .map(|i| (format!("p{i}"), format!("{{{{> p{}}}}}", i + 1)))
            .collect();
        let chain: Vec<(&str, &str)> = chain
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        assert!(matches!(
            check(&chain, "p0"),
            Err(PartialProblem::TooDeep { .. })
        ));
        assert_eq!(check(&chain, "p40"), Ok(()));
        let deep = nested("{{#if a}}", MAX_DEPTH - 1, "{{/if}}");
        let blocks = [
            ("a", deep.replace('x', "{{> b}}")),
            ("b", "{{#if a}}x{{/if}}".into()),
        ];
        let blocks: Vec<(&str, &str)> = blocks.iter().map(|(n, t)| (*n, t.as_str())).collect();
        assert!(matches!(
            check(&blocks, "a"),
            Err(PartialProblem::TooDeep { .. })
        ));
    }
}
