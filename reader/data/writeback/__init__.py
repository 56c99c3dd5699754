"""Write-back: the `published:` edits planned, applied, verified and undone."""
