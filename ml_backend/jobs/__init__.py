"""One package per job kind: its config, resolve, run, typed result and plots; the registry."""
