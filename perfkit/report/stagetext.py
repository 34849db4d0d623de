"""How every document states a 复核得分 of either stage (the 复核意见's conclusion table, the
bureau's 复核汇总 and 通报, the outputs index): a first reading's range, the grades it allows,
the difference from the claim, 结果应用 after the 终审. Light on purpose: only :mod:`perfkit.fmt`,
so the outputs index words the score as the opinion does without loading pandas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from perfkit import fmt


def score_text(total: float | None, score_range: tuple[float, float] | None = None) -> str:
    """The 复核得分 as the 复核意见's conclusion table states it, and every bureau document
    after it: a first reading waiting for 补充资料 as its range (``23.50–92.00（初审）``), else
    the score (``无法评分`` without one)."""
    if score_range is not None:
        low, high = score_range
        return f"{fmt.num(low)}–{fmt.num(high)}（初审）"
    return fmt.num(total, missing="无法评分")


def grade_text(grade: str, possible: Sequence[str] | None = None) -> str:
    """The 复核 grade beside :func:`score_text`: the grades a range allows (``优、良、中、差之一``),
    else the grade (``—`` without one)."""
    if possible is not None:
        return "、".join(possible) + "之一" if possible else "无对应等级"
    return grade or "—"


def difference_text(claimed: float | None, difference: float | None,
                    score_range: tuple[float, float] | None = None) -> str:
    """自评得分 − 复核得分 as the conclusion table states it: ``difference`` (recorded at the
    sheet's precision), or of a range from the claim less its highest to the claim less its
    lowest (``4.80–73.30``); ``—`` without both."""
    if claimed is None:
        return "—"
    if score_range is not None:
        low, high = score_range
        return f"{fmt.num(claimed - high)}–{fmt.num(claimed - low)}"
    return fmt.num(difference, missing="—")


def pending_result_use(possible: Sequence[str], uses: Mapping[str, str]) -> str:
    """结果应用 of a first reading: applied once 终审 sets the grade, listed for each grade the
    range allows."""
    return ("结果应用待终审确定等级后执行（"
            + "；".join(f"{g}：{uses.get(g, '—')}" for g in possible) + "）。")
