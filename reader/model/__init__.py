"""The triage model: what the screen shows and what each key does to it, in plain Python."""
