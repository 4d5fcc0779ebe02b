//! Draws a [`ChartSpec`] with plotters, to SVG text or PNG bytes. Pure: no files, no system fonts.
//!
//! Layout: the title across the top; then one panel per [`Panel`], each with its own y axis (unit in
//! the axis title) and a legend in a column on its right. Bars are stacked or side by side; reference
//! lines (baseline, target) are black, solid or dashed, with markers so a single point still shows.
//! Y ticks are chosen here (1, 2 or 5 × a power of ten) so they read as round UK-formatted numbers; x
//! labels are thinned and shortened with an ellipsis when there are too many to fit.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::prelude::ToPrimitive;

use super::style::{self, FONT};
use super::{Bars, ChartSpec, LineStyle, Panel};

/// Why a chart could not be drawn (a plotters or encoder failure: never the data's fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(pub String);

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "chart could not be drawn: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError(e.to_string())
}

/// Width and height in pixels: one panel height per panel, plus the title.
pub fn size(spec: &ChartSpec) -> (u32, u32) {
    let panels = spec.panels.len().max(1) as u32;
    (style::WIDTH, style::TITLE_HEIGHT + panels * style::PANEL_HEIGHT)
}

/// The chart as an SVG document, with a `<title>` and `role="img"` for assistive technology.
pub fn svg(spec: &ChartSpec) -> Result<String, ChartError> {
    style::register_fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size(spec)).into_drawing_area();
        draw(&root, spec)?;
        root.present().map_err(err)?;
    }
    Ok(accessible(out, spec))
}

/// The chart as a PNG image (RGB, 8 bits).
pub fn png(spec: &ChartSpec) -> Result<Vec<u8>, ChartError> {
    use image::ImageEncoder;
    style::register_fonts();
    let (w, h) = size(spec);
    let mut pixels = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(&root, spec)?;
        root.present().map_err(err)?;
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, w, h, image::ColorType::Rgb8).map_err(err)?;
    Ok(out)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Adds `role="img"` and a `<title>` (the alt text) just inside the root element.
fn accessible(svg: String, spec: &ChartSpec) -> String {
    let Some(start) = svg.find("<svg") else { return svg };
    let Some(end) = svg[start..].find('>').map(|i| start + i) else { return svg };
    let mut out = String::with_capacity(svg.len() + 200);
    out.push_str(&svg[..start]);
    out.push_str("<svg role=\"img\"");
    out.push_str(&svg[start + 4..end]);
    out.push('>');
    out.push_str(&format!("\n<title>{}</title>", escape(&spec.alt_text())));
    out.push_str(&svg[end + 1..]);
    out
}

fn font(size: f64) -> FontDesc<'static> {
    (FONT, size).into_font()
}

fn text_style(size: f64) -> TextStyle<'static> {
    TextStyle::from(font(size)).color(&style::TEXT)
}

/// `text` as long as fits in `max_px`, with an ellipsis if cut.
fn fit_text<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle, max_px: u32) -> String {
    let width = |s: &str| area.estimate_text_size(s, style).map(|(w, _)| w).unwrap_or(u32::MAX);
    if width(text) <= max_px {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate = format!("{}…", chars.iter().collect::<String>().trim_end());
        if width(&candidate) <= max_px {
            return candidate;
        }
    }
    String::new()
}

/// A linear axis whose ticks are exactly the given values (plotters' own `with_key_points` over f64
/// cannot take a label formatter).
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let share = if self.hi > self.lo { (v - self.lo) / (self.hi - self.lo) } else { 0.5 };
        let length = (limit.1 - limit.0) as f64;
        limit.0 + (length * share.clamp(-1.0, 2.0)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &ChartSpec) -> Result<(), ChartError> {
    root.fill(&WHITE).map_err(err)?;
    let (title_area, body) = root.split_vertically(style::TITLE_HEIGHT);
    let title_style = TextStyle::from(font(style::TITLE_SIZE).style(FontStyle::Bold))
        .color(&style::TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let title = fit_text(&title_area, &spec.title, &title_style, style::WIDTH - 24);
    title_area.draw(&Text::new(title, (12, (style::TITLE_HEIGHT / 2) as i32), title_style)).map_err(err)?;
    if spec.is_empty() {
        let (w, h) = body.dim_in_pixel();
        let message = text_style(style::AXIS_DESC_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
        body.draw(&Text::new("No figures to show for this selection", ((w / 2) as i32, (h / 3) as i32), message))
            .map_err(err)?;
        return Ok(());
    }
    let areas = body.split_evenly((spec.panels.len(), 1));
    for (area, panel) in areas.iter().zip(&spec.panels) {
        draw_panel(area, spec, panel)?;
    }
    Ok(())
}

/// 1, 2 or 5 × a power of ten, at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * power >= raw * (1.0 - 1e-9) {
            return m * power;
        }
    }
    10.0 * power
}

