"""The agent's own evaluation: tables, a development set, a held-apart test set."""
