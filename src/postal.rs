//! Window-envelope layouts: where the standards put the recipient's address
//! on a letter's first page, and where the sheet is folded and punched.
//!
//! Only the numbers, in millimetres from the top left of the sheet: the PDF
//! layout places the address, the return-address line and the marks with
//! them, and the window check (`window`) holds a recipient block to the same
//! address zone.
//!
//! Sources: DIN 5008:2020 (forms A and B; its figures as KOMA-Script's
//! `DIN5008A.lco`/`DIN5008B.lco` and the DIN 676 letter sheet give them:
//! address field 85 × 45 mm, 20 mm from the left, 27 mm (A) or 45 mm (B)
//! from the top, its top 17.7 mm for the return address and remarks; fold
//! marks at 87/192 mm (A) and 105/210 mm (B), the punch mark at 148.5 mm,
//! short lines at the left edge); SN 010130:2016 "Geschäftsbrief", window
//! on the right (KOMA-Script `SN.lco`: field 90 × 45 mm, 45 mm from the top,
//! 8 mm from the right edge, 5 mm return-address zone, folds at 105/210 mm);
//! the US #10 window envelope (4 1/8 × 9 1/2 in; the window 4 1/2 × 1 1/8 in,
//! 7/8 in from the left and 1/2 in from the bottom, the address 1/8 in clear
//! of its edges; a Letter sheet folded in thirds sits on the envelope's
//! bottom, so the window shows 2.042 to 3.167 in from the sheet's top).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Paper sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            // As the layout's millimetres are: 72 / 25.4 points each.
            Paper::A4 => (A4.0 * (72.0 / 25.4), A4.1 * (72.0 / 25.4)),
            Paper::Letter => (612.0, 792.0),
        }
    }

    /// Its name in messages: "A4", "US Letter".
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "US Letter",
        }
    }

    /// The window layout of letters on it when none is chosen: US #10 on
    /// Letter, DIN 5008 form B on A4.
    pub fn layout(self) -> PostalLayout {
        match self {
            Paper::A4 => PostalLayout::Din5008b,
            Paper::Letter => PostalLayout::Us10,
        }
    }
}

/// Which window envelope a letter's first page is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PostalLayout {
    /// DIN 5008 form A: A4, a 27 mm letterhead, the window on the left (DL).
    Din5008a,
    /// DIN 5008 form B: A4, a 45 mm letterhead, the window on the left (DL);
    /// the default on A4.
    Din5008b,
    /// SN 010130 (Switzerland): A4, the window on the right.
    Sn010130,
    /// US #10 window envelope: US Letter folded in thirds; the default on
    /// Letter.
    Us10,
}

/// A rectangle on the sheet, mm from its top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl Field {
    /// The right edge.
    pub fn right(&self) -> f32 {
        self.left + self.width
    }
}

/// The geometry of a layout, mm from the sheet's top left.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    /// The sheet the layout goes with: width and height.
    pub sheet: (f32, f32),
    /// The address field: what the window shows of the folded sheet.
    pub field: Field,
    /// The top of the field above the address zone: for the return
    /// address and postal remarks (DIN 5008, SN 010130), or the address's
    /// clearance from the window's edge (US #10, which shows no return
    /// address).
    pub return_zone: f32,
    /// Where the address text starts.
    pub text_left: f32,
    /// How wide the address text may be.
    pub text_width: f32,
    /// The lines of the address zone, and their distance.
    pub lines: usize,
    /// From one address baseline to the next.
    pub leading: f32,
    /// Where the letterhead starts.
    pub letterhead_top: f32,
    /// Fold marks.
    pub folds: &'static [f32],
    /// The punch (hole) mark, where the standard has one.
    pub punch: Option<f32>,
}

impl Geometry {
    /// The top of the address zone: the field's top below the return zone.
    pub fn zone_top(&self) -> f32 {
        self.field.top + self.return_zone
    }

