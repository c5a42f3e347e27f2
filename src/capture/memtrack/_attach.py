"""Placeholder of the lead's foundation for issue 12: its owner replaces it."""
