"""The torch side's training: data, tasks, models, init, one step, histories, checkpoints and the engine."""
