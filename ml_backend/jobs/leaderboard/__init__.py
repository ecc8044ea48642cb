"""A leaderboard: several algorithms on one split, ranked by a test metric."""
