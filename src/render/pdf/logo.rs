//! The letterhead's logo: its size, and an SVG logo as PDF vectors.
//!
//! A PNG logo is embedded as the signature images are (see `write`). An
//! SVG logo is drawn from usvg's tree into a form XObject: groups with
//! their transforms and opacity, paths filled and stroked in their colours
//! (a gradient in the mean of its stops' colours; patterns, clip paths,
//! masks, filters and raster images are left out). svg2pdf would draw more,
//! but its newest release (0.13) writes with pdf-writer 0.12, and a 0.12
//! chunk cannot go into this crate's 0.15 file.

use pdf_writer::{Content, Name};
use usvg::tiny_skia_path::PathSegment;

use crate::appeal::Logo;
use crate::validate;

/// The logo's own width and height: pixels, or the SVG's user units;
/// `None` if it cannot be read (it was checked when it was loaded).
pub(super) fn size(logo: &Logo) -> Option<(f32, f32)> {
    match logo {
        Logo::Png(bytes) => {
            let reader = png::Decoder::new(std::io::Cursor::new(&bytes[..]))
                .read_info()
                .ok()?;
            let info = reader.info();
            Some((info.width as f32, info.height as f32))
        }
        Logo::Svg(bytes) => {
            let tree = validate::logo::svg(bytes).ok()?;
            Some((tree.size().width(), tree.size().height()))
        }
    }
}

/// An SVG logo as the content stream of a form XObject with the bounding
/// box (0, 0, width, height), and the opacities its `/GS0`, `/GS1` …
/// graphics states set.
pub(super) struct Vector {
    /// The drawing.
    pub content: Vec<u8>,
    /// Width and height, user units.
    pub size: (f32, f32),
    /// Fill and stroke opacity of each graphics state, by number.
    pub opacities: Vec<f32>,
}

/// The name of graphics state `i` of a logo's form.
pub(super) fn state_name(i: usize) -> String {
    format!("GS{i}")
}

/// The SVG logo in `bytes` as vectors; `None` if it cannot be read.
pub(super) fn vector(bytes: &[u8]) -> Option<Vector> {
    let tree = validate::logo::svg(bytes).ok()?;
    let (width, height) = (tree.size().width(), tree.size().height());
    let mut drawing = Drawing {
        content: Content::new(),
        opacities: Vec::new(),
    };
    // SVG's y runs down, PDF's up.
    drawing
        .content
        .transform([1.0, 0.0, 0.0, -1.0, 0.0, height]);
    drawing.group(tree.root(), 1.0);
    Some(Vector {
        content: drawing.content.finish().into_vec(),
        size: (width, height),
        opacities: drawing.opacities,
    })
}

struct Drawing {
    content: Content,
    opacities: Vec<f32>,
}

impl Drawing {
    fn group(&mut self, group: &usvg::Group, opacity: f32) {
        for node in group.children() {
            match node {
                usvg::Node::Group(inner) => {
                    let t = inner.transform();
                    self.content.save_state();
                    self.content.transform([t.sx, t.ky, t.kx, t.sy, t.tx, t.ty]);
                    self.group(inner, opacity * inner.opacity().get());
                    self.content.restore_state();
                }
                usvg::Node::Path(path) if path.is_visible() => self.path(path, opacity),
                _ => {}
            }
        }
    }

