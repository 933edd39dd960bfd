"""Run pages: the "Run" form of a function's page, and a run's own page.

Starting a run goes through `entities.runs.services.start_run`, like the API; the run's page shows
its status, input, output, error, logs and timings, and reloads itself (a meta refresh, no script)
until the run has finished.
"""

import json

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from applications import access
from dispatch_site.errors import REFUSALS, page_status, reason_of
from entities import models as m
from entities.kinds import get_kind
from entities.runs import services as run_services
from entities.runs.selectors import visible_function_names

from .generic import KindView, detail_url, list_url
from .links import other_surfaces

REFRESH_SECONDS = 2


class RunForm(forms.Form):
    input = forms.JSONField(
        required=False,
        label="Input",
        help_text='The payload, as JSON, e.g. {"name": "Jon"}. Empty: {}.',
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}),
    )
    blocking = forms.BooleanField(
        required=False, initial=True, label="Wait for the result", help_text="Untick to queue the run."
    )


def run_form_context(user, function) -> dict:
    """What a function's page needs for its "Run" form: the form, for those who may run it."""
    may_run = access.may_create(user, m.FunctionRun, list(function.applications.all()))
    return {"run_form": RunForm() if may_run else None, "run_url": run_url(function)}


def run_url(function) -> str:
    return f"{detail_url(function)}run/"


class FunctionRunView(KindView):
    """POST /functions/<name>/run/: start a run, then show it (its page refreshes until it ends)."""

    template_name = "pages/run_start.html"

    def respond(self, request, function, form, error=None, status=200):
        context = self.base_context(object=function, form=form, error=error, run_url=run_url(function))
        return render(request, self.template_name, context, status=status)

    def get(self, request, name):
        function = self.get_object(request, name)
        return self.respond(request, function, RunForm())

    def post(self, request, name):
        function = self.get_object(request, name)
        form = RunForm(request.POST)
        if not form.is_valid():
            return self.respond(request, function, form, status=400)
        try:
            run = run_services.start_run(
                user=request.user,
                function=function,
                input=form.cleaned_data["input"],
                blocking=form.cleaned_data["blocking"],
            )
        except REFUSALS as error:
            return self.respond(request, function, form, error=reason_of(error), status=page_status(error))
        messages.success(request, f"Run of function '{function.name}' started.")
        return redirect(f"{list_url(run.kind)}{run.name}/")


def function_urls(user, runs) -> dict:
    """{function id: its page} for the runs' functions the user may see now (one query): a run names
    its function as frozen when it ran, and links to it only while it is visible."""
    functions = list_url(get_kind("function"))
    return {pk: f"{functions}{name}/" for pk, name in visible_function_names(user, runs).items()}


class RunView(KindView):
    """A run's page: what went in, what came out, what it printed, and when."""

    template_name = "pages/run_detail.html"

    def get(self, request, name):
        run = self.get_object(request, name)
        context = self.base_context(
            object=run,
            function_url=function_urls(request.user, [run]).get(run.function_id),
            application_names=run.application_names(),
            input=json.dumps(run.input, indent=2, ensure_ascii=False),
            output=None if run.output is None else json.dumps(run.output, indent=2, ensure_ascii=False),
            stdout="\n".join((run.logs or {}).get("stdout") or []),
            stderr="\n".join((run.logs or {}).get("stderr") or []),
            stacktrace="\n".join((run.error or {}).get("stacktrace") or []),
            refresh=None if run.finished else REFRESH_SECONDS,
            surface_links=other_surfaces(request.user, run, api_basename="run"),
        )
        return render(request, self.template_name, context)
