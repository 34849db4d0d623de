"""The verdict words of every check and audit row (一致, 不一致 …), in one place."""

from __future__ import annotations

#: The figure agrees with what the rule gives (within tolerance, or rounded as printed).
CONSISTENT = "一致"
#: The figure contradicts the data.
INCONSISTENT = "不一致"
#: Parts that may not be all of them ("其中") fall short of their total.
UNEXPLAINED = "未解释差额"
#: An input is missing, the base is zero, or the 核对对象 cannot be used.
UNVERIFIABLE = "无法核对"
#: The printed value is explained by rounding of the inputs or by truncation.
ROUNDING = "舍入差异"
#: A figure of implausible size that the department confirmed (run settings' confirmed_values):
#: not verified, so shown for the reviewer to check against the vouchers.
CONFIRMED = "已核实"
#: A domain check whose figures disagree with a standard and need an explanation.
EXPLAIN = "需说明"
#: Every verdict the audit gives, in display order.
VERDICTS = (CONSISTENT, ROUNDING, INCONSISTENT, UNEXPLAINED, UNVERIFIABLE, CONFIRMED)
