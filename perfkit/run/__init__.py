"""Stage 5, running: the runner and its workers, locks, tidy tables, new years, projects."""
