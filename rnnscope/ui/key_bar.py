"""The key bar under the panels: every key that acts now (the keymap's footer entries), on as many rows as the
width needs, so that no key is cut off on a narrow terminal (Textual's Footer is one row and cuts the rest)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

GAP = " "  # between two keys (the key itself is drawn in its own colour)


def key_rows(items: list[tuple[str, str]], width: int, key_style, label_style) -> Text:
    """`(key, label)` items as 'key label' pairs, wrapped greedily onto rows of `width` cells."""
    rows: list[Text] = [Text()]
    for key, label in items:
        item = Text.assemble((key, key_style), " ", (label, label_style))
        row = rows[-1]
        if row.cell_len and row.cell_len + len(GAP) + item.cell_len > width:
            rows.append(item)
        else:
            rows[-1] = Text.assemble(row, GAP, item) if row.cell_len else item
    return Text("\n").join(rows)


class KeyBar(Widget, can_focus=False):
    """Shows the screen's active, shown bindings in the keymap's order; rows grow with the terminal's narrowness."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--label"}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh(layout=True))

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def items(self) -> list[tuple[str, str]]:
        """(key as shown, label) of every binding that is shown and enabled now, under the dashboard's names for
        them (a replay's: rnnscope.ui.keymap.own_keys)."""
        names = {entry.action: entry.label for entry in getattr(self.app, "keys", ())}
        return [(binding.key_display or binding.key, names.get(binding.action, binding.description))
                for _node, binding, enabled, _tooltip in self.screen.active_bindings.values()
                if binding.show and enabled]

    def text(self, width: int) -> Text:
        styles = (self.get_component_rich_style("key-bar--key"), self.get_component_rich_style("key-bar--label"))
        return key_rows(self.items(), max(width, 1), *styles)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.text(width).plain.split("\n"))

    def render(self) -> Text:
        return self.text(self.size.width)
