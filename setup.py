"""Only here to put the top-level schema/ and seeds/ folders inside the wheel, as
culture_cloud/_data/ (see culture_cloud/resources.py and docs/decisions.md); everything else
is declared in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_FOLDERS = ("schema", "seeds")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the folders in place
        target = Path(self.build_lib) / "culture_cloud" / "_data"
        for name in DATA_FOLDERS:
            shutil.copytree(
                ROOT / name,
                target / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"),
                dirs_exist_ok=True,
            )


setup(cmdclass={"build_py": BuildPyWithData})
