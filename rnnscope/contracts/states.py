"""The words a run's status and its flow verdicts are made of (numpy-free: the status bar paints before numpy loads)."""

RUNNING = "RUNNING"
PAUSED = "PAUSED"
DIVERGED = "DIVERGED"
WAITING = "WAITING"  # an attached run before its first frame
WATCHING = "WATCHING"  # an attached run whose writer is alive
ENDED = "ENDED"  # an attached run whose writer said it ended
STALE = "STALE"  # an attached run whose writer stopped beating (gone, or hung)
ATTACHED = (WAITING, WATCHING, ENDED, STALE)

VANISHING = "vanishing"
HEALTHY = "healthy"
EXPLODING = "exploding"
# Why a cure can read VANISHING again on a text (the flow panel, the vanishing lesson and the help say it): the
# context curve's `uses ~k chars`. Training keeps no memory longer than the text needs.
SHORT_CONTEXT = "this text is predicted from ~{k} characters: no long memory is needed"
REPLAY = "REPLAY"  # a replayed run's state begins with it (rnnscope.runner.replay: "REPLAY ▶" / "REPLAY ‖")
