"""Inline SVG codes for shipping labels: a QR code and a Code 128 barcode of the order number.

Both are markup we generate ourselves: the order number only ever ends up inside geometry (path
data, bar positions) and in an escaped aria-label, so the SVG may be inlined without |safe on user
data. No image library (Pillow) is needed, and nothing is sent to a third party.
"""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Code 128 symbols 0-106 as bar/space module widths (bar first); 106 is the stop pattern.
_CODE128_TABLE = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 "
    "122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 "
    "322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 "
    "112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 "
    "331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 "
    "124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 "
    "411311 113141 114131 311141 411131 211412 211214 211232 2331112"
)
CODE128 = _CODE128_TABLE.split()
START_B, STOP = 104, 106
QUIET_ZONE = 10  # modules of white on each side
CODE128_TEXT = re.compile(r"[ -~]{1,40}")  # what code set B encodes: printable ASCII


def qr_svg(text: str) -> SafeString:
    """`text` (an order number) as an inline SVG QR code, sized by CSS (class "qr")."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Fixed millimetre sizes and the path's id (repeated once per label) go; CSS sizes the code.
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    svg = svg.replace(' id="qr-path"', "")
    label = escape(f"QR code of {text}")
    return mark_safe(svg.replace("<svg ", f'<svg class="qr" role="img" aria-label="{label}" ', 1))  # noqa: S308


def code128_values(text: str) -> list[int]:
    """Symbol values of `text` in code set B: start, data, checksum (mod 103), stop."""
    if not CODE128_TEXT.fullmatch(text):
        raise ValueError("Code 128 B encodes 1-40 printable ASCII characters.")
    data = [ord(char) - 32 for char in text]
    checksum = (START_B + sum(position * value for position, value in enumerate(data, start=1))) % 103
    return [START_B, *data, checksum, STOP]


def code128_modules(text: str) -> list[tuple[int, int]]:
    """The bars of `text` as (x, width) in modules, the quiet zone included."""
    bars, x = [], QUIET_ZONE
    for value in code128_values(text):
        for index, width in enumerate(int(w) for w in CODE128[value]):
            if index % 2 == 0:
                bars.append((x, width))
            x += width
    return bars


def code128_svg(text: str) -> SafeString:
    """`text` as an inline SVG Code 128 barcode (crisp at any print resolution)."""
    bars = code128_modules(text)
    width = bars[-1][0] + bars[-1][1] + QUIET_ZONE
    path = "".join(f"M{x},0h{w}v40h-{w}z" for x, w in bars)
    label = escape(f"Barcode of {text}")
    return mark_safe(  # noqa: S308 - numbers only, and an escaped label
        f'<svg class="barcode" role="img" aria-label="{label}" viewBox="0 0 {width} 40" '
        f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><path d="{path}" fill="#000"/></svg>'
    )
