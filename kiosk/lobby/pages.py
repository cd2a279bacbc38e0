"""The lobby service's HTML pages: package-data templates filled with `string.Template`.

No template engine: a page is static HTML plus a few `$name` slots, each filled with escaped text or
with a JSON document inside `<script type="application/json">` that the page's plain JavaScript
reads. Everything the page shows is drawn by that JavaScript from the same JSON the stream sends,
so the first paint and every update go through one path.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

STATIC_DIR = Path(str(resources.files("kiosk.lobby") / "static"))


@cache
def _template(name: str) -> Template:
    return Template((resources.files("kiosk.lobby") / "templates" / name).read_text(encoding="utf-8"))


def script_json(value: object) -> str:
    """JSON safe inside a <script> element: no "</" can end it early, no "<!--" open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(name: str, *, raw: dict[str, str] | None = None, **values: str) -> str:
    """`values` are escaped as HTML text; `raw` goes in as is (JSON from script_json)."""
    slots = {key: html.escape(value, quote=True) for key, value in values.items()}
    slots.update(raw or {})
    return _template(name).substitute(slots)
