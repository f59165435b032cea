"""The lessons in the lecture's order: claim, where to look, what to press, preset, step budget and check."""

from __future__ import annotations

from rnnscope.lessons import checks
from rnnscope.lessons.lesson import Lesson
from rnnscope.storage.corpus_file import CODE_CORPUS, bundled_sample_path

# Panel titles as the dashboard shows them.
GATES, STATES, FLOW, NORMS = "gates", "cell & hidden state", "gradient flow", "gradient norms"
LOSS, SIGMA, PROBE, ENCODING, SAMPLE, MEMORY = ("loss", "sigma_max & saturation", "probe text", "encoding",
                                               "sample", "memory")

# The recall task the memory lessons share: small enough to learn in about a minute on one core.
RECALL = {"task": "recall", "distance": (1, 20), "hidden": 64, "embed": 16, "seq_len": 32, "batch": 64,
          "clip": 1.0}
# The LSTM on it, with batch 128: at batch 64 not every seed learns the recall in time
# (runs: benchmarks/README.md, lessons).
LSTM_RECALL = {**RECALL, "model": "lstm", "lr": 0.01, "batch": 128}
SHAKESPEARE = {"corpus": "", "task": None}
# MIT 6.S191 lab 1 part 2's model shape and optimiser (embedding -> one LSTM -> linear, Adam 5e-3, batch 8, windows
# of 100, no clipping) at a size that writes tunes within ~3 minutes on 2 CPU cores; the lab's own size is
# --embed 256 --hidden 1024 --steps 3000 (README, The lab: music generation).
MUSIC_LAB = {"corpus": str(bundled_sample_path("irish.abc")), "task": None, "model": "lstm", "layers": 1, "embed": 64,
             "hidden": 256, "seq_len": 100, "batch": 8, "lr": 0.005, "optimizer": "adam", "clip": None}
