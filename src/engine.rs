//! The [`Engine`]: what is shared between appeals (templates, the recipient
//! registry), built once and used from any thread, one call per appeal.

use crate::appeal::{Appeal, Registry};
use crate::compose::{compose, compose_checked};
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::incidents::Incidents;
use crate::letter::Letter;
use crate::resolve::{Context, Mailing, ResolveOptions, resolve};
use crate::templates::Templates;

/// Templates, a recipient registry and incident databases, ready to turn
/// appeals into letters.
///
/// Build it once (it indexes the registry) and share it: it is `Send + Sync`,
/// and a call copies nothing of it.
///
/// ```
/// use appeal::{Appeal, Engine, Source, render};
///
/// let engine = Engine::builtin();
/// let appeal = Appeal::parse(Source::new("appeal.toml", r#"
///     template = "ilo-intervention"
///     date = 2021-03-01
///     place = "Geneva"
///     subject = "Stop repression against independent trade unions in Belarus"
///     recipients = ["ilo-dg"]
///     demands = ["stop the interference in trade union affairs", "end repression"]
///     [sender]
///     organisation = "IndustriALL Global Union"
///     [signatory]
///     name = "Valter Sanchez"
///     title = "General Secretary"
/// "#))?;
/// let letters = engine.letters(&appeal)?;
/// let text = render::text(&letters[0], &render::TextOptions::default());
/// assert!(text.contains("Geneva, 01\u{a0}March 2021"));
/// assert!(text.contains("Dear Mr. Houngbo,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    templates: Templates,
    registry: Registry,
    incidents: Incidents,
}

impl Engine {
    /// The built-in templates and registry.
    pub fn builtin() -> Engine {
        Engine::new(Templates::builtin(), Registry::builtin())
    }

    /// An engine with these templates and this registry.
    pub fn new(templates: Templates, registry: Registry) -> Engine {
        Engine {
            templates,
            registry,
            incidents: Incidents::default(),
        }
    }

    /// The engine with `incidents` as its incident databases, which appeals
    /// cite from by id or tag (`incidents = ["id", "tag:NAME"]`).
    pub fn with_incidents(mut self, incidents: Incidents) -> Engine {
        self.incidents = incidents;
        self
    }

    /// The incident databases.
    pub fn incidents(&self) -> &Incidents {
        &self.incidents
    }

    /// The templates.
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// The recipient registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Every letter `appeal` asks for, dated by the appeal.
    ///
    /// Problems from every stage and every recipient are reported together,
    /// each once.
    pub fn letters(&self, appeal: &Appeal) -> Result<Vec<Letter>, Diagnostics> {
        self.letters_with(appeal, &ResolveOptions::default())
    }

    /// Every letter `appeal` asks for, with `options` (today's date for an
    /// appeal without one; other recipients).
    pub fn letters_with(
        &self,
        appeal: &Appeal,
        options: &ResolveOptions,
    ) -> Result<Vec<Letter>, Diagnostics> {
        let contexts = self.resolve(appeal, options)?;
        let mut letters = Vec::with_capacity(contexts.len());
        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        for context in &contexts {
            match self.compose(context) {
                Ok(letter) => letters.push(letter),
                Err(errors) => diagnostics.extend(errors),
            }
        }
        if diagnostics.is_empty() {
            Ok(letters)
        } else {
            Err(Diagnostics::new(diagnostics))
        }
    }

    /// Checks that every letter of `appeal` can be made, without keeping
    /// them (memory stays flat however many there are): the recipients'
    /// ids and what is worth knowing (incidents the body does not cite,
    /// protected names in letters to authorities), or every problem.
    pub fn check(&self, appeal: &Appeal, options: &ResolveOptions) -> Result<Checked, Diagnostics> {
        let mailing = self.mailing(appeal, options)?;
        // On every core where the crate has rayon (feature `batch`).
        #[cfg(feature = "batch")]
        use rayon::iter::{IntoParallelIterator, ParallelIterator};
        #[cfg(feature = "batch")]
        let each = (0..mailing.len()).into_par_iter();
        #[cfg(not(feature = "batch"))]
        let each = 0..mailing.len();
        let outcomes: Vec<Result<Vec<Diagnostic>, Error>> = each
            .map(|i| {
                let context = mailing.context(i);
                compose_checked(&context, &self.templates).map(|(_letter, said)| {
                    #[cfg(feature = "pdf")]
                    let said = [said, crate::coverage::check(&_letter, &context)].concat();
                    said
                })
            })
            .collect();
        let (mut errors, mut said) = (Vec::new(), Vec::new());
        for outcome in outcomes {
            match outcome {
                Ok(notes) => said.extend(notes),
                Err(error) => errors.extend(error.into_diagnostics()),
            }
        }
        // The letterhead is every letter's: one letter laid out shows
        // whether it leaves room for the window (on the paper, where known).
        #[cfg(feature = "pdf")]
        if errors.is_empty()
            && let Some(paper) = options.paper
            && !mailing.is_empty()
        {
            let letter =
                compose(&mailing.context(0), &self.templates).map_err(Error::into_diagnostics)?;
            for problem in crate::render::frame_problems(&letter, paper) {
                errors.push(match &appeal.origin {
                    Some(origin) => problem.path("sender").at(origin.locate("sender")),
                    None => problem.path("sender"),
                });
            }
        }
        if errors.is_empty() {
            Ok(Checked {
                letters: mailing.ids().map(str::to_owned).collect(),
                notes: Diagnostics::new(said),
            })
        } else {
            Err(Diagnostics::new(errors))
        }
    }

    /// One [`Context`] per recipient: the stage before composing, for
    /// batches and for callers that compose letters one by one.
    pub fn resolve(
        &self,
        appeal: &Appeal,
        options: &ResolveOptions,
    ) -> Result<Vec<Context>, Diagnostics> {
        resolve(
            appeal,
            &self.registry,
            &self.incidents,
            &self.templates,
            options,
        )
        .map_err(|e| e.into_diagnostics())
    }

    /// The letters of `appeal` resolved up to their contexts, each made when
    /// it is asked for: every problem is found and reported here, as by
    /// [`Engine::resolve`], but no context is kept. Batches go through this.
    pub fn mailing<'a>(
        &'a self,
        appeal: &'a Appeal,
        options: &'a ResolveOptions,
    ) -> Result<Mailing<'a>, Diagnostics> {
        Mailing::new(
            appeal,
            &self.registry,
            &self.incidents,
            &self.templates,
            options,
        )
        .map_err(|e| e.into_diagnostics())
    }

    /// The letter of one resolved context.
    pub fn compose(&self, context: &Context) -> Result<Letter, Diagnostics> {
        compose(context, &self.templates).map_err(|e| e.into_diagnostics())
    }
}

/// What [`Engine::check`] found in appeal whose letters can all be made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Checked {
    /// The recipients' ids, one per letter.
    pub letters: Vec<String>,
    /// Warnings and notes (no errors), each once.
    pub notes: Diagnostics,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Engine>();
    }
}
