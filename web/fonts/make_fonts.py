#!/usr/bin/python3
"""Subsets the shipped fonts from Debian's font packages at build time.

Latin: DejaVu Sans (Latin, Latin-1, punctuation, symbols the UI uses).
CJK:   Droid Sans Fallback (TrueType outlines, which stb_truetype reads well),
       cut to GB2312 plus the rarer characters that occur in people's and
       firms' names (extra_chars.txt), so the download stays small.

Usage: make_fonts.py OUT_DIR
"""
import pathlib
import subprocess
import sys

LATIN_SOURCE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_SOURCE = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
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
    latin = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x2000, 0x2070)) | {0x20AC, 0x2122, 0x2190, 0x2191, 0x2192, 0x2193, 0x2713, 0x2717, 0x25B2, 0x25BC, 0x2026}
    subset(LATIN_SOURCE, latin, out / "latin.ttf")
    cjk = gb2312_codepoints() | extra_codepoints() | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    subset(CJK_SOURCE, cjk, out / "cjk.ttf")


if __name__ == "__main__":
    main()
