"""The old fixed-vector probe of a language model: finds the embedding its vectors were copied from, where it can,
and tells when that embedding has trained away from them (the probe then shows inputs the model no longer sees)."""

from __future__ import annotations

import gc
from dataclasses import dataclass

import torch
from torch import nn

from rnnscope.watch.guard import OWN

MATCH = 1e-6  # a probe vector is an embedding's row when they differ by at most this (relative to the row's scale)
DRIFTED = 1e-2  # the rows have drifted when they differ from the copies by this much (relative to their scale)
PARENT_LEVELS = 2  # how far up from the recurrent module the model holding its embedding is looked for


@dataclass(frozen=True)
class Source:
    """The embedding whose rows the probe's vectors were at construction."""

    name: str  # the embedding's name in its model ('encoder'), for the warning
    embedding: nn.Embedding
    ids: torch.Tensor  # [T] int64: the rows the probe copied


def _parents(module: nn.Module) -> list[nn.Module]:
    """The modules that hold `module` as a child (in their _modules dict), found by the garbage collector's
    referrers: a Scope given model.rnn cannot otherwise see model.encoder. The _modules dict is referred to by its
    module, or by the module's __dict__."""
    found = []
    for modules in (d for d in gc.get_referrers(module) if isinstance(d, dict)):
        for holder in gc.get_referrers(modules):
            if isinstance(holder, nn.Module) and holder._modules is modules:
                found.append(holder)
            elif isinstance(holder, dict) and holder.get("_modules") is modules:
                found += [m for m in gc.get_referrers(holder) if isinstance(m, nn.Module) and m.__dict__ is holder]
    return found


def _roots(given: object, rnn: nn.RNNBase) -> list[nn.Module]:
    """The module the user gave, and the models above the recurrent module (a few levels up)."""
    roots = [given] if isinstance(given, nn.Module) else []
    level = [rnn]
    for _ in range(PARENT_LEVELS):
        level = [parent for module in level for parent in _parents(module)]
        roots += level
    return roots


def find_source(given: object, rnn: nn.RNNBase, fixed: torch.Tensor) -> Source | None:
    """The embedding (of the model the user gave, or of one holding the recurrent module) whose rows equal the
    probe's vectors [1, T, I] now; None when there is none (the vectors come from elsewhere, or it cannot tell)."""
    vectors = fixed[0]  # [T, I]
    seen: set[int] = set()
    for root in _roots(given, rnn):
        for name, embedding in root.named_modules():
            if not isinstance(embedding, nn.Embedding) or id(embedding) in seen:
                continue
            seen.add(id(embedding))
            weight = embedding.weight.detach()
            if weight.dim() != 2 or weight.shape[1] != vectors.shape[1] or weight.is_meta:
                continue
            with torch.no_grad():
                rows = weight.to("cpu", torch.float32)  # [V, I]
                ids = torch.cdist(vectors, rows).argmin(dim=1)  # [T]: the nearest rows (approximate distances)
                gap = float((rows[ids] - vectors).abs().max())  # exact, for those rows
            if gap <= MATCH * max(1.0, float(vectors.abs().max())):
                return Source(name or type(embedding).__name__, embedding, ids)
    return None


def drift(source: Source, fixed: torch.Tensor) -> float:
    """How far the embedding's rows have moved from the probe's copies [1, T, I] (max difference over the scale)."""
    with torch.no_grad():
        rows = source.embedding.weight.detach()[source.ids.to(source.embedding.weight.device)]  # [T, I]
        gap = float((rows.to("cpu", torch.float32) - fixed[0]).abs().max())
    return gap / max(1.0, float(fixed.abs().max()))


def drift_warning(source: Source, moved: float) -> str:
    """The one warning: what is stale, by how much, and the form that follows training."""
    return (f"{OWN}: the probe's input vectors were copied from the embedding '{source.name}' at "
            f"construction and it has trained since (its rows moved by {moved:.2g}): the frames show inputs the model "
            f"no longer sees. Give the token ids and the embedding instead: Scope(..., probe=ids, "
            f"embedding=model.{source.name}), re-embedded at every probe")
