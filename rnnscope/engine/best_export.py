"""--export-best: a rolling RUN_DIR/best/ snapshot of the weights at the best validation loss so far."""

from __future__ import annotations

from rnnscope.contracts.engine_hook import EngineHook

BEST = "best"  # the folder under RUN_DIR, and the side budget's kind for its exports


class BestExport(EngineHook):
    """After a validation that set a new best (engine.best_val), exports the weights to RUN_DIR/best/, at most once
    per best and only when the side budget affords one more ("best"): a best it cannot pay for is left out and a
    later best is exported instead (the user is told once). The folder is built aside and renamed into place, so
    a reader finds the previous best or the new one, whole (rnnscope.exporting.export)."""

    def __init__(self):
        self.exported_step: int | None = None  # the step of the best in RUN_DIR/best/
        self.told = False

    def after_validation(self, engine) -> None:
        best = engine.status().best_val
        if best is None or best[0] != engine.step or best[0] == self.exported_step:
            return
        if not engine.budget.closed and not engine.budget.affords(BEST):
            if not self.told:
                self.told = True
                engine.notify("warning", f"--export-best: a snapshot takes about {engine.budget.expected(BEST):.1f} s, "
                              f"written only when the side budget of {engine.budget.budget:.0%} has room: best/ keeps "
                              "the last best it could pay for")
            return
        with engine.budget.timed(BEST):
            path = engine.export(name=BEST)
        if path is not None:
            self.exported_step = engine.step

    def after_close(self, engine) -> None:
        """The last step's validation set the best, and the budget could not pay for it then: wind-down can (a run
        that improved to its end keeps its last weights as its best)."""
        self.after_validation(engine)

    def after_reinit(self, engine) -> None:
        self.exported_step = None  # new weights: their first best replaces the old weights' folder
