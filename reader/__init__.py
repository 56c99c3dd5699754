"""newsreader: triage a folder of news articles from the keyboard."""

__version__ = "0.1.0"
