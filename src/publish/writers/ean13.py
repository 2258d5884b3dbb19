"""EAN-13 bar codes, as a printed book carries its ISBN on the back cover.

The symbol (ISO/IEC 15420, GS1 General Specifications): a start guard, six digits in
codes L or G (which of them, digit by digit, encodes the first digit, which has no
bars of its own), a centre guard, six digits in code R, an end guard: 95 modules,
with quiet zones of 11 modules on the left and 7 on the right. At the nominal size
(100 %) a module is 0.33 mm: 37.29 mm by 25.93 mm with the digits under the bars.
"""

from __future__ import annotations

import re
from html import escape

L_CODES = ("0001101", "0011001", "0010011", "0111101", "0100011",
           "0110001", "0101111", "0111011", "0110111", "0001011")
"""Code L (odd parity), by digit: 7 modules, 1 a bar, 0 a space."""
R_CODES = tuple(code.translate(str.maketrans("01", "10")) for code in L_CODES)
"""Code R: code L with bars and spaces swapped."""
G_CODES = tuple(code[::-1] for code in R_CODES)
"""Code G (even parity): code R reversed."""
PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
          "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")
"""The codes of the left half, by the first digit."""
SIDE_GUARD = "101"
CENTRE_GUARD = "01010"

MODULE = 0.33
"""Millimetres per module at the nominal size."""
QUIET_LEFT = 11
QUIET_RIGHT = 7
SYMBOL = 95
"""Modules from the start guard to the end guard."""
WIDTH = QUIET_LEFT + SYMBOL + QUIET_RIGHT
"""Modules, quiet zones included: 113, 37.29 mm."""
HEIGHT = 25.93 / MODULE
"""Modules, the digits under the bars included: 25.93 mm."""
BAR_HEIGHT = 22.85 / MODULE
"""The bars that encode digits: 22.85 mm."""
GUARD_HEIGHT = BAR_HEIGHT + 5
"""The guard bars reach 5 modules lower, between the groups of digits."""
DIGIT_SIZE = 11.5
"""The font size of the digits under the bars, in modules: figures of about 2.7 mm."""


def check_digit(first: str) -> int:
    """The check digit of the first 12 digits: weights 1 and 3, alternating."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first))
    return (10 - total % 10) % 10


def modules(number: str) -> str:
    """The 95 modules of the symbol for 13 digits, from start guard to end guard."""
    if not re.fullmatch(r"\d{13}", number):
        raise ValueError(f"an EAN-13 has 13 digits, not {number!r}")
    if check_digit(number[:12]) != int(number[12]):
        raise ValueError(f"{number} does not end in its check digit "
                         f"{check_digit(number[:12])}")
    codes = {"L": L_CODES, "G": G_CODES}
    left = "".join(codes[parity][int(d)]
                   for parity, d in zip(PARITY[int(number[0])], number[1:7], strict=True))
    right = "".join(R_CODES[int(d)] for d in number[7:])
    return SIDE_GUARD + left + CENTRE_GUARD + right + SIDE_GUARD


def svg(number: str, font: str, ink: str = "device-cmyk(0 0 0 1)") -> str:
    """The symbol at its nominal size as inline SVG: bars and digits in `ink`, the
    digits set in `font`, the quiet zones left clear."""
    bars = modules(number)
    guards = {*range(0, 3), *range(45, 50), *range(92, 95)}
    rects = []
    for run in re.finditer("1+", bars):
        height = GUARD_HEIGHT if run.start() in guards else BAR_HEIGHT
        rects.append(f'<rect x="{QUIET_LEFT + run.start()}" y="0" '
                     f'width="{run.end() - run.start()}" height="{height:.2f}"/>')
    # The first digit stands in the left quiet zone; the others each under their
    # 7 modules.
    centres = [QUIET_LEFT - 4.5]
    centres += [QUIET_LEFT + 3 + 7 * i + 3.5 for i in range(6)]
    centres += [QUIET_LEFT + 50 + 7 * i + 3.5 for i in range(6)]
    baseline = HEIGHT - 0.6
    digits = "".join(f'<text x="{x:g}" y="{baseline:.2f}">{d}</text>'
                     for x, d in zip(centres, number, strict=True))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ean13" '
        f'width="{WIDTH * MODULE:.2f}mm" height="{HEIGHT * MODULE:.2f}mm" '
        f'viewBox="0 0 {WIDTH} {HEIGHT:.2f}">'
        f'<g fill="{escape(ink)}">{"".join(rects)}</g>'
        f'<g fill="{escape(ink)}" font-family="{escape(font)}" font-size="{DIGIT_SIZE}" '
        f'text-anchor="middle">{digits}</g></svg>'
    )