/// The y axis: from (a multiple of the step at or below) the lowest value or zero to a little above
/// the highest, and its step.
pub fn y_axis(panel: &Panel, n: usize) -> (f64, f64, f64) {
    let v = |d: &Option<rust_decimal::Decimal>| d.and_then(|d| d.to_f64()).filter(|f| f.is_finite());
    let (mut lo, mut hi) = (0f64, 0f64);
    for i in 0..n {
        match panel.bars {
            Bars::Stacked => {
                let (mut up, mut down) = (0f64, 0f64);
                for s in &panel.series {
                    if let Some(x) = s.values.get(i).and_then(v) {
                        if x >= 0.0 {
                            up += x
                        } else {
                            down += x
                        }
                    }
                }
                hi = hi.max(up);
                lo = lo.min(down);
            }
            Bars::Grouped => {
                for x in panel.series.iter().filter_map(|s| s.values.get(i).and_then(v)) {
                    hi = hi.max(x);
                    lo = lo.min(x);
                }
            }
        }
        for x in panel.lines.iter().filter_map(|l| l.series.values.get(i).and_then(v)) {
            hi = hi.max(x);
            lo = lo.min(x);
        }
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let step = nice_step((hi - lo) * 1.05 / 6.0);
    let top = (hi * 1.05 / step).ceil() * step;
    let bottom = if lo < 0.0 { (lo * 1.05 / step).floor() * step } else { 0.0 };
    (bottom, top.max(bottom + step), step)
}

/// The most room a label turned upright on the x axis takes (longer names are cut).
const MAX_TURNED_LABEL_PX: u32 = 150;

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    panel: &Panel,
) -> Result<(), ChartError> {
    let (width, _) = area.dim_in_pixel();
    let (plot_area, legend_area) = area.split_horizontally(width.saturating_sub(style::LEGEND_WIDTH));
    let n = spec.categories.len();
    let (lo, hi, step) = y_axis(panel, n);
    let y_label_width = 100u32;
    let label_style = text_style(style::LABEL_SIZE);

    // X labels: every category if they fit across; else, for up to 40 categories (names of models or
    // sites), turned to read upwards; else every k-th. Each is cut to the room it has.
    let plot_px = plot_area.dim_in_pixel().0.saturating_sub(y_label_width + 24).max(1);
    let slot = plot_px as f64 / n.max(1) as f64;
    let widest = spec
        .categories
        .iter()
        .map(|c| plot_area.estimate_text_size(&c.label, &label_style).map(|(w, _)| w).unwrap_or(0))
        .max()
        .unwrap_or(0);
    let upright = (widest as f64 + 8.0) <= slot || n > 40 || n <= 1;
    let (every, room, x_label_area) = if upright {
        let min_room = 60f64.min(widest as f64 + 10.0);
        let every = ((min_room / slot).ceil() as usize).max(1);
        (every, ((slot * every as f64) - 6.0).max(8.0) as u32, 56u32)
    } else {
        let every = ((20.0 / slot).ceil() as usize).max(1);
        let room = widest.min(MAX_TURNED_LABEL_PX);
        (every, room, room + 40)
    };
    // Only the labels that are shown are cut to fit (a long axis may have hundreds).
    let shown: Vec<String> = spec
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| if i % every == 0 { fit_text(&plot_area, &c.label, &label_style, room) } else { String::new() })
        .collect();
    let key_points: Vec<f64> = (0..n).step_by(every).map(|i| i as f64).collect();
    let y_points: Vec<f64> = {
        let count = ((hi - lo) / step).round() as i64;
        (0..=count).map(|k| lo + k as f64 * step).collect()
    };

    let x_range = Axis { lo: -0.5, hi: n as f64 - 0.5, ticks: key_points.clone() };
    let y_range = Axis { lo, hi, ticks: y_points.clone() };
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_top(12)
        .margin_right(16)
        .margin_left(8)
        .margin_bottom(4)
        .x_label_area_size(x_label_area)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(x_range, y_range)
        .map_err(err)?;
    let x_formatter = |x: &f64| {
        let i = x.round();
        // Turned labels are drawn below, as plotters would anchor them at their middle.
        if upright && i >= 0.0 && (i as usize) < n {
            shown[i as usize].clone()
        } else {
            String::new()
        }
    };
    let unit = panel.unit;
    let y_formatter = |y: &f64| unit.tick(*y, step);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(key_points.len().max(1))
        .y_labels(y_points.len().max(1))
        .x_label_formatter(&x_formatter)
        .y_label_formatter(&y_formatter)
        .x_desc(spec.x_label.as_str())
        .y_desc(panel.y_label())
        .label_style(label_style.clone())
        .axis_desc_style(text_style(style::AXIS_DESC_SIZE))
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(style::AXIS)
        .draw()
        .map_err(err)?;

    if !upright {
        let turned = label_style.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Right, VPos::Center));
        let (ox, oy) = plot_area.get_base_pixel();
        for &k in &key_points {
            let (bx, by) = chart.backend_coord(&(k, lo));
            let label = shown.get(k as usize).cloned().unwrap_or_default();
            plot_area.draw(&Text::new(label, (bx - ox, by - oy + 8), turned.clone())).map_err(err)?;
        }
    }

    let value = |d: Option<rust_decimal::Decimal>| d.and_then(|d| d.to_f64()).filter(|f| f.is_finite());
    let k = panel.series.len().max(1) as f64;
    let mut rects = Vec::new();
    for i in 0..n {
        let centre = i as f64;
        let (mut up, mut down) = (0f64, 0f64);
        for (j, s) in panel.series.iter().enumerate() {
            let Some(v) = value(s.values.get(i).copied().flatten()) else { continue };
            let colour = style::series_colour(j, &s.name);
            let (x0, x1, y0, y1) = match panel.bars {
                Bars::Stacked => {
                    let base = if v >= 0.0 { &mut up } else { &mut down };
                    let from = *base;
                    *base += v;
                    (centre - 0.4, centre + 0.4, from, *base)
                }
                Bars::Grouped => {
                    let w = 0.8 / k;
                    let x0 = centre - 0.4 + j as f64 * w;
                    (x0, x0 + w * 0.92, 0.0, v)
                }
            };
            rects.push(Rectangle::new([(x0, y0), (x1, y1)], colour.filled()));
            if panel.bars == Bars::Stacked && n <= 60 {
                rects.push(Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1)));
            }
        }
    }
    chart.draw_series(rects).map_err(err)?;
    if lo < 0.0 {
        chart
            .draw_series(LineSeries::new([(-0.5, 0.0), (n as f64 - 0.5, 0.0)], style::AXIS.stroke_width(1)))
            .map_err(err)?;
    }

    for line in &panel.lines {
        let points: Vec<(usize, f64)> =
            (0..n).filter_map(|i| value(line.series.values.get(i).copied().flatten()).map(|v| (i, v))).collect();
        // Runs of consecutive categories: a missing figure breaks the line.
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut last: Option<usize> = None;
        for &(i, v) in &points {
            if last.is_some_and(|l| l + 1 == i) {
                if let Some(run) = runs.last_mut() {
                    run.push((i as f64, v));
                }
            } else {
                runs.push(vec![(i as f64, v)]);
            }
            last = Some(i);
        }
        let stroke = style::REFERENCE.stroke_width(2);
        for run in runs {
            match line.style {
                LineStyle::Solid => chart.draw_series(LineSeries::new(run, stroke)).map(|_| ()),
                LineStyle::Dashed => chart.draw_series(DashedLineSeries::new(run, 10, 6, stroke)).map(|_| ()),
            }
            .map_err(err)?;
        }
        match line.style {
            LineStyle::Solid => chart
                .draw_series(points.iter().map(|&(i, v)| Circle::new((i as f64, v), 4, style::REFERENCE.filled())))
                .map(|_| ()),
            LineStyle::Dashed => chart
                .draw_series(
                    points.iter().map(|&(i, v)| TriangleMarker::new((i as f64, v), 6, style::REFERENCE.filled())),
                )
                .map(|_| ()),
        }
        .map_err(err)?;
    }
    draw_legend(&legend_area, panel)
}

