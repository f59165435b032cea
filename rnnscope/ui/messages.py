"""Messages the background source thread posts to the app."""

from __future__ import annotations

from textual.message import Message

from rnnscope.frames import Frame


class FrameArrived(Message):
    """A new frame from the source; a newer one still queued replaces it, so frames never pile up."""

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FrameArrived)


class SourceFailed(Message):
    """The source could not start or crashed; the app shows why instead of a traceback."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
