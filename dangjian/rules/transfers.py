"""Transfers of membership (组织关系转接): validity of the 介绍信 (rules-reference §5).

Source: the interpretation of 中组发〔2004〕10号 quoted in [S43]: "介绍信有效期一般为30天，最长不超过3个月".
Local versions disagree (10 days; 3 months, 6 months across provinces; 30/90 days at one university), so
the default is a local rule a deployment may override in settings.DANGJIAN_RULES; the maximum is the
one number every version we saw respects within a province.
"""

import datetime as dt

from .base import Rule

# The document's year is known, its exact day is not in the reference: 1 January of that year.
_SINCE = dt.date(2004, 1, 1)

LETTER_VALIDITY_DAYS = Rule(
    "transfers.letter_validity_days", 30, "中组发〔2004〕10号 解读：介绍信有效期一般为30天 [S43]", _SINCE,
    hard=False, local=True,
)
LETTER_MAX_VALIDITY_DAYS = Rule(
    "transfers.letter_max_validity_days", 90, "中组发〔2004〕10号 解读：介绍信有效期最长不超过3个月 [S43]", _SINCE,
    hard=True, local=True,
)
