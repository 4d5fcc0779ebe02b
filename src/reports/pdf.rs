//! The members' report as a PDF, in pure Rust (krilla; no browser, no office suite): A4 pages, text in
//! the embedded DejaVu Sans (the charts' font), the headline table, each chart as a PNG drawn by the
//! chart renderer with its figures in a table below, and the method text. Each section starts a new page;
//! each page has a footer with the page number. Pure.
//!
//! Two passes: [`Layout`] places boxes of text, rules and images on pages (measuring text with the same
//! font, through ab_glyph), then each page is drawn with krilla.

use ab_glyph::{Font as _, FontRef, ScaleFont};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};

use super::view::{ChartView, EnergyAuditView, MembersView, RefreshDisposalView};
use crate::charts::{render, Table};

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 48.0;
const FOOTER: f32 = 24.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN - FOOTER;

const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;
const LEADING: f32 = 1.35;

const TEXT: (u8, u8, u8) = (0x1b, 0x1b, 0x1b);
const MUTED: (u8, u8, u8) = (0x50, 0x50, 0x50);
const RULE: (u8, u8, u8) = (0xb1, 0xb4, 0xb6);
const BAND: (u8, u8, u8) = (0xf3, 0xf2, 0xf1);
const ACCENT: (u8, u8, u8) = (0x00, 0x70, 0x3c);

/// One thing drawn on a page, at a top-left position in points (y down).
enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, colour: (u8, u8, u8), text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, colour: (u8, u8, u8) },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, colour: (u8, u8, u8), width: f32 },
    Png { x: f32, y: f32, w: f32, h: f32, bytes: Vec<u8> },
}

struct Layout {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Result<Layout, String> {
        let regular = FontRef::try_from_slice(dejavu::sans::regular()).map_err(|e| e.to_string())?;
        let bold = FontRef::try_from_slice(dejavu::sans::bold()).map_err(|e| e.to_string())?;
        Ok(Layout { regular, bold, pages: vec![vec![]], y: MARGIN })
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let font = if bold { &self.bold } else { &self.regular };
        let scaled = font.as_scaled(size);
        text.chars().map(|c| scaled.h_advance(font.glyph_id(c))).sum()
    }

    /// `text` broken into lines no wider than `max`, at spaces (a word longer than a line stays whole).
    fn wrap(&self, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if self.width(&candidate, size, bold) <= max || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(vec![]);
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        if self.pages.last().is_some_and(|p| !p.is_empty()) {
            self.pages.push(vec![]);
        }
        self.y = MARGIN;
    }

