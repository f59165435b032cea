"""Running a mode: the engine process and its source, the dashboard's client, headless runs, replay, signals, streams."""
