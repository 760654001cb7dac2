//! The envelope window: whether a recipient block fits the address zone of
//! the letter's window-envelope layout (DIN 5008 form B: 6 lines of 80 mm;
//! the numbers and their sources are in [`crate::postal`]).
//!
//! Checked when a letter is composed, so that `check`, `render` and `batch`
//! refuse alike a letter whose address would run out of the window.

use crate::error::Diagnostic;
use crate::postal::PostalLayout;
use crate::resolve::{Addressee, Place};

/// Why a recipient block does not fit the window.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    /// It takes this many lines (broken to the window's width).
    Lines(usize),
    /// Line `line` of the block holds `word`, `width` mm wide.
    #[cfg_attr(not(feature = "pdf"), allow(dead_code))]
    Wide {
        line: usize,
        word: String,
        width: f32,
    },
}

/// A diagnostic if the recipient block `lines` of the letter to
/// `recipient` cannot be printed in the window of `layout`: more lines than
/// its address zone holds (broken at spaces to the zone's width, measured
/// with the PDF's font; without the `pdf` feature, counted as given), or a
/// word wider than the zone. `at` is where the recipient is defined.
pub(crate) fn check(
    recipient: &Addressee,
    lines: &[String],
    layout: PostalLayout,
    at: &Place,
) -> Option<Diagnostic> {
    let geometry = layout.geometry();
    let (most, width) = (geometry.lines, geometry.text_width);
    let problem = problem(lines, layout)?;
    let id = &recipient.id;
    let (envelope, standard) = layout.envelope();
    let hint = format!(
        "{envelope} shows {most} lines of {width:.0} mm at 9.5 pt ({standard}); \
         shorten the recipient's title, organisation or address lines, or leave out what the post does not need"
    );
    let (message, path) = match &problem {
        Problem::Lines(count) => (
            format!(
                "the address of the letter to \"{id}\" takes {count} lines; the envelope window holds {most}"
            ),
            at.path.clone(),
        ),
        Problem::Wide {
            line,
            word,
            width: wide,
        } => (
            format!(
                "the address of the letter to \"{id}\" is wider than the envelope window: \"{}\" is {wide:.0} mm wide, the window {width:.0} mm",
                word.escape_debug()
            ),
            field_path(recipient, at, &lines[*line]),
        ),
    };
    let message = match path.is_empty() {
        true => message,
        false => format!("{message} (in {path})"),
    };
    let mut diagnostic = Diagnostic::new("address-outside-window", message).hint(hint);
    if !path.is_empty() {
        diagnostic = match &at.origin {
            Some(origin) if !path.starts_with("registry entry") => {
                diagnostic.at(origin.locate(&path)).path(path)
            }
            _ => diagnostic.path(path),
        };
    }
    Some(diagnostic)
}

#[cfg(feature = "pdf")]
fn problem(lines: &[String], layout: PostalLayout) -> Option<Problem> {
    use crate::render::window;

    let geometry = layout.geometry();
    let mut count = 0;
    for (i, line) in lines.iter().enumerate() {
        for word in line.split_whitespace() {
            let width = window::width_mm(word);
            if width > geometry.text_width {
                return Some(Problem::Wide {
                    line: i,
                    word: word.to_owned(),
                    width,
                });
            }
        }
        count += window::lines(line, layout);
    }
    (count > geometry.lines).then_some(Problem::Lines(count))
}

#[cfg(not(feature = "pdf"))]
fn problem(lines: &[String], layout: PostalLayout) -> Option<Problem> {
    let count: usize = lines.iter().map(|line| line.split('\n').count()).sum();
    (count > layout.geometry().lines).then_some(Problem::Lines(count))
}

/// The key path of the recipient's field that the block's `line` prints as
/// given (an address line, the organisation …); else the recipient's.
fn field_path(recipient: &Addressee, at: &Place, line: &str) -> String {
    let is = |value: &Option<String>| value.as_deref() == Some(line);
    let field = match recipient.address.iter().position(|a| a == line) {
        Some(i) => format!("address[{i}]"),
        None if is(&recipient.organisation) => "organisation".to_owned(),
        None if is(&recipient.title) => "title".to_owned(),
        None if is(&recipient.country) => "country".to_owned(),
        None if is(&recipient.name) => "name".to_owned(),
        None => return at.path.clone(),
    };
    match at.path.starts_with("recipient[") {
        true => format!("{}.{field}", at.path),
        false => at.path.clone(),
    }
}
