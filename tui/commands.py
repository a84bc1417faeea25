"""The command palette (Ctrl+P): every key binding of the screen in front is also a command.

One source of truth: the palette lists the app's and the screen's bindings (the counter's own
actions, labelled from the translation table, in the UI language; Textual's built-in ones are
left out), so a user who forgets a key can type what they want to do. The
focused widget's editing keys (cursor movement in a field...) are not actions and stay out.
"""

from __future__ import annotations

from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from .i18n import TEXT, t

#: keys as a keyboard's caps say them
_KEY_WORDS = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "escape": "Esc", "enter": "Enter", "tab": "Tab",
              "space": "Space", "delete": "Del", "backspace": "Backspace"}


def key_words(keys: str) -> str:
    """A binding's key as the keyboard says it (``ctrl+n`` → Ctrl+N, ``f5`` → F5), where Textual
    writes ``^n``: the palette and the footer (``AftersalesApp.get_key_display``) say it so.
    Other keys as Textual writes them (``/``)."""
    from textual.keys import format_key

    first = keys.split(",", 1)[0]
    return "+".join(_KEY_WORDS.get(part) or (part.upper() if len(part) == 1 or part[1:].isdigit() else format_key(part))
                    for part in first.split("+"))


class BindingCommands(Provider):
    def _commands(self):
        screen = self.screen
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in seen:
                continue
            if not binding.id or f"key.{binding.id}" not in TEXT:
                continue            # Textual's own (Focus Previous...): not a counter command, and English
            if not isinstance(active.node, (App, Screen)):
                continue
            if binding.action in ("command_palette", "app.command_palette"):
                continue
            seen.add(binding.action)
            callback = partial(self.app.call_later, self._run, active.node, binding.action)
            yield binding.description, key_words(binding.key), callback

    async def _run(self, node, action: str) -> None:
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        if not found and query.strip():
            # said in the UI's language (Textual's own line for this is English); choosing it
            # does nothing but close the palette
            yield Hit(0.01, t("palette.none", self.app.lang), self._nothing, help=t("palette.none_help", self.app.lang))

    async def _nothing(self) -> None:
        return None
