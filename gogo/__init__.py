"""gogo: an AlphaGo-style Go engine."""
__version__ = "0.1.0"
