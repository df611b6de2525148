//! The one font Fonds' PDFs use: STSong-Light, a standard CJK font that readers supply, so no
//! font file is embedded and the output stays small and free of licensing questions.
//!
//! Text is encoded with the predefined CMap UniGB-UCS2-H, under which a character code is simply
//! its UTF-16 code unit; a ToUnicode map states the same identity so that text extraction works
//! in readers without Adobe's CJK resources.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Advance widths, in thousandths of an em, of U+0020..=U+007E. UniGB-UCS2-H maps these to the
/// proportional Latin glyphs at CIDs 1–95 of Adobe-GB1; these are STSong-Light's published
/// metrics for them. Every other glyph is one em wide (the font's default width).
const ASCII_WIDTHS: [u16; 95] = [
    207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238,
    334, // ' '..'/'
    462, 462, 462, 462, 462, 462, 462, 462, 462, 462, 238, 238, 605, 605, 605,
    344, // '0'..'?'
    748, 684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896, 758,
    772, // '@'..'O'
    544, 772, 628, 465, 607, 753, 711, 972, 647, 620, 607, 374, 333, 374, 606,
    500, // 'P'..'_'
    239, 417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495, 228, 793, 527,
    524, // '`'..'o'
    524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605, // 'p'..'~'
];

const DEFAULT_WIDTH: u16 = 1000;

/// The character the font is asked to show for `c`: outside the Basic Multilingual Plane the
/// two-byte CMap has no code, and control characters have no glyph, so both are replaced.
pub(super) fn printable(c: char) -> char {
    if c.is_control() {
        ' '
    } else if u32::from(c) > 0xFFFF {
        '?'
    } else {
        c
    }
}

/// The advance width of `c` in thousandths of an em, as a reader will lay it out.
pub(super) fn advance(c: char) -> u16 {
    let code = u32::from(printable(c));
    code.checked_sub(0x20)
        .and_then(|i| ASCII_WIDTHS.get(usize::try_from(i).ok()?))
        .copied()
        .unwrap_or(DEFAULT_WIDTH)
}

/// The width of `text` in points at `size`.
pub(super) fn text_width(text: &str, size: f32) -> f32 {
    let units: f32 = text.chars().map(|c| f32::from(advance(c))).sum();
    units * size / 1000.0
}

/// `text` as a PDF hex string of UCS-2 codes, e.g. `<4F1A8BA1>` for 会计.
pub(super) fn hex_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 4 + 2);
    out.push('<');
    for c in text.chars() {
        // `printable` leaves only BMP characters, which are one UTF-16 unit each.
        for unit in printable(c).encode_utf16(&mut [0; 2]) {
            let _ = write!(out, "{unit:04X}");
        }
    }
    out.push('>');
    out
}

/// The high bytes of the codes `text` uses, for a ToUnicode map that covers only those.
pub(super) fn high_bytes(text: &str, into: &mut BTreeSet<u8>) {
    for c in text.chars() {
        let [high, _] = u16::try_from(u32::from(printable(c)))
            .unwrap_or(0x3F)
            .to_be_bytes();
        into.insert(high);
    }
}

/// The Type0 font dictionary.
pub(super) fn type0(descendant: usize, to_unicode: usize) -> String {
    format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H \
         /Encoding /UniGB-UCS2-H /DescendantFonts [{descendant} 0 R] \
         /ToUnicode {to_unicode} 0 R >>"
    )
}

/// The CIDFont dictionary, with the Latin widths so readers space Latin text proportionally.
pub(super) fn cid_font(descriptor: usize) -> String {
    let widths: Vec<String> = ASCII_WIDTHS.iter().map(u16::to_string).collect();
    format!(
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> \
         /FontDescriptor {descriptor} 0 R /DW {DEFAULT_WIDTH} /W [1 [{}]] >>",
        widths.join(" ")
    )
}

/// The font descriptor, from STSong-Light's published metrics; a reader substituting the font
/// uses these to match its size and weight.
pub(super) fn descriptor() -> &'static str {
    "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
     /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 752 /Descent -271 \
     /CapHeight 737 /StemV 58 >>"
}

/// A ToUnicode CMap mapping every code whose high byte is in `highs` to itself.
pub(super) fn to_unicode_cmap(highs: &BTreeSet<u8>) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let highs: Vec<u8> = highs.iter().copied().collect();
    // A bfrange may only vary in its last byte, and a block holds at most 100 entries.
    for block in highs.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfrange", block.len());
        for high in block {
            let _ = writeln!(cmap, "<{high:02X}00> <{high:02X}FF> <{high:02X}00>");
        }
        cmap.push_str("endbfrange\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend\n");
    cmap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_encoded_as_ucs2_with_unencodable_characters_replaced() {
        assert_eq!(hex_string("会计 A"), "<4F1A8BA100200041>");
        assert_eq!(hex_string("a😀\tb"), "<0061003F00200062>");
    }

    #[test]
    fn latin_is_proportional_and_everything_else_one_em() {
        assert_eq!(advance(' '), 207);
        assert_eq!(advance('~'), 605);
        assert_eq!(advance('W'), 972);
        assert_eq!(advance('账'), 1000);
        assert!((text_width("账账", 10.0) - 20.0).abs() < f32::EPSILON);
    }

    #[test]
    fn to_unicode_covers_the_high_bytes_used() {
        let mut highs = BTreeSet::new();
        high_bytes("Ab会计", &mut highs);
        assert_eq!(highs.into_iter().collect::<Vec<_>>(), [0x00, 0x4F, 0x8B]);
        let cmap = to_unicode_cmap(&BTreeSet::from([0x00, 0x4F]));
        assert!(cmap.contains("2 beginbfrange\n<0000> <00FF> <0000>\n<4F00> <4FFF> <4F00>\n"));
    }
}
