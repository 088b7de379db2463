"""Running a model with forward hooks: the Trace of one sentence (capture) and of many (batch)."""
