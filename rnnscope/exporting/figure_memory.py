"""The memory plot of the exported figure: accuracy by distance with chance, or the context curve with `full`."""

from __future__ import annotations

from rnnscope.contracts.frames import MemoryReading


def memory_plot(ax, memory: MemoryReading | None) -> None:
    """Draw a task's accuracy bars (chance dashed), else the context curve (full-context loss dashed)."""
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)
    if memory is None:
        ax.set_title("memory", fontsize=9)
        ax.text(0.5, 0.5, "not measured yet", transform=ax.transAxes, ha="center", color="dimgrey")
        return
    if memory.task is not None:
        low, high = memory.distance_range
        ax.bar(memory.distances, memory.accuracy, width=max(1.0, (high - low) / 10), color="tab:green")
        ax.axhline(memory.chance, color="tab:red", linestyle="--", linewidth=1, label=f"chance {memory.chance:.2f}")
        ax.set_ylim(0, 1.05)
        ax.set_xticks(memory.distances)
        ax.set_xlabel("distance (steps between cue and answer)", fontsize=8)
        ax.set_ylabel("answer accuracy", fontsize=8)
        ax.set_title(f"memory: {memory.task} accuracy by distance ({memory.items[0] if len(memory.items) else 0} "
                     "items each)", fontsize=9)
    else:
        ax.plot(memory.context_k, memory.context_loss, marker="o", markersize=3, label="loss with k chars")
        ax.axhline(memory.full, color="tab:red", linestyle="--", linewidth=1, label=f"full {memory.full:.3f}")
        ax.set_xscale("log", base=2)
        ax.set_xticks(memory.context_k, [str(int(k)) for k in memory.context_k])
        ax.set_xlabel("characters of context k", fontsize=8)
        ax.set_ylabel("val loss (nats / char)", fontsize=8)
        ax.set_title("memory: context curve (how far back the model reads)", fontsize=9)
    ax.legend(fontsize=7, loc="best")
