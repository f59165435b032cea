"""The words a run's status and its flow verdicts are made of (numpy-free: the status bar paints before numpy loads)."""

RUNNING = "RUNNING"
PAUSED = "PAUSED"
DIVERGED = "DIVERGED"

VANISHING = "vanishing"
HEALTHY = "healthy"
EXPLODING = "exploding"
