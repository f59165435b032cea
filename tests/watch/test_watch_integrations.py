"""The Lightning and HF callbacks: a clear ImportError without the library; with it, a real fit drives the scope."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module, blocked, words", [
    ("rnnscope.integrations.lightning", ["lightning", "lightning.pytorch", "pytorch_lightning"], "pip install lightning"),
    ("rnnscope.integrations.hf", ["transformers"], "pip install transformers"),
])
def test_without_the_library_the_import_error_says_what_to_install(module, blocked, words):
    code = (f"import sys\nsys.modules.update({{name: None for name in {blocked!r}}})\n"
            f"try:\n    import {module}\nexcept ImportError as err:\n    print(err)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert words in done.stdout and "Traceback" not in done.stderr


class Recorder:
    def __init__(self):
        self.calls = []

    def grads(self, step):
        self.calls.append(("grads", step))

    def step(self, step, loss=None):
        self.calls.append(("step", step, loss is not None))

    def close(self):
        self.calls.append(("close",))


def test_lightning_fit_calls_grads_step_and_close():
    pl = pytest.importorskip("lightning.pytorch")
    import torch
    from torch import nn

    from rnnscope.integrations.lightning import ScopeCallback

    class Tiny(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = nn.GRU(2, 4, batch_first=True), nn.Linear(4, 1)

        def training_step(self, batch, _):
            out, _ = self.rnn(batch[0])
            return self.head(out).square().mean()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(6, 3, 2)), batch_size=2)
    recorder = Recorder()
    pl.Trainer(max_steps=3, callbacks=[ScopeCallback(recorder)], logger=False, enable_checkpointing=False,
               enable_progress_bar=False, enable_model_summary=False).fit(Tiny(), data)
    assert [c[0] for c in recorder.calls] == ["grads", "step"] * 3 + ["close"]
    assert all(c[2] for c in recorder.calls if c[0] == "step")


def test_hf_callback_hooks_drive_the_scope():
    transformers = pytest.importorskip("transformers")
    from rnnscope.integrations.hf import ScopeCallback

    recorder = Recorder()
    callback = ScopeCallback(recorder)
    assert isinstance(callback, transformers.TrainerCallback)
    state = transformers.TrainerState()
    state.global_step = 4
    callback.on_pre_optimizer_step(None, state, None)
    callback.on_log(None, state, None, logs={"loss": 1.5})
    callback.on_step_end(None, state, None)
    callback.on_train_end(None, state, None)
    assert recorder.calls == [("grads", 4), ("step", 4, True), ("close",)]
