"""`--compare KEY=VALUE[,...]`: parse run B's changes, and say in one line what differs (no torch)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from rnnscope.contracts.errors import InputError

# KEY (a long option without its dashes) -> RunConfig field, in the order "what differs" lists them.
SIDES = ("a", "b")  # run A (the command line) and run B (with the changes); also their RUN_DIR sub-folders
COMPARE_KEYS = {
    "model": "model", "hidden": "hidden", "embed": "embed", "layers": "layers", "lr": "lr",
    "optimizer": "optimizer", "clip": "clip", "init": "init", "init-gain": "init_gain",
    "forget-bias": "forget_bias",
    "seed": "seed",
}


class CompareError(InputError):
    """A --compare value that cannot work: one line, exit code 2."""


@dataclass(frozen=True)
class CompareSpec:
    """Run B = run A with `changes` (option dest -> value as its argparse type parsed it)."""

    text: str  # --compare as given
    changes: dict


def parse_compare(text: str, parser: argparse.ArgumentParser) -> CompareSpec:
    """Split `text` into KEY=VALUE items and parse each value with the option's own type and choices.

    Range checks (e.g. --hidden 0) are RunConfig.validate's, applied when B's config is built.
    """
    changes: dict = {}
    seen: set[str] = set()
    for item in text.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise CompareError(f"--compare: {item.strip()!r} is not KEY=VALUE: write e.g. --compare clip=0")
        if key not in COMPARE_KEYS:
            raise CompareError(f"--compare: unknown KEY {key!r}: choose from {', '.join(COMPARE_KEYS)}")
        if key in seen:
            raise CompareError(f"--compare: {key} is given twice: give each KEY once")
        seen.add(key)
        if not value.strip():
            raise CompareError(f"--compare: {key}= has no value: write e.g. {key}={_example(parser, key)}")
        changes.update(_parse_value(parser, key, value.strip()))
    return CompareSpec(text=text, changes=changes)


def _example(parser: argparse.ArgumentParser, key: str) -> str:
    action = next(a for a in parser._actions if f"--{key}" in a.option_strings)  # every key is an option
    return str(action.choices[0]) if action.choices else "1"


def _parse_value(parser: argparse.ArgumentParser, key: str, value: str) -> dict:
    """{dest: value} exactly as `--KEY=VALUE` on the command line would give it."""
    try:
        return vars(parser.parse_args([f"--{key}={value}"]))
    except InputError as err:  # argparse's message quotes the value with repr
        raise CompareError(f"--compare {key}: {err}") from None


def _shown(field: str, value) -> str:
    if value is None:
        return "off" if field == "clip" else "default"
    return f"{value:g}" if isinstance(value, float) else str(value)


def what_differs(config_a, config_b) -> str:
    """One line naming B's settings that differ from A's: `B: clip off`, `B: model rnn-tanh, seed 1`."""
    parts = [f"{key} {_shown(field, getattr(config_b, field, None))}"
             for key, field in COMPARE_KEYS.items()
             if getattr(config_a, field, None) != getattr(config_b, field, None)]
    return "B: " + (", ".join(parts) if parts else "same settings as A")