    /// The foot of the address zone.
    pub fn zone_bottom(&self) -> f32 {
        self.zone_top() + self.lines as f32 * self.leading
    }

    /// Whether the window is on the right of the sheet.
    pub fn window_right(&self) -> bool {
        self.field.left > self.sheet.0 / 2.0
    }

    /// Where the fold marks and the punch mark are, mm from the top, to a
    /// tenth, top to bottom.
    pub fn marks(&self) -> Vec<f32> {
        let mut marks: Vec<f32> = (self.folds.iter().chain(&self.punch))
            .map(|y| (y * 10.0).round() / 10.0)
            .collect();
        marks.sort_by(f32::total_cmp);
        marks
    }
}

const A4: (f32, f32) = (210.0, 297.0);
const LETTER: (f32, f32) = (215.9, 279.4);
const INCH: f32 = 25.4;

/// DIN 5008: the field 85 mm wide with text 5 mm in, at 25 mm, the body's
/// left line; six lines in the 27.3 mm address zone below a 17.7 mm zone.
const fn din(top: f32, folds: &'static [f32]) -> Geometry {
    Geometry {
        sheet: A4,
        field: Field {
            left: 20.0,
            top,
            width: 85.0,
            height: 45.0,
        },
        return_zone: 17.7,
        text_left: 25.0,
        text_width: 80.0,
        lines: 6,
        leading: 27.3 / 6.0,
        letterhead_top: if top < 45.0 { 8.0 } else { 18.0 },
        folds,
        punch: Some(148.5),
    }
}

static DIN_A: Geometry = din(27.0, &[87.0, 192.0]);
static DIN_B: Geometry = din(45.0, &[105.0, 210.0]);
/// SN 010130: the field 90 × 45 mm, 112 mm from the left; text 5 mm in
/// (KOMA-Script sets it flush; the inset leaves the sheet play in the
/// window, as DIN's does), 80 mm wide; eight lines of DIN's leading in the
/// 40 mm below the 5 mm return-address zone.
static SN: Geometry = Geometry {
    sheet: A4,
    field: Field {
        left: 112.0,
        top: 45.0,
        width: 90.0,
        height: 45.0,
    },
    return_zone: 5.0,
    text_left: 117.0,
    text_width: 80.0,
    lines: 8,
    leading: 27.3 / 6.0,
    letterhead_top: 18.0,
    folds: &[105.0, 210.0],
    punch: Some(148.5),
};
/// US #10: the window 4 1/2 × 1 1/8 in at 7/8 in from the left, 2.042 in
/// from the top of the sheet; the address 1/8 in clear of its edges: five
/// lines in 7/8 in, at the body's left line (25 mm), 3 1/2 in wide (the
/// sheet has 1 in of play across the envelope). No return address in the
/// window and no punch mark; folds in thirds.
static US10: Geometry = Geometry {
    sheet: LETTER,
    field: Field {
        left: 0.875 * INCH,
        top: 2.042 * INCH,
        width: 4.5 * INCH,
        height: 1.125 * INCH,
    },
    return_zone: 0.125 * INCH,
    text_left: 25.0,
    text_width: 3.5 * INCH,
    lines: 5,
    leading: 0.875 * INCH / 5.0,
    letterhead_top: 18.0,
    folds: &[11.0 / 3.0 * INCH, 22.0 / 3.0 * INCH],
    punch: None,
};

impl PostalLayout {
    /// Every layout.
    pub const ALL: [PostalLayout; 4] = [
        PostalLayout::Din5008a,
        PostalLayout::Din5008b,
        PostalLayout::Sn010130,
        PostalLayout::Us10,
    ];

