"""The automl kind: screen, tune and ensemble within a wall-clock budget."""
