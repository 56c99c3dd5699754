"""The article files themselves: finding, reading, parsing, editing one line, committing."""
