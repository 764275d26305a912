"""The autograder of the socket web-server lab. See autograder/ARCHITECTURE.md."""

__version__ = "0.1.0"
