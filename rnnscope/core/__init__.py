"""The training core: data, models, instrumentation, engine and export (knows nothing of Textual or Rich)."""
