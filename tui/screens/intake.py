"""Intake (受理): every field of the case file on the left, the decision forming on the right.

Each change (a key typed, a box ticked, an option chosen) updates ``FormState``, checks that
one field, builds the case and decides it on the spot (the engine takes well under a
millisecond), then hands the decision to the panel. A field that does not validate shows its
message under it and is left out of the decision; Save stays disabled until every field is
valid and the customer's name and phone are given. Saving runs in a worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Button, Select, Static
from textual.widgets.select import InvalidSelectValueError

from aftersales.core.vocab import CONDITIONS, COVERAGE_PLANS, DOCUMENTS
from aftersales.store.localday import shown_moment

from .. import compat
from ..app import key
from ..form import BY_PATH, BY_WIDGET, CHECK, FIELDS, FIRST_FIELD, OPTION_IDS, SECTIONS, FormState, complete
from ..i18n import error_line, field_label, listed, t, value_text, vocab
from ..messages import CaseEvaluated, CaseSaved, CaseSaveFailed, SameUnitFound, UnitKnown
from ..widgets.decision_panel import DecisionPanel
from ..widgets.text import Wrapped, update_static
from ..widgets.titlebar import TitleBar
from .base import CounterScreen, FormGrid, FormInput, FormScroll, TypedSelect

if TYPE_CHECKING:  # the lower sections' widgets are imported when those are mounted
    from textual.widgets import Checkbox

    from ..widgets.ticks import TickList

_PLACEHOLDER = {"date": "placeholder.date", "count": "placeholder.count"}
#: the rules of the form's lower sections and of the Save bar (read as they mount)
REST_CSS_PATH = Path(__file__).parent.parent / "form-rest.tcss"
#: the sections ticked in a list: section -> (list widget id, vocabulary kind, FormState attribute)
#: mounted with the screen; the sections below follow right after the first paint
FIRST_SECTIONS = SECTIONS[:2]
#: the first screen's field whose note has something to say from the start (the region's hint:
#: how the region is found, or that it is not): made with it, not mounted as the screen mounts
_NOTED_AT_START = "device.region"
TICK_LISTS = {"sec.documents": ("docs", "document", "documents"),
              "sec.condition": ("conds", "condition", "conditions"),
              "sec.plans": ("plans", "coverage_plan", "plans")}
_TICK_LIST_IDS = frozenset(list_id for list_id, _, _ in TICK_LISTS.values())


def _for(message: Any, form: FormState | None) -> Any:
    """``message`` marked as the answer for ``form``."""
    message.form = form
    return message


def _empty(widget: Any) -> bool:
    """Whether a field of the form holds nothing yet (a blank text, no option chosen)."""
    value = widget.value
    return value is Select.NULL or value is None or (isinstance(value, str) and not value.strip())


def _changed_paths(before: dict[str, Any], after: Any) -> set[str]:
    """The case fields (``purchase.date``, ``activation_date``) whose values differ between two
    case inputs."""
    out: set[str] = set()
    for section in set(before) | set(after):
        old, new = before.get(section), after.get(section)
        if isinstance(old, dict) or isinstance(new, dict):
            old, new = old or {}, new or {}
            out |= {f"{section}.{key}" for key in set(old) | set(new) if old.get(key) != new.get(key)}
        elif old != new:
            out.add(section)
    return out


def jump_key(section: str) -> str:
    """The key to a section of the form: F5 for the first, F6 for the next... (F1-F4 are the
    app's modes and language)."""
    return f"f{5 + SECTIONS.index(section)}"


def plan_brands(registry: Any) -> dict[str, frozenset[str]]:
    """Each service plan the loaded policies read (``coverage_plans: {includes: ...}``) with the
    brands of the policies that read it; a plan a policy for every brand reads is left out (it
    belongs to none). Asked only while a plan is ticked."""
    if registry is None:
        return {}
    found: dict[str, set[str]] = {}
    anyone: set[str] = set()
    for policy in registry.all_policies():
        data = policy.data
        for section in ("offers", "exclusions", "notices"):
            for item in data.get(section) or ():
                when = item.get("when") if isinstance(item, dict) else None
                plan = when.get("coverage_plans") if isinstance(when, dict) else None
                plan = plan.get("includes") if isinstance(plan, dict) else None
                if isinstance(plan, str):
                    if policy.brands is None:
                        anyone.add(plan)
                    else:
                        found.setdefault(plan, set()).update(policy.brands)
    return {plan: frozenset(brands) for plan, brands in found.items() if plan not in anyone}

#: a text field this long or longer is prose: Tab into it does not select its text
PROSE_LENGTH = 200

#: what a case is about: changed in a correction, it may be asked about first (``IntakeScreen._identity_changes``)
IDENTITY = ("customer.name", "brand", "device.imei", "device.serial")

class IntakeScreen(compat.StyledOnFirstResume, compat.LaidOutAtItsSize, compat.LaidOutOncePerChange, CounterScreen):
    AUTO_FOCUS = ""        # the first field is focused after the first paint (_first_paint)
    #: Enter on a dropdown's list chooses and moves on, as Enter does in a field (``tui.keyorder``)
    advance_after_choice = True
    BINDINGS = [
        key("ctrl+s", "save", "save"),
        key("ctrl+n", "new_case", "new"),
        # out of the footer, which is full at 80 columns: the panel says Ctrl+O itself, and F1 is
        # this screen's own key (both in the palette)
        key("ctrl+o", "citations", "citations", show=False),
        key("f1", "app.to_intake", "intake", show=False),
        key("ctrl+g", "toggle_auto_advance", "auto_advance", show=False),   # in the palette; the footer is full at 80 columns
        key("ctrl+t", "mail_in", "mail_in", show=False),                    # the mail-in agreement and repair kind
        # F5... to each section, in order (also in the command palette)
        *(key(jump_key(section), f"jump('{section}')", f"jump_{section[4:]}", show=False, priority=True)
          for section in SECTIONS),
        # Tab moves on at once (before the keys after it are handled); a scanner's Tab or Enter
        # right after a field that moved on by itself is not a second move
        # (no label: editing keys, not commands for the footer or the palette)
        Binding("tab", "next_field", show=False, priority=True),
        Binding("enter", "scanner_suffix", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(id="intake")
        self.form = FormState.blank(self.app.today())
        self.field_errors: dict[str, str] = {}
        self.case_error: tuple[str, str] | None = None   # (field path, message) from parse_case
        self.decision: dict[str, Any] | None = None
        self.saved_number: str | None = None
        #: the saved case this form corrects (after its first save, or "correct" on a case): Ctrl+S
        #: then corrects that case in place instead of taking in another
        self.correcting: str | None = None
        #: the brand, IMEI, serial and customer's name of the case corrected, as saved: changing
        #: one is asked about first (another customer typed over a saved case would correct it)
        self._identity_saved: dict[str, str] | None = None
        self._identity_ok = False   # asked, and the clerk said it corrects this case
        self._sent_form: FormState | None = None   # the form the save running was sent from
        self._save_waiting = False  # a Ctrl+S for another form came while a save ran (``action_save``)
        self._phone_saved = ""            # the phone as saved (a correction sends it only if changed)
        #: the mail-in agreement as entered (None: brought to the counter) and the repair kind (Ctrl+E)
        self.mail_in: dict[str, Any] | None = None
        self.repair_kind = "simple"
        self._same_unit_seen: tuple[str, ...] = ()   # open cases of this unit the clerk was shown
        self._backdate_ok = ""                          # an intake date before today the clerk confirmed
        self._unit_asked: tuple[str, str] = ("", "")      # the unit last asked of the store (IMEI, serial)
        #: the values the store's history of that unit put into the form (a replacement's purchase
        #: date), each with the value before, for the form they were put in: taken back when
        #: another unit is typed (``_forget_unit``)
        self._unit_filled: tuple[Any, dict[str, tuple[Any, Any]]] = (None, {})
        self.saving = False
        self._save_offered = False   # Ctrl+S enabled in the footer (``_update_save``)
        self._sent: FormState | None = None   # the form as it was when Ctrl+S sent it (``_show_saved``)
        self._shown_errors: dict[str, str] = {}
        self._plans: tuple[str, ...] = tuple(COVERAGE_PLANS)
        self._loading = False
        self._resumed = False
        self.complete = False   # every section mounted (the lower ones follow the first decision)
        self._completing = False
        self._complete_timer: Any = None
        self._advanced_at = -1  # the key (``app.keys_taken``) that completed a field and moved on
        self._draft_timer: Any = None
        #: a draft of the last session is waiting to be offered (``_offer_draft``): until then the
        #: draft file is left as that session left it
        self._draft_waiting = False
        self._hide_after_click: list[Static] = []
        #: drop-downs typed into with a word that begins none of their options: field path -> the
        #: word (said in the field's note, with what there is to choose, until an option is chosen)
        self._typed_misses: dict[str, str] = {}

    # --- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        yield TitleBar()
        # the form and the panel side by side (the screen lays them out in a row, between the
        # docked title line, Save bar and Footer: no container of their own)
        with FormScroll(id="form"):
            for section in FIRST_SECTIONS:
                yield from self._section(section, lang)
        yield DecisionPanel(id="panel")
        # the Save bar: the Save button follows the first paint with the lower sections (nothing
        # can be saved before the store opens, after them, and a Button's stylesheet is the
        # longest of Textual's widgets to parse); until then its status line stands alone where
        # the bar will be, in the place it keeps there (``no-button``)
        # (blocked: a blank form cannot be saved, nor anything before the store opens)
        yield Static("", id="save-status", classes="no-button blocked")
        # the Footer (a widget per key, each restyled as it mounts) follows the first paint

    def _section(self, section: str, lang: str) -> list[Widget]:
        """A section's title and its fields: one grid (label | field, the note under the field:
        three widgets a field, so a frame has few widgets to paint), or one tick list. The first
        screen's sections come without their notes (``_add_notes``)."""
        if section in TICK_LISTS:
            title = Static(self._title(section, lang), classes="section-title", id=f"s-{section[4:]}")
            from ..widgets.ticks import TickList

            return [title, TickList(*self._ticks(section, lang), id=TICK_LISTS[section][0], compact=True,
                                    on_change=self._ticked)]
        notes = section not in FIRST_SECTIONS
        fields = [w for f in FIELDS if f.section == section for w in self._field(f, lang, note=notes)]
        # the section draws its own title and labels (``FormGrid``)
        return [FormGrid(*fields, title=self._title(section, lang), labels=self._labels(section, lang),
                         classes="fields", id=f"s-{section[4:]}")]

    @staticmethod
    def _labels(section: str, lang: str) -> dict[str, str]:
        """The labels a section draws beside its fields (a check box has its own)."""
        return {f.widget_id: field_label(f.path, lang) for f in FIELDS if f.section == section and f.kind != CHECK}

    @staticmethod
    def _title(section: str, lang: str) -> Text:
        """A section's title with the key that jumps to it."""
        return Text.assemble(t(section, lang), ("  " + jump_key(section).upper(), "dim not bold"))

    def action_jump(self, section: str) -> None:
        """To a section: its title at the top of the form, and the focus on what the clerk has
        come there for: its first field marked wrong (a phone number a digit short: not the name
        before it, which typing would replace), else its first field still empty (F6 lands on the
        brand, not on the intake date the form filled in with today; not in a correction), else
        its first field. The text is selected, so that what is typed replaces it (the field
        focused already too)."""
        title = self._find(f"#s-{section[4:]}")
        if title is None or section not in SECTIONS:
            return                  # not mounted yet
        if section in TICK_LISTS:
            target = self._find(f"#{TICK_LISTS[section][0]}")
        else:
            fields = [w for f in FIELDS if f.section == section and f.kind != CHECK
                      for w in [self._find(f"#{f.widget_id}")] if w is not None]
            # (a correction changes what was saved: its empty fields are the ones left out on
            # purpose, so the section's first field, where F7 then typing put the purchase date
            # into the receipt date)
            target = next((w for w in fields if w.has_class("invalid")),
                          next((w for w in fields if _empty(w) and not self.correcting), fields[0] if fields else None))
        if target is not None:
            if target.has_focus and isinstance(target, FormInput) and target.select_on_focus:
                target.select_all()     # focusing it again would not select it
            target.focus(scroll_visible=False)
        self.query_one("#form", FormScroll).scroll_to_widget(title, animate=False, top=True)

    def _ticks(self, section: str, lang: str) -> list[tuple[str, str, bool]]:
        _, kind, attr = TICK_LISTS[section]
        chosen = getattr(self.form, attr)
        return [(vocab(kind, ident, lang), ident, ident in chosen) for ident in self._tick_ids(section)]

    def _tick_ids(self, section: str) -> tuple[str, ...]:
        if section == "sec.documents":   # the bundled papers, then the ids the loaded policies declare
            from aftersales.core.vocab import EXTENDED_DOCUMENTS

            return tuple(DOCUMENTS) + tuple(EXTENDED_DOCUMENTS)
        if section == "sec.condition":
            return tuple(CONDITIONS)
        return self._plans

    def _field(self, f, lang: str, *, note: bool = True) -> list[Widget]:
        value = self.form.values.get(f.path)
        if f.kind == CHECK:
            from ..widgets.ticks import TickBox

            return [TickBox(field_label(f.path, lang), bool(value), id=f.widget_id, compact=True, classes="wide")]
        widget: Widget
        if f.kind == "select":
            widget = TypedSelect(self._options(f, lang), names=self._names(f), value=value or Select.NULL,
                                 allow_blank=True, prompt=self._prompt(f, lang), id=f.widget_id, compact=True)
        else:
            placeholder = t(_PLACEHOLDER[f.kind], lang) if f.kind in _PLACEHOLDER else ""
            bounds = f.spec
            if f.kind == "count" and bounds is not None and bounds.maximum is not None and bounds.maximum <= 100:
                placeholder = f"{bounds.minimum or 0}–{bounds.maximum}"      # a small bounded count: its range
            # a field of prose (the fault's description) keeps its text when Tab reaches it: selected,
            # as a number's field is for the next scan, it went at the first stray key
            prose = bounds is not None and (bounds.max_length or 0) >= PROSE_LENGTH
            widget = FormInput(str(value or ""), placeholder=placeholder, id=f.widget_id, compact=True,
                               on_change=self._typed, on_submit=self._submitted, select_on_focus=not prose)
        if f.path == _NOTED_AT_START:
            return [widget, self._note(f, hint=True)]
        return [widget, self._note(f)] if note else [widget]

    @staticmethod
    def _note(f, hint: bool = False) -> Static:
        """The line under ``f``'s field: hidden until it has something to say (``_set_note``)."""
        # (a plain Static: a class of its own costs ~3 M instructions to define as the UI starts)
        return Static("", classes="field-error hint" if hint else "field-error", id=f.error_id)

    def _add_notes(self) -> None:
        """The note lines of the first screen's fields, each under its field (hidden). They are
        made after the first decision with the rest of the form (a widget each: the first screen
        waits for none of them); a note needed before is made then (``_set_note``)."""
        for f in FIELDS:
            if f.section in FIRST_SECTIONS and f.kind != CHECK and self._find(f"#{f.error_id}") is None:
                field = self.query_one(f"#{f.widget_id}")
                assert field.parent is not None
                field.parent.mount(self._note(f), after=field)

    def _find(self, selector: str) -> Any:
        """The widget, or ``None`` while its section is not mounted yet."""
        try:
            return self.query_one(selector)
        except NoMatches:
            return None

    def _prompt(self, f, lang: str) -> str:
        if f.path == "device.region":
            return t("region.auto", lang)
        return t("select.none", lang)

    def _names(self, f) -> dict[str, tuple[str, ...]]:
        """Per option, the words a clerk may type to choose it: its id and both labels (a brand's
        aliases too: pinyin, initials)."""
        if f.options == "brand":
            brands = getattr(self.app.registry, "brands", {}) or {}
            return {bid: (bid, b.label_zh, b.label_en, *b.aliases) for bid, b in brands.items()}
        return {oid: (oid, vocab(f.options, oid, "zh"), vocab(f.options, oid, "en")) for oid in OPTION_IDS[f.options]}

    def _options(self, f, lang: str) -> list[tuple[str, str]]:
        """The drop-down's (label, id) pairs in ``lang``: from the same words as ``_names``."""
        return [(words[1] if lang == "zh" else words[2], value) for value, words in self._names(f).items()]


    def on_mount(self) -> None:
        self.app.intake = self
        path = self.app.draft_path
        self._draft_waiting = path is not None and path.exists()
        self._fill_brand_default()
        self.recompute()
        # focused now, not with the first decision: what the clerk types as the UI comes up
        # (the terminal holds it until Textual reads it) lands in the first field
        self._focus_first()
        self.app.call_after_display(self._first_paint)

    async def _first_paint(self) -> None:
        """After the first paint: the last session's draft offered back, if there is one, and
        the policies loaded. The sections below the first screenful and the Footer follow the
        frame that shows the panel's first decision with them (or their loading failed): done
        meanwhile, all of it would compete with the loading for the interpreter and delay the
        first decision."""
        if self._draft_waiting:
            # asked as soon as the screen is up, before the clerk has typed much: the question's
            # guard takes the keys typed in its first moments (see ``ConfirmDialog``)
            self._offer_draft()
        if self.app.registry is None and self.app.registry_error is None and self.app.load_policies():
            # registry_changed completes the form; this covers policies that take long to load
            self._complete_timer = self.set_timer(1.0, self._complete)
            return
        await self._complete()

    async def _complete(self) -> None:
        """Mount the sections below the first screenful and the Footer, then let the app open
        the store (once)."""
        if self._completing:
            return
        self._completing = True
        if self._complete_timer is not None:
            self._complete_timer.stop()
        lang = self.app.lang
        self.app.read_stylesheet(REST_CSS_PATH)     # the lower sections' and the Save bar's rules
        rest = [w for section in SECTIONS if section not in FIRST_SECTIONS for w in self._section(section, lang)]
        await self.query_one("#form", FormScroll).mount_all(rest)
        self._add_notes()
        save = Button(t("key.save", lang), id="save", variant="primary", disabled=self.blocked() is not None,
                      compact=True)
        with self.app.batch_update():   # the bar in the status line's place, in one frame
            alone = self.query_one("#save-status")
            # (the status line alone is found first until it goes: what changes meanwhile is said
            # there, and then in the bar's)
            await self.mount(Horizontal(save, Static("", id="save-status"), id="save-bar"))
            await alone.remove()
            self._update_save()
        from ..widgets.footer import KeysFooter

        await self.mount(KeysFooter())
        if self._find("#panel") is None:
            return                      # the app is closing: the screen's widgets are going
        # a Footer shows the keys once the screen says its bindings changed: the first field may
        # have been focused already (with the first decision), so say it now
        self.refresh_bindings()
        self.complete = True
        self._load_widgets()            # what changed in the form meanwhile
        self._shown_errors = {}         # notes of the new sections
        self._region_hint = None
        self.recompute()
        self._focus_first()
        self.app.first_screen_shown()

    def _focus_first(self) -> None:
        """The first field focused, unless something else is (or the app is not focused)."""
        if self.focused is None and self.app.app_focus:
            # at once (``Widget.focus`` waits for the app's next turn: keys already read, a
            # scanner's or a typist's as the UI comes up, would go to no field meanwhile)
            self.set_focus(self.query_one(f"#{FIRST_FIELD.widget_id}"), scroll_visible=False)

    # --- reacting to the app -----------------------------------------------------------------

    def registry_changed(self) -> None:
        if not self.is_mounted:
            return
        select = self.query_one("#f-brand", TypedSelect)
        if select.list_gone or not select.query_children("SelectCurrent"):
            return      # the app is closing (the policies came in as it quits): the drop-down's parts are gone
        current = self.form.values.get("brand")
        select.set_names(self._names(BY_PATH["brand"]))
        with self.prevent(Select.Changed):
            select.set_options(self._options(BY_PATH["brand"], self.app.lang))
            if current and current in (getattr(self.app.registry, "brands", {}) or {}):
                select.value = current
        select.choose_pending()     # a brand typed before the policies (and so the brands) came
        self._fill_brand_default()
        self._sync_document_ticks()
        self.recompute()
        if not self._completing:    # the panel has decided: the rest of the form after this frame
            self._focus_first()
            self.app.call_after_display(self._complete)

    def _sync_document_ticks(self) -> None:
        """The documents tick list offers the ids the policies in force declare (a network's
        checklist items): added after the bundled ones, or the list rebuilt when they changed."""
        ticks = self._find(f"#{TICK_LISTS['sec.documents'][0]}")
        if ticks is None:
            return
        wanted = self._tick_ids("sec.documents")
        shown = tuple(ticks.get_option_at_index(i).value for i in range(ticks.option_count))
        if shown == wanted:
            return
        lang = self.app.lang
        chosen = self.form.documents
        if shown == wanted[:len(shown)]:
            ticks.add_options([(vocab("document", i, lang), i, i in chosen) for i in wanted[len(shown):]])
            return
        ticks.clear_options()
        ticks.add_options([(vocab("document", i, lang), i, i in chosen) for i in wanted])

    def store_changed(self) -> None:
        if self.is_mounted:
            self._update_save()

    def _fill_brand_default(self) -> None:
        """With exactly one brand loaded, choose it (otherwise staff choose)."""
        registry = self.app.registry
        brands = list(getattr(registry, "brands", {}) or {})
        if len(brands) == 1 and not self.form.values.get("brand"):
            self.form.set("brand", brands[0])
            with self.prevent(Select.Changed):
                self.query_one("#f-brand", Select).value = brands[0]

    def relabel(self) -> None:
        super().relabel()
        lang = self.app.lang
        if self.title is not None and self.correcting:
            self.title = t("intake.correcting", lang, title=t("app.title", lang), number=self.correcting)
        for section in SECTIONS:
            title = self._find(f"#s-{section[4:]}")
            if isinstance(title, FormGrid):
                title.set_labels(self._title(section, lang), self._labels(section, lang))
            elif title is not None:
                title.update(self._title(section, lang))
        for f in FIELDS:
            widget = self._find(f"#{f.widget_id}")
            if widget is None:
                continue
            if f.kind == CHECK:
                widget.label = field_label(f.path, lang)
                continue
            if f.kind == "select":
                value = self.form.values.get(f.path)
                with self.prevent(Select.Changed):
                    widget.set_options(self._options(f, lang))
                    widget.prompt = self._prompt(f, lang)
                    if value:
                        widget.value = value
        for section, (list_id, kind, _) in TICK_LISTS.items():
            ticks = self._find(f"#{list_id}")
            if ticks is None:
                continue
            for i, ident in enumerate(self._tick_ids(section)):
                ticks.replace_option_prompt_at_index(i, vocab(kind, ident, lang))
        save = self._find("#save")
        if save is not None:
            save.label = t("key.save", lang)
        self._shown_errors = {}
        self._region_hint = None
        self.recompute()

    # --- changes -----------------------------------------------------------------------------

    def _typed(self, widget: FormInput, value: str) -> None:
        """A form field's value changed (called inside the key's handling: same frame)."""
        if self._loading:
            return
        f = BY_WIDGET.get(widget.id or "")
        if f is not None and self.form.values.get(f.path) != value:
            self.form.set(f.path, value)
            self.changed()
            if self.app.auto_advance and complete(f, value):
                # once the key is done (the cursor moves after the value changes), before the next
                widget.call_next(self._completed, widget)

    def _completed(self, widget: FormInput) -> None:
        """A field complete with the cursor at its end moves on (auto-advance)."""
        f = BY_WIDGET.get(widget.id or "")
        if f is not None and widget.has_focus and widget.cursor_at_end and complete(f, widget.value):
            self._advanced_at = self.app.keys_taken
            self.focus_next()

    def _submitted(self, widget: FormInput) -> None:
        """Enter in a field: on to the next one (before the keys after the Enter are handled)."""
        if widget.has_focus:
            self.focus_next()

    def _after_completion(self) -> bool:
        """Whether the key being handled directly follows a key that completed a field and moved
        on (a scanner ends what it sends with a Tab or an Enter: not a second move)."""
        after = self._advanced_at >= 0 and self.app.keys_taken == self._advanced_at + 1
        self._advanced_at = -1
        return after

    def action_next_field(self) -> None:
        if not self._after_completion():
            self.focus_next()

    def action_scanner_suffix(self) -> None:
        if self._after_completion():
            return
        focus_id = getattr(self.focused, "id", None) or ""
        f = BY_WIDGET.get(focus_id)
        if (f is not None and f.kind in ("select", CHECK)) or focus_id in _TICK_LIST_IDS:
            # a closed drop-down (what was typed on it chosen), a check box, a tick list: Enter
            # moves on, as in a field (Space opens the list or ticks; Down opens the list too)
            self.focus_next()
            return
        raise SkipAction()     # Enter does what it does in the focused widget (a field moves on)

    def action_toggle_auto_advance(self) -> None:
        app = self.app
        app.auto_advance = not app.auto_advance
        app.notify(t("auto_advance.on" if app.auto_advance else "auto_advance.off", app.lang), timeout=3)

    def on_input_changed(self, event: FormInput.Changed) -> None:
        self._typed(event.input, event.value)     # already done, unless on_change was not set

    def on_select_changed(self, event: Select.Changed) -> None:
        f = BY_WIDGET.get(event.select.id or "")
        if f is not None:
            value = "" if event.value is Select.NULL else event.value
            if value:
                self._typed_misses.pop(f.path, None)
            if self.form.values.get(f.path) == value:
                return
            self.form.set(f.path, value)
            self.changed()

    def on_typed_select_nothing_matched(self, event: TypedSelect.NothingMatched) -> None:
        """A word that begins no option was typed into a drop-down (which is left blank: its
        change came first): its note says so and what there is to choose."""
        f = BY_WIDGET.get(event.select.id or "")
        if f is None:
            return
        self._typed_misses[f.path] = event.typed
        self._show_errors()

    def _typed_miss(self, f) -> str:
        """The note for a word typed into ``f`` that begins none of its options ("" if none)."""
        typed = self._typed_misses.get(f.path)
        if typed is None:
            return ""
        lang = self.app.lang
        labels = [label for label, _ in self._options(f, lang)]
        return t("select.no_match", lang, field=field_label(f.path, lang), typed=typed,
                 options=listed(labels, lang))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        f = BY_WIDGET.get(event.checkbox.id or "")
        if f is not None and self.form.values.get(f.path) != event.value:
            self.form.set(f.path, event.value)
            self.changed()

    def _ticked(self, ticks: TickList) -> None:
        """A paper, condition or plan ticked or unticked (inside the key's handling: same frame)."""
        if self._loading:
            return
        attr = {list_id: attr for list_id, _, attr in TICK_LISTS.values()}.get(ticks.id or "")
        if attr is None:
            return
        chosen = set(ticks.selected)
        if chosen != getattr(self.form, attr):
            setattr(self.form, attr, chosen)
            self.changed()

    def changed(self) -> None:
        self.saved_number = None
        self.recompute()
        self._draft_later()

    # --- the draft ---------------------------------------------------------------------------

    def _draft_later(self) -> None:
        """Write the draft shortly (one write for a burst of keys)."""
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(0.5, self.write_draft)

    def write_draft(self) -> None:
        """The form as it is now into the draft file (removed when there is nothing unsaved)."""
        from .. import draft

        self._draft_timer = None
        path = self.app.draft_path
        if path is None or self._draft_waiting:
            return                  # the last session's draft is not written over before it is offered
        try:
            if self.unsaved:
                draft.write(path, self.form, self.app.now())
            else:
                draft.remove(path)
        except OSError:
            pass                    # a draft is a convenience: the form itself is unaffected

    def on_unmount(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self.write_draft()

    def _offer_draft(self) -> None:
        """At start-up: a draft left by a session that ended without saving is offered back."""
        from .. import draft
        from .confirm import ConfirmDialog

        path = self.app.draft_path
        # a draft left by the last session only (one found as the screen mounted, ``_draft_waiting``:
        # nothing has been written over it since)
        waiting = self._draft_waiting and path is not None and path.exists()
        found = draft.read(path, FormState.blank(self.app.today())) if waiting else None
        if found is None:
            self._draft_waiting = False
            self.write_draft()      # what the clerk typed meanwhile, if anything
            return
        form, when = found
        lang = self.app.lang
        name = str(form.values.get("customer.name") or "").strip() or "—"
        question = t("draft.offer", lang, name=name, when=shown_moment(when))

        def answered(yes: bool | None) -> None:
            self._draft_waiting = False
            if yes:
                brands = getattr(self.app.registry, "brands", None)
                if brands is not None and form.values.get("brand") not in brands:
                    form.values["brand"] = ""       # a brand no longer loaded
                self.form = form
                self.saved_number = None
                self.load_form()
                self.to_start()
            elif path is not None:
                draft.remove(path)
                self.write_draft()  # what the clerk typed meanwhile, if anything

        self.app.push_screen(ConfirmDialog(question, t("draft.restore", lang), no=t("draft.discard", lang), safe_yes=True,
                                           escape="ignore"), answered)

    # --- deciding ----------------------------------------------------------------------------

    def recompute(self) -> None:
        """Check the fields, decide the case, update the panel and the Save button."""
        lang = self.app.lang
        self.field_errors = self.form.errors(lang)
        if self._forget_unit():
            self.field_errors = self.form.errors(lang)
        self._ask_about_unit()
        registry = self.app.registry
        panel = self.query_one("#panel", DecisionPanel)
        problems: list[tuple[str, str]] = []
        self.case_error = None
        decision = None
        if registry is None:
            if self.app.registry_error:
                problems.append(("bold red", t("panel.no_policies", lang, error=self.app.registry_error)))
            else:
                problems.append(("italic", t("panel.loading", lang)))
        else:
            mapping = self.form.build(lang, self.field_errors)
            if not mapping["device"].get("model"):
                mapping["device"]["model"] = "—"   # the model never changes the decision; Save still needs it
            from aftersales.core.errors import CaseError

            try:
                case = registry.parse_case(mapping, today=self.app.today())
            except CaseError as exc:
                path = (exc.field or "").split("[", 1)[0]
                message = exc.text(lang)
                self.case_error = (path, message)
                problems.append(("bold yellow", t("panel.incomplete", lang, field=field_label(path, lang) if path else "",
                                                  message=message)))
            else:
                from aftersales.core.errors import QuarantineError

                try:
                    decision = registry.evaluate(case).to_dict()
                except QuarantineError as exc:   # its brand's plugin is quarantined: where, why, what to do
                    problems.append(("bold red", exc.text(lang)))
                except Exception as exc:   # the engine's own error (``EngineError``) says itself in both languages
                    problems.append(("bold red", exc.text(lang) if hasattr(exc, "text") else
                                     f"{t('panel.engine_error', lang)}: {type(exc).__name__}: {exc}"))
        if self.field_errors:
            names = listed((field_label(p, lang) for p in self.field_errors
                            if p.startswith(("device", "purchase", "case", "activation", "fault", "history"))), lang)
            if names:
                problems.append(("yellow", t("panel.ignored", lang, fields=names)))
        brand = str(self.form.values.get("brand") or "")
        owners = plan_brands(registry) if brand and self.form.plans else {}
        others = [plan for plan in sorted(self.form.plans) if plan in owners and brand not in owners[plan]]
        if others:   # another brand's plan ticked: no term of this brand reads it, and it would print on the ticket
            from aftersales.core.plugininfo import brand_name

            problems.append(("yellow", t("panel.plan_brand", lang, plans=listed(
                (vocab("coverage_plan", plan, lang) for plan in others), lang),
                brand=brand_name(getattr(registry, "brands", None), brand, lang))))
        self.decision = decision
        from ..region import region_note

        self._region_note = region_note(registry, decision, self.form.values, lang)
        if getattr(self, "_titles_for", None) != (registry, lang):
            self._titles_for = (registry, lang)
            self._titles = {}           # (no policy has a title before the policies load)
            if registry is not None:
                from aftersales.core.plugininfo import policy_titles

                self._titles = policy_titles(registry, lang)
        panel.show_decision(decision, problems=problems, lang=lang, region_note=self._region_note,
                            titles=self._titles, policies=registry.all_policies() if registry is not None else ())
        self._show_errors()
        self._show_region()
        self._update_save()
        self.post_message(CaseEvaluated(decision, problems[0][1] if problems else None))

    def _show_errors(self) -> None:
        errors = dict(self.field_errors)
        if self.case_error and self.case_error[0] in BY_PATH and self.case_error[0] not in errors:
            errors[self.case_error[0]] = self.case_error[1]
        notes = dict(errors)
        for path in self._typed_misses:      # a word typed into a drop-down that chose nothing
            miss = self._typed_miss(BY_PATH[path])
            notes[path] = f"{errors[path]}{t('note.then', self.app.lang)}{miss}" if path in errors else miss
        # a confirmation beside a good IMEI
        imei = self.form.values.get("device.imei") or ""
        if imei.strip() and "device.imei" not in errors:
            notes["device.imei"] = t("ok.imei", self.app.lang)
        for path in set(self._shown_errors) | set(notes):
            msg = notes.get(path, "")
            if self._shown_errors.get(path, "") == msg:
                continue
            f = BY_PATH.get(path)
            if f is None or f.kind == CHECK:
                continue
            widget = self._find(f"#{f.widget_id}")
            if widget is None:
                continue                # not mounted yet: shown once it is
            self._set_note(f, msg)
            widget.set_class(path in errors, "invalid")
        self._shown_errors = notes      # (reset once the lower sections are mounted)

    def _set_note(self, f, text: str, *, hint: bool = False) -> None:
        """Show ``text`` on the line under ``f`` (empty: nothing to say).

        Showing or hiding the line moves everything below it, and that lays out the whole
        screen (more than a frame on this form). So the line of the field being edited stays
        once it has appeared, blank when there is nothing to say, until the field is left
        (``on_descendant_blur``): typing into a field shows its line at most once, whatever
        the message does key by key.

        The first screen's fields get their lines after the first decision (``_add_notes``); one
        with something to say before is made now, under its field."""
        widget = self._find(f"#{f.error_id}")
        if widget is None:
            if not text:
                return
            field = self.query_one(f"#{f.widget_id}")
            widget = self._note(f, hint)
            assert field.parent is not None
            field.parent.mount(widget, after=field)
        widget.set_class(hint, "hint")
        show = bool(text) or (widget.display and self._editing(f))
        if widget.display != show:
            widget.display = show
        # wrapped as Chinese is set: Textual folds a note by cells, a line began with "、"
        update_static(widget, Wrapped(Text(text)) if text else "")
        widget.parent.rows_moved()      # the labels below it follow their fields

    def _editing(self, f) -> bool:
        focused = self.focused
        return focused is not None and focused.id == f.widget_id

    def on_descendant_blur(self, event: Any) -> None:
        """A field was left: its note line goes if it has nothing to say."""
        f = BY_WIDGET.get(getattr(event.widget, "id", None) or "")
        if f is None or f.kind == CHECK:
            return
        note = self._find(f"#{f.error_id}")
        if note is not None and note.display and not getattr(note, "_shown_content", ""):
            if self.app.mouse_pressed:
                # left by a click: hiding the line now would move what is under the pointer
                # before the button is released (the click would land on the field below)
                self._hide_after_click.append(note)
            else:
                note.display = False
                note.parent.rows_moved()

    def mouse_released(self) -> None:
        """The click is over: the blank note lines of the fields it left go."""
        notes, self._hide_after_click = self._hide_after_click, []
        for note in notes:
            if not getattr(note, "_shown_content", "") and not (self.focused and self.focused.id == "f" + note.id[1:]):
                note.display = False
                note.parent.rows_moved()

    def _show_region(self) -> None:
        f = BY_PATH["device.region"]
        if "device.region" in self._shown_errors:
            self._region_hint = None
            return
        lang = self.app.lang
        if self.form.values.get("device.region"):
            text = ""
        elif self.decision is not None and getattr(self, "_region_note", None):
            text = t("region.derived", lang, region=vocab("region", self.decision["region"], lang),
                     how=self._region_note[0])
        else:
            text = t("region.none", lang)
        if text == getattr(self, "_region_hint", None):
            return
        self._region_hint = text
        self._set_note(f, text, hint=True)

    # --- saving ------------------------------------------------------------------------------

    def blocked(self) -> str | None:
        """Why Save is disabled now (``None``: it is not)."""
        lang = self.app.lang
        if self.saving:
            return t("save.saving", lang)
        if self.app.store is None:
            return t("save.no_store", lang)
        if self.field_errors or self.case_error or self.decision is None:
            if self.decision is None and not self.field_errors and not self.case_error:
                return t("save.no_policies" if self.app.registry_error else "panel.loading", lang)
            # which fields (the one in red may have scrolled out of sight): those marked wrong,
            # else the one the case still needs filled in (a brand left empty is not wrong)
            wrong = list(self.field_errors)
            need: list[str] = []
            if self.case_error and self.case_error[0] and self.case_error[0] not in wrong:
                path = self.case_error[0]
                (need if not str(self.form.values.get(path) or "").strip() else wrong).append(path)
            if wrong:
                return t("save.fix", lang, fields=listed((field_label(p, lang) for p in wrong), lang))
            if need:
                return t("save.need", lang, fields=listed((field_label(p, lang) for p in need), lang))
            return t("save.fix_any", lang)
        missing = self.form.missing_for_save()
        if self.correcting:
            missing = [p for p in missing if p != "customer.phone"]   # empty: the stored one stays
        if missing:
            return t("save.need", lang, fields=listed((field_label(p, lang) for p in missing), lang))
        if self.saved_number:
            return t("save.unchanged", lang, number=self.saved_number)
        return None

    def _update_save(self) -> None:
        reason = self.blocked()
        save = self._find("#save")
        if save is not None:            # (mounted with the lower sections)
            save.disabled = reason is not None
        if (reason is None) != self._save_offered:    # the footer's Ctrl+S follows (``check_action``)
            self._save_offered = reason is None
            self.refresh_bindings()
        status = self.query_one("#save-status", Static)
        ready = t("save.correcting", self.app.lang, number=self.correcting) if self.correcting \
            else t("save.ready", self.app.lang)
        update_static(status, reason or ready)
        status.set_class(reason is not None and not self.saved_number, "blocked")
        status.set_class(bool(self.saved_number), "saved")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":   # (while the last save runs, Ctrl+S is taken: it waits for it)
            return True if self.is_mounted and (self.saving or self.blocked() is None) else None
        return True

    def action_save(self) -> None:
        if self.saving and self.form is not self._sent_form:
            # the next customer's Ctrl+S (Ctrl+N, typed, Ctrl+S) before the last save came back:
            # it waits for that save, then saves (it was lost, the form left unsaved)
            self._save_waiting = True
            return
        if self.blocked() is not None:
            self._update_save()
            return
        if self.correcting and not self._identity_ok:
            changed = self._identity_changes()
            if changed:
                self._ask_other_customer(changed)
                return
        self.saving = True
        self._update_save()
        lang = self.app.lang
        mapping = self.form.build(lang, self.field_errors)
        form = self.form
        self._sent = FormState(dict(form.values), set(form.documents), set(form.conditions), set(form.plans))
        self._sent_form = form
        name, phone = self.form.values["customer.name"], self.form.values["customer.phone"]
        if self.correcting:
            changed_phone = phone if phone.strip() and phone.strip() != self._phone_saved else None
            self.correct_case(self.correcting, mapping, name, changed_phone, self.form)
            return
        day = str(mapping.get("case_date") or "")
        today = self.app.today().isoformat()
        if day and day < today and day != self._backdate_ok:
            self._ask_backdate(day, today)    # asked here, not refused by the store in its CLI's words
            return
        self.save_case(mapping, name, phone, self._same_unit_seen, self.form, backdate=day == self._backdate_ok)

    def _identity(self) -> dict[str, str]:
        return {path: str(self.form.values.get(path) or "").strip() for path in IDENTITY}

    def _identity_changes(self) -> list[str]:
        """The identity fields (``IDENTITY``) the form changes in the case it corrects, when they
        say it may be another customer's or another unit's: the customer's name or the brand
        changed, or both the IMEI and the serial (one of them alone is a misread number fixed)."""
        saved = self._identity_saved or {}
        now = self._identity()
        changed = [path for path in IDENTITY if saved.get(path) and now[path] != saved[path]]
        other = "customer.name" in changed or "brand" in changed or {"device.imei", "device.serial"} <= set(changed)
        return changed if other else []

    def _ask_other_customer(self, changed: list[str]) -> None:
        """A correction that changes who or what the case is about (brand, IMEI, serial, the
        customer's name): another customer typed over the case just saved, or a real correction.
        Asked: a new case (the saved one left as it is; the form, a new intake, is saved once
        the clerk has looked over the fields the last customer's values are left in), the
        correction, or back to the form."""
        from .confirm import ChoiceDialog

        lang = self.app.lang
        saved = self._identity_saved or {}
        now = self._identity()
        brands = getattr(self.app.registry, "brands", None)
        said = [f"{field_label(path, lang)} {value_text(path, saved[path], lang, brands=brands)} → "
                f"{value_text(path, now[path], lang, brands=brands)}" for path in changed]
        phone = str(self.form.values.get("customer.phone") or "").strip()
        if self._phone_saved and phone and phone != self._phone_saved:   # said too (masked), not asked about
            from aftersales.store.contact import mask_phone

            said.append(f"{field_label('customer.phone', lang)} {mask_phone(self._phone_saved)} → {mask_phone(phone)}")
        what = ("、" if lang == "zh" else ", ").join(said)

        def answered(choice: str | None) -> None:
            if choice == "new":   # the form becomes a new intake, not saved yet: the fields not typed
                self._leave_correction()                  # over are the last customer's, to look over
                self.saved_number = None
                self._update_save()
                self.app.notify(t("save.now_new", self.app.lang), timeout=8)
            elif choice == "correct":
                self._identity_ok = True
                self.action_save()

        number = self.correcting
        self.app.push_screen(ChoiceDialog(t("save.other_customer", lang, number=number, what=what),
                                          [("new", t("save.as_new", lang)),
                                           ("correct", t("save.correct_it", lang, number=number))]), answered)

    def _ask_backdate(self, day: str, today: str) -> None:
        """An intake date before today: the case would be decided as of that day. Asked once per
        date; yes saves it so (back-dated, as the store records it), no goes back to the date."""
        from .confirm import ConfirmDialog

        self.saving = False
        self._update_save()
        lang = self.app.lang

        def answered(yes: bool | None) -> None:
            if yes:
                self._backdate_ok = day
                self.action_save()
                return
            field = self._find(f"#{BY_PATH['case_date'].widget_id}")
            if field is not None:
                field.focus()

        self.app.push_screen(ConfirmDialog(t("backdate.ask", lang, date=day, today=today),
                                           t("backdate.yes", lang, date=day)), answered)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @work(thread=True, group="save")   # never exclusive: a later save must not cancel one not started yet
    def save_case(self, mapping: dict[str, Any], name: str, phone: str, seen: tuple[str, ...] = (),
                  form: FormState | None = None, backdate: bool = False) -> None:
        """Store a new case. ``form``: the form saved (the answer is for it: after Ctrl+N the
        form on screen is another one)."""
        app = self.app
        try:
            device = mapping.get("device") or {}
            same = [c["number"] for c in app.store.open_cases_with_device(
                imei=device.get("imei"), serial=device.get("serial"), today=app.today())]
            if same and not set(same) <= set(seen):
                self.post_message(_for(SameUnitFound(same), form))   # asked first; Ctrl+S again saves anyway
                return
            summary = app.store.create_case(mapping, store=app.store_code, staff=app.staff, customer=name,
                                            phone=phone, now=app.now(), mail_in=self.mail_in,
                                            repair_kind=self.repair_kind, backdate=backdate)
        except Exception as exc:  # noqa: BLE001 - said beside Save, the form kept
            self._save_failed(exc, form)
            return
        self.post_message(_for(CaseSaved(summary), form))

    @work(thread=True, group="save")   # never exclusive: a later save must not cancel one not started yet
    def correct_case(self, number: str, mapping: dict[str, Any], name: str, phone: str | None,
                     form: FormState | None = None) -> None:
        app = self.app
        try:
            summary = app.store.edit_case(number, actor=app.staff, case_input=mapping, customer=name,
                                          phone=phone, now=app.now())
        except Exception as exc:  # noqa: BLE001 - said beside Save, the form kept
            self._save_failed(exc, form)
            return
        self.post_message(_for(CaseSaved(summary, corrected=True), form))

    def _save_failed(self, exc: Exception, form: FormState | None) -> None:
        """Why saving (a new case or a correction) failed: the project's own error in the app's
        language, naming its field; anything else by its type."""
        from aftersales.core.errors import AftersalesError

        if isinstance(exc, AftersalesError):   # the message without its field: the field is marked in the form
            self.post_message(_for(CaseSaveFailed(exc.text(self.app.lang), exc.field), form))
        else:
            self.post_message(_for(CaseSaveFailed(error_line(exc, self.app.lang)), form))

    def on_same_unit_found(self, message: SameUnitFound) -> None:
        from .confirm import ConfirmDialog

        self.saving = False
        if getattr(message, "form", None) is not self.form:
            # the form was cleared meanwhile (Ctrl+N right after Ctrl+S): say it was not saved
            self.app.notify(t("same_unit.not_saved", self.app.lang, numbers="、".join(message.numbers)),
                            severity="error", timeout=15)
            self._update_save()
            return
        self._same_unit_seen = tuple(message.numbers)
        self._update_save()
        lang = self.app.lang
        first = message.numbers[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.open_case(first)

        self.app.push_screen(ConfirmDialog(t("same_unit.found", lang, numbers="、".join(message.numbers)),
                                           t("same_unit.open", lang, number=first), safe_yes=True), answered)

    def on_case_saved(self, message: CaseSaved) -> None:
        self.saving = False
        self._save_after_this()
        if getattr(message, "form", None) is not self.form:
            # saved, but the form on screen is another one now (Ctrl+N right after Ctrl+S):
            # it is not bound to that case; what was done to it is said all the same
            self.app.notify(self._saved_line(message))
            self._update_save()
            self.app._broadcast("cases_changed")
            return
        self._show_saved(message.summary.get("case"))
        self.saved_number = message.summary["number"]
        self.correcting = self.saved_number       # a change from now on corrects this case
        self._identity_saved, self._identity_ok = self._identity(), False
        self._phone_saved = str(self.form.values.get("customer.phone") or "").strip()
        self.write_draft()          # saved: no draft
        self._update_save()
        lang = self.app.lang
        self.app.notify(self._saved_line(message))
        changed = message.summary.get("warnings") or []
        if changed:  # an ID number masked, control characters removed, a back-dated case_date
            # (each ``Said``: English with its Chinese)
            from aftersales.core.plugininfo import said_in

            lines = [said_in(w, lang) for w in changed]
            self.app.notify(t("save.changed", lang, changes="\n".join(lines)), severity="warning", timeout=20)
        self.app._broadcast("cases_changed")

    def _saved_line(self, message: CaseSaved) -> str:
        """已保存，案例编号 … for a case taken in; 已更正 … for a correction."""
        number, lang = message.summary["number"], self.app.lang
        if message.corrected:
            return t("save.corrected", lang, number=number, n=len(message.summary.get("changes") or ()))
        return t("save.done", lang, number=number)

    def _unit_key(self) -> tuple[str, str]:
        """The unit the form names: its IMEI (when whole and valid) and its serial."""
        imei = (self.form.values.get("device.imei") or "").strip()
        serial = (self.form.values.get("device.serial") or "").strip().upper()
        return (imei if imei and "device.imei" not in self.field_errors else "", serial)

    def _forget_unit(self) -> bool:
        """When the form names another unit than the one whose history filled values in (its
        IMEI corrected), those values go back to what they were, each unless the clerk changed
        it since; whether any did."""
        form, filled = self._unit_filled
        if not filled or (form is self.form and self._unit_key() == self._unit_asked):
            return False
        self._unit_filled = (None, {})
        if form is not self.form:
            return False
        back = False
        for path, (before, put) in filled.items():
            if form.values.get(path) == put:
                form.values[path] = before
                back = True
        if back:
            self._load_widgets()
        return back

    def _ask_about_unit(self) -> None:
        """A new case's unit (its IMEI, whole and valid, or its serial) asked of the store once,
        in a worker: what the store knows of it (``unit_history``: a replacement's period restarts
        on the exchange date, earlier repairs count) goes into the form as it will at Ctrl+S, so
        that the panel decides as the store will (it showed the exchange with a depreciated refund
        where the saved case allowed a full return)."""
        if self.correcting or self.app.store is None or self.app.registry is None:
            return
        key = self._unit_key()
        if key == self._unit_asked:
            return
        self._unit_asked = key
        if any(key):
            form = self.form
            self.look_up_unit(key, self.form.build(self.app.lang, self.field_errors),
                              FormState(dict(form.values), set(form.documents), set(form.conditions), set(form.plans)))

    @work(thread=True, exclusive=True, group="unit")
    def look_up_unit(self, key: tuple[str, str], mapping: dict[str, Any], sent: FormState) -> None:
        try:
            adjusted, unit, warnings = self.app.store.unit_history(mapping)
        except Exception:  # noqa: BLE001 - the store unreachable: Ctrl+S says so; the panel decides as typed
            return
        if unit:
            # the fields the store's knowledge changes (only those: the others may hold what is
            # still being typed, left out of ``mapping`` as not valid yet)
            self.post_message(UnitKnown(key, dict(adjusted), warnings, sent, _changed_paths(mapping, adjusted)))

    def on_unit_known(self, message: UnitKnown) -> None:
        if message.key != self._unit_asked or self.correcting:
            return                  # another unit typed meanwhile, or a correction opened
        form = self.form
        before = {path: form.values.get(path) for path in message.paths}
        if self._show_store_values(message.case, message.sent, message.paths):
            self._unit_filled = (form, {path: (was, form.values.get(path)) for path, was in before.items()
                                        if form.values.get(path) != was})
            from aftersales.core.plugininfo import said_in

            lang = self.app.lang
            self.app.notify("\n".join(said_in(w, lang) for w in message.warnings), severity="warning", timeout=20)

    def _show_saved(self, case: dict[str, Any] | None) -> None:
        """The form as the store saved the case: a value the store set is shown (the purchase date
        of a replacement unit, whose period restarts on the exchange date; a date written in full),
        so that a correction afterwards sends it back as it is and records only what the clerk
        changed. A value changed since Ctrl+S (typed while saving) is left as it is."""
        sent, self._sent = self._sent, None
        if case:
            self._show_store_values(case, sent)

    def _show_store_values(self, case: dict[str, Any], sent: FormState | None, paths: Any = None) -> bool:
        """The form with the values the store gives ``case`` (saved, or as it will save it) where
        they differ from what was sent (``sent``) and the clerk has not changed them since (of
        ``paths`` only, when given); whether any did."""
        if sent is None:
            return False
        saved, form = FormState.from_case(case, self.app.today()), self.form
        differs = False
        for f in FIELDS:
            path = f.path
            if paths is not None and path not in paths:
                continue
            if f.spec is not None and form.values.get(path) == sent.values.get(path) != saved.values.get(path):
                form.values[path] = saved.values.get(path)
                differs = True
        for attr in ("documents", "conditions", "plans") if paths is None else ():
            if getattr(form, attr) == getattr(sent, attr) != getattr(saved, attr):
                setattr(form, attr, getattr(saved, attr))
                differs = True
        if differs:
            self._load_widgets()
            self.recompute()
        return differs

    def on_case_save_failed(self, message: CaseSaveFailed) -> None:
        self.saving = False
        self._save_after_this()
        self._update_save()
        text = t("save.failed", self.app.lang, error=message.error)
        if getattr(message, "form", None) is self.form:
            update_static(self.query_one("#save-status", Static), text)
        self.app.notify(text, severity="error", timeout=15)

    def _save_after_this(self) -> None:
        """The Ctrl+S that waited for the save just ended (``action_save``), run once this
        message is handled."""
        if self._save_waiting:
            self._save_waiting = False
            self.call_later(self.action_save)

    # --- other actions -----------------------------------------------------------------------

    def action_citations(self) -> None:
        self.query_one("#panel", DecisionPanel).toggle_citations()

    @property
    def unsaved(self) -> bool:
        """Whether the form holds something typed that is not saved (a new case's defaults aside)."""
        if self.saved_number or self.saving:
            return False
        form = self.form
        blank = FormState.blank(self.app.today(), form.values.get("brand"))
        return form.values != blank.values or bool(form.documents or form.conditions or form.plans)

    def action_new_case(self) -> None:
        """A blank form, after asking when the one on screen is not saved."""
        if not self.unsaved:
            self.new_case()
            return
        from .confirm import ConfirmDialog

        lang = self.app.lang

        def answered(yes: bool | None) -> None:
            if yes:
                self.new_case()

        self.app.push_screen(ConfirmDialog(t("unsaved.new", lang), t("unsaved.new_yes", lang)), answered)

    def new_case(self) -> None:
        """A blank form, the brand too: a brand left from the last customer would decide the next
        one's phone by another brand's terms unless the clerk noticed it, and F6 lands on the
        brand again."""
        self.form = FormState.blank(self.app.today())
        self.saved_number = None
        self.mail_in, self.repair_kind = None, "simple"
        self._leave_correction()
        self.load_form()
        self.to_start()
        self.write_draft()          # cleared: no draft

    def action_mail_in(self) -> None:
        """The mail-in agreement and the repair kind of the case on the form (stored with it)."""
        from .mailin import REPAIR_KINDS, MailInDialog

        def chosen(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            self.mail_in, self.repair_kind = result["mail_in"], result["repair_kind"]
            lang = self.app.lang
            how = t("mail_in.mail" if self.mail_in is not None else "mail_in.counter", lang)
            kind = REPAIR_KINDS[self.repair_kind][0 if lang == "zh" else 1]
            self.app.notify(t("mail_in.set", lang, what=f"{how} · {kind}"), timeout=4)

        case = self.form.build(self.app.lang, {})
        self.app.push_screen(MailInDialog(self.mail_in, self.repair_kind, case), chosen)

    def _leave_correction(self) -> None:
        self.correcting = None
        self._identity_saved, self._identity_ok = None, False
        self.title = None               # the app's title
        self._phone_saved = ""
        self._same_unit_seen = ()
        self._backdate_ok = ""
        phone = self._find(f"#{BY_PATH['customer.phone'].widget_id}")
        if phone is not None:
            phone.placeholder = ""

    def correct(self, view: dict[str, Any]) -> None:
        """Put a saved case into the form to correct it: Ctrl+S stores the change under its
        number. The phone field starts empty (the number stays masked; typed, it replaces it)."""
        from aftersales.store.contact import mask_phone

        number = view["number"]
        self.form = FormState.from_case(view.get("case") or {}, self.app.today())
        self.form.values["customer.name"] = (view.get("customer") or {}).get("name") or ""
        self.form.values["customer.phone"] = ""
        self.saved_number = number
        self.correcting = number
        self._phone_saved = ""
        self._same_unit_seen = ()
        self._backdate_ok = ""
        phone = self._find(f"#{BY_PATH['customer.phone'].widget_id}")
        if phone is not None:
            masked = mask_phone((view.get("customer") or {}).get("phone")) or ""
            phone.placeholder = t("save.phone_kept", self.app.lang, phone=masked)
        # the title line says which case the form corrects (the app's title again on a new case);
        # the screen's title, so the app's sub-title (service point, clerk, policies) stays live
        lang = self.app.lang
        self.title = t("intake.correcting", lang, title=t("app.title", lang), number=number)
        self.load_form()
        self._identity_saved, self._identity_ok = self._identity(), False
        self.to_start()

    def to_start(self) -> None:
        """The top of the form, the first field focused, the tick lists at their first row."""
        for list_id, _, _ in TICK_LISTS.values():
            ticks = self._find(f"#{list_id}")
            if ticks is not None and ticks.option_count:
                ticks.highlighted = 0
                ticks.scroll_home(animate=False)
        self.query_one("#form", FormScroll).scroll_home(animate=False)
        first = self._find(f"#{FIRST_FIELD.widget_id}")
        if first is not None:
            first.focus(scroll_visible=False)

    def load_form(self) -> None:
        """Put ``self.form`` into the widgets (no change events), then decide."""
        self._typed_misses = {}
        self._load_widgets()
        self.recompute()

    def _load_widgets(self) -> None:
        """Put ``self.form`` into the widgets mounted so far, without change events."""
        from textual.widgets import Checkbox

        from ..widgets.ticks import TickList

        self._loading = True
        try:
            with self.prevent(FormInput.Changed, Select.Changed, Checkbox.Changed, TickList.SelectedChanged,
                              TickList.SelectionToggled):
                for f in FIELDS:
                    widget = self._find(f"#{f.widget_id}")
                    if widget is None:
                        continue
                    value = self.form.values.get(f.path)
                    if f.kind == CHECK:
                        widget.value = bool(value)
                    elif f.kind == "select":
                        try:
                            widget.value = value if value else Select.NULL
                        except InvalidSelectValueError:
                            widget.value = Select.NULL   # a brand not loaded yet: set once it is
                    else:
                        widget.value = str(value or "")
                for section, (list_id, _, attr) in TICK_LISTS.items():
                    ticks = self._find(f"#{list_id}")
                    if ticks is None:
                        continue
                    chosen = getattr(self.form, attr)
                    if set(ticks.selected) == chosen:
                        continue
                    ticks.deselect_all()
                    for ident in self._tick_ids(section):
                        if ident in chosen:
                            ticks.select(ident)
        finally:
            self._loading = False

    def fill(self, mapping: dict[str, Any], *, name: str = "", phone: str = "") -> None:
        """Fill the form from a v1 case mapping (and customer details)."""
        self.form = FormState.from_case(mapping, self.app.today())
        self.form.values["customer.name"] = name
        self.form.values["customer.phone"] = phone
        self.saved_number = None
        self.load_form()
