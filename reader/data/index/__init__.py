"""The index: an SQLite copy of what the article files say, and the stories clustered from it."""
