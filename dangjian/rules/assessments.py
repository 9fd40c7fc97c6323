"""软弱涣散基层党组织 (weak and lax grassroots organizations): the situations that identify one, and the numeric
"直接认定" criteria the platform can check from its own records (rules-reference §7.3).

Sources: the ten situations as a county restated the 中组部 list in 2015 [S60] (S; the central text was not
retrieved), and the numeric criteria of a 州-level rule of 2019 used for 直接认定 [S59] (L: every locality sets its
own, so each number is a local rule a deployment may override in settings.DANGJIAN_RULES). Identification is done
by the committee above, normally at the start of each year [S60] (L).
"""

import datetime as dt

from .base import Rule

_SINCE = dt.date(2013, 1, 1)  # the central campaign began in 2013-2014; the local rules later

SECRETARY_VACANCY_MONTHS = Rule(
    "assessments.secretary_vacancy_months", 3, "软弱涣散直接认定：书记出缺超过3个月 [S59]", _SINCE, hard=False,
    local=True,
)
NO_CANDIDATE_YEARS = Rule(
    "assessments.no_candidate_years", 2, "软弱涣散直接认定：村党组织连续2年无发展对象 [S59]", _SINCE, hard=False,
    local=True,
)
ORGLIFE_SOURCE = "软弱涣散直接认定：三会一课、主题党日、组织生活会、民主评议未按《支部工作条例》开展 [S59]"
# How many missed periods make "未按规定开展" is not in the source: a requirement the 条例 states firmly (组织生活会,
# 民主评议: 每年) counts at its first miss; those it states as 一般 (支部党员大会 一般每季度, 主题党日 一般每月 …) once
# they are missed in this many finished periods of the year together. The platform's default, a local rule (U).
ORGLIFE_SOFT_MISSED_PERIODS = Rule(
    "assessments.orglife_soft_missed_periods", 3,
    "本平台默认：“一般”频次的组织生活一年中累计3个周期未达到规定次数，视为未按规定开展（各地自定）", _SINCE, hard=False,
    local=True,
)

# The situations of the central list as restated in [S60], for the 认定 form (the committee ticks what applies).
SITUATIONS = (
    ("team", "班子配备不齐，书记长期缺职，工作处于停滞状态"),
    ("secretary", "书记不胜任现职，工作不在状态，严重影响班子整体作用发挥"),
    ("unity", "班子不团结，内耗严重，工作不能正常开展"),
    ("system", "组织制度形同虚设，不开展党组织活动"),
    ("election", "换届选举拉票贿选问题突出"),
    ("forces", "宗族、宗教和黑恶势力干扰渗透严重"),
    ("disclosure", "党务村务财务不公开，民主管理混乱"),
    ("order", "社会治安问题和信访矛盾纠纷集中"),
    ("venue", "无村级组织活动场所"),
    ("service", "服务意识差、服务能力弱，群众满意度低"),
)
SITUATION_LABELS = dict(SITUATIONS)
