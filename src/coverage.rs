//! Characters a letter holds that no font of its PDF shows: named by
//! `check` where the value that holds them is, so that a union can add a
//! face that has them (`[style] fonts`) before the letter prints blanks.

use crate::error::{Diagnostic, Severity};
use crate::letter::{Block, Letter, Run};
use crate::render::uncovered;
use crate::resolve::Context;

/// A warning for each part of `letter` (the recipient block, the subject,
/// the body and its notes, the rest of the frame) that holds characters no
/// face of its PDF has. See: #12
pub(crate) fn check(letter: &Letter, context: &Context) -> Vec<Diagnostic> {
    let recipient = &context.recipient_at;
    said(letter, Some(&recipient.path), Severity::Warning)
        .into_iter()
        .map(|(path, diagnostic)| match (path, &recipient.origin) {
            (Some(path), Some(origin)) if path == recipient.path => {
                diagnostic.at(origin.locate(&path)).path(path)
            }
            (Some(path), _) => diagnostic.path(path),
            (None, _) => diagnostic,
        })
        .collect()
}

/// An error for each part of `letter` that holds characters no face of
/// its PDF has, as [`check`] warns of them: PDF/A forbids the empty
/// glyph a PDF prints for each (the .notdef glyph, ISO 19005-2 6.2.11.8), so an
/// archival PDF of the letter cannot be made.
pub(crate) fn archival(letter: &Letter) -> Vec<Diagnostic> {
    said(letter, None, Severity::Error)
        .into_iter()
        .map(|(path, diagnostic)| match path {
            Some(path) => diagnostic.path(path),
            None => diagnostic,
        })
        .collect()
}

/// What [`check`] and [`archival`] say of each part with characters no
/// face has, at `severity`, with the part's key path where it has one
/// (the recipient block's is `recipient`, where known).
fn said(
    letter: &Letter,
    recipient: Option<&str>,
    severity: Severity,
) -> Vec<(Option<String>, Diagnostic)> {
    let own: Vec<&[u8]> = letter.fonts.iter().map(|font| &*font.data).collect();
    let mut body = String::new();
    blocks(&letter.body, &mut body);
    for note in &letter.notes {
        runs(&note.runs, &mut body);
    }
    let mut frame = String::new();
    let mut copy = letter.clone();
    // What the other parts hold, the running head from the recipient too.
    copy.recipient.clear();
    copy.subject.clear();
    copy.running_head.clear();
    copy.printed_frame_texts_mut(&mut |text| {
        frame.push_str(text);
        frame.push('\n');
    });
    let parts = [
        (
            letter.recipient.join("\n"),
            recipient,
            "the recipient block",
        ),
        (letter.subject.clone(), Some("subject"), ""),
        (body, Some("body"), ""),
        (frame, None, ""),
    ];
    let mut said = Vec::new();
    for (text, path, part) in parts {
        let missing = uncovered(&own, &text);
        if missing.is_empty() {
            continue;
        }
        let named: Vec<String> = (missing.iter())
            .map(|c| format!("U+{:04X} '{c}'", *c as u32))
            .collect();
        let place = match (path, part) {
            (Some(path), _) => format!(" (in {path})"),
            (None, "") => String::new(),
            (None, part) => format!(" (in {part})"),
        };
        let message = format!(
            "the letter to \"{}\" has characters no font of its PDF shows{place}: {}",
            letter.recipient_id,
            named.join(", ")
        );
        let hint = match severity {
            Severity::Error => {
                "PDF/A forbids the empty glyph a PDF would print for each (a blank); add a font that has them ([style] fonts = [\"….ttf\"]), or render with --pdf-standard none"
            }
            _ => {
                "the PDF would print a blank for each, and refuses to unless --pdf-standard none; add a font that has them: [style] fonts = [\"….ttf\"]"
            }
        };
        let diagnostic = Diagnostic::new("missing-glyph", message)
            .severity(severity)
            .hint(hint);
        said.push((path.map(str::to_owned), diagnostic));
    }
    said
}

fn blocks(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Paragraph(list) | Block::Heading(list) => runs(list, out),
            Block::List { items, .. } => items.iter().for_each(|item| self::blocks(item, out)),
            Block::Quote(inner) => self::blocks(inner, out),
        }
    }
}

fn runs(runs: &[Run], out: &mut String) {
    for run in runs {
        out.push_str(&run.text);
        out.push('\n');
    }
}
