"""Stage 1, the input contract: sheet definitions, the workbook reader and writer, run settings."""