    fn path(&mut self, path: &usvg::Path, opacity: f32) {
        let fill = path.fill();
        let stroke = path.stroke();
        let order = match path.paint_order() {
            usvg::PaintOrder::FillAndStroke => [true, false],
            usvg::PaintOrder::StrokeAndFill => [false, true],
        };
        for is_fill in order {
            self.content.save_state();
            if is_fill && let Some(fill) = fill {
                let (r, g, b) = colour(fill.paint());
                self.alpha(opacity * fill.opacity().get());
                self.content.set_fill_rgb(r, g, b);
                self.outline(path);
                match fill.rule() {
                    usvg::FillRule::EvenOdd => self.content.fill_even_odd(),
                    usvg::FillRule::NonZero => self.content.fill_nonzero(),
                };
            } else if !is_fill && let Some(stroke) = stroke {
                let (r, g, b) = colour(stroke.paint());
                self.alpha(opacity * stroke.opacity().get());
                self.content.set_stroke_rgb(r, g, b);
                self.content.set_line_width(stroke.width().get());
                self.content.set_line_cap(match stroke.linecap() {
                    usvg::LineCap::Butt => pdf_writer::types::LineCapStyle::ButtCap,
                    usvg::LineCap::Round => pdf_writer::types::LineCapStyle::RoundCap,
                    usvg::LineCap::Square => pdf_writer::types::LineCapStyle::ProjectingSquareCap,
                });
                self.content.set_line_join(match stroke.linejoin() {
                    usvg::LineJoin::Round => pdf_writer::types::LineJoinStyle::RoundJoin,
                    usvg::LineJoin::Bevel => pdf_writer::types::LineJoinStyle::BevelJoin,
                    _ => pdf_writer::types::LineJoinStyle::MiterJoin,
                });
                self.content.set_miter_limit(stroke.miterlimit().get());
                if let Some(dashes) = stroke.dasharray() {
                    self.content
                        .set_dash_pattern(dashes.iter().copied(), stroke.dashoffset());
                }
                self.outline(path);
                self.content.stroke();
            }
            self.content.restore_state();
        }
    }

    /// Sets the opacity of what follows, where it is not 1.
    fn alpha(&mut self, opacity: f32) {
        if opacity >= 1.0 {
            return;
        }
        let i = match self.opacities.iter().position(|&o| o == opacity) {
            Some(i) => i,
            None => {
                self.opacities.push(opacity);
                self.opacities.len() - 1
            }
        };
        self.content.set_parameters(Name(state_name(i).as_bytes()));
    }

    fn outline(&mut self, path: &usvg::Path) {
        let mut last = (0.0, 0.0);
        for segment in path.data().segments() {
            match segment {
                PathSegment::MoveTo(p) => {
                    self.content.move_to(p.x, p.y);
                    last = (p.x, p.y);
                }
                PathSegment::LineTo(p) => {
                    self.content.line_to(p.x, p.y);
                    last = (p.x, p.y);
                }
                PathSegment::QuadTo(c, p) => {
                    // The cubic with the same curve.
                    let c1 = (
                        last.0 + 2.0 / 3.0 * (c.x - last.0),
                        last.1 + 2.0 / 3.0 * (c.y - last.1),
                    );
                    let c2 = (p.x + 2.0 / 3.0 * (c.x - p.x), p.y + 2.0 / 3.0 * (c.y - p.y));
                    self.content.cubic_to(c1.0, c1.1, c2.0, c2.1, p.x, p.y);
                    last = (p.x, p.y);
                }
                PathSegment::CubicTo(c1, c2, p) => {
                    self.content.cubic_to(c1.x, c1.y, c2.x, c2.y, p.x, p.y);
                    last = (p.x, p.y);
                }
                PathSegment::Close => {
                    self.content.close_path();
                }
            }
        }
    }
}

/// A paint as one colour, 0 to 1: a gradient's is the mean of its stops'.
fn colour(paint: &usvg::Paint) -> (f32, f32, f32) {
    let stops = match paint {
        usvg::Paint::Color(c) => return rgb(*c),
        usvg::Paint::LinearGradient(g) => g.stops(),
        usvg::Paint::RadialGradient(g) => g.stops(),
        usvg::Paint::Pattern(_) => return (0.5, 0.5, 0.5),
    };
    let n = stops.len().max(1) as f32;
    stops
        .iter()
        .map(|stop| rgb(stop.color()))
        .fold((0.0, 0.0, 0.0), |sum, c| {
            (sum.0 + c.0 / n, sum.1 + c.1 / n, sum.2 + c.2 / n)
        })
}

fn rgb(c: usvg::Color) -> (f32, f32, f32) {
    let f = |v: u8| f32::from(v) / 255.0;
    (f(c.red), f(c.green), f(c.blue))
}