    /// Its name in data files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PostalLayout::Din5008a => "din5008a",
            PostalLayout::Din5008b => "din5008b",
            PostalLayout::Sn010130 => "sn010130",
            PostalLayout::Us10 => "us10",
        }
    }

    /// Its numbers.
    pub fn geometry(self) -> &'static Geometry {
        match self {
            PostalLayout::Din5008a => &DIN_A,
            PostalLayout::Din5008b => &DIN_B,
            PostalLayout::Sn010130 => &SN,
            PostalLayout::Us10 => &US10,
        }
    }

    /// The envelope and the standard, for messages: ("a DL window
    /// envelope", "DIN 5008 form B").
    pub fn envelope(self) -> (&'static str, &'static str) {
        match self {
            PostalLayout::Din5008a => ("a DL window envelope", "DIN 5008 form A"),
            PostalLayout::Din5008b => ("a DL window envelope", "DIN 5008 form B"),
            PostalLayout::Sn010130 => ("a Swiss window envelope", "SN 010130, window on the right"),
            PostalLayout::Us10 => ("a #10 window envelope", "US Letter"),
        }
    }

    /// Whether the window shows a return-address line above the address.
    pub fn has_return_line(self) -> bool {
        self != PostalLayout::Us10
    }

    /// The paper it goes with.
    pub fn paper(self) -> Paper {
        match self.geometry().sheet == LETTER {
            true => Paper::Letter,
            false => Paper::A4,
        }
    }

    /// Why letters on `paper` cannot have this layout, if they cannot.
    pub(crate) fn misfit(self, paper: Paper) -> Option<crate::error::Diagnostic> {
        let other = match paper {
            Paper::A4 => "letter",
            Paper::Letter => "a4",
        };
        (self.paper() != paper).then(|| {
            crate::error::Diagnostic::new(
                "layout-paper",
                format!(
                    "the {self} layout is for {} paper; the letters are on {}",
                    self.paper().name(),
                    paper.name()
                ),
            )
            .hint(format!(
                "give --paper {other}, or a layout for this paper (din5008a, din5008b and sn010130 are for A4, us10 for US Letter)"
            ))
        })
    }
}

impl fmt::Display for PostalLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PostalLayout {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PostalLayout::ALL
            .into_iter()
            .find(|layout| layout.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = PostalLayout::ALL.iter().map(|l| l.name()).collect();
                format!(
                    "unknown layout \"{text}\"; the layouts are {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_zones_lie_in_their_fields_and_on_their_sheets() {
        for layout in PostalLayout::ALL {
            let g = layout.geometry();
            assert!(
                g.zone_bottom() <= g.field.top + g.field.height + 0.01,
                "{layout}"
            );
            assert!(g.text_left >= g.field.left, "{layout}");
            assert!(g.text_left + g.text_width <= g.field.right(), "{layout}");
            assert!(g.field.right() <= g.sheet.0, "{layout}");
            assert_eq!(layout.name().parse::<PostalLayout>(), Ok(layout));
        }
        // DIN 5008 form B: the zone from 62.7 to 90 mm, six lines.
        let b = PostalLayout::Din5008b.geometry();
        assert!((b.zone_top() - 62.7).abs() < 0.01 && (b.zone_bottom() - 90.0).abs() < 0.01);
        // Form A: from 44.7 to 72 mm.
        let a = PostalLayout::Din5008a.geometry();
        assert!((a.zone_top() - 44.7).abs() < 0.01 && (a.zone_bottom() - 72.0).abs() < 0.01);
        assert!(PostalLayout::Sn010130.geometry().window_right());
        assert!(!PostalLayout::Din5008b.geometry().window_right());
        assert_eq!(
            "c5".parse::<PostalLayout>(),
            Err("unknown layout \"c5\"; the layouts are din5008a, din5008b, sn010130, us10".into())
        );
    }

    #[test]
    fn the_default_follows_the_sheet() {
        assert_eq!(Paper::A4.layout(), PostalLayout::Din5008b);
        assert_eq!(Paper::Letter.layout(), PostalLayout::Us10);
        for layout in PostalLayout::ALL {
            assert_eq!(layout.paper().layout().paper(), layout.paper());
        }
    }
}
