"""Opening the counter UI: what ``aftersales tui`` runs, and what bare ``aftersales`` runs without
importing click (click and the command line cost the UI's start ~35 M instructions, 2.5%).

The options' environment variables and defaults are declared here, once: ``aftersales tui``
(``cli/tui.py``) takes an option's value from ``from_environment`` when it is not given, and
bare ``aftersales`` takes every value from it. The language is the command line's one rule
(``message_lang``): ``AFTERSALES_LANG`` read by its start (``en``, ``en_US.UTF-8``: English;
anything else, ``zh_CN.UTF-8`` too: Chinese), as every command reads it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

#: the UI's languages (``--lang``)
LANGS = ("zh", "en")

def _variable(name: str) -> Callable[[], str | None]:
    """The value of the environment variable ``name``, unless it is unset or empty."""
    return lambda: os.environ.get(name) or None


def _lang() -> str:
    """The language as every command reads it (``message_lang``; no ``--lang`` here: click has
    given the option's own, if any)."""
    from . import message_lang

    return message_lang([])


#: ``aftersales tui``'s options: parameter -> what gives its value when it is not given
OPTIONS: dict[str, Callable[[], str | None]] = {
    "db_url": _variable("AFTERSALES_DB"),
    "lang": _lang,
    "store_code": _variable("AFTERSALES_STORE"),
    "staff": _variable("AFTERSALES_STAFF"),
}


def from_environment(name: str) -> str | None:
    """Option ``name``'s value when it is not given (``OPTIONS``)."""
    return OPTIONS[name]()


def open_ui(db_url: str | None, lang: str, store_code: str | None, staff: str | None) -> None:
    """Run the counter UI until it is closed."""
    import gc

    # Starting the UI allocates a great deal (importing Textual, building and styling the first
    # screen) and next to none of it is garbage: the cyclic collector's passes would only delay
    # the first screen. The app turns the collector back on once that screen is shown.
    gc.disable()
    try:
        from aftersales.tui.app import make_app

        make_app(lang=lang, db_url=db_url, store_code=store_code, staff=staff).run()
    finally:
        gc.enable()


def open_bare() -> int:
    """Bare ``aftersales``: the UI opened with the options' environment, as ``aftersales tui``
    opens it, and its exit code."""
    values = {name: from_environment(name) for name in OPTIONS}
    lang = values["lang"]
    from . import say, stopped

    try:
        open_ui(db_url=values["db_url"], lang=str(lang), store_code=values["store_code"], staff=values["staff"])
    except KeyboardInterrupt as exc:
        say("")  # the line click ends before it reports Ctrl-C
        return stopped(exc, [])
    except Exception as exc:
        return stopped(exc, [])
    return 0
