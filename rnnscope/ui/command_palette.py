"""Command-palette provider: every dashboard action from the keymap, searchable by what it does."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from rnnscope.ui.keymap import ALL_KEYS, key_label


class DashboardCommands(Provider):
    """Lists each KeyAction as '<what it does>' with its key; choosing one runs the same app action."""

    def _commands(self):
        for entry in ALL_KEYS:
            yield entry.help, f"key: {key_label(entry)}", partial(self.app.run_action, entry.action)

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
