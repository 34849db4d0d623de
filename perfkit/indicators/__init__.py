"""Stage 2, indicators: the Indicator record and ``@indicator`` (:mod:`.base`), catalog formulas
(:mod:`.catalog`), the indicators in use in a project (:mod:`.registry`, which ``pk.indicators``
is), finance and 学生资助 in Python (:mod:`.finance`, :mod:`.aid`), 绩效指标 by code and domain
hooks (:mod:`.metrics`)."""
