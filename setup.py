"""The metadata is in pyproject.toml; this file only says where the packages are: studio/ and, inside
it, the top-level presets/ and assets/ folders (which stay at the top of the repository)."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["studio", "studio.*"]) + ["studio.presets", "studio.assets"],
      package_dir={"studio.presets": "presets", "studio.assets": "assets"})
