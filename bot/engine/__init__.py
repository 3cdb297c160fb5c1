"""The pure engine: parsing, discovery, classification and planning.

Nothing under ``bot.engine`` talks to the network, git, GitHub or runs subprocesses;
``tests/unit/test_architecture.py`` checks that by reading the imports.
"""
