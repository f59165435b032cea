"""Compare: two runs one setting apart, paired in lockstep, headless or on the screen, and their figure."""
