"""Writers of what a run shows: snapshot folders, their figure, the timeline's recorder."""
