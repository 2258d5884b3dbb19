"""What a manuscript may say in attributes and links: an allow-list, because a
manuscript is untrusted input and an e-book must carry no script.

An attribute list (`{#id .class lang=en}`) may give an id, the classes the
project's stylesheets define and a language; a link may go to the web (http,
https), to a mail address or to an id of the book. Everything else (`onclick`,
`style`, `srcset`, `javascript:` and `file:` addresses ...) is refused.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from publish.load import id_problem

LANG_TAG = r"[a-z]{2,3}(?:-[A-Za-z0-9]+)*"
"""A language tag as a manuscript writes it: `en`, `be`, `en-GB`."""
ALLOWED_KEYS = ("id", "class", "lang")
LINK_SCHEMES = ("http", "https", "mailto")
CLASS_SHEETS = ("epub.css", "print.css")
"""The stylesheets of `styles/` whose classes the text may use (the cover's are its own)."""


def attribute_problem(key: str, value: str | None, classes: frozenset[str]) -> str | None:
    """Why a manuscript may not give the attribute `key` (with `value`), or None."""
    if key not in ALLOWED_KEYS:
        return (f"the attribute {key!r} is not allowed (an attribute list may give only "
                "#id, .class and lang=...)")
    if not value:
        return f"the attribute {key!r} needs a value"
    if key == "id":
        return id_problem(value)
    if key == "lang" and not re.fullmatch(LANG_TAG, value):
        return f"{value!r} is not a language tag (such as en, be or en-GB)"
    undefined = [name for name in value.split() if name not in classes]
    if key == "class" and undefined:
        return (f"the class {undefined[0]!r} is not defined in the stylesheets "
                f"({', '.join(f'styles/{sheet}' for sheet in CLASS_SHEETS)})")
    return None


def link_problem(href: str) -> str | None:
    """Why a manuscript may not link to `href`, or None. A link to an id (`#...`)
    is checked against the ids of the book by the caller."""
    if href.startswith("#"):
        return None
    parts = urlsplit(href)
    if parts.scheme in LINK_SCHEMES and (parts.netloc or parts.scheme == "mailto"):
        return None
    return (f"the link {href!r} is not allowed: a link may go to an http(s):// address, "
            "a mailto: address or an id of the book (#...)")
