"""The app's screens: triage, help and the pickers."""
