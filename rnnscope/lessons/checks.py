"""The live checks: one pure function per lesson from plain evidence (see evidence.py) to a Finding."""

from __future__ import annotations

import math

from rnnscope.lessons.evidence import MissingEvidence, accuracy_by_distance, extra, layer_metrics, number
from rnnscope.lessons.lesson import Finding

VANISHING_BELOW = 0.9  # decay per step under this: vanishing (PRODUCT.md section 3)
EXPLODING_ABOVE = 1.1  # decay per step over this: exploding
RECALLS = 0.9  # recall accuracy at the longest distance that counts as carrying the key
FORGETS = 0.5  # ... and at most this for the run that does not carry it (chance is 1/26)
CLIP_SLACK = 1e-4  # the post-clip norm may exceed the threshold by this relative float error
CLIP_GAP = 0.5  # clipping off ends at least this many nats worse than on (when it does not diverge)
TRAINS_BY = 0.5  # a run "trains" when its loss fell this many nats from step 1 and below ln(vocabulary)
OUTPUT_RISE = 0.2  # the output gate at '=' exceeds its mean over the filler by this much
NEIGHBOUR_FACTOR = 1.6  # nearest neighbours of the same role this many times as often as by chance
DIVERSITY_GAIN = 1.2  # distinct n-gram ratio at the highest temperature / at the lowest
TUNES_JUDGED = 12  # the music lesson judges the valid share of at least this many recent tunes
VALID_SHARE = 0.5  # ... which must reach this (the training tunes' own share and seeds 0-2: benchmarks/README.md, lessons)
COPIED_BOUND = 0.5  # ... while the share of their characters in copied stretches of >= 20 stays below this
STRING_UNIT = 0.3  # |r beyond the character| of the best string unit (interpretable-cells), and of the best
DEPTH_UNIT = 0.45  # bracket-depth unit, each below what seeds 0-2 reached (benchmarks/README.md, lessons)


def vanishing(run: dict, settle: int = 200) -> Finding:
    """A tanh RNN with default init: decay < 0.9, a horizon of a few steps, decay <= sigma_max (after training)."""
    m = layer_metrics(run)
    decay, horizon, sigma = number(m["decay_per_step"]), number(m["memory_horizon"]), m["sigma_max"]
    few = run["settings"].get("seq_len") or 64
    numbers = {"decay_per_step": decay, "memory_horizon": horizon, "sigma_max": sigma}
    ok = decay < VANISHING_BELOW and horizon < few / 2 and decay <= float(sigma) * (1 + 1e-5)
    text = (f"decay {decay:.2f} {'<' if decay < VANISHING_BELOW else '>='} {VANISHING_BELOW}, "
            f"horizon {_steps(horizon)}, sigma_max {float(sigma):.2f}{_saturation_text(run, float(sigma))}")
    if ok and run["step"] < settle:
        return Finding(None, f"{text}; judged after step {settle} (still training)", numbers)
    return Finding(ok, text, numbers)


def exploding(run: dict) -> Finding:
    """Repeated factors > 1: at initialisation decay > 1.1 (the gradient grows by orders of magnitude back
    through time) and, without clipping, the run diverges."""
    m = layer_metrics(run, key="initial_metrics")
    decay, diverged = number(m["decay_per_step"]), run.get("diverged")
    explodes = decay > EXPLODING_ABOVE
    steps_back = (run["settings"].get("seq_len") or 64) - 1
    orders = steps_back * math.log10(decay) if decay > 0 and math.isfinite(decay) else math.nan
    first = run["grad"].get("first_pre")
    numbers = {"initial_decay_per_step": decay, "orders_through_time": orders, "grad_first": first,
               "diverged": diverged}
    text = (f"decay {_num(decay)} {'>' if explodes else '<='} {EXPLODING_ABOVE} at init "
            f"(x10^{orders:.1f} over {steps_back} steps back), gradient norm {_num(first)} at step 1, "
            + (f"diverged after step {diverged:,}" if diverged is not None else "not diverged"))
    return Finding(explodes and diverged is not None, text, numbers)


