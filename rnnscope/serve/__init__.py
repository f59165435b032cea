"""`--serve`: the dashboard in a browser, one read-only `--attach` per tab, behind a token (textual-serve)."""
