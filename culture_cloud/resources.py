"""Where the files that ship with the code live: schema/ (the SDL and the Alembic migrations)
and seeds/ (the Jiexiu seed data).

They stay top-level folders of the repository; a built wheel carries copies of them under
culture_cloud/_data/ (setup.py adds them at build time). So an installed package finds its own
copy, and a checkout (editable install, tests) finds the folders themselves. Plain paths, not
importlib.resources: Alembic needs a real directory, and a wheel is always unpacked on disk.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_DATA = PACKAGE_DIR / "_data"
CHECKOUT = PACKAGE_DIR.parent


def is_installed_copy() -> bool:
    """True when running from a built wheel (the data travels inside the package)."""
    return PACKAGED_DATA.is_dir()


def data_path(*parts: str) -> Path:
    """A path under the repository root in a checkout, or its packaged copy in a wheel."""
    return (PACKAGED_DATA if is_installed_copy() else CHECKOUT).joinpath(*parts)