def clipping(both: dict, settle: int = 300) -> Finding:
    """Clipping on (A) trains with post-clip norms <= the threshold; off (B) diverges or ends far worse."""
    on, off = both["a"], both["b"]
    clip = on["settings"]["clip"]
    on_loss, off_loss = _loss(on), _loss(off)
    max_post = on["grad"].get("max_post")
    bounded = max_post is not None and max_post <= clip * (1 + CLIP_SLACK)
    first, uniform = on.get("loss_first"), on.get("uniform_loss")
    trains = (on.get("diverged") is None and first is not None and on_loss <= first - TRAINS_BY
              and (uniform is None or on_loss < uniform))
    off_bad = off.get("diverged") is not None or not math.isfinite(off_loss) or off_loss >= on_loss + CLIP_GAP
    numbers = {"clip": clip, "on_loss_first": first, "on_loss": on_loss, "on_max_post": max_post,
               "off_loss": off_loss, "off_diverged": off.get("diverged")}
    off_text = (f"diverged after step {off['diverged']:,}" if off.get("diverged") is not None
                else f"loss {_num(off_loss)}")
    text = (f"clip {clip:g}: loss {_num(first)} -> {_num(on_loss)}, post-clip norm max {_num(max_post)} "
            f"{'<=' if bounded else '>'} {clip:g}; clip off: {off_text}")
    ok = bounded and trains and off_bad
    if ok and min(on["step"], off["step"]) < settle and off.get("diverged") is None:
        return Finding(None, f"{text}; judged after step {settle}", numbers)
    return Finding(ok, text, numbers)


def carries_key(both: dict, cure: str) -> Finding:
    """Run A (the cure) recalls the key at the longest distance, run B (rnn-tanh default) does not."""
    distance, a_acc = accuracy_by_distance(both["a"])[-1]
    _, b_acc = accuracy_by_distance(both["b"])[-1]
    numbers = {"distance": distance, "a_accuracy": a_acc, "b_accuracy": b_acc}
    ok = a_acc >= RECALLS and b_acc <= FORGETS
    a_need = "" if a_acc >= RECALLS else f", needs >= {RECALLS}"
    b_need = "" if b_acc <= FORGETS else f", needs <= {FORGETS}"
    text = f"{cure} recalls {a_acc:.2f} at distance {distance}{a_need}; rnn-tanh {b_acc:.2f}{b_need}"
    return Finding(ok, text, numbers)


def relu_identity(both: dict) -> Finding:
    return carries_key(both, "rnn-relu+identity")


def long_memory(both: dict) -> Finding:
    """LSTM recalls at the longest distance with a healthy cell path; the tanh RNN neither recalls nor keeps its flow."""
    found = carries_key(both, "lstm")
    lstm, tanh = layer_metrics(both["a"]), layer_metrics(both["b"])
    cell_decay, tanh_decay = number(lstm.get("cell_decay_per_step")), number(tanh["decay_per_step"])
    cell_ok = cell_decay >= VANISHING_BELOW
    tanh_vanishes = tanh_decay < VANISHING_BELOW
    numbers = {**found.numbers, "lstm_cell_decay": cell_decay, "tanh_decay": tanh_decay}
    text = (f"{found.text}; lstm cell decay {_num(cell_decay)} {'>=' if cell_ok else '<'} {VANISHING_BELOW}, "
            f"rnn-tanh decay {_num(tanh_decay)} {'<' if tanh_vanishes else '>='} {VANISHING_BELOW}")
    return Finding(bool(found.ok) and cell_ok and tanh_vanishes, text, numbers)


def lstm_gates(run: dict) -> Finding:
    """At the key the input gate opens for the units that store it, their forget gates stay near 1 over the
    filler so their cell holds it, and the output gate opens at the cue (rnnscope.lessons.unit_evidence)."""
    distance, accuracy = accuracy_by_distance(run)[-1]
    found = extra(run, "gates")
    units = found["units"]
    numbers = {"accuracy": accuracy, "distance": distance, "holding": found["holding"], "units": units}
    recall = f"recall {accuracy:.2f} at distance {distance}{'' if accuracy >= RECALLS else f', needs >= {RECALLS}'}"
    if not units:
        return Finding(False, f"no unit stores and holds the key yet; {recall}", numbers)
    best = units[0]
    rise = best["output_at_cue"] - best["output_over_filler"]
    text = (f"{found['holding']} units store and hold the key; unit {best['unit']}: input {best['input_at_key']:.2f} "
            f"at the key, forget {best['forget_over_filler']:.2f} over the filler, cell kept "
            f"{best['cell_kept']:.2f}, output {best['output_over_filler']:.2f} -> {best['output_at_cue']:.2f} at '='"
            f"{'' if rise >= OUTPUT_RISE else f' (needs a rise >= {OUTPUT_RISE})'}; {recall}")
    return Finding(rise >= OUTPUT_RISE and accuracy >= RECALLS, text, numbers)


def encoding(run: dict) -> Finding:
    """After training, a character's nearest neighbour among the read-out vectors (the head's rows) plays the
    same role (vowel, consonant, upper-case, digit, punctuation) far more often than chance; the input
    embedding's number is shown beside it."""
    found, embedded = extra(run, "readout"), extra(run, "embedding")
    same, chance = found.get("neighbour_same"), found.get("neighbour_chance")
    if same is None:
        return Finding(False, f"the vocabulary has fewer than 2 character groups ({', '.join(found['groups'])})",
                       found)
    ok = same >= NEIGHBOUR_FACTOR * chance
    numbers = {"readout": found, "embedding": embedded}
    text = (f"nearest read-out neighbour of the same role {same:.2f} {'>=' if ok else '<'} {NEIGHBOUR_FACTOR} x "
            f"chance {chance:.2f} (input embedding {embedded['neighbour_same']:.2f}) over {', '.join(found['groups'])}")
    return Finding(ok, text, numbers)


