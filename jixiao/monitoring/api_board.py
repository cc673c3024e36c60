"""API of the warnings board and the monitoring statistics (issue #13): the same readers as the pages
(``board.board``, ``board.statistics``), scoped the same way. Amounts in yuan, ratios as decimals."""

from __future__ import annotations

import dataclasses

from ninja import Query, Router

from jixiao.apiauth import allowed
from jixiao.core import audit
from jixiao.core.apikit import READ_ERRORS
from jixiao.core.dates import local_date
from jixiao.core.scoping import get_for_user
from jixiao.core.years import year_param
from jixiao.monitoring import board as boards
from jixiao.monitoring import schemas
from jixiao.monitoring.models import MonitoringRound, MonitoringTable
from jixiao.projects.choices import ProjectTag

router = Router(tags=["绩效运行监控"])


def _choice(value, allowed_values):
    return value if value in allowed_values else ""


@router.get("/rounds/{int:id}/board", auth=allowed(MonitoringTable, "view"),
            summary="预警看板：批次中您范围内的对象按灯色计数，按单位、行业、标签、填报状态、灯色、偏差筛选（分页）",
            response={200: schemas.BoardOut, **READ_ERRORS})
def round_board(request, id: int, filters: Query[schemas.BoardFilterIn]):
    rnd = get_for_user(MonitoringRound, request.user, "view", pk=id)
    f = filters
    flt = boards.BoardFilter(
        agency=f.agency, sector=f.sector, tag=_choice(f.tag, ProjectTag.values),
        status=_choice(f.status, {k for k, _ in boards.STATUSES}), light_of="goal" if f.light_of == "goal" else "budget",
        light=_choice(f.light, {k for k, _ in boards.LIGHTS}), deviation=_choice(f.deviation,
                                                                                {k for k, _ in boards.DEVIATIONS}))
    result = boards.board(request.user, rnd, flt, today=local_date(None, request.user.region))
    start = (f.page - 1) * f.page_size
    part = result.rows[start:start + f.page_size]
    sectors, tags = boards.sector_names(), dict(ProjectTag.choices)
    items = [boards.board_row(t, r, late=result.late, sectors=sectors, tags=tags) for t, r in part]
    audit.record_export(request, "api_list", len(items), path=request.path[:300], page=f.page, total=len(result.rows))
    return {"round": rnd.pk, "late": result.late, "counts": result.counts.as_dict(), "count": len(result.rows),
            "items": items}


def _tally(t) -> dict:
    return dataclasses.asdict(t)


@router.get("/statistics", auth=allowed(MonitoringTable, "view"),
            summary="运行监控统计（年度报告口径）：每个批次及其中每个项目标签的监控对象数、金额、偏差、灯色、处理决定及金额",
            response={200: schemas.MonitoringStatisticsOut, **READ_ERRORS})
def statistics(request, year: int | None = None):
    year = year_param(request, value=year)
    stats = boards.statistics(request.user, year)
    labels = dict(ProjectTag.choices)
    rounds = [{"round": f.round.pk, "title": f.round.title, "region": f.round.region.name, "month": f.round.month,
               "scope_kind": f.round.scope_kind, "sentence": f.sentence, "total": _tally(f.total),
               "by_tag": [{**_tally(t), "tag": tag, "label": labels.get(tag, tag), "sentence": f.tag_sentences[tag]}
                          for tag, t in f.by_tag.items()]} for f in stats.rounds]
    return {"year": year, "rounds": rounds, "decisions": _tally(stats.decisions), "unlinked": stats.unlinked}
