"""How run B is made to match run A: A's batches and sampling, A's initial weights where the rule allows, again
after every re-initialisation of B (a hook on B's engine). The one place for it, in one process or two."""

from __future__ import annotations

from rnnscope.contracts.config import RunConfig
from rnnscope.contracts.engine_hook import EngineHook
from rnnscope.engine.engine import Engine
from rnnscope.training.model import build_model

# Changes after which B's recurrent module (rnn.*) must keep B's own initialisation.
OWN_RECURRENT_INIT = ("init", "init_gain", "forget_bias")


def shared_weight_names(config_a: RunConfig, config_b: RunConfig, model_a, model_b) -> list[str]:
    """The parameters B takes from A's initial model.

    Rule: with a different `seed`, B keeps its own weights (a new draw is what seed= asks for).
    Otherwise every parameter whose name and shape agree is A's -- embedding, head, recurrent weights
    when the cells match (model=rnn-relu against rnn-tanh, embed=, layers=, hidden= keep whatever
    still fits) -- except the recurrent module's own parameters (rnn.*) when B changes how they are
    initialised (init, init-gain, forget-bias): those stay as B's init made them. Changes of clip, lr
    and optimizer build B exactly as A, so the copy changes nothing there.
    """
    if config_a.seed != config_b.seed:
        return []
    own_init = any(getattr(config_a, f, None) != getattr(config_b, f, None) for f in OWN_RECURRENT_INIT)
    shapes_a = {name: p.shape for name, p in model_a.named_parameters()}
    return [name for name, p in model_b.named_parameters()
            if shapes_a.get(name) == p.shape and not (own_init and name.startswith("rnn."))]


class FollowA(EngineHook):
    """B's compare rules, attached to B's engine by follow_a: it needs only A's config, so a process that holds B
    alone keeps them too."""

    def __init__(self, config_a: RunConfig):
        self.config_a = config_a
        self.shared: list[str] = []  # the parameters B last took from A

    def after_reinit(self, engine: Engine) -> None:
        """r, i or m rebuilt B from its own seed: A's initial weights again where the rule allows (the batches go
        on as they were); the engine then probes the weights B now has."""
        self.copy_initial_weights(engine)

    def copy_initial_weights(self, engine: Engine) -> list[str]:
        """Overwrite B's weights with A's initial ones (build_model(config_a)) where the rule allows."""
        model_a = build_model(self.config_a, len(engine.corpus.vocab))
        self.shared = shared_weight_names(self.config_a, engine.config, model_a, engine.model)
        params_a = dict(model_a.named_parameters())
        engine.load_weights({name: params_a[name].detach() for name in self.shared})
        return self.shared


def follow_a(engine_b: Engine, config_a: RunConfig) -> FollowA:
    """Make a new B match A: A's seed for batches and sampling, A's initial weights where the rule allows, and the
    rule attached so that it holds after B is re-initialised."""
    engine_b.seed_streams(config_a.seed)
    rules = FollowA(config_a)
    rules.copy_initial_weights(engine_b)
    engine_b.attach(rules)
    return rules