/// The legend in its own column: a swatch or line sample and the name of each series, top down.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> Result<(), ChartError> {
    let (_, height) = area.dim_in_pixel();
    let entry_style = text_style(style::LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let row = 24i32;
    let mut y = 24i32;
    let entries = panel.series.len() + panel.lines.len();
    let room = style::LEGEND_WIDTH - 44;
    // Stacked bars are listed top of the stack first, as they are seen.
    let order: Vec<usize> = match panel.bars {
        Bars::Stacked => (0..panel.series.len()).rev().collect(),
        Bars::Grouped => (0..panel.series.len()).collect(),
    };
    for (shown, &index) in order.iter().enumerate() {
        let s = &panel.series[index];
        if y + row * 2 > height as i32 && shown + 1 < entries {
            let rest = entries - shown;
            area.draw(&Text::new(format!("and {rest} more (see the table)"), (8, y), entry_style.clone()))
                .map_err(err)?;
            return Ok(());
        }
        let colour = style::series_colour(index, &s.name);
        area.draw(&Rectangle::new([(8, y - 7), (26, y + 7)], colour.filled())).map_err(err)?;
        area.draw(&Text::new(fit_text(area, &s.name, &entry_style, room), (34, y), entry_style.clone()))
            .map_err(err)?;
        y += row;
    }
    for line in &panel.lines {
        let stroke = style::REFERENCE.stroke_width(2);
        match line.style {
            LineStyle::Solid => {
                area.draw(&PathElement::new(vec![(4, y), (30, y)], stroke)).map_err(err)?;
                area.draw(&Circle::new((17, y), 4, style::REFERENCE.filled())).map_err(err)?;
            }
            LineStyle::Dashed => {
                area.draw(&PathElement::new(vec![(4, y), (11, y)], stroke)).map_err(err)?;
                area.draw(&PathElement::new(vec![(23, y), (30, y)], stroke)).map_err(err)?;
                area.draw(&TriangleMarker::new((17, y), 6, style::REFERENCE.filled())).map_err(err)?;
            }
        }
        area.draw(&Text::new(fit_text(area, &line.series.name, &entry_style, room), (34, y), entry_style.clone()))
            .map_err(err)?;
        y += row;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(4200.0), 5000.0);
        assert!((nice_step(0.013) - 0.02).abs() < 1e-12);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }
}