    /// Starts a new page unless `h` more points fit on this one.
    fn need(&mut self, h: f32) {
        if self.y + h > BOTTOM {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, bold: bool, colour: (u8, u8, u8), text: &str) {
        self.ops().push(Op::Text { x, y, size, bold, colour, text: text.to_string() });
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool, colour: (u8, u8, u8)) {
        self.indented(text, size, bold, colour, 0.0, None);
    }

    fn indented(&mut self, text: &str, size: f32, bold: bool, colour: (u8, u8, u8), indent: f32, bullet: Option<&str>) {
        let lines = self.wrap(text, size, bold, CONTENT_W - indent);
        let lh = size * LEADING;
        for (i, line) in lines.iter().enumerate() {
            self.need(lh);
            if i == 0 {
                if let Some(b) = bullet {
                    let y = self.y;
                    self.text_at(MARGIN + indent - 10.0, y, size, false, colour, b);
                }
            }
            let y = self.y;
            self.text_at(MARGIN + indent, y, size, bold, colour, line);
            self.y += lh;
        }
        self.y += size * 0.45;
    }

    fn bullets(&mut self, items: &[String]) {
        for item in items {
            self.indented(item, BODY, false, TEXT, 12.0, Some("•"));
        }
    }

    fn heading(&mut self, text: &str, size: f32) {
        self.need(size * 3.0);
        self.y += size * 0.4;
        let y = self.y;
        self.text_at(MARGIN, y, size, true, TEXT, text);
        self.y += size * LEADING;
        if size >= 14.0 {
            let y = self.y;
            self.ops().push(Op::Line { x1: MARGIN, y1: y, x2: MARGIN + CONTENT_W, y2: y, colour: RULE, width: 0.75 });
            self.y += 6.0;
        }
    }

    /// A table: the first column wider, the rest right-aligned when `numeric`; header repeated on a new page.
    fn table(&mut self, t: &Table, numeric: bool) {
        let n = t.headers.len().max(1);
        let first = if n == 1 { CONTENT_W } else { (CONTENT_W * 0.34).max(CONTENT_W / n as f32) };
        let rest = if n == 1 { 0.0 } else { (CONTENT_W - first) / (n - 1) as f32 };
        let widths: Vec<f32> = (0..n).map(|i| if i == 0 { first } else { rest }).collect();
        let pad = 3.0;
        let size = SMALL;
        let lh = size * LEADING;
        self.need(lh * 4.0);
        self.paragraph(&t.caption, BODY, true, TEXT);
        let header_lines: Vec<Vec<String>> =
            t.headers.iter().zip(&widths).map(|(h, w)| self.wrap(h, size, true, w - 2.0 * pad)).collect();
        let draw_row = |l: &mut Layout, cells: &[Vec<String>], bold: bool, band: bool| {
            let rows = cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
            let h = rows * lh + 2.0 * pad;
            if band {
                let y = l.y;
                l.ops().push(Op::Rect { x: MARGIN, y, w: CONTENT_W, h, colour: BAND });
            }
            let mut x = MARGIN;
            for (i, (lines, w)) in cells.iter().zip(&widths).enumerate() {
                for (j, line) in lines.iter().enumerate() {
                    let right = numeric && i > 0;
                    let tx = if right { x + w - pad - l.width(line, size, bold) } else { x + pad };
                    let ty = l.y + pad + j as f32 * lh;
                    l.text_at(tx, ty, size, bold || i == 0, TEXT, line);
                }
                x += w;
            }
            l.y += h;
            let y = l.y;
            l.ops().push(Op::Line { x1: MARGIN, y1: y, x2: MARGIN + CONTENT_W, y2: y, colour: RULE, width: 0.5 });
        };
        draw_row(self, &header_lines, true, true);
        for row in &t.rows {
            let cells: Vec<Vec<String>> =
                row.iter().zip(&widths).map(|(c, w)| self.wrap(c, size, false, w - 2.0 * pad)).collect();
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
            if self.y + h > BOTTOM {
                self.new_page();
                draw_row(self, &header_lines, true, true);
            }
            draw_row(self, &cells, false, false);
        }
        self.y += 8.0;
    }

    fn image(&mut self, png: Vec<u8>, px_w: u32, px_h: u32) {
        let w = CONTENT_W;
        let h = w * px_h as f32 / px_w.max(1) as f32;
        self.need(h);
        let y = self.y;
        self.ops().push(Op::Png { x: MARGIN, y, w, h, bytes: png });
        self.y += h + 6.0;
    }
}

fn fill(c: (u8, u8, u8)) -> Fill {
    Fill { paint: rgb::Color::new(c.0, c.1, c.2).into(), ..Default::default() }
}

fn draw(surface: &mut Surface, ops: &[Op], regular: &Font, bold: &Font) -> Result<(), String> {
    for op in ops {
        match op {
            Op::Text { x, y, size, bold: b, colour, text } => {
                surface.set_fill(Some(fill(*colour)));
                surface.set_stroke(None);
                let font = if *b { bold.clone() } else { regular.clone() };
                // krilla places text by its baseline; the layout's y is the top of the line.
                surface.draw_text(Point::from_xy(*x, y + size * 0.93), font, *size, text, false, TextDirection::Auto);
            }
            Op::Rect { x, y, w, h, colour } => {
                let mut pb = PathBuilder::new();
                if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                    pb.push_rect(r);
                }
                if let Some(path) = pb.finish() {
                    surface.set_fill(Some(fill(*colour)));
                    surface.set_stroke(None);
                    surface.draw_path(&path);
                }
            }
            Op::Line { x1, y1, x2, y2, colour, width } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
                        width: *width,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                }
            }
            Op::Png { x, y, w, h, bytes } => {
                let image = Image::from_png(Data::from(bytes.clone()), true)?;
                let size = Size::from_wh(*w, *h).ok_or("an image with no size")?;
                surface.push_transform(&Transform::from_translate(*x, *y));
                surface.draw_image(image, size);
                surface.pop();
            }
        }
    }
    Ok(())
}

