"""tidybot: keeps every Go module of a repository tidy."""

__version__ = "0.1.0"
