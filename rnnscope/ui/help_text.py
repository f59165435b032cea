"""The help screen's words: the keys (from the keymap) and how to read each panel."""

from __future__ import annotations

from rnnscope.ui.keymap import ALL_KEYS, KeyAction, key_label

READING_GUIDE = """\
## How to read the panels

**Status line.** `RUNNING` / `PAUSED` / `DIVERGED`, `step N`, train and validation loss in nats per
character and in bits per character (bpc = nats / ln 2), `clip <threshold>` and how often it fired
recently (or `clip off`), `init <name>`, model and parameter count, throughput, corpus, device (shorter
forms on a narrow terminal). Each panel's title says which step it shows: `probe @ step N` on the
probe's panels (refreshed every few seconds), `memory · step N`, `sample · step N`.

**Probe text and encoding.** The model reads a fixed probe text from a zero state; every panel's time
axis is one character of it. Each character becomes an index, a one-hot vector and then a learnt
embedding vector (the nearest characters in embedding space are shown). The same weights are used at
every timestep: that is parameter sharing. The probe is coloured by the selected unit, so you can see
what a unit responds to (quotes, line ends, vowels…), and the top next-character guesses at the cursor.

**Gate, cell and hidden heatmaps** (units × time). LSTM gates, in PyTorch's order:
*input* (how much to **store**), *forget* (how much of the old cell to keep), *cell* — the candidate
g (what to **update** the cell with), *output* (how much of the cell to show as h_t).
c_t = f·c_{t-1} + i·g, h_t = o·tanh(c_t). A **forget gate ≈ 1 keeps the cell state**: the gradient then
flows back along c_t almost unchanged — the *uninterrupted gradient flow* that lets LSTMs remember.
GRU: reset, update, new. A vanilla RNN has no gates: h_t = tanh(W_ih x_t + W_hh h_{t-1} + b).

**Saturation.** The fraction of a sigmoid gate's entries below 0.1 or above 0.9. A saturated gate is a
clean switch, but its derivative is ≈ 0, so little gradient passes through it.

**Gradient-flow strip** (log scale): ‖∂l_T/∂h_t‖ — how much the loss at the last character depends on
the hidden state t steps earlier. Backpropagation through time multiplies one Jacobian (a factor of
W_hh times the activation's derivative) per step back.
- **Vanishing**: the values fall off *exponentially* going back in time; decay per step < 0.9; a short
  memory horizon (steps back until the flow falls to 1%). The model cannot learn long-range links.
- **Exploding**: decay per step > 1.1; the gradient norms spike, the loss jumps, clipping fires.
- **Healthy**: decay near 1, the flow reaches far back.

**Memory panel** (beside the gradient flow; what the network actually *remembers*). With `--task
recall` or `--task brackets`: bars of answer accuracy by distance (how many steps separate the cue from
the answer; 64 fresh items per distance), the dashed line is chance (1/26 for recall, 1/3 for
brackets). Bars far above the line at long distances = long memory; bars at the line = the cue was
forgotten. On a text corpus: the **context curve**, the validation loss when the model sees only the
last k characters (k = 1, 2, 4, … seq-len); the dashed line is the full-window loss. Where the bars
reach the line is how far back the model really reads (Khandelwal et al. 2018). Read it with the
gradient flow: for an LSTM the strip shows ‖∂l/∂c‖ too, with its own `cell:` verdict. On a task the
probe is one item with the cue at t = 0 and the answer last, so the flow shows exactly the dependency
the task needs. `--forget-bias 3` starts the forget gates near 0.95: the cell path is healthy from step 0.

**Connectivity** (a triangle, log colour scale; below the gates, or on page 2 of a small terminal):
row t, column s is ‖∂l_t/∂e_s‖, how strongly the loss at target t responds to the input vector (the
embedding row) read at step s; empty above the diagonal, since l_t cannot depend on later inputs. A row
that stays bright far to the left reaches back; one that darkens within a few columns forgets. The
cursor's row is marked ▸ and read out below: its peak input and how much of the peak reaches s = 0 (on
a task, the cue). It measures *gradient saliency*, not everything the model knows: a saturated gate
can store the key and still pass little gradient, so a dim cell does not prove the input was forgotten
(read it with the memory panel). Large maps are shrunk by taking each group's largest value.

**σ_max** is the largest singular value of W_hh (per gate block for LSTM/GRU). Pascanu et al. (2013):
with tanh, σ_max < 1 is *sufficient* for vanishing gradients, and σ_max > 1 is *necessary* for
exploding ones (not sufficient).

**Per-parameter gradient norms**, before and after clipping, with the threshold. **Gradient clipping**
rescales the *whole* gradient so its total norm equals the threshold when it is larger: the direction is
kept, only the step gets shorter. It cures exploding, not vanishing gradients. `c` turns it on/off,
`[` `]` halve/double the threshold.

**The cures for vanishing gradients.** *ReLU* (`a`, vanilla RNN) has derivative 1 where active;
*identity initialisation* (`i` until `init identity`): W_hh = I with zero biases — Le et al. (2015):
with ReLU the flow then stays near 1 and long dependencies become learnable; *gated cells* (`m`:
LSTM/GRU) add a path along the cell state that the forget gate can keep open. On a text, a cure (and the
default LSTM's `cell:` line) can read VANISHING again after some training: the flow panel then adds what the
memory panel's context curve shows, "this text is predicted from ~8 characters: no long memory is needed".
Training keeps no memory the text has no use for; a memory task (`--task recall`) needs one.

**Loss curve**: train and validation loss, with a marker at every toggle, re-initialisation and
divergence; the y axis covers the later half of the run, earlier values and spikes above it are drawn on
the top row (its label ends in `↑`). **Sample**: text generated by the model at the current temperature (`g` new sample,
`t`/`T` lower/raise the temperature: low = safe and repetitive, high = varied and wild).

**Compare** (`--compare KEY=VALUE`): run B is run A with those settings changed, on the same batches from
the same initial weights where the architectures allow, one or two steps apart at most. The top line says
what differs and which run is selected (`s` switches); each run has its own status line (state, step,
losses, the gradient-flow verdict) and panels, and the one loss panel overlays both runs (A cyan/yellow,
B magenta/orange) with each run's toggles marked on its own curve. space, `n`, `e`, `g` act on both runs;
`c` `[` `]` `i` `a` `m` `r` on the selected one. A diverged run stops while the other goes on.

**DIVERGED**: the loss became NaN/inf. Training pauses and keeps the last finite weights; change a
setting (`c` clipping, `i` init, `m` model, `r` reset) and press space to go on.
"""


def help_markdown(keys: tuple[KeyAction, ...] = ALL_KEYS) -> str:
    """The whole help text as Markdown: the table of `keys` (this dashboard's: rnnscope.ui.keymap.own_keys), then
    the reading guide."""
    rows = "\n".join(f"| `{key_label(entry)}` | {entry.help} |" for entry in keys)
    return f"# rnnscope — help\n\n## Keys\n\n| key | action |\n|---|---|\n{rows}\n\n{READING_GUIDE}"
