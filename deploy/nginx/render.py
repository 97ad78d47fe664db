"""Renders culture-cloud.conf.template: `python3 render.py VALUES.env [NAME=VALUE ...]`.

Only the template's ${NAME} placeholders are replaced (from the file, then the arguments); a
placeholder without a value stops the rendering, and nginx's own $variables are left alone.
UPSTREAM is a space-separated list: the template's line holding it is written once per entry
(`server 127.0.0.1:8000;`, `server 127.0.0.1:8001;`), and an empty list stops the rendering too.
Standard library only, so it runs on the proxy host without the app installed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("culture-cloud.conf.template")
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
# Placeholders whose value is a space-separated list: their line is repeated per entry.
LISTS = frozenset({"UPSTREAM"})


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
    lines = []
    for line in text.splitlines(keepends=True):
        lists = sorted(set(_PLACEHOLDER.findall(line)) & LISTS)
        if not lists:
            lines.append(line)
            continue
        if len(lists) > 1:
            raise ValueError(f"one list per line: {', '.join(lists)} share one")
        name = lists[0]
        entries = values[name].split()
        if not entries:
            raise ValueError(f"{name} is empty: give at least one address (host:port)")
        lines += [line.replace("${" + name + "}", entry) for entry in entries]
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], "".join(lines))


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__)
    values = read_values(Path(argv[0]))
    for argument in argv[1:]:
        name, _, value = argument.partition("=")
        values[name] = value
    try:
        sys.stdout.write(render(values))
    except (KeyError, ValueError) as exc:
        sys.exit(f"render.py: {exc.args[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
