"""The dashboard's keys: one table feeds the footer, the help screen and the command palette."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding

from rnnscope import cells


@dataclass(frozen=True)
class KeyAction:
    """One key of the dashboard and what it does."""

    key: str  # Textual key name(s), comma separated
    action: str  # app action (with arguments)
    label: str  # short footer label
    help: str  # one line for the help screen and the command palette
    display: str | None = None  # how the help screen writes the key (default: the key name)
    show: bool = True  # shown in the footer
    footer_key: str | None = None  # how the footer writes it, when one entry stands for a pair


def action_name(entry: KeyAction) -> str:
    """The action without its arguments: `scale_clip(0.5)` is `scale_clip`."""
    return entry.action.split("(")[0]


# Help and quit come first: the footer cuts what does not fit on the right.
KEYS: tuple[KeyAction, ...] = (
    KeyAction("question_mark", "help", "help", "Keys and how to read each panel", "?"),
    KeyAction("q,ctrl+c", "quit", "quit", "Quit, also Ctrl-C (training stops within a second)", "q"),
    KeyAction("space", "toggle_pause", "pause", "Pause / resume training (also goes on after DIVERGED)", "space"),
    KeyAction("n", "step", "step", "Run one training step (while paused)"),
    KeyAction("c", "toggle_clip", "clip", "Gradient clipping on / off", footer_key="c [ ]"),
    KeyAction("left_square_bracket", "scale_clip(0.5)", "½×2", "Halve the clipping threshold", "[", show=False),
    KeyAction("right_square_bracket", "scale_clip(2.0)", "clip ×2", "Double the clipping threshold", "]", show=False),
    KeyAction("i", "next_init", "init", "Next init scheme (default → xavier → orthogonal → identity), re-initialise"),
    KeyAction("a", "toggle_activation", "relu", "Switch tanh ↔ ReLU (vanilla RNN), keeping the weights"),
    KeyAction("m", "next_model", "model", f"Next model ({cells.cycle_text()}), re-initialise"),
    KeyAction("r", "reset", "reset", "Re-initialise with the current settings"),
    KeyAction("e", "export", "export", "Export a snapshot (with a screenshot of this screen)"),
    KeyAction("g", "new_sample", "sample", "Generate a new sample at the current temperature", footer_key="g t T"),
    KeyAction("t", "temperature(0.8)", "temp", "Lower the sampling temperature (×0.8) and sample again", show=False),
    KeyAction("T", "temperature(1.25)", "temp+", "Raise the sampling temperature (×1.25) and sample again", show=False),
    KeyAction("left", "move_cursor(-1)", "time", "Move the time cursor back", "←", footer_key="←→"),
    KeyAction("right", "move_cursor(1)", "time", "Move the time cursor forward", "→", show=False),
    KeyAction("up", "move_unit(-1)", "unit", "Select the previous unit", "↑", footer_key="↑↓ PgUp/Dn"),
    KeyAction("down", "move_unit(1)", "unit", "Select the next unit", "↓", show=False),
    KeyAction("pageup", "scroll_units(-1)", "rows", "Scroll the unit rows up one page", "PgUp", show=False),
    KeyAction("pagedown", "scroll_units(1)", "units", "Scroll the unit rows down one page", "PgDn", show=False),
    KeyAction("comma", "review(-1)", "past", "Review: show the recorded frame before (training goes on)", ",",
              footer_key=",."),
    KeyAction("full_stop", "review(1)", "review", "Review: show the next recorded frame (past the newest: live)", ".",
              show=False),
    KeyAction("end", "live", "live", "Leave the review: back to the live picture", "End", show=False),
    KeyAction("u", "toggle_unit_order", "order", "Order units by index / by activity (ranked once: u twice ranks again)"),
    KeyAction("l", "next_layer", "layer", "Show the next layer"),
    KeyAction("U", "units_page", "units", "The Units page: what each unit means (its best feature, r, its strip)",
              show=False),  # the key bar keeps to one row at 160: the help screen and the palette list it
    KeyAction("L", "lessons", "lessons", "The lessons of the lecture: choose one to start it"),
    KeyAction("z", "zoom", "zoom", "Zoom the focused panel (Tab moves focus) / back to the dashboard"),
    KeyAction("1", "page(0)", "page", "Small terminal: show the gates page", footer_key="1-5"),
    KeyAction("2", "page(1)", "page", "Small terminal: show the cell & hidden state page", show=False),
    KeyAction("3", "page(2)", "page", "Small terminal: show the gradients page (flow, norms)", show=False),
    KeyAction("4", "page(3)", "page", "Small terminal: show the training page (loss, sigma_max, saturation)", show=False),
    KeyAction("5", "page(4)", "page", "Small terminal: show the text page (probe, encoding, sample)", show=False),
)

# The compare screen's own keys (rnnscope.ui.compare.app.CompareApp.BINDINGS), after the dashboard's.
COMPARE_KEYS: tuple[KeyAction, ...] = (
    KeyAction("s", "switch_side", "A/B", "Compare: select run A or B (the setting keys c [ ] i a m r act on it)",
              show=False),  # the compare bar's top line says it ('s switches'): the key bar keeps to one row at 160
)
ALL_KEYS = KEYS + COMPARE_KEYS  # the help screen, the command palette and the README list them all
ACTIONS = frozenset(action_name(entry) for entry in ALL_KEYS)

# The actions that steer a training run: shown unavailable (greyed) on a dashboard attached to another process's run.
STEERING = frozenset({"toggle_pause", "step", "toggle_clip", "scale_clip", "next_init", "toggle_activation",
                      "next_model", "reset", "new_sample", "temperature", "lessons"})

# A replay (rnnscope.runner.replay) takes three of them as its own, under its own names; the other steering keys and
# export do nothing there, and are not shown.
REPLAY_KEYS = {"toggle_pause": ("play", "Replay: play / stop the recorded frames"),
               "step": ("next", "Replay: show the next recorded frame"),
               "reset": ("first", "Replay: back to the first recorded frame")}
REPLAY_OFF = (STEERING - REPLAY_KEYS.keys()) | {"export"}


def own_keys(steering: bool, replay: bool) -> tuple[KeyAction, ...]:
    """The keys of this dashboard, under its names: all of them for a run trained here; without the steering keys
    when attached to another process's run; a replay's own (REPLAY_KEYS) in a replay."""
    if replay:
        return tuple(entry if entry.action not in REPLAY_KEYS else
                     replace(entry, label=REPLAY_KEYS[entry.action][0], help=REPLAY_KEYS[entry.action][1])
                     for entry in ALL_KEYS if action_name(entry) not in REPLAY_OFF)
    return ALL_KEYS if steering else tuple(entry for entry in ALL_KEYS if action_name(entry) not in STEERING)



def key_label(entry: KeyAction) -> str:
    """How a key is written for people."""
    return entry.display or entry.key


def bindings(keys: tuple[KeyAction, ...] = KEYS) -> list[Binding]:
    """Textual bindings for a table of keys (not priority: the help screen on top keeps its own keys)."""
    return [
        Binding(
            entry.key,
            entry.action,
            entry.label,
            show=entry.show,
            key_display=entry.footer_key or entry.display,
        )
        for entry in keys
    ]
