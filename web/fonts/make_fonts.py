#!/usr/bin/python3
"""Subsets the shipped fonts from Debian's font packages at build time.

Latin: DejaVu Sans (Latin, Latin-1, punctuation, symbols the UI uses).
CJK:   Droid Sans Fallback (TrueType outlines, which stb_truetype reads well),
       cut to GB2312 plus the rarer characters that occur in people's and
       firms' names (extra_chars.txt), so the download stays small.
Symbols: Symbola (monochrome), cut to the emoji and symbol blocks people meet
       in messages and notes (🏠 🚪 ☎ ∅ →), plus the box drawn for a character
       no font has.
Han extensions: HanaMin B, CJK Extension B–F (𠮷), in files of 4096 code
       points (han-20.ttf holds U+20000–U+20FFF). Not part of the first
       download: the app fetches a file when a character of it first appears.

Usage: make_fonts.py OUT_DIR HAN_EXTENSION_DIR
"""
import pathlib
import subprocess
import sys

LATIN_SOURCE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_SOURCE = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
SYMBOLS_SOURCE = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"
HAN_EXTENSION_SOURCE = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"
# Whole blocks: arrows, mathematical operators (∅), geometric shapes (□), miscellaneous symbols (☎),
# dingbats (✂), enclosed ideographs (🈶), pictographs (🏠), emoticons, transport (🚪), supplemental symbols.
SYMBOL_BLOCKS = [(0x2190, 0x21FF), (0x2200, 0x22FF), (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x2700, 0x27BF),
                 (0x1F200, 0x1F2FF), (0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF)]
# From other blocks only the characters that are emoji (⌚ ⭐ ① 🅰 flags' letters), and the zero-width joiner,
# keycap and variation selectors that emoji sequences carry (☎️ is U+260E U+FE0F).
SYMBOL_SINGLES = ([0x200D, 0x20E3, 0x2103, 0x2109, 0x2116, 0x2139, 0x231A, 0x231B, 0x2328, 0x23CF, 0x24C2, 0x2B50,
                   0x2B55, 0x2B1B, 0x2B1C, 0x3297, 0x3299, 0x1F004, 0x1F0CF] + list(range(0x23E9, 0x23F4)) +
                  list(range(0x23F8, 0x23FB)) + list(range(0x2460, 0x2474)) + list(range(0x2B05, 0x2B08)) +
                  list(range(0xFE00, 0xFE10)) + list(range(0x1F170, 0x1F19B)) + list(range(0x1F1E6, 0x1F200)))
# CJK Extension B (U+20000–2A6DF) to F (up to U+2EBEF), and the chunk of code points per file.
HAN_EXTENSION_RANGE = (0x20000, 0x2EBEF)
HAN_EXTENSION_CHUNK = 0x1000
HERE = pathlib.Path(__file__).resolve().parent


def gb2312_codepoints():
    points = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return points


def extra_codepoints():
    text = (HERE / "extra_chars.txt").read_text(encoding="utf-8")
    return {ord(c) for line in text.splitlines() if not line.startswith("#") for c in line if not c.isspace()}


def subset(source, codepoints, out):
    unicodes = out.with_suffix(".unicodes")
    unicodes.write_text("\n".join("U+%04X" % c for c in sorted(codepoints)))
    subprocess.run(
        [sys.executable, "-m", "fontTools.subset", source, f"--unicodes-file={unicodes}", f"--output-file={out}",
         "--no-hinting", "--desubroutinize", "--layout-features=", "--name-IDs=*", "--notdef-outline"],
        check=True)
    unicodes.unlink()


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    han_extension_out = pathlib.Path(sys.argv[2])
    han_extension_out.mkdir(parents=True, exist_ok=True)
    latin = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x2000, 0x2070)) | {0x20AC, 0x2122, 0x2190, 0x2191, 0x2192, 0x2193, 0x2713, 0x2717, 0x25B2, 0x25BC, 0x2026}
    subset(LATIN_SOURCE, latin, out / "latin.ttf")
    cjk = gb2312_codepoints() | extra_codepoints() | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    subset(CJK_SOURCE, cjk, out / "cjk.ttf")
    symbols = set(SYMBOL_SINGLES)
    for first, last in SYMBOL_BLOCKS:
        symbols |= set(range(first, last + 1))
    subset(SYMBOLS_SOURCE, symbols, out / "symbols.ttf")
    first, last = HAN_EXTENSION_RANGE
    for chunk in range(first, last + 1, HAN_EXTENSION_CHUNK):
        points = set(range(chunk, min(chunk + HAN_EXTENSION_CHUNK - 1, last) + 1))
        subset(HAN_EXTENSION_SOURCE, points, han_extension_out / ("han-%X.ttf" % (chunk >> 12)))


if __name__ == "__main__":
    main()