# Identity times 1.2 under plain SGD: the first gradient is ~10^5, one unclipped step ruins the weights.
EXPLODES = {"model": "rnn-relu", "init": "identity", "init_gain": 1.2, "optimizer": "sgd", "lr": 0.1, "hidden": 128}

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        name="encoding",
        title="Encoding",
        claim=("Encoding: character -> one-hot -> embedding. The embedding of a character is its one-hot "
               "vector times the embedding matrix; after training, characters that play the same role "
               "(vowels, consonants, upper-case letters, punctuation) get neighbouring vectors, most clearly "
               "in the read-out (the head's row per character)."),
        look_at=(ENCODING, PROBE),
        press="← →",
        watch=("Move the cursor along the probe text (left/right): the encoding panel shows the character's "
               "index, its one-hot vector and its embedding row with its nearest characters; as the loss "
               "falls, the nearest characters of a vowel become vowels."),
        preset={**SHAKESPEARE, "model": "lstm", "hidden": 128, "embed": 8, "lr": 0.01},
        steps=1000,
        check=checks.encoding,
    ),
    Lesson(
        name="vanishing",
        title="Vanishing gradients",
        claim=("Computing the gradient wrt h_0 involves many factors of W_hh and repeated gradient "
               "computation: many values < 1 give vanishing gradients. A tanh RNN with default init "
               "loses the gradient geometrically, within a few steps."),
        look_at=(FLOW, SIGMA, MEMORY),
        press="i i i, then a",
        watch=("The flow fades to the left within a few characters (decay < 0.9) though sigma_max > 1: tanh "
               "saturates, tanh' < 1. Cures: press i 3 times (init identity), then a (ReLU): the check says "
               "unjudgeable. ~1,000 steps later a cure reads VANISHING again, as the context curve explains: "
               "this text is predicted from ~8 characters: no long memory is needed."),
        preset={**SHAKESPEARE, "model": "rnn-tanh", "init": "default", "init_gain": 1.0, "hidden": 128},
        steps=400,
        check=checks.vanishing,
        requires=("model", "init", "init_gain"),
    ),
    Lesson(
        name="exploding",
        title="Exploding gradients",
        claim=("Many values > 1: exploding gradients. A ReLU RNN whose W_hh is the identity times 1.2 "
               "multiplies the gradient at every step back: it grows by orders of magnitude and, "
               "without clipping, the run diverges."),
        look_at=(FLOW, NORMS, LOSS),
        press="c, then r",
        watch=("Watch the gradient norms climb and the status turn DIVERGED. Then press c (clipping on) "
               "and r (reset) to see the same run train."),
        preset={**SHAKESPEARE, **EXPLODES, "clip": None},
        steps=100,
        check=checks.exploding,
        requires=("model", "init", "init_gain", "optimizer", "clip"),
    ),
    Lesson(
        name="clipping",
        title="Gradient clipping",
        claim=("Gradient clipping to scale big gradients: the exploding run with clipping on trains, its "
               "post-clip norm never above the threshold; the same run with clipping off diverges."),
        look_at=(NORMS, LOSS),
        press="[ ]",
        watch=("Compare A (clip 1) and B (clip off) side by side: B's loss leaves the chart, A's falls; in "
               "A's gradient norms the post-clip bar stops at the threshold line. [ and ] move it."),
        preset={**SHAKESPEARE, **EXPLODES, "clip": 1.0},
        compare="clip=0",
        steps=600,
        check=checks.clipping,
        requires=("model", "init", "init_gain", "optimizer", "clip"),
    ),
    Lesson(
        name="relu-identity",
        title="ReLU and identity init",
        claim=("ReLU prevents f' from shrinking the gradient, and initialising W_hh to the identity with "
               "zero biases keeps it from shrinking to zero: on the recall task the ReLU RNN with identity "
               "init carries the key over long distances, the tanh RNN with default init does not."),
        look_at=(MEMORY, FLOW),
        press="s, ← →",
        watch=("Compare A (rnn-relu, identity) with B (rnn-tanh, default): A's accuracy bars rise at every "
               "distance while B's stay near chance at the long ones; A's flow stays level, B's fades."),
        preset={**RECALL, "model": "rnn-relu", "init": "identity", "lr": 0.003},
        compare="model=rnn-tanh,init=default",
        steps=1500,
        check=checks.relu_identity,
        requires=("task", "model", "init"),
    ),
    Lesson(
        name="lstm-gates",
        title="LSTM gates",
        claim=("LSTMs: 1) Forget 2) Store 3) Update 4) Output. On the recall task the input gate opens at "
               "the key for the units that store it, their forget gates stay near 1 over the filler so the "
               "cell state keeps it, and the output gate opens at '='."),
        look_at=(GATES, STATES, MEMORY),
        press="← →, ↑ ↓",
        watch=("Move the cursor to the key (t = 0), then to '=': the named units' input gate is bright at "
               "the key, their forget gate stays bright over the dots, their cell row keeps its colour, "
               "their output gate lights up at '='."),
        preset=LSTM_RECALL,
        steps=3000,
        check=checks.lstm_gates,
        requires=("task", "model"),
    ),
    Lesson(
        name="long-memory",
        title="Long-term dependencies",
        claim=("Gated cells like LSTMs let us model long-term dependencies, with uninterrupted gradient "
               "flow through the cell state: the LSTM recalls the key at every distance, the tanh RNN "
               "does not and its flow vanishes."),
        look_at=(MEMORY, FLOW),
        press="s, ← →",
        watch=("A (lstm): accuracy bars at the top at every distance, its `cell:` decay >= 0.9 (the cell path "
               "does not vanish: healthy, or exploding above 1.1). B (rnn-tanh): bars near the chance line at "
               "the long ones, its flow vanishes."),
        preset=LSTM_RECALL,
        compare="model=rnn-tanh",
        steps=3000,
        check=checks.long_memory,
        requires=("task", "model"),
    ),
    Lesson(
        name="generation",
        title="Generation",
        claim=("Predict the future with past experiences: sampling one character at a time generates text. "
               "At low temperature the model repeats its likeliest text, at high temperature it invents: "
               "the share of distinct 3-grams in a sample rises with the temperature."),
        look_at=(SAMPLE, LOSS),
        press="g, t T",
        watch="g draws a new sample, t / T lower / raise the temperature: g again and compare.",
        preset={**SHAKESPEARE, "model": "lstm", "hidden": 128},
        steps=1000,
        check=checks.generation,
    ),
    Lesson(
        name="music",
        title="Music generation (the MIT lab)",
        claim=("Recurrent models generate music: an LSTM trained on 806 Irish folk tunes in ABC notation writes "
               "tunes that abc2midi converts without error about as often as the training tunes themselves, "
               "without copying them."),
        look_at=(SAMPLE, LOSS),
        press="e",
        watch=("Watch the tunes panel: valid tunes (k of n) rise towards the training tunes' share, the copied share "
               "stays low, and the piano roll draws the newest valid tune. e exports them to tunes/ (.abc, .mid, .wav)."),
        preset=MUSIC_LAB,
        steps=3000,
        check=checks.music,
        requires=("model",),
    ),
    Lesson(
        name="interpretable-cells",
        title="Interpretable cells",
        claim=("Karpathy, Johnson & Fei-Fei (2015): \"some units track long-range structure: being inside a string, "
               "nesting depth, the position in a line\". Trained on Python source, one unit follows the bracket "
               "depth and one being inside a string, beyond what the current character says."),
        look_at=(STATES, PROBE),
        press="U",
        watch=("U opens the Units page: units ranked by their best feature with r beyond the character; f sorts by one "
               "feature (in_dquote, depth_paren); enter puts the unit's row under the heatmaps' cursor."),
        preset={"corpus": str(bundled_sample_path(CODE_CORPUS)), "task": None, "model": "lstm", "hidden": 128},
        steps=1000,
        check=checks.interpretable_cells,
        requires=("model",),
    ),
)
