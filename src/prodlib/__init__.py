"""prodlib: production accounting for film and television."""

__version__ = "0.1.0"