/// The report as PDF bytes.
pub fn members(v: &MembersView) -> Result<Vec<u8>, String> {
    let mut l = Layout::new()?;
    let title = format!("{}, {}", v.title, v.year);

    l.title_block(&title, &format!("Financial year {}. Produced on {} by greenict.", v.period, v.generated_on));

    for (i, s) in v.sections.iter().enumerate() {
        if i > 0 {
            l.new_page();
        }
        l.heading(&format!("{}. {}", i + 1, s.heading), 15.0);
        match s.id.as_str() {
            "summary" => {
                for p in &v.problems {
                    l.paragraph(p, BODY, true, (0xd4, 0x35, 0x1c));
                }
                l.bullets(&v.key_points);
                l.table(&v.headline, true);
                l.paragraph(&v.target, BODY, false, TEXT);
            }
            "charts" => {
                for (k, c) in v.charts.iter().enumerate() {
                    if k > 0 {
                        l.new_page();
                    }
                    l.chart(c)?;
                }
            }
            "disposals" => {
                l.bullets(&v.ewaste_summary);
                l.table(&v.ewaste, true);
            }
            "actions" => {
                if v.policies.rows.is_empty() {
                    l.paragraph("No power policy is in force.", BODY, false, TEXT);
                } else {
                    l.table(&v.policies, false);
                }
                l.paragraph(&v.actions_summary, BODY, false, TEXT);
                if !v.actions.rows.is_empty() {
                    l.table(&v.actions, true);
                }
            }
            "method" => {
                for m in &v.method {
                    l.paragraph(m, BODY, false, TEXT);
                }
                if v.factor_sets.rows.is_empty() {
                    l.paragraph("No grid factor set was used (no figures for the year).", BODY, false, TEXT);
                } else {
                    l.table(&v.factor_sets, false);
                }
                if !v.tariffs.rows.is_empty() {
                    l.table(&v.tariffs, false);
                }
            }
            _ => {}
        }
    }

    l.finish(&title)
}

/// The refresh and disposal report as PDF bytes.
pub fn refresh_disposal(v: &RefreshDisposalView) -> Result<Vec<u8>, String> {
    let mut l = Layout::new()?;
    let title = format!("{}, {}", v.title, v.year);
    l.title_block(&title, &format!("Financial year {}. Produced on {} by greenict.", v.period, v.generated_on));
    for (i, s) in v.sections.iter().enumerate() {
        if i > 0 {
            l.new_page();
        }
        l.heading(&format!("{}. {}", i + 1, s.heading), 15.0);
        match s.id.as_str() {
            "summary" => l.bullets(&v.key_points),
            "refresh" => {
                if let Some(c) = v.charts.iter().find(|c| c.id == "refresh-forecast") {
                    l.chart(c)?;
                }
            }
            "disposals" => {
                l.bullets(&v.ewaste_summary);
                if v.disposals.rows.is_empty() {
                    l.paragraph(&format!("No disposal was completed in {}.", v.year), BODY, false, TEXT);
                } else {
                    l.table(&v.disposals, false);
                }
                l.table(&v.ewaste, true);
                if let Some(c) = v.charts.iter().find(|c| c.id == "ewaste-by-route") {
                    l.new_page();
                    l.chart(c)?;
                }
            }
            "method" => {
                for m in &v.method {
                    l.paragraph(m, BODY, false, TEXT);
                }
            }
            _ => {}
        }
    }
    l.finish(&title)
}

