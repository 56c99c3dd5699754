"""The triage screen and its plain-Python model: what each key does to the list and shows."""
