"""The Lightning and HF callbacks: a clear ImportError without the library; with it (the test extra installs both), a
real fit / train of a tiny LSTM LM, watched, its frames checked."""

import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnscope.storage.timeline.heartbeat import read_heartbeat
from rnnscope.watch.scope import Scope
from tests.watch_fixtures import frames_in


@pytest.mark.parametrize("module, blocked, words", [
    ("rnnscope.integrations.lightning", ["lightning", "lightning.pytorch", "pytorch_lightning"], "pip install lightning"),
    ("rnnscope.integrations.hf", ["transformers"], "pip install transformers"),
])
def test_without_the_library_the_import_error_says_what_to_install(module, blocked, words):
    code = (f"import sys\nsys.modules.update({{name: None for name in {blocked!r}}})\n"
            f"try:\n    import {module}\nexcept ImportError as err:\n    print(err)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert words in done.stdout and "Traceback" not in done.stderr


VOCAB = list("abcdefg")
IDS = torch.tensor([0, 1, 2, 3, 4, 5, 6, 0, 1])


class TinyLM(nn.Module):
    """Embedding -> LSTM -> linear over 7 symbols; forward returns the HF Trainer's {'loss': ...}."""

    def __init__(self):
        super().__init__()
        self.emb, self.rnn, self.head = nn.Embedding(7, 3), nn.LSTM(3, 4, batch_first=True), nn.Linear(4, 7)

    def forward(self, input_ids, labels=None):
        out, _ = self.rnn(self.emb(input_ids))  # [B, T, H]
        logits = self.head(out)  # [B, T, V]
        return {"loss": F.cross_entropy(logits.reshape(-1, 7), labels.reshape(-1)), "logits": logits}


def lm_scope(model, run_dir):
    return Scope(model.rnn, run_dir, probe=IDS[:-1], embedding=model.emb, targets=IDS[1:], readout=model.head,
                 vocab=VOCAB, every=1)


def check_frames(run_dir, steps, lag=0):
    """One frame per optimizer step, its norms taken at that step, a train loss (`lag` frames without one: the HF
    Trainer logs a step's loss after its on_step_end), and the run ended."""
    frames = frames_in(run_dir)
    assert [f.entry.step for f in frames] == list(range(steps))
    assert [f.meta["grad_step"] for f in frames] == list(range(steps))
    assert all(f.meta["grad_total"] > 0 for f in frames)
    assert [f.entry.train_loss is None for f in frames] == [True] * lag + [False] * (steps - lag)
    assert frames[-1].probe.labels == tuple(VOCAB[i] for i in IDS[:-1])
    assert read_heartbeat(run_dir).state == "ended"


def data(rows=8):
    torch.manual_seed(0)
    return torch.randint(0, 7, (rows, 6))


@pytest.mark.slow
def test_a_real_lightning_fit_of_a_tiny_lstm_is_watched(tmp_path):
    pl = pytest.importorskip("lightning.pytorch")
    from rnnscope.integrations.lightning import ScopeCallback

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.lm = TinyLM()

        def training_step(self, batch, _):
            return self.lm(batch[0][:, :-1], batch[0][:, 1:])["loss"]

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    module = Module()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data()), batch_size=2)
    pl.Trainer(max_steps=4, callbacks=[ScopeCallback(lm_scope(module.lm, tmp_path))], logger=False,
               enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
               gradient_clip_val=0.5).fit(module, loader)
    check_frames(tmp_path, 4)


@pytest.mark.slow
def test_a_real_hf_trainer_run_of_a_tiny_lstm_is_watched(tmp_path):
    transformers = pytest.importorskip("transformers")
    from rnnscope.integrations.hf import ScopeCallback

    model = TinyLM()
    rows = [{"input_ids": row[:-1], "labels": row[1:]} for row in data()]
    args = transformers.TrainingArguments(output_dir=str(tmp_path / "out"), max_steps=4, per_device_train_batch_size=2,
                                          logging_steps=1, save_strategy="no", report_to=[], use_cpu=True,
                                          disable_tqdm=True, learning_rate=0.1)
    transformers.Trainer(model=model, args=args, train_dataset=rows,
                         callbacks=[ScopeCallback(lm_scope(model, tmp_path / "run"))]).train()
    check_frames(tmp_path / "run", 4, lag=1)
