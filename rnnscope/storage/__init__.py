"""Files on disk: atomic writes, the run folder, the corpus file, the snapshot format and its checks, the timeline."""
