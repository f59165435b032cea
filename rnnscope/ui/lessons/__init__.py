"""The lesson panel and the lesson list on the screen."""
