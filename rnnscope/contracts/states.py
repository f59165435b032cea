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
REPLAY = "REPLAY"  # a replayed run's state begins with it (rnnscope.runner.replay: "REPLAY ▶" / "REPLAY ‖")
