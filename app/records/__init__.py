"""Records that last: one backup archive of a whole installation, and its restore."""