/// The energy audit report for a site as PDF bytes: a page per section, the month chart on its own page.
pub fn energy_audit(v: &EnergyAuditView) -> Result<Vec<u8>, String> {
    let mut l = Layout::new()?;
    let title = format!("{}: {}, {}", v.title, v.site, v.year);
    l.title_block(&title, &format!("Financial year {}. Produced on {} by greenict.", v.period, v.generated_on));
    let none = |l: &mut Layout| {
        l.paragraph(&format!("No estimated electricity for the site's devices in {}.", v.year), BODY, false, TEXT)
    };
    for (i, s) in v.sections.iter().enumerate() {
        if i > 0 {
            l.new_page();
        }
        l.heading(&format!("{}. {}", i + 1, s.heading), 15.0);
        match s.id.as_str() {
            "summary" => {
                for p in &v.problems {
                    l.paragraph(p, BODY, true, (0xd4, 0x35, 0x1c));
                }
                l.bullets(&v.key_points);
                l.table(&v.summary, true);
            }
            "metered" => {
                if let Some(note) = &v.metered_note {
                    l.paragraph(note, BODY, false, TEXT);
                }
                if !v.metered.rows.is_empty() {
                    l.table(&v.metered, true);
                }
                for c in &v.charts {
                    l.new_page();
                    l.chart(c)?;
                }
            }
            "categories" if v.categories.rows.is_empty() => none(&mut l),
            "categories" => l.table(&v.categories, true),
            "models" if v.models.rows.is_empty() => none(&mut l),
            "models" => l.table(&v.models, true),
            "tariff" => {
                for p in &v.tariff_text {
                    l.paragraph(p, BODY, false, TEXT);
                }
                if !v.tariffs.rows.is_empty() {
                    l.table(&v.tariffs, false);
                }
                if v.factor_sets.rows.is_empty() {
                    l.paragraph("No grid factor set was used (no figures for the year).", BODY, false, TEXT);
                } else {
                    l.table(&v.factor_sets, false);
                }
            }
            "method" => {
                for m in &v.method {
                    l.paragraph(m, BODY, false, TEXT);
                }
            }
            _ => {}
        }
    }
    l.finish(&title)
}

impl Layout {
    fn title_block(&mut self, title: &str, meta: &str) {
        let y = self.y;
        self.ops().push(Op::Rect { x: MARGIN, y, w: CONTENT_W, h: 4.0, colour: ACCENT });
        self.y += 14.0;
        self.paragraph(title, 20.0, true, TEXT);
        self.paragraph(meta, BODY, false, MUTED);
    }

    fn chart(&mut self, c: &ChartView) -> Result<(), String> {
        self.heading(&c.heading, 12.0);
        let png = render::png(&c.spec).map_err(|e| e.to_string())?;
        let (w, h) = render::size(&c.spec);
        self.image(png, w, h);
        self.table(&c.table, true);
        for n in &c.notes {
            self.paragraph(n, SMALL, false, MUTED);
        }
        Ok(())
    }

    /// Draws the laid-out pages with krilla, each with its footer.
    fn finish(self, title: &str) -> Result<Vec<u8>, String> {
        let l = self;
        let regular = Font::new(Data::from(dejavu::sans::regular()), 0).ok_or("the embedded font could not be read")?;
        let bold = Font::new(Data::from(dejavu::sans::bold()), 0).ok_or("the embedded font could not be read")?;
        let mut document = Document::new();
        document
            .set_metadata(Metadata::new().title(title.to_string()).language("en-GB".into()).creator("greenict".into()));
        let total = l.pages.len();
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
        for (i, ops) in l.pages.iter().enumerate() {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            draw(&mut surface, ops, &regular, &bold)?;
            let footer = vec![Op::Text {
                x: MARGIN,
                y: PAGE_H - MARGIN,
                size: SMALL,
                bold: false,
                colour: MUTED,
                text: format!("{title} · page {} of {total}", i + 1),
            }];
            draw(&mut surface, &footer, &regular, &bold)?;
            surface.finish();
            page.finish();
        }
        document.finish().map_err(|e| format!("the PDF could not be written: {e:?}"))
    }
}
