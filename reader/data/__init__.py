"""The data layer: parsing, index, triage store, queries. No Textual, no Rich."""
