"""Renders culture-cloud.conf.template: `python3 render.py VALUES.env [NAME=VALUE ...]`.

Only the template's ${NAME} placeholders are replaced (from the file, then the arguments); a
placeholder without a value stops the rendering, and nginx's own $variables are left alone.
Standard library only, so it runs on the proxy host without the app installed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("culture-cloud.conf.template")
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def read_values(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def render(values: dict[str, str], template: str | None = None) -> str:
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    missing = sorted(set(_PLACEHOLDER.findall(text)) - values.keys())
    if missing:
        raise KeyError("no value for " + ", ".join(missing))
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__)
    values = read_values(Path(argv[0]))
    for argument in argv[1:]:
        name, _, value = argument.partition("=")
        values[name] = value
    try:
        sys.stdout.write(render(values))
    except KeyError as exc:
        sys.exit(f"render.py: {exc.args[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
