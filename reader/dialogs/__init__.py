"""The dialogs the triage screen opens: the apply preview, confirm, pick, reason and help."""
