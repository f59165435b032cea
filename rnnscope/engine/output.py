"""What the engine gives out: its status, the parts the screen shows, the whole frame, a snapshot, the headless
run's closing numbers. A part of Engine (rnnscope.engine.engine), kept in its own file."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from rnnscope.contracts.frames import Frame, RunStatus
from rnnscope.contracts.json_numbers import json_number
from rnnscope.storage.snapshot_io import memory_to_json


class EngineOutput:
    """Engine's output methods (they read its state: config, histories, probe, sample, memory, notices, hooks)."""

    def status(self) -> RunStatus:
        return RunStatus(
            config=self.config, corpus=Path(self.corpus.path).name, n_params=self.n_params, step=self.step,
            state=self.state, clip_fire_rate=self.recent_clip.mean(), device=str(self.device),
            threads=self.threads, train_loss=self.recent_loss.mean(),
            val_loss=self.last_val, chars_per_s=self.chars_per_s,
            diverged=self.diverged, run_dir=str(self.run_dir), temperature=self.temperature, best_val=self.best_val)

    def parts(self) -> dict[str, object]:
        """What the screen shows, one entry per part of rnnscope.contracts.parts (histories as appendable rows)."""
        parts = {"status": self.status(), "vocab": self.corpus.vocab, "last_step": self.last_stats,
                 "loss_history": self.loss_history, "val_history": self.val_history, "events": tuple(self.events),
                 "probe": self.probe, "sample": self.sample, "notice": self.notice, "memory": self.memory}
        for hook in self.hooks:
            parts.update(hook.parts())
        return parts

    def frame(self) -> Frame:
        """The whole picture (snapshots, headless): the parts, with the histories as arrays."""
        self.frame_seq += 1
        parts = self.parts()
        for name in ("loss_history", "val_history"):
            parts[name] = parts[name].array()  # [N, 2]
        return Frame(seq=self.frame_seq, grad_norm_history=self.grad_history.array(), **parts)

    def export(self, screen_svg: str | None = None, name: str | None = None) -> Path | None:
        """Write a snapshot of the current state (to RUN_DIR/`name`/, replacing it, instead of RUN_DIR/step-N/ where
        `name` is given: it is then not announced); failures become a notice, never an exception."""
        from rnnscope.exporting.export import write_snapshot  # matplotlib stays off the start-up path

        timings = self.side.timings()  # as the run stood when the export was asked: its own passes are charged after
        self.current_probe()
        self.current_memory()
        for hook in self.hooks:
            hook.before_export(self)
        self.units.current(self)  # units.json is of the snapshot's step
        weights = {k: v.detach().cpu().numpy() for k, v in self.model.state_dict().items()}
        try:
            path = write_snapshot(self.run_dir, self.frame(), self.config, corpus_path=self.corpus.path,
                                  corpus_sha256=self.corpus.sha256, weights=weights,
                                  checkpoint=self.checkpoint(), screen_svg=screen_svg, timings=timings, name=name)
        except OSError as err:
            self.notify("error", f"export failed: cannot write {self.run_dir} ({err.strerror or err})")
            return None
        except Exception as err:  # a figure or checkpoint failure must not stop training
            self.notify("error", f"export failed: {type(err).__name__}: {err}")
            return None
        for hook in self.hooks:
            hook.after_export(self, path)
        if name is None:
            self.notify("information", f"snapshot saved: {path}")
        return path

    def result(self) -> dict:
        """The headless run's closing numbers."""
        val = self.val_history.array()
        return {"step": self.step, "train_loss": json_number(self.recent_loss.mean(), 6),
                "val_loss": json_number(float(val[-1, 1]), 6) if len(val) else None,
                "chars_per_s": json_number(self.chars_per_s, 6),
                "memory": memory_to_json(self.current_memory()), "timings": self.side.timings(),
                "units": self.units.top(5),
                "sample": None if self.sample is None else asdict(self.sample),
                **{key: value for hook in self.hooks for key, value in hook.summary().items()}}