def generation(run: dict, settle: int = 300) -> Finding:
    """Samples repeat themselves at low temperature and invent at high: distinct n-grams rise with temperature."""
    found = extra(run, "samples")
    temps, distinct = found["temperatures"], found["distinct"]
    rising = all(x < y for x, y in zip(distinct, distinct[1:]))
    gain = distinct[-1] / distinct[0] if distinct[0] > 0 else math.inf
    ok = rising and gain >= DIVERSITY_GAIN
    shown = ", ".join(f"{d:.2f} at T={t:g}" for t, d in zip(temps, distinct))
    text = f"distinct {found['n']}-grams {shown} ({'rising' if rising else 'not rising'}, x{gain:.2f})"
    if ok and run["step"] < settle:
        return Finding(None, f"{text}; judged after step {settle}", found)
    return Finding(ok, text, found)


def music(run: dict, settle: int = 1000) -> Finding:
    """The tunes cut from samples pass abc2midi about as often as the training text's own, without copying them
    (judged from step `settle` on: ABC forgives much, and a third of the tunes pass after 300 steps)."""
    tunes = run.get("tunes")
    if not tunes:
        raise MissingEvidence("no tunes: the corpus is not a text of tunes")
    if tunes.get("checked", 0) == 0 and tunes.get("note"):
        return Finding(False, tunes["note"], tunes)
    checked, valid, copied = tunes["checked"], tunes["valid"], tunes.get("copied_share")
    share = valid / checked if checked else 0.0
    training = tunes.get("training_share")
    enough = checked >= TUNES_JUDGED
    ok = enough and share >= VALID_SHARE and copied is not None and copied < COPIED_BOUND
    text = (f"valid tunes {valid} of {checked} ({share:.0%}{'' if share >= VALID_SHARE else f', needs >= {VALID_SHARE:.0%}'}"
            f"; training tunes {_share(training)}), copied {_share(copied)}"
            f"{'' if copied is None or copied < COPIED_BOUND else f' (needs < {COPIED_BOUND:.0%})'}"
            f"{'' if enough else f', judged on >= {TUNES_JUDGED} tunes'}")
    if ok and run["step"] < settle:
        return Finding(None, f"{text}; judged after step {settle}", tunes)
    return Finding(ok, text, tunes)


def _share(value) -> str:
    return "n/a" if value is None else f"{float(value):.0%}"


def interpretable_cells(run: dict, settle: int = 500) -> Finding:
    """A unit tracks being inside a string and one the bracket depth, beyond what the current character says
    (judged from step `settle` on: before it the best units still change places; benchmarks/README.md, lessons)."""
    found = extra(run, "units")
    string, depth = found.get("string"), found.get("depth")
    if string is None or depth is None:
        return Finding(False, "the analysis has no string or depth feature yet", found)
    ok = string["r_beyond"] >= STRING_UNIT and depth["r_beyond"] >= DEPTH_UNIT
    text = (f"string unit {string['unit']} ({string['feature']}) r beyond the character {string['r_beyond']:.2f} "
            f"{'>=' if string['r_beyond'] >= STRING_UNIT else '<'} {STRING_UNIT}, depth unit {depth['unit']} "
            f"({depth['feature']}) {depth['r_beyond']:.2f} {'>=' if depth['r_beyond'] >= DEPTH_UNIT else '<'} "
            f"{DEPTH_UNIT}")
    if ok and run["step"] < settle:
        return Finding(None, f"{text}; judged after step {settle}", {"string": string, "depth": depth})
    return Finding(ok, text, {"string": string, "depth": depth})


def _saturation_text(run: dict, sigma: float) -> str:
    """Why the flow vanishes although sigma_max > 1: the tanh saturates, its derivative shrinks every step."""
    tanh = run.get("extra", {}).get("tanh")
    if not tanh or tanh.get("mean_slope") is None or sigma <= 1:
        return ""
    return f" > 1 but tanh saturates: |h| > 0.9 for {tanh['saturated']:.0%}, mean tanh' {tanh['mean_slope']:.2f}"


def _loss(run: dict) -> float:
    value = run.get("train_loss")
    return math.inf if value is None or run.get("diverged") is not None else float(value)


def _steps(horizon: float) -> str:
    return "infinite" if not math.isfinite(horizon) else f"{horizon:.0f} steps"


def _num(value) -> str:
    """A number for the check's line: 3 significant digits, scientific when large or tiny."""
    if value is None:
        return "n/a"
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-2):
        return f"{value:.1e}"
    return f"{value:.3g}"
