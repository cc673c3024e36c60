"""The execution API: the monthly rows (filters, scope), the figures derived per project (worked by
hand), and the upload that answers with the job the worker runs."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jixiao.core.choices import JobStatus
from jixiao.core.tests.worker import run_worker
from jixiao.monitoring import services
from jixiao.monitoring.models import MonthlyExecution
from jixiao.org import services as org_services
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db
WORKER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)
API = "/api/v1/monitoring"


@pytest.fixture
def api(world):
    def make(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def data(world):
    perf = world.user("perf_section")
    school = make_project(world, code="XM-SCH", agency="101001", budget_amount=Decimal("1200000"))
    farm = make_project(world, code="XM-FARM", agency="102001", name="农田项目", budget_amount=Decimal("500000"))
    idle = make_project(world, code="XM-IDLE", agency="101001", name="未执行项目", budget_amount=Decimal("300000"))
    far = make_project(world, code="XM-FAR", agency="101001", region="654022", name="察县项目")
    for month, source, amount in ((1, "own", "100000"), (2, "own", "250000"), (2, "higher_transfer", "50000")):
        services.enter_execution(actor=perf, project=school, year=2026, month=month, fund_source=source,
                                 amount=Decimal(amount))
    services.enter_execution(actor=perf, project=farm, year=2026, month=3, fund_source="own", amount=Decimal("5000"))
    services.enter_execution(actor=perf, agency=world.agency("101001"), year=2026, month=1, fund_source="own",
                             amount=Decimal("7000"))
    services.enter_execution(actor=world.user("far_perf_section"), project=far, year=2026, month=1, fund_source="own",
                             amount=Decimal("1"))
    return {"school": school, "farm": farm, "idle": idle, "far": far}


def rows(client, query=""):
    r = client.get(f"{API}/execution?page_size=100{query}")
    assert r.status_code == 200, r.content
    return [(i["project_code"] or i["agency_code"], i["month"], i["fund_source"], i["amount"]) for i in r.json()["items"]]


def test_the_rows_in_scope_with_their_filters(world, api, data):
    perf = api("perf_section")
    # by year, agency, project (the whole budget, with no project, first), month, fund source
    assert rows(perf) == [("101001", 1, "own", "7000.00"), ("XM-SCH", 1, "own", "100000.00"),
                          ("XM-SCH", 2, "higher_transfer", "50000.00"), ("XM-SCH", 2, "own", "250000.00"),
                          ("XM-FARM", 3, "own", "5000.00")]
    assert rows(perf, "&month=2&fund_source=own") == [("XM-SCH", 2, "own", "250000.00")]
    assert rows(perf, f"&project={data['school'].pk}&month=1") == [("XM-SCH", 1, "own", "100000.00")]
    assert rows(perf, "&whole_budget=true") == [("101001", 1, "own", "7000.00")]
    assert {r[0] for r in rows(perf, f"&agency={world.agency('102001').pk}")} == {"XM-FARM"}
    assert rows(perf, "&year=2025") == []
    # an agency's preparer: its own agency's rows only; another region: its own; the province: from above
    assert {r[0] for r in rows(api("preparer"))} == {"101001", "XM-SCH"}
    assert rows(api("far_perf_section")) == [("XM-FAR", 1, "own", "1.00")]
    assert len(rows(api("prov_perf_section"))) == 5
    item = api("preparer").get(f"{API}/execution?month=1&whole_budget=false").json()["items"][0]
    assert (item["project"], item["fund_source_label"], item["entry"], item["version"]) == (
        data["school"].pk, "本级安排", "manual", 1)


def test_refused_roles_and_bad_filters(world, api, data):
    assert api("expert").get(f"{API}/execution").status_code == 403
    assert api("firm").get(f"{API}/execution/projects").status_code == 403
    assert Client().get(f"{API}/execution").status_code == 401
    bad = api("perf_section").get(f"{API}/execution/projects?month=13")
    assert bad.status_code == 400 and bad.json()["errors"]["month"] == ["月份应为 1 至 12 的整数"]
    assert api("perf_section").get(f"{API}/execution/projects?year=1999").status_code == 400


def figures(client, query=""):
    r = client.get(f"{API}/execution/projects?year=2026{query}")
    assert r.status_code == 200, r.content
    return {i["code"]: i for i in r.json()["items"]}


def test_the_figures_per_project_worked_by_hand(world, api, data):
    perf = api("perf_section")
    got = figures(perf)
    assert set(got) == {"XM-SCH", "XM-FARM", "XM-IDLE"}
    school = got["XM-SCH"]
    # to its last month with data (February): 100,000 + 250,000 + 50,000 = 400,000 of 1,200,000 → 0.3333;
    # time progress 2 ÷ 12 = 0.1667
    assert (school["month"], school["executed"], school["rate"], school["time_progress"], school["months_with_data"]) == (
        2, "400000.00", "0.3333", "0.1667", 2)
    # no rows: nothing to show, not zeros
    idle = got["XM-IDLE"]
    assert (idle["month"], idle["executed"], idle["rate"], idle["time_progress"], idle["months_with_data"]) == (
        None, None, None, None, 0)
    # to the end of January: 100,000 → 0.0833; the farm project's first payment is in March: 0 by then
    january = figures(perf, "&month=1")
    assert (january["XM-SCH"]["executed"], january["XM-SCH"]["rate"], january["XM-SCH"]["time_progress"]) == (
        "100000.00", "0.0833", "0.0833")
    assert (january["XM-FARM"]["executed"], january["XM-FARM"]["rate"]) == ("0.00", "0.0000")
    # a cut of 200,000 by finance: the rate is against the adjusted 1,000,000 → 0.4
    from jixiao.monitoring.models import Decision

    Decision.objects.create(region=data["school"].region, agency=data["school"].agency, project=data["school"],
                            year=2026, kind="cut", amount=Decimal("200000"), reason="调减",
                            decided_by=world.user("perf_section"), decided_at=timezone.now())
    school = figures(perf, f"&project={data['school'].pk}")["XM-SCH"]
    assert (school["budget"], school["adjusted_budget"], school["rate"]) == ("1200000.00", "1000000.00", "0.4000")
    # scope: the preparer's agency's projects; the other county's
    assert set(figures(api("preparer"))) == {"XM-SCH", "XM-IDLE"}
    assert set(figures(api("far_perf_section"))) == {"XM-FAR"}


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目编码", "月份", "实际支付金额", "资金来源"])
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@WORKER_DB
def test_the_upload_answers_with_the_job_the_worker_runs(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    school = make_project(world, code="XM-SCH", agency="101001")
    client = api("preparer")
    r = client.post(f"{API}/execution/import", {"year": "2026", "file": SimpleUploadedFile(
        "支付.xlsx", xlsx([("XM-SCH", 1, 10, "本级"), ("XM-SCH", 2, 20, "本级")]))})
    assert r.status_code == 202, r.content
    job = r.json()
    assert (job["kind"], job["status"], job["status_label"]) == ("monitoring.import_execution", "queued", "排队中")
    assert not MonthlyExecution.objects.exists()
    run_worker()
    done = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["status"] == JobStatus.DONE and done["result"]["created"] == 2 and done["result"]["imported"] is True
    assert MonthlyExecution.objects.filter(project=school).count() == 2
    # a bad file: every bad cell in the job's result, nothing written
    r = client.post(f"{API}/plans/import", {"year": "2026", "file": SimpleUploadedFile(
        "计划.csv", "项目编码,月份,计划金额\nXM-SCH,13,5\nXM-NO,1,5\n".encode())})
    run_worker()
    bad = client.get(f"/api/v1/jobs/{r.json()['id']}").json()
    assert bad["result"]["imported"] is False and [e["row"] for e in bad["result"]["errors"]] == [2, 3]
    assert "traceback" not in bad["result"]
    # the job is the caller's: another user gets the same 404 as for a missing one
    assert api("perf_section").get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert client.get("/api/v1/jobs/999999").status_code == 404
    # no file, or a role that may not import
    assert client.post(f"{API}/execution/import", {"year": "2026"}).status_code == 400
    assert api("leader").post(f"{API}/execution/import", {"year": "2026", "file": SimpleUploadedFile(
        "x.csv", b"a")}).status_code == 403
