"""Reports pages: the list, one report with its filter, table and chart, and its CSV."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from clinic.reporting.filters import ReportFilterForm
from clinic.reporting.reports import REPORTS
from clinic.staff.access import permission_required
from clinic.staff.roles import VIEW_REPORTS


@login_required
@permission_required(VIEW_REPORTS)
def report_index(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    query = urlencode(form.period().query())
    reports = [
        {"name": name, "title": title, "about": about,
         "url": f"{reverse('reporting:report', args=[name])}?{query}"}
        for name, (title, about, _make) in REPORTS.items()
    ]  # fmt: skip
    return render(request, "reporting/index.html", {"reports": reports, "form": form})


def _report(request: HttpRequest, name: str):  # type: ignore[no-untyped-def]
    if name not in REPORTS:
        raise Http404("No such report.")
    form = ReportFilterForm(request.GET or None)
    period = form.period()
    return form, period, REPORTS[name][2](period)


@login_required
@permission_required(VIEW_REPORTS)
def report_page(request: HttpRequest, name: str) -> HttpResponse:
    form, period, report = _report(request, name)
    query = urlencode(period.query())
    context = {
        "form": form,
        "period": period,
        "report": report,
        "table": list(report.table()),
        "chart": report.chart_data(),
        "csv_url": f"{reverse('reporting:csv', args=[name])}?{query}",
        "reports": [(key, title) for key, (title, _about, _make) in REPORTS.items()],
        "query": query,
    }
    return render(request, "reporting/report.html", context)


@login_required
@permission_required(VIEW_REPORTS)
def report_csv(request: HttpRequest, name: str) -> HttpResponse:
    form, period, report = _report(request, name)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "The range is not valid: " + " ".join(e for errs in form.errors.values() for e in errs),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # The byte-order mark tells spreadsheet programs the file is UTF-8 (names with accents).
    response.write("\ufeff")
    filename = f"{name}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in report.csv_rows():
        writer.writerow(row)
    return response
