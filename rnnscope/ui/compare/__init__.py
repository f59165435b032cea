"""The compare screen: two columns of panels, a side's status line, the compare bar."""
