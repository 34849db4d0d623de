"""Stage 3, assessment: checks, targets, the score sheet, PEFA, the audit of stated figures, problems."""
