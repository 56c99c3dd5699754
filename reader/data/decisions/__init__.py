"""The decisions store: every triage decision in SQLite, with its undo/redo journal."""
