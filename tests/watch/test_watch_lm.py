"""A watched language model as people write one: token ids and the embedding, re-embedded at every probe; the names
of its classes; a sample; the old fixed-vector form's drift warning; the first probe uncharged; close()'s probe."""

import copy
import time
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnscope.watch.scope import Scope
from rnnscope.watch.watched_probe import WatchedProbe
from tests.watch_fixtures import frames_in, train

WORDS = [f"word{i}" for i in range(11)]
PROBE = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6])


def own_loss(model, ids):
    """The model's own loss on the probe, dropout off: what the probe must measure at that step."""
    twin = copy.deepcopy(model).eval()
    with torch.no_grad():
        logits = twin(ids[None, :-1])[0]  # [T, V]
        return float(F.cross_entropy(logits, ids[1:]))


def lm_scope(run_dir, **options):
    def make(model):
        return Scope(model.rnn, run_dir, probe=PROBE[:-1], embedding=model.encoder, targets=PROBE[1:],
                     readout=model.decoder, vocab=WORDS, **options)
    return make


def test_the_probe_re_embeds_its_ids_so_its_loss_is_the_models_own_at_each_step(tmp_path):
    plain, _, _ = train(steps=10)
    losses, model, scope = train(steps=10, make_scope=lm_scope(tmp_path, every=1))
    assert losses == plain  # the embedding is read, never written
    last = frames_in(tmp_path)[-1]
    assert last.probe.loss == pytest.approx(own_loss(model, PROBE), rel=1e-4)
    embedded = model.encoder(PROBE[:-1]).detach()  # [T, E]
    assert torch.allclose(torch.from_numpy(last.probe.embedding), embedded, atol=2e-3)  # stored as float16
    assert last.probe.labels == tuple(WORDS[i] for i in PROBE[:-1])
    top = torch.from_numpy(last.probe.probs).topk(5, dim=1).indices  # [T, 5]
    named = {int(i) for i in top.flatten()} | {int(i) for i in PROBE[1:]}
    assert last.meta["class_names"] == {str(i): WORDS[i] for i in sorted(named)}
    scope.close()


def test_the_fixed_vector_form_warns_once_when_its_embedding_has_trained_away(tmp_path):
    def old_form(given):
        def make(model):
            target = model if given == "model" else model.rnn  # the model: its embedding is seen; the rnn: found
            return Scope(target, tmp_path / given, probe=model.encoder(PROBE[:-1]).detach(), targets=PROBE[1:],
                         readout=model.decoder, every=1)
        return make

    for given in ("model", "rnn"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, model, scope = train(steps=10, make_scope=old_form(given))
        stale = [w for w in caught if "embedding=model.encoder" in str(w.message)]
        assert len(stale) == 1 and "'encoder'" in str(stale[0].message)
        shown = torch.from_numpy(frames_in(tmp_path / given)[-1].probe.embedding)  # [T, E], as copied
        assert (shown - model.encoder(PROBE[:-1]).detach()).abs().max() > 1e-2  # what the model sees has moved on
        scope.close()
    with warnings.catch_warnings(record=True) as caught:  # vectors from nowhere: nothing to tell
        warnings.simplefilter("always")
        train(steps=4, make_scope=lambda m: Scope(m.rnn, tmp_path / "free", probe=torch.randn(5, 6), every=1))
    assert not [w for w in caught if "embedding" in str(w.message)]


def test_decode_any_input_function_and_a_sample(tmp_path):
    lstm = nn.LSTM(11, 6)
    head = nn.Linear(6, 11)
    calls = []

    def sample():
        calls.append(torch.rand(()))  # draws from the generator Scope forked: training's stays as it was
        return "pr", "\ud800continued"  # a lone surrogate from a broken decode: written as U+FFFD

    scope = Scope(lstm, tmp_path, probe=[1, 2, 3, 4], embedding=lambda ids: F.one_hot(ids, 11).float(),
                  targets=[2, 3, 4, 5], readout=head, decode=lambda i: "abcdefghijk"[i], sample=sample, every=1)
    state = torch.random.get_rng_state()
    scope.step(0)
    scope.close()
    assert torch.equal(torch.random.get_rng_state(), state) and len(calls) == 1
    frame = frames_in(tmp_path)[0]
    assert frame.probe.labels == ("b", "c", "d", "e") and frame.probe.embedding.shape == (4, 11)
    assert frame.meta["sample"] == {"prime": "pr", "text": "\ufffd\ufffd\ufffdcontinued"}


@pytest.mark.parametrize(("options", "words"), [
    ({"probe": torch.tensor([1.0, 2.0]), "embedding": nn.Embedding(11, 6)}, "token ids, \\[T\\] integers"),
    ({"probe": torch.tensor([1, -2]), "embedding": nn.Embedding(11, 6)}, "negative token id"),
    ({"probe": torch.tensor([1, 2]), "embedding": nn.Embedding(11, 5)}, "could not run the module"),
    ({"probe": torch.tensor([1, 2]), "embedding": "encoder"}, "embedding must be the model's embedding module"),
    ({"probe": torch.tensor([1, 2]), "embedding": nn.Embedding(11, 6), "vocab": WORDS, "decode": str},
     "vocab .* or decode .*, not both"),
    ({"probe": torch.tensor([1, 2]), "embedding": nn.Embedding(11, 6), "vocab": "abc"}, "vocab must be a list"),
    ({"probe": torch.tensor([1, 12]), "embedding": nn.Embedding(13, 6), "decode": lambda i: WORDS[i]},
     "cannot name probe token 12"),
    ({"probe": torch.tensor([1, 2]), "embedding": nn.Embedding(11, 6), "sample": "text"}, "sample must be a function"),
    ({"probe": torch.ones(3, 6, dtype=torch.int64)}, "not a torch.int64 tensor"),
])
def test_lm_arguments_are_refused_in_one_line(tmp_path, options, words):
    with pytest.raises(ValueError, match=words):
        Scope(nn.LSTM(6, 4), tmp_path, **options)
    assert not (tmp_path / "timeline").exists()


def test_the_first_probe_is_start_up_and_the_next_come_within_the_budget(tmp_path, monkeypatch):
    real_run = WatchedProbe.run
    runs = []

    def slow_first(self, step):  # a first probe of 1 s (first calls, allocations) in a loop of 10 ms steps
        runs.append(step)
        if len(runs) == 1:
            time.sleep(1.0)
        return real_run(self, step)

    monkeypatch.setattr(WatchedProbe, "run", slow_first)
    _, _, scope = train(steps=1, make_scope=lm_scope(tmp_path, budget=0.2))
    for step in range(1, 150):
        time.sleep(0.01)
        scope.step(step)
    # charged, 1 s at 20% would be paid back only after 5 s: frames at steps 0 and 1, then silence
    assert len(runs) >= 4 and max(b - a for a, b in zip(runs, runs[1:])) < 100, runs
    assert scope.side_share < 0.3
    scope.close()
    assert frames_in(tmp_path)[-1].entry.step == 149  # close() probes the last step
