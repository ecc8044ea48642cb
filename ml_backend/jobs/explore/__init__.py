"""The explore kind; the explorers themselves live in `ml_backend.explorers`."""
