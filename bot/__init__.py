"""tidybot: keeps every Go module of a repository tidy."""

__version__ = "1.0.0"
