"""The project's build backend: setuptools, with the engine compiled by mypyc in a wheel.

A wheel (``pip install .``, ``python -m build``) carries the decision path compiled by mypyc from
the same source (``setup.py``, ``COMPILED``), unless ``AFTERSALES_COMPILE=0``. Nothing else
compiles: an editable install (``pip install -e .``) runs the source as it is, so that an edit
takes effect at once and no compiled module stands in for an older text of the file; an sdist
holds the source. (Each hook runs in a process of its own: ``build_wheel`` says to setup.py that
it builds a wheel, and which, through ``AFTERSALES_WHEEL``: ``compiled`` or ``source``.)
"""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every hook setuptools gives, two of them wrapped

#: what compiling asks for beside setuptools: mypyc (it comes with mypy), and msgspec, whose
#: records the compiled modules read (typed by its stubs)
COMPILER = ["mypy>=1.10", "msgspec>=0.19"]


def compiling() -> bool:
    """Whether a wheel built now compiles the engine (``AFTERSALES_COMPILE``, on unless ``0``)."""
    return os.environ.get("AFTERSALES_COMPILE", "1") != "0"


def get_requires_for_build_wheel(config_settings=None):
    return _setuptools.get_requires_for_build_wheel(config_settings) + (COMPILER if compiling() else [])


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    os.environ["AFTERSALES_WHEEL"] = "compiled" if compiling() else "source"
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
