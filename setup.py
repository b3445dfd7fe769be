"""Compile the gettext catalogs (.po -> .mo) whenever the package is built or installed."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALES = Path("up2k_cli") / "locales"


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in LOCALES.glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[-3])
            # Next to the .po (editable installs and checkouts) and in the built package.
            for target in {po.with_suffix(".mo"), Path(self.build_lib) / po.with_suffix(".mo")}:
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    write_mo(out, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
