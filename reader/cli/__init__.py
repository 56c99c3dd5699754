"""The headless commands (`newsreader list`, `decide`, `apply`, ...), on reader.data only."""
