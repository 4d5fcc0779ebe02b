//! How every chart looks: the embedded font, the colour-blind-safe palette, sizes. Pure.
//!
//! Font: DejaVu Sans (the `dejavu` crate's TTF bytes; Bitstream Vera licence with DejaVu changes in the
//! public domain, free to embed and redistribute), registered once with plotters so PNGs need no font
//! on the machine. SVGs name the same family with `sans-serif` as the fallback, so a browser without
//! DejaVu draws the text in its own sans-serif font.
//!
//! Palette: Okabe & Ito, "Color Universal Design" (2008), eight colours that stay distinct for the
//! common forms of colour blindness; black is kept for reference lines, and a neutral grey for "Other".

use plotters::style::{register_font, FontStyle, RGBColor};
use std::sync::Once;

/// The font family name plotters looks the font up by, also written into SVGs as their CSS font list.
pub const FONT: &str = "DejaVu Sans, sans-serif";

pub const TITLE_SIZE: f64 = 22.0;
pub const AXIS_DESC_SIZE: f64 = 17.0;
pub const LABEL_SIZE: f64 = 15.0;
pub const LEGEND_SIZE: f64 = 15.0;

pub const WIDTH: u32 = 880;
/// Height of one panel (a chart with two panels, e.g. count and budget, is twice as tall less the title).
pub const PANEL_HEIGHT: u32 = 420;
pub const TITLE_HEIGHT: u32 = 44;
pub const LEGEND_WIDTH: u32 = 210;

pub const TEXT: RGBColor = RGBColor(0x1b, 0x1b, 0x1b);
pub const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
pub const AXIS: RGBColor = RGBColor(0x50, 0x50, 0x50);
pub const REFERENCE: RGBColor = RGBColor(0, 0, 0);
pub const OTHER: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// Okabe–Ito without black, most distinct first: blue, orange, bluish green, vermillion, sky blue,
/// reddish purple, yellow.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// The name a series of leftovers is given; it is drawn in grey, as is the device category "Other".
pub const OTHER_NAME: &str = "Others";

/// The colour of the `index`th series: the palette in order; "Other" grey; past the palette, round again.
pub fn series_colour(index: usize, name: &str) -> RGBColor {
    if name == OTHER_NAME || name == "Other" {
        OTHER
    } else {
        PALETTE[index % PALETTE.len()]
    }
}

static FONTS: Once = Once::new();

/// Registers DejaVu Sans (regular and bold) with plotters, once per process.
pub fn register_fonts() {
    FONTS.call_once(|| {
        let regular = register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok();
        let bold = register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok();
        if !(regular && bold) {
            tracing::error!("the embedded DejaVu Sans font could not be registered; chart text will be missing");
        }
    });
}
