"""The training engine: torch and numpy only, never Qt."""
