"""What a feature hears from the engine it is attached to (`engine.hooks`): the engine calls, the feature keeps its
own state (a lesson's tracker: rnnscope.lessons.lesson_run.LessonTracker)."""

from __future__ import annotations


class EngineHook:
    """Every method is optional: the defaults do nothing."""

    def before_step(self, engine) -> None:
        """Before each training step (the weights are those of `engine.step`)."""

    def after_validation(self, engine) -> None:
        """After a validation that completed (its loss is in engine.val_history)."""

    def after_divergence(self, engine) -> None:
        """After a step made the run DIVERGED."""

    def after_close(self, engine) -> None:
        """After the run's last training step (engine.budget.close()): what the feature does now is wind-down."""

    def after_reinit(self, engine) -> None:
        """After the weights were made anew (init, model, reset), before the engine probes them."""

    def after_probe(self, engine, probe) -> None:
        """After a new probe of the current weights was taken (engine.probe; the timeline's recorder writes it)."""

    def parts(self) -> dict[str, object]:
        """Parts (rnnscope.contracts.parts) the feature adds to what the engine publishes."""
        return {}

    def summary(self) -> dict:
        """Numbers the feature adds to the headless run's JSON line."""
        return {}

    def before_export(self, engine) -> None:
        """Before a snapshot's frame is taken."""

    def after_export(self, engine, folder) -> None:
        """After a snapshot was written to `folder` (files of the feature's own go into a folder of their own)."""
