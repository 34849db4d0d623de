"""Stage 4, presentation: tables, charts and Chinese text from assessed numbers; HTML, PDF, Word."""
